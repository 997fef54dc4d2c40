"""Landmark-defined facial regions, and the share of Grad-CAM heat that falls in each.

Regions are disjoint masks built in crop coordinates from Face Mesh landmark ids and
claimed in a fixed priority (mouth, nose, periorbital, chin, forehead), with the cheeks
taking what is left of the face oval. The same names label the synthetic data's warps, so
"heat in the warped region" can be checked during training.
"""

from __future__ import annotations

import cv2
import numpy as np

from wbs_desktop.core.i18n import N_, _

REGION_NAMES = ("forehead", "periorbital", "nose", "cheeks", "mouth", "chin")
OUTSIDE = "outside_face"
# The names above are keys (JSON, training); these are what people read.
_LABELS = {
    "forehead": N_("forehead"),
    "periorbital": N_("periorbital"),
    "nose": N_("nose"),
    "cheeks": N_("cheeks"),
    "mouth": N_("mouth"),
    "chin": N_("chin"),
    OUTSIDE: N_("outside face"),
}


def region_label(name: str) -> str:
    """A region's name as people read it, in the current language."""
    return _(_LABELS[name]) if name in _LABELS else name.replace("_", " ")


#: What a face-only model sees outside the face oval: the ImageNet mean colour, which the
#: networks' normalisation turns into zeros.
FACE_ONLY_FILL = (124, 116, 104)

# Face Mesh landmark ids, kept as compact tables.
# fmt: off
_FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378,
              400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54,
              103, 67, 109)
_FOREHEAD = (162, 21, 54, 103, 67, 109, 10, 338, 297, 332, 284, 251, 389, 300, 293, 334, 296,
             336, 9, 107, 66, 105, 63, 70)
# Eyebrows, eye contours and the upper cheek under each eye (infraorbital rim).
_PERIORBITAL_RIGHT = (70, 63, 105, 66, 107, 55, 65, 52, 53, 46, 33, 246, 161, 160, 159, 158,
                      157, 173, 133, 155, 154, 153, 145, 144, 163, 7, 111, 117, 118, 119, 120,
                      121, 128, 245, 143, 156)
_PERIORBITAL_LEFT = (300, 293, 334, 296, 336, 285, 295, 282, 283, 276, 263, 466, 388, 387, 386,
                     385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249, 340, 346, 347, 348,
                     349, 350, 357, 465, 372, 383)
_NOSE = (168, 6, 197, 195, 5, 4, 1, 19, 94, 2, 98, 327, 64, 294, 48, 278, 115, 344, 129, 358,
         122, 351, 193, 417, 209, 429)
_MOUTH = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40,
          185, 57, 287, 164, 18)
_CHIN = (150, 149, 176, 148, 152, 377, 400, 378, 379, 335, 406, 313, 18, 83, 182, 106)
# fmt: on

# (name, convex parts) in the order regions claim pixels.
_CONVEX_PARTS: tuple[tuple[str, tuple[tuple[int, ...], ...]], ...] = (
    ("mouth", (_MOUTH,)),
    ("nose", (_NOSE,)),
    ("periorbital", (_PERIORBITAL_RIGHT, _PERIORBITAL_LEFT)),
    ("chin", (_CHIN,)),
)


def region_masks(landmarks: np.ndarray, size: int) -> dict[str, np.ndarray]:
    """Boolean (size, size) masks, one per name in ``REGION_NAMES`` plus ``OUTSIDE``.

    Every pixel belongs to exactly one mask.
    """
    points = np.round(landmarks).astype(np.int32)
    claimed = np.zeros((size, size), dtype=bool)
    masks: dict[str, np.ndarray] = {}

    def claim(mask: np.ndarray) -> np.ndarray:
        own = mask & ~claimed
        claimed[own] = True
        return own

    for name, parts in _CONVEX_PARTS:
        canvas = np.zeros((size, size), dtype=np.uint8)
        for part in parts:
            cv2.fillConvexPoly(canvas, cv2.convexHull(points[list(part)]), (1,))
        masks[name] = claim(canvas.astype(bool))

    canvas = np.zeros((size, size), dtype=np.uint8)
    cv2.fillPoly(canvas, [points[list(_FOREHEAD)]], (1,))
    masks["forehead"] = claim(canvas.astype(bool))

    canvas = np.zeros((size, size), dtype=np.uint8)
    cv2.fillPoly(canvas, [points[list(_FACE_OVAL)]], (1,))
    masks["cheeks"] = claim(canvas.astype(bool))
    masks[OUTSIDE] = ~claimed
    return {name: masks[name] for name in (*REGION_NAMES, OUTSIDE)}


def face_only(crop: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """A copy of an aligned crop with everything outside the face (the ``OUTSIDE`` region,
    so "heat outside the face" means the same as here) set to one grey.

    A model trained this way (card ``face_only``) cannot read the background, hair or
    clothes, which differ between photo sources and say nothing about the syndrome.
    """
    masked = crop.copy()
    masked[region_masks(landmarks, crop.shape[0])[OUTSIDE]] = FACE_ONLY_FILL
    return masked


def heat_shares(heatmap: np.ndarray, landmarks: np.ndarray) -> dict[str, float]:
    """Fraction of the total heat in each region (the fractions sum to 1).

    An all-zero heatmap has no heat to share: every region gets 0.
    """
    size = heatmap.shape[0]
    total = float(heatmap.sum())
    masks = region_masks(landmarks, size)
    if total <= 0:
        return {name: 0.0 for name in masks}
    return {name: float(heatmap[mask].sum() / total) for name, mask in masks.items()}


def region_areas(landmarks: np.ndarray, size: int) -> dict[str, float]:
    """Fraction of the crop each region covers: what a uniform heatmap would give it."""
    return {name: float(mask.mean()) for name, mask in region_masks(landmarks, size).items()}
