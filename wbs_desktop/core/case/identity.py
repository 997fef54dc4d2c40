"""Do the photos of a case show one person? A face-texture check, to catch a mixed-up file.

Each photo's aligned face (the canonical crop, before any masking) is described by the
uniform local binary patterns of its histogram-equalised grey image, counted in 8 x 8
cells (Ahonen, Hadid and Pietikainen, 2006). Two photos are compared by the chi-square
distance of those histograms, the nearer of the photo as it is and mirrored: a selfie
camera may have flipped one.

Measured on the real photos in ``../shared`` with ``tests/benchmarks/bench_identity.py``
(123 photos of 73 adults, 14 of them with 2-11 photos, so 157 same-person pairs; crops
of 224 px):
- Separation: AUC 0.917 over all pairs, 0.843 when the other person comes from the same
  photo collection.
- :data:`THRESHOLD` is the 99th percentile of the same-person distances: 44.5, and 44.0-44.6
  with each person left out in turn. At it, 1.3 % of same-person pairs raise the warning.
  It catches 62 % of pairs of different people, 42 % within one collection.
- In a case of three photos with one stranger, it flags the stranger half the time, and it
  warns on 0.4 % of cases of three photos of one person.
- With 112 px crops (the demo model's), it is a little weaker: AUC 0.909. It flags 0.6 % of
  same-person pairs and catches 53 % of pairs of different people, 35 % within one
  collection.
- Landmark geometry (Procrustes distance of MediaPipe's landmarks) separated people far
  worse: AUC 0.65.

The check is weak. Its warning asks the clinician to look; its silence proves nothing.
Children change with age, and were not measured.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from wbs_desktop.core.i18n import _

TEXTURE_SIZE = 112  # the crop side the histograms are counted at (any crop is resized)
GRID = 8  # cells per side
THRESHOLD = 44.5  # chi-square distance; see the module's docstring


def _uniform_lookup() -> np.ndarray:
    """8-bit LBP codes -> bins: one per uniform pattern (at most two 0/1 transitions around
    the circle, 58 of them), one for every other code."""
    table = np.empty(256, np.uint8)
    uniform = 0
    for code in range(256):
        bits = [(code >> i) & 1 for i in range(8)]
        if sum(bits[i] != bits[(i + 1) % 8] for i in range(8)) <= 2:
            table[code] = uniform
            uniform += 1
        else:
            table[code] = 58
    return table


_LOOKUP = _uniform_lookup()
BINS = 59
# The eight neighbours, clockwise from the top left: (row, column) offsets.
_NEIGHBOURS = ((-1, -1), (-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1))


def face_texture(aligned: np.ndarray) -> np.ndarray:
    """The texture descriptor of an aligned RGB face crop: ``(2, GRID * GRID * BINS)``
    float32, the crop's cell histograms (each summing to 1) and its mirror image's."""
    grey = cv2.cvtColor(np.ascontiguousarray(aligned), cv2.COLOR_RGB2GRAY)
    grey = cv2.resize(grey, (TEXTURE_SIZE, TEXTURE_SIZE), interpolation=cv2.INTER_AREA)
    grey = cv2.equalizeHist(grey)
    return np.stack([_histograms(grey), _histograms(np.ascontiguousarray(grey[:, ::-1]))])


def _histograms(grey: np.ndarray) -> np.ndarray:
    values = grey.astype(np.int16)
    centre = values[1:-1, 1:-1]
    codes = np.zeros(centre.shape, np.uint8)
    for bit, (dy, dx) in enumerate(_NEIGHBOURS):
        neighbour = values[1 + dy : TEXTURE_SIZE - 1 + dy, 1 + dx : TEXTURE_SIZE - 1 + dx]
        codes |= np.left_shift((neighbour >= centre).astype(np.uint8), np.uint8(bit))
    bins = _LOOKUP[codes]
    side = bins.shape[0]
    cells = []
    for row in range(GRID):
        for column in range(GRID):
            cell = bins[
                row * side // GRID : (row + 1) * side // GRID,
                column * side // GRID : (column + 1) * side // GRID,
            ]
            counts = np.bincount(cell.ravel(), minlength=BINS).astype(np.float32)
            cells.append(counts / counts.sum())
    return np.concatenate(cells)


def _chi_square(a: np.ndarray, b: np.ndarray) -> float:
    total = a + b
    nonzero = total > 0
    return float((((a - b)[nonzero]) ** 2 / total[nonzero]).sum())


def texture_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Chi-square distance of two descriptors, the nearer of ``b`` as it is and mirrored (a
    selfie camera may have flipped one photo): 0 for the same crop, larger for faces that
    differ more."""
    return min(_chi_square(a[0], b[0]), _chi_square(a[0], b[1]))


def odd_ones(textures: Sequence[np.ndarray]) -> tuple[int, ...]:
    """The indices of the photos that may show someone else.

    With two photos, neither can be told apart as the odd one: both, when their distance
    is above :data:`THRESHOLD`. From three, each photo whose median distance to the others
    is above it.
    """
    count = len(textures)
    if count < 2:
        return ()
    distances = np.zeros((count, count))
    for i in range(count):
        for j in range(i + 1, count):
            distances[i, j] = distances[j, i] = texture_distance(textures[i], textures[j])
    if count == 2:
        return (0, 1) if distances[0, 1] > THRESHOLD else ()
    medians = [np.median(np.delete(distances[i], i)) for i in range(count)]
    return tuple(i for i, median in enumerate(medians) if median > THRESHOLD)


def different_person_warning(names: Sequence[str], photos_compared: int) -> str:
    """The warning for the photos :func:`odd_ones` picked (by name), out of
    ``photos_compared``."""
    if photos_compared == 2:
        return _(
            "The two photos of this case may show different people: check that both are of "
            "this patient."
        )
    return _(
        "{names} may show a different person from the other photos of this case: check "
        "that every photo is of this patient."
    ).format(names=", ".join(names))
