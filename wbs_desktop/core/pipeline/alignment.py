"""Similarity alignment of a face to a canonical template: the crop every model sees.

Five anchors (the two eye centres, the nose tip, the two mouth corners) are fitted by a
weighted least-squares similarity transform (rotation, uniform scale, translation; no
shear, so the face's proportions, which carry the gestalt, are never distorted). The eyes
weigh most because they are the most stable landmarks across expressions.

Changing the template or the anchors changes what the networks see: bump
``ALIGNMENT_VERSION`` so training caches built with the old crops are not reused.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from wbs_desktop.core.pipeline.landmarks import (
    LEFT_EYE_CORNERS,
    LEFT_MOUTH_CORNER,
    NOSE_TIP,
    RIGHT_EYE_CORNERS,
    RIGHT_MOUTH_CORNER,
    EyeCentres,
    Face,
)

ALIGNMENT_VERSION = 1
DEFAULT_SIZE = 224

# Anchor positions as fractions of the crop side. Measured as the median over 63 frontal
# adult photos with the eyes normalised, then made symmetric: with the eyes 0.30 of the side
# apart, the mesh's forehead point sits at ~0.09 and the chin at ~0.91 of the side.
TEMPLATE = np.array(
    [
        [0.35, 0.36],  # subject's right eye centre (left in the photo)
        [0.65, 0.36],  # left eye centre
        [0.50, 0.557],  # nose tip
        [0.36, 0.668],  # right mouth corner
        [0.64, 0.668],  # left mouth corner
    ],
    dtype=np.float64,
)
_ANCHOR_WEIGHTS = np.array([3.0, 3.0, 1.0, 1.0, 1.0])


@dataclass(frozen=True)
class Aligned(EyeCentres):
    """An aligned face crop. ``matrix`` maps photo pixels to crop pixels (2x3)."""

    image: np.ndarray
    matrix: np.ndarray
    landmarks: np.ndarray

    @property
    def size(self) -> int:
        return int(self.image.shape[0])

    @property
    def inverse_matrix(self) -> np.ndarray:
        """Crop pixels -> photo pixels."""
        return cv2.invertAffineTransform(self.matrix)


def anchor_points(landmarks: np.ndarray) -> np.ndarray:
    """The five anchors, in template order, from 478 landmarks."""
    return np.stack(
        [
            landmarks[list(RIGHT_EYE_CORNERS)].mean(axis=0),
            landmarks[list(LEFT_EYE_CORNERS)].mean(axis=0),
            landmarks[NOSE_TIP],
            landmarks[RIGHT_MOUTH_CORNER],
            landmarks[LEFT_MOUTH_CORNER],
        ]
    ).astype(np.float64)


def fit_similarity(
    source: np.ndarray, target: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """Weighted least-squares similarity (Umeyama) mapping ``source`` onto ``target``.

    Returns the 2x3 matrix. Closed form, no RANSAC: with five reliable anchors every point
    should count, and the result must be deterministic.
    """
    w = np.ones(len(source)) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    mu_s = (w[:, None] * source).sum(axis=0)
    mu_t = (w[:, None] * target).sum(axis=0)
    src = source - mu_s
    dst = target - mu_t
    covariance = (w[:, None] * dst).T @ src
    u, singular, vt = np.linalg.svd(covariance)
    reflection = np.eye(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        reflection[1, 1] = -1.0
    rotation = u @ reflection @ vt
    variance = (w * (src**2).sum(axis=1)).sum()
    scale = float((singular * np.diag(reflection)).sum() / variance)
    translation = mu_t - scale * rotation @ mu_s
    return np.hstack([scale * rotation, translation[:, None]])


def transform_points(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    return points @ matrix[:, :2].T + matrix[:, 2]


def align_face(image: np.ndarray, face: Face, size: int = DEFAULT_SIZE) -> Aligned:
    """Crop ``face`` out of ``image`` into a ``size`` x ``size`` canonical view."""
    matrix = fit_similarity(anchor_points(face.landmarks), TEMPLATE * size, _ANCHOR_WEIGHTS)
    scale = float(np.hypot(matrix[0, 0], matrix[1, 0]))
    # Bilinear warping aliases when it shrinks a lot (a face 2000 px wide into 224 px), so
    # large shrinks first go through an area-averaging resize to twice the final scale.
    source = image
    if scale < 0.5:
        height, width = image.shape[:2]
        small_size = (max(1, round(width * scale * 2)), max(1, round(height * scale * 2)))
        source = cv2.resize(image, small_size, interpolation=cv2.INTER_AREA)
        sx, sy = small_size[0] / width, small_size[1] / height
        # Pixel centres: x_small = (x + 0.5) * sx - 0.5; undo that before ``matrix``.
        small_to_photo = np.array([[1 / sx, 0.0, 0.5 / sx - 0.5], [0.0, 1 / sy, 0.5 / sy - 0.5]])
        warp = np.hstack(
            [
                matrix[:, :2] @ small_to_photo[:, :2],
                (matrix[:, :2] @ small_to_photo[:, 2] + matrix[:, 2])[:, None],
            ]
        )
    else:
        warp = matrix
    crop = cv2.warpAffine(
        source, warp, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return Aligned(
        image=crop,
        matrix=matrix,
        landmarks=transform_points(matrix, face.landmarks.astype(np.float64)).astype(np.float32),
    )


def map_to_photo(
    crop_map: np.ndarray, aligned: Aligned, photo_shape: tuple[int, ...]
) -> np.ndarray:
    """Warp a map in crop coordinates (e.g. a heatmap) back onto the photo; 0 outside."""
    height, width = photo_shape[:2]
    return cv2.warpAffine(
        crop_map.astype(np.float32),
        aligned.matrix,
        (width, height),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0.0,),
    )
