"""Finding the same photo filed twice: byte-identical, or a mirrored, resized or re-encoded
copy.

Two files of one photo under two subjects, or under two groups, would put one person on
both sides of a split (or give one face two labels). Byte-identical files share a SHA-256.
Copies that were mirrored, resized or re-encoded share a perceptual hash: the signs of the
lowest 8 x 8 DCT frequencies of a 32 x 32 greyscale thumbnail against their median (a
"pHash"). A mirror image flips the sign of every odd horizontal frequency, so each photo is
compared with the other's hash and with the hash of the other's mirror image.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

#: Differing bits (of 256) up to which two hashes count as one photo. Measured: resized,
#: re-encoded (JPEG quality 40) and mirrored copies differ in 0-4 bits; the closest two of 330
#: synthetic photos (27 base photos, each in 12 photos) in 50.
MAX_DISTANCE = 20
_BITS = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1).sum(axis=1).astype(np.uint8)


def perceptual_hashes(image: np.ndarray) -> np.ndarray:
    """(2, 32) uint8: the 256-bit hash of an RGB photo and of its mirror image."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    thumb = cv2.resize(grey.astype(np.float32), (64, 64), interpolation=cv2.INTER_AREA)
    low = cv2.dct(thumb)[:16, :16]
    mirrored = low * np.where(np.arange(16) % 2 == 1, -1.0, 1.0)[None, :]
    return np.stack([np.packbits((c > np.median(c)).ravel()) for c in (low, mirrored)])


def near_duplicates(
    hashes: Sequence[np.ndarray], max_distance: int = MAX_DISTANCE, chunk: int = 256
) -> list[tuple[int, int]]:
    """Pairs (i, j), i < j, whose photos are the same up to mirroring, size or encoding."""
    if not hashes:
        return []
    plain = np.stack([h[0] for h in hashes])  # (N, 32)
    both = np.stack(hashes)  # (N, 2, 32)
    pairs: list[tuple[int, int]] = []
    for start in range(0, len(plain), chunk):
        block = plain[start : start + chunk]  # (B, 32)
        xor = block[:, None, None, :] ^ both[None, :, :, :]  # (B, N, 2, 32)
        distance = _BITS[xor].sum(axis=-1, dtype=np.uint16).min(axis=-1)  # (B, N)
        for i, j in zip(*np.nonzero(distance <= max_distance), strict=True):
            if start + i < j:
                pairs.append((int(start + i), int(j)))
    return pairs
