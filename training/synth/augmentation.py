"""Photo-level augmentation: how one warped face becomes one photo.

Random pose (roll, a horizontal squeeze that mimics yaw), scale, position, background,
mirror, light, white balance, blur and JPEG quality.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from training.synth.face_frame import FaceFrame
from training.synth.warp import area_shrink

# Output inter-ocular distance as a fraction of OUTPUT_SIZE (the app's aligned crop has
# 0.30 of 224 px = 67 px, i.e. 0.175 of 384).
_OUTPUT_IOD = (0.15, 0.23)
_MAX_ROLL_DEGREES = 10.0
_SQUEEZE = (0.85, 1.0)
_BACKGROUND_P = 0.5
_FLIP_P = 0.5
_BLUR_SIGMA = (0.0, 1.5)
_JPEG_QUALITY = (60, 95)


def _place_face(
    image: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Roll, scale, squeeze (small yaw) and shift the face into a size x size picture."""
    frame = FaceFrame.from_landmarks(landmarks)
    roll = math.radians(rng.uniform(-_MAX_ROLL_DEGREES, _MAX_ROLL_DEGREES))
    scale = rng.uniform(*_OUTPUT_IOD) * size / frame.iod
    squeeze = rng.uniform(*_SQUEEZE)
    offset = rng.uniform(-0.07, 0.07, size=2) * size
    centre = (landmarks.min(axis=0) + landmarks.max(axis=0)) / 2
    # Photo -> face frame axes (undoes the base photo's own roll; a left-handed frame just
    # mirrors the picture, which the random flip does anyway) -> squeeze along the face's
    # width -> roll -> output.
    upright = frame.axes
    cos, sin = math.cos(roll), math.sin(roll)
    rotation = np.array([[cos, -sin], [sin, cos]])
    linear = rotation @ np.diag([squeeze * scale, scale]) @ upright
    translation = size / 2 + offset - linear @ centre
    matrix = np.hstack([linear, translation[:, None]])
    source = image
    if scale < 0.7:  # area-average first so bilinear sampling does not alias
        source, fx, fy = area_shrink(image, min(1.0, 1.4 * scale))
        pre_inv = np.array([[1 / fx, 0.0, 0.5 / fx - 0.5], [0.0, 1 / fy, 0.5 / fy - 0.5]])
        warp = np.hstack([linear @ pre_inv[:, :2], (linear @ pre_inv[:, 2] + translation)[:, None]])
    else:
        warp = matrix
    out = cv2.warpAffine(
        source, warp, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101
    )
    return out, landmarks @ linear.T + translation


def _random_background(rng: np.random.Generator, size: int) -> np.ndarray:
    kind = int(rng.integers(3))
    if kind == 0:  # plain wall
        colour = rng.uniform(0, 255, size=3)
        return np.broadcast_to(colour, (size, size, 3)).astype(np.float32)
    if kind == 1:  # linear gradient
        a, b = rng.uniform(0, 255, size=(2, 3))
        angle = rng.uniform(0, 2 * math.pi)
        ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) / (size - 1)
        t = xs * math.cos(angle) + ys * math.sin(angle)
        t = (t - t.min()) / max(float(np.ptp(t)), 1e-6)
        return (a + (b - a) * t[..., None]).astype(np.float32)
    cells = int(rng.integers(3, 12))  # blotchy clutter plus fine noise
    coarse = rng.uniform(0, 255, size=(cells, cells, 3)).astype(np.float32)
    smooth = cv2.resize(coarse, (size, size), interpolation=cv2.INTER_CUBIC)
    fine = rng.normal(0.0, rng.uniform(2, 15), size=(size, size, 3)).astype(np.float32)
    return np.clip(smooth + fine, 0, 255)


def _replace_background(
    image: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    size = image.shape[0]
    hull = cv2.convexHull(landmarks.astype(np.float32)).reshape(-1, 2)
    centre = hull.mean(axis=0)
    grown = centre + rng.uniform(1.08, 1.25) * (hull - centre)
    mask = np.zeros((size, size), dtype=np.uint8)
    cv2.fillConvexPoly(mask, np.round(grown * 16).astype(np.int32), (255,), cv2.LINE_AA, 4)
    soft = cv2.GaussianBlur(mask.astype(np.float32) / 255, (0, 0), rng.uniform(1.0, 4.0))
    background = _random_background(rng, size)
    out = image.astype(np.float32) * soft[..., None] + background * (1 - soft[..., None])
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def photometric(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random light and camera: white balance, side light, contrast, brightness, gamma, blur."""
    x = image.astype(np.float32) / 255
    x *= np.exp(rng.normal(0.0, 0.06, size=3)).astype(np.float32)  # white balance
    size = x.shape[0]
    if rng.random() < 0.5:  # side light
        ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) / (size - 1) - 0.5
        angle = rng.uniform(0, 2 * math.pi)
        ramp = 1 + rng.uniform(0, 0.5) * (xs * math.cos(angle) + ys * math.sin(angle))
        x *= ramp[..., None]
    mean = float(x.mean())
    x = (x - mean) * math.exp(rng.uniform(-0.3, 0.3)) + mean + rng.uniform(-0.1, 0.1)
    x = np.clip(x, 0, 1) ** math.exp(rng.uniform(-0.35, 0.35))
    out = np.round(x * 255).astype(np.uint8)
    sigma = rng.uniform(*_BLUR_SIGMA)
    if sigma > 0.25:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    return out


def jpeg_bytes(image: np.ndarray, quality: int) -> bytes:
    """An RGB image as JPEG file bytes."""
    ok, data = cv2.imencode(
        ".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return data.tobytes()


def photograph(
    face: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator, size: int
) -> tuple[bytes, np.ndarray]:
    """One random photo (JPEG bytes, size x size) of a warped face, and its landmarks in it
    (float32, after the mirror)."""
    picture, placed = _place_face(face, landmarks, rng, size)
    if rng.random() < _BACKGROUND_P:
        picture = _replace_background(picture, placed, rng)
    if rng.random() < _FLIP_P:
        picture = np.ascontiguousarray(picture[:, ::-1])
        placed = placed.copy()
        placed[:, 0] = size - 1 - placed[:, 0]
    picture = photometric(picture, rng)
    quality = int(rng.integers(_JPEG_QUALITY[0], _JPEG_QUALITY[1] + 1))
    return jpeg_bytes(picture, quality), placed.astype(np.float32)
