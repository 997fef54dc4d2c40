"""Synthetic phenotype data: real photos warped with landmark-driven piecewise-affine maps.

Real photos of children with Williams-Beuren syndrome cannot ship with the project, so the
demo model learns from faces made here. Each synthetic "subject" is one real base photo (a
different, healthy adult) plus a random *identity* warp, and belongs to one group:

* ``WBS``: the published gestalt at a random strength ``s`` in [0.5, 1]: broad forehead,
  periorbital fullness, short upturned nose with a broad flat bridge, wide mouth, full lips,
  small pointed chin;
* ``other`` (another syndrome): one or two of hypertelorism, long lower face, downslanting
  palpebral fissures, thin upper lip;
* ``healthy``: the identity warp only.

Every displacement is a smooth field defined in a face frame whose unit is the inter-ocular
distance (IOD), so it scales with the face and cannot tear the mesh. The identity warp is
given to every group (random bumps plus small signed amounts of all the phenotype modes), so
"was this face warped at all" tells nothing about the group. Then each photo gets random
pose (roll, a horizontal squeeze that mimics yaw), scale, position, light, white balance,
blur, background, mirror and JPEG quality.

The manifest records which facial regions (``wbs_desktop.core.pipeline.regions.REGION_NAMES``) carry
the phenotype and how strongly: the ground truth for asking whether Grad-CAM looks where the
signal is. Output is deterministic for a seed: same seed, same bytes.

    wbs-train synth --out data/synth --per-class 200 --faces ../shared/faces --seed 0
    python -m training.synth --out data/synth --per-class 200
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from scipy.spatial import Delaunay

from wbs_desktop.core.files import write_csv
from wbs_desktop.core.pipeline.imaging import SUPPORTED_SUFFIXES, load_image
from wbs_desktop.core.pipeline.landmarks import (
    LEFT_EYE_CORNERS,
    LEFT_MOUTH_CORNER,
    RIGHT_EYE_CORNERS,
    RIGHT_MOUTH_CORNER,
    detect_faces,
)
from wbs_desktop.core.pipeline.regions import REGION_NAMES

__all__ = [
    "EFFECTS",
    "GENERATOR_VERSION",
    "GROUPS",
    "MANIFEST_COLUMNS",
    "BaseFace",
    "IdentityWarp",
    "Sample",
    "OTHER_EFFECTS",
    "OUTPUT_SIZE",
    "WBS_EFFECTS",
    "add_arguments",
    "apply_effects",
    "apply_gestalt",
    "default_bases",
    "find_bases",
    "generate",
    "main",
    "piecewise_affine_warp",
    "plan_effects",
    "prepare_base",
    "render_sample",
    "run",
]

#: Bump when a change alters the images a seed produces.
GENERATOR_VERSION = 2
GROUPS = ("WBS", "other", "healthy")
OUTPUT_SIZE = 384
MANIFEST_COLUMNS = ("path", "group", "subject", "identity", "base", "warped_regions", "seed",
                    "effects")

# Base photos are brought to this inter-ocular distance before warping (a face ~230 px
# wide): above the largest face the output shows, small enough to warp in a few ms.
WORK_IOD = 100.0
# Working crop side, in multiples of the landmark box's longer side: enough context for the
# smallest, most rotated face in the output.
_WORK_CROP = 2.4
# Output inter-ocular distance as a fraction of OUTPUT_SIZE (the app's aligned crop has
# 0.30 of 224 px = 67 px, i.e. 0.175 of 384).
_OUTPUT_IOD = (0.15, 0.23)
_MAX_ROLL_DEGREES = 10.0
_SQUEEZE = (0.85, 1.0)
_BACKGROUND_P = 0.5
_FLIP_P = 0.5
_BLUR_SIGMA = (0.0, 1.5)
_JPEG_QUALITY = (60, 95)
_WBS_STRENGTH = (0.5, 1.0)
# Each WBS feature gets s times this factor: not every child shows every feature equally.
_WBS_FEATURE_JITTER = (0.75, 1.0)
_OTHER_STRENGTH = (0.5, 1.0)
# Identity warp: signed amounts of every phenotype mode (SD, clip) and random bumps.
_IDENTITY_MODE_SD = 0.1
_IDENTITY_MODE_CLIP = 0.3
_IDENTITY_BUMPS = 6
_IDENTITY_BUMP_SD = 0.02  # IOD
_IDENTITY_BUMP_SIGMA = (0.2, 0.45)  # IOD
# Bases whose face turns further than this are skipped: the warps assume a frontal face.
_MAX_BASE_YAW = 25.0
_MIN_BASE_IOD = 30.0

# MediaPipe Face Mesh landmark ids.
_RIGHT_BROW = (70, 63, 105, 66, 107)
_LEFT_BROW = (300, 293, 334, 296, 336)
_NOSE_ROOT = 168
_NOSE_BRIDGE = 6
_PRONASALE = 4
_UPPER_LIP_TOP = 0
_LOWER_LIP_BOTTOM = 17
_INNER_UPPER_LIP = 13
_INNER_LOWER_LIP = 14
_CHIN = 152

# ---------------------------------------------------------------------------------------------
# Piecewise-affine warp
# ---------------------------------------------------------------------------------------------


def frame_points(width: int, height: int, per_side: int = 6) -> np.ndarray:
    """Fixed points along the image border (corners included) that pin the warp there."""
    xs = np.linspace(0.0, width - 1.0, per_side + 1)
    ys = np.linspace(0.0, height - 1.0, per_side + 1)
    top = np.column_stack([xs, np.zeros_like(xs)])
    bottom = np.column_stack([xs, np.full_like(xs, height - 1.0)])
    left = np.column_stack([np.zeros_like(ys[1:-1]), ys[1:-1]])
    right = np.column_stack([np.full_like(ys[1:-1], width - 1.0), ys[1:-1]])
    return np.vstack([top, bottom, left, right])


@dataclass(frozen=True)
class _Mesh:
    """A triangulation of source points (frame included) and where each point goes."""

    src: np.ndarray  # (P, 2) float64
    dst: np.ndarray  # (P, 2) float64
    simplices: np.ndarray  # (T, 3) int


def _build_mesh(shape: tuple[int, ...], src_points: np.ndarray, dst_points: np.ndarray,
                margin: float = 2.0) -> _Mesh:
    height, width = shape[:2]
    src = np.asarray(src_points, dtype=np.float64).reshape(-1, 2)
    dst = np.asarray(dst_points, dtype=np.float64).reshape(-1, 2)
    if src.shape != dst.shape:
        raise ValueError("src_points and dst_points must have the same shape")
    # Points on or outside the border would make slivers with the fixed frame points.
    inside = ((src[:, 0] >= margin) & (src[:, 0] <= width - 1 - margin)
              & (src[:, 1] >= margin) & (src[:, 1] <= height - 1 - margin))
    frame = frame_points(width, height)
    src = np.vstack([src[inside], frame])
    dst = np.vstack([dst[inside], frame])
    # Coincident points (e.g. closed lips) are left out of the triangulation by Qhull.
    simplices = Delaunay(src).simplices
    return _Mesh(src=src, dst=dst, simplices=simplices)


def _signed_areas(points: np.ndarray, simplices: np.ndarray) -> np.ndarray:
    a, b, c = (points[simplices[:, i]] for i in range(3))
    return 0.5 * ((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1])
                  - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]))


def _min_area_ratio(mesh: _Mesh) -> float:
    """Smallest dst/src area ratio over the triangles: <= 0 means a fold."""
    src_area = _signed_areas(mesh.src, mesh.simplices)
    dst_area = _signed_areas(mesh.dst, mesh.simplices)
    usable = np.abs(src_area) > 1e-6
    if not usable.any():
        return 1.0
    return float((dst_area[usable] / src_area[usable]).min())


def _warp_mesh(image: np.ndarray, mesh: _Mesh) -> np.ndarray:
    """Backward-map every output pixel through the affine map of the triangle it falls in.

    One ``cv2.remap`` for the whole image rather than one masked ``warpAffine`` per triangle:
    no seams or double-blended edges between triangles, and only the part of the image whose
    triangles move is touched (the rest is copied exactly).
    """
    height, width = image.shape[:2]
    moved_points = np.abs(mesh.dst - mesh.src).max(axis=1) > 1e-3
    moved = moved_points[mesh.simplices].any(axis=1)
    out = image.copy()
    if not moved.any():
        return out
    simplices = mesh.simplices[moved]
    src_tri = mesh.src[simplices]  # (T, 3, 2)
    dst_tri = mesh.dst[simplices]
    # Affine maps dst -> src per triangle: [x_src, y_src] = M @ [x_dst, y_dst, 1].
    dst_h = np.concatenate([dst_tri, np.ones((len(simplices), 3, 1))], axis=2)  # (T, 3, 3)
    det = np.linalg.det(dst_h)
    ok = np.abs(det) > 1e-9
    maps = np.zeros((len(simplices), 2, 3))
    maps[:, 0, 0] = maps[:, 1, 1] = 1.0  # identity for degenerate triangles (cover no area)
    if ok.any():
        solved = np.linalg.solve(dst_h[ok], src_tri[ok])  # (T, 3, 2)
        maps[ok] = solved.transpose(0, 2, 1)

    x0 = max(int(math.floor(dst_tri[..., 0].min())) - 1, 0)
    y0 = max(int(math.floor(dst_tri[..., 1].min())) - 1, 0)
    x1 = min(int(math.ceil(dst_tri[..., 0].max())) + 2, width)
    y1 = min(int(math.ceil(dst_tri[..., 1].max())) + 2, height)
    if x1 <= x0 or y1 <= y0:
        return out
    ids = np.full((y1 - y0, x1 - x0), -1, dtype=np.int32)
    shift = 4  # sub-pixel vertex positions for the rasteriser
    corners = np.round((dst_tri - [x0, y0]) * (1 << shift)).astype(np.int32)
    for index, triangle in enumerate(corners):
        cv2.fillConvexPoly(ids, triangle, index, cv2.LINE_8, shift)

    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    inside = ids >= 0
    tri_maps = maps[ids[inside]].astype(np.float32)  # (n, 2, 3)
    map_x = xs.copy()
    map_y = ys.copy()
    px, py = xs[inside], ys[inside]
    map_x[inside] = tri_maps[:, 0, 0] * px + tri_maps[:, 0, 1] * py + tri_maps[:, 0, 2]
    map_y[inside] = tri_maps[:, 1, 0] * px + tri_maps[:, 1, 1] * py + tri_maps[:, 1, 2]
    out[y0:y1, x0:x1] = cv2.remap(image, map_x, map_y, interpolation=cv2.INTER_LINEAR,
                                  borderMode=cv2.BORDER_REFLECT_101)
    return out


def piecewise_affine_warp(image: np.ndarray, src_points: np.ndarray,
                          dst_points: np.ndarray) -> np.ndarray:
    """Warp ``image`` so that each of ``src_points`` moves to the matching ``dst_points``.

    The source points plus fixed points on the image border are triangulated (Delaunay) and
    each triangle is mapped affinely onto its displaced copy; the border does not move.
    Points within 2 px of the border or outside the image are ignored. The output has the
    input's shape and dtype. Displacements that fold the mesh give torn images: keep them
    smooth (see :func:`apply_effects`, which checks).
    """
    return _warp_mesh(image, _build_mesh(image.shape, src_points, dst_points))


# ---------------------------------------------------------------------------------------------
# Face frame and displacement fields
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Frame:
    """Face coordinates: origin between the eye centres, unit = inter-ocular distance,
    x from the subject's right eye to the left eye, y perpendicular towards the mouth.

    In a mirrored photo the frame is left-handed; every field below is written so that this
    does not matter.
    """

    origin: np.ndarray
    axes: np.ndarray  # rows: unit x, unit y (photo pixels)
    iod: float

    @classmethod
    def from_landmarks(cls, landmarks: np.ndarray) -> _Frame:
        points = np.asarray(landmarks, dtype=np.float64)
        right = points[list(RIGHT_EYE_CORNERS)].mean(axis=0)
        left = points[list(LEFT_EYE_CORNERS)].mean(axis=0)
        iod = float(np.linalg.norm(left - right))
        if iod < 1e-6:
            raise ValueError("the eyes coincide: not a usable face")
        x_axis = (left - right) / iod
        y_axis = np.array([-x_axis[1], x_axis[0]])
        mouth = points[[RIGHT_MOUTH_CORNER, LEFT_MOUTH_CORNER]].mean(axis=0)
        if np.dot(mouth - (left + right) / 2, y_axis) < 0:
            y_axis = -y_axis
        return cls(origin=(left + right) / 2, axes=np.stack([x_axis, y_axis]), iod=iod)

    def to_frame(self, points: np.ndarray) -> np.ndarray:
        return (np.asarray(points, dtype=np.float64) - self.origin) @ self.axes.T / self.iod

    def to_pixels_vectors(self, vectors: np.ndarray) -> np.ndarray:
        return vectors @ self.axes * self.iod


def _gauss(p: np.ndarray, centre: np.ndarray, sx: float, sy: float) -> np.ndarray:
    return np.exp(-0.5 * (((p[:, 0] - centre[0]) / sx) ** 2 + ((p[:, 1] - centre[1]) / sy) ** 2))


def _sat(t: np.ndarray, c: float = 1.2) -> np.ndarray:
    """t near 0, exactly +-1 at t = +-1, back towards 0 beyond ~2: a local stretch whose
    ends (t = +-1) move by exactly the requested amount."""
    return t * np.exp(-(t * t - 1.0) / (2.0 * c * c))


def _sigmoid(t: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * t))


def _softplus(t: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, t)


@dataclass(frozen=True)
class _Anatomy:
    """Reference positions of one face, in its own frame (IOD units)."""

    u: np.ndarray  # all landmarks in the frame

    @property
    def eyes(self) -> tuple[np.ndarray, np.ndarray]:
        return (self.u[list(RIGHT_EYE_CORNERS)].mean(axis=0),
                self.u[list(LEFT_EYE_CORNERS)].mean(axis=0))

    @property
    def brow_y(self) -> float:
        return float(self.u[list(_RIGHT_BROW + _LEFT_BROW)][:, 1].mean())

    @property
    def mouth_centre(self) -> np.ndarray:
        return self.u[[RIGHT_MOUTH_CORNER, LEFT_MOUTH_CORNER]].mean(axis=0)

    @property
    def mouth_half_width(self) -> float:
        return float(abs(self.u[LEFT_MOUTH_CORNER, 0] - self.u[RIGHT_MOUTH_CORNER, 0]) / 2)

    @property
    def lip_line_y(self) -> float:
        return float((self.u[_INNER_UPPER_LIP, 1] + self.u[_INNER_LOWER_LIP, 1]) / 2)


Field = Callable[[_Anatomy, np.ndarray, float], np.ndarray]


def _broad_forehead(a: _Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    # Widen everything above the brows about the midline; the temples widen by 12 % * s.
    half = float(np.ptp(a.u[:, 0]) / 2)  # half the face width
    step = _sigmoid((a.brow_y - 0.15 - p[:, 1]) / 0.08)
    d = np.zeros_like(p)
    d[:, 0] = 0.12 * s * half * _sat(p[:, 0] / half) * step
    return d


def _periorbital_fullness(a: _Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    d = np.zeros_like(p)
    for eye in a.eyes:
        side = math.copysign(1.0, eye[0])
        # A local magnification of the infraorbital area (the "puff")...
        puff = eye + np.array([0.0, 0.24])
        d += 0.6 * s * (p - puff) * _gauss(p, puff, 0.17, 0.12)[:, None]
        # ...and the lower lid and the tissue below it pushed down and outwards.
        lid = eye + np.array([0.0, 0.1])
        d += (s * np.array([0.025 * side, 0.05])) * _gauss(p, lid, 0.2, 0.1)[:, None]
    return d


def _short_upturned_nose(a: _Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    d = np.zeros_like(p)
    tip = a.u[_PRONASALE]
    length = float(tip[1] - a.u[_NOSE_ROOT, 1])
    # Tip (and with it the alae and columella) up towards the eyes: a shorter nose.
    d[:, 1] -= 0.13 * s * length * _gauss(p, tip + [0.0, 0.03], 0.22, 0.14)
    # Broader nasal tip and alae.
    d[:, 0] += 0.22 * s * (p[:, 0] - tip[0]) * _gauss(p, tip + [0.0, 0.04], 0.22, 0.12)
    # Broad, flat nasal bridge: widen the dorsum between the eyes.
    bridge = a.u[_NOSE_BRIDGE]
    d[:, 0] += 0.25 * s * (p[:, 0] - bridge[0]) * _gauss(p, bridge, 0.09, 0.16)
    return d


def _wide_mouth(a: _Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    # Each corner moves out by 7.5 % * s of the mouth width: the mouth is 15 % * s wider.
    centre, half = a.mouth_centre, a.mouth_half_width
    d = np.zeros_like(p)
    d[:, 0] = (0.075 * s * 2 * half * _sat((p[:, 0] - centre[0]) / half)
               * np.exp(-0.5 * ((p[:, 1] - centre[1]) / 0.3) ** 2))
    return d


def _lip_profile(a: _Anatomy, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(t, window): t = -1 at the upper lip's top edge, 0 on the lip line, +1 at the lower
    lip's bottom edge; window fades out beyond the mouth corners."""
    line = a.lip_line_y
    upper = max(line - float(a.u[_UPPER_LIP_TOP, 1]), 0.03)
    lower = max(float(a.u[_LOWER_LIP_BOTTOM, 1]) - line, 0.03)
    dy = p[:, 1] - line
    t = np.where(dy < 0, dy / upper, dy / lower)
    scale = np.where(dy < 0, upper, lower)
    window = np.exp(-0.5 * ((p[:, 0] - a.mouth_centre[0]) / (1.1 * a.mouth_half_width)) ** 2)
    return t, scale * window


def _full_lips(a: _Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    # Both vermilions 35 % * s thicker; the lip line itself stays, so the mouth stays shut.
    t, scale = _lip_profile(a, p)
    d = np.zeros_like(p)
    d[:, 1] = 0.35 * s * scale * _sat(t)
    return d


def _small_pointed_chin(a: _Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    chin = a.u[_CHIN]
    height = max(float(chin[1] - a.u[_LOWER_LIP_BOTTOM, 1]), 0.1)
    d = np.zeros_like(p)
    d[:, 1] -= 0.18 * s * height * _gauss(p, chin, 0.35, 0.25)
    d[:, 0] -= 0.22 * s * (p[:, 0] - chin[0]) * _gauss(p, chin - [0.0, 0.12], 0.35, 0.25)
    return d


def _hypertelorism(a: _Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    # Each eye region (with its brow) moves out by up to 7 % * s of the IOD; measured from
    # the eye corners, the eyes end up ~10 % * s further apart.
    d = np.zeros_like(p)
    for eye in a.eyes:
        side = math.copysign(1.0, eye[0])
        d[:, 0] += 0.07 * s * side * _gauss(p, eye, 0.3, 0.3)
    return d


def _long_face(a: _Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    # Stretch vertically by 12 % * s between just below the eyes and just below the chin.
    start = 0.25
    end = float(a.u[_CHIN, 1]) + 0.25
    w1, w2 = 0.08, 0.15
    stretch = w1 * _softplus((p[:, 1] - start) / w1) - w2 * _softplus((p[:, 1] - end) / w2)
    d = np.zeros_like(p)
    d[:, 1] = 0.12 * s * stretch * np.exp(-0.5 * (p[:, 0] / 1.4) ** 2)
    return d


def _downslanting_fissures(a: _Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    # Rotate each eye region about the eye centre so the outer corner drops (~10 deg * s).
    # The window is narrow across so the nasal root between the eyes hardly moves.
    d = np.zeros_like(p)
    theta = 0.3 * s
    for eye in a.eyes:
        side = math.copysign(1.0, eye[0])
        weight = theta * side * _gauss(p, eye, 0.25, 0.16)
        d[:, 0] -= weight * (p[:, 1] - eye[1])
        d[:, 1] += weight * (p[:, 0] - eye[0])
    return d


def _thin_upper_lip(a: _Anatomy, p: np.ndarray, s: float) -> np.ndarray:
    # The upper vermilion 40 % * s thinner: its top edge comes down towards the lip line.
    t, scale = _lip_profile(a, p)
    d = np.zeros_like(p)
    d[:, 1] = np.where(t < 0, -0.4 * s * scale * _sat(t), 0.0)
    return d


@dataclass(frozen=True)
class _Effect:
    field: Field
    regions: tuple[str, ...]


#: Every phenotype warp by name, with the facial regions it changes.
EFFECTS: dict[str, _Effect] = {
    "broad_forehead": _Effect(_broad_forehead, ("forehead",)),
    "periorbital_fullness": _Effect(_periorbital_fullness, ("periorbital",)),
    "short_upturned_nose": _Effect(_short_upturned_nose, ("nose",)),
    "wide_mouth": _Effect(_wide_mouth, ("mouth",)),
    "full_lips": _Effect(_full_lips, ("mouth",)),
    "small_pointed_chin": _Effect(_small_pointed_chin, ("chin",)),
    "hypertelorism": _Effect(_hypertelorism, ("periorbital",)),
    "long_face": _Effect(_long_face, ("nose", "mouth", "chin", "cheeks")),
    "downslanting_fissures": _Effect(_downslanting_fissures, ("periorbital",)),
    "thin_upper_lip": _Effect(_thin_upper_lip, ("mouth",)),
}
WBS_EFFECTS = ("broad_forehead", "periorbital_fullness", "short_upturned_nose", "wide_mouth",
               "full_lips", "small_pointed_chin")
OTHER_EFFECTS = ("hypertelorism", "long_face", "downslanting_fissures", "thin_upper_lip")
assert all(r in REGION_NAMES for e in EFFECTS.values() for r in e.regions)


@dataclass(frozen=True)
class IdentityWarp:
    """A random, smooth change of face shape that makes a new "person" of a base photo.

    ``modes``: small signed amounts of every phenotype field (natural variation in mouth
    width, nose length, ...); ``bumps``: (centre, sigma, vector) Gaussian displacements in
    IOD units.
    """

    modes: dict[str, float] = field(default_factory=dict)
    bumps: tuple[tuple[np.ndarray, float, np.ndarray], ...] = ()

    @classmethod
    def random(cls, rng: np.random.Generator, anatomy_u: np.ndarray,
               scale: float = 1.0) -> IdentityWarp:
        modes = {name: float(np.clip(rng.normal(0.0, _IDENTITY_MODE_SD),
                                     -_IDENTITY_MODE_CLIP, _IDENTITY_MODE_CLIP)) * scale
                 for name in EFFECTS}
        bumps = []
        for _ in range(_IDENTITY_BUMPS):
            centre = anatomy_u[int(rng.integers(len(anatomy_u)))].copy()
            sigma = float(rng.uniform(*_IDENTITY_BUMP_SIGMA))
            vector = rng.normal(0.0, _IDENTITY_BUMP_SD, size=2) * scale
            bumps.append((centre, sigma, vector))
        return cls(modes=modes, bumps=tuple(bumps))

    def displacement(self, anatomy: _Anatomy, p: np.ndarray) -> np.ndarray:
        d = np.zeros_like(p)
        for name, amount in self.modes.items():
            if amount:
                d += EFFECTS[name].field(anatomy, p, amount)
        for centre, sigma, vector in self.bumps:
            d += vector * _gauss(p, centre, sigma, sigma)[:, None]
        return d


def _ring_points(landmarks: np.ndarray, factors: Sequence[float] = (1.3, 1.7),
                 count: int = 28) -> np.ndarray:
    """Points on the landmarks' convex hull scaled about its centre by ``factors``.

    They carry the smooth fields a little beyond the face (hair, ears, neck), so the change
    fades out gradually instead of across a few huge triangles reaching the border.
    """
    hull = cv2.convexHull(landmarks.astype(np.float32)).reshape(-1, 2).astype(np.float64)
    closed = np.vstack([hull, hull[:1]])
    lengths = np.r_[0.0, np.cumsum(np.linalg.norm(np.diff(closed, axis=0), axis=1))]
    samples = np.linspace(0.0, lengths[-1], count, endpoint=False)
    outline = np.column_stack([np.interp(samples, lengths, closed[:, i]) for i in range(2)])
    centre = hull.mean(axis=0)
    return np.vstack([centre + f * (outline - centre) for f in factors])


def _regions_of(effects: Mapping[str, float]) -> dict[str, float]:
    regions: dict[str, float] = {}
    for name, strength in effects.items():
        for region in EFFECTS[name].regions:
            regions[region] = max(regions.get(region, 0.0), strength)
    return {r: regions[r] for r in REGION_NAMES if r in regions}


def apply_effects(
    image: np.ndarray,
    landmarks: np.ndarray,
    effects: Mapping[str, float],
    *,
    identity: IdentityWarp | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Warp a face with the named phenotype fields (name -> strength, usually 0-1).

    Returns the warped image, the 478 landmarks moved with it (float32) and the regions the
    effects change (region -> strength, in ``REGION_NAMES`` order). Should the displacement
    fold the mesh (never seen with the built-in strengths), it is scaled down until it does
    not, and the recorded strengths with it.
    """
    unknown = set(effects) - set(EFFECTS)
    if unknown:
        raise ValueError(f"unknown effects: {sorted(unknown)}")
    landmarks = np.asarray(landmarks, dtype=np.float64)
    frame = _Frame.from_landmarks(landmarks)
    anatomy = _Anatomy(frame.to_frame(landmarks))
    ring = _ring_points(landmarks)
    points = np.vstack([landmarks, ring])
    p = frame.to_frame(points)
    d = np.zeros_like(p)
    for name, strength in effects.items():
        if strength:
            d += EFFECTS[name].field(anatomy, p, float(strength))
    if identity is not None:
        d += identity.displacement(anatomy, p)
    displacement = frame.to_pixels_vectors(d)

    factor = 1.0
    for _ in range(8):
        mesh = _build_mesh(image.shape, points, points + factor * displacement)
        if _min_area_ratio(mesh) > 0.2:
            break
        factor *= 0.6
    else:
        mesh = _build_mesh(image.shape, points, points)
        factor = 0.0
    warped = _warp_mesh(image, mesh)
    moved = (landmarks + factor * displacement[: len(landmarks)]).astype(np.float32)
    regions = _regions_of({k: round(v * factor, 3) for k, v in effects.items() if v > 0})
    return warped, moved, regions


def plan_effects(group: str, strength: float, rng: np.random.Generator) -> dict[str, float]:
    """The phenotype warps (name -> strength) one subject of ``group`` gets."""
    if group == "WBS":
        return {name: round(strength * float(rng.uniform(*_WBS_FEATURE_JITTER)), 3)
                for name in WBS_EFFECTS}
    if group == "other":
        count = int(rng.integers(1, 3))
        chosen = sorted(rng.choice(len(OTHER_EFFECTS), size=count, replace=False))
        return {OTHER_EFFECTS[i]: round(strength * float(rng.uniform(0.8, 1.0)), 3)
                for i in chosen}
    if group == "healthy":
        return {}
    raise ValueError(f"unknown group {group!r}; expected one of {GROUPS}")


def apply_gestalt(
    image: np.ndarray,
    landmarks: np.ndarray,
    group: str,
    strength: float,
    rng: np.random.Generator,
    *,
    identity_scale: float = 1.0,
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Make a random subject of ``group`` from a face: phenotype warps plus identity warp.

    ``strength`` (0-1) scales the phenotype; ``identity_scale`` the random identity warp (0
    for none). Returns (warped image, warped landmarks (478, 2), region -> strength); the
    healthy group's region dict is empty.
    """
    effects = plan_effects(group, strength, rng)
    u = _Frame.from_landmarks(landmarks).to_frame(landmarks)
    identity = IdentityWarp.random(rng, u, identity_scale) if identity_scale else None
    return apply_effects(image, landmarks, effects, identity=identity)


def face_coordinates(landmarks: np.ndarray) -> np.ndarray:
    """Landmarks in the face frame (origin between the eyes, unit = inter-ocular distance):
    what :meth:`IdentityWarp.random` places its bumps with."""
    return _Frame.from_landmarks(landmarks).to_frame(landmarks)


# ---------------------------------------------------------------------------------------------
# Base photos
# ---------------------------------------------------------------------------------------------


def default_bases() -> list[Path]:
    """The two public-domain portraits that ship with scikit-image and matplotlib."""
    from matplotlib import cbook

    bases: list[Path] = []
    try:
        import skimage.data

        bases.append(Path(skimage.data.__file__).parent / "astronaut.png")
    except ImportError:  # scikit-image is a test dependency only
        pass
    bases.append(Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)))
    return [b for b in bases if b.is_file()]


def find_bases(*folders: str | os.PathLike[str]) -> list[Path]:
    """Photos directly in each folder (supported suffixes), sorted by name, folder by folder.

    File names must be unique across the folders: an identity map names photos by file
    name."""
    bases: list[Path] = []
    for folder in map(Path, folders):
        if not folder.is_dir():
            raise ValueError(f"{folder} is not a folder")
        bases += sorted(p for p in folder.iterdir()
                        if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
    names = [b.name for b in bases]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        raise ValueError(f"two folders hold a photo named {clash[0]}; rename one")
    return bases


def read_identities(path: str | os.PathLike[str]) -> dict[str, str]:
    """An identity map: a CSV with the columns ``file`` (a base photo's file name) and
    ``identity`` (a name for the person, shared by all photos of that person)."""
    try:
        with Path(path).open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ValueError(f"the identity map {path} cannot be read: {error}") from error
    if not rows or not {"file", "identity"} <= set(rows[0]):
        raise ValueError(f"the identity map {path} needs the columns file and identity")
    return {row["file"].strip(): row["identity"].strip() for row in rows}


@dataclass(frozen=True)
class BaseFace:
    """One base identity: a working crop around its face and the landmarks in it."""

    name: str
    image: np.ndarray
    landmarks: np.ndarray
    source_iod: float
    pose: tuple[float, float, float]


def prepare_base(path: str | os.PathLike[str]) -> BaseFace:
    """Detect the largest face of a photo and cut a working crop around it.

    The crop is scaled so the inter-ocular distance is ~100 px. Raises ValueError with the
    reason when the photo cannot serve as a base.
    """
    path = Path(path)
    try:
        image = load_image(path)
    except Exception as error:  # ImageError, or anything a hostile file provokes
        raise ValueError(f"could not be read: {error}") from error
    faces = detect_faces(image)
    if not faces:
        raise ValueError("no face found")
    face = faces[0]
    if abs(face.pose[0]) > _MAX_BASE_YAW:
        raise ValueError(f"face turned too far (yaw {face.pose[0]:.0f} degrees)")
    if face.interocular_distance < _MIN_BASE_IOD:
        raise ValueError(f"face too small (eyes {face.interocular_distance:.0f} px apart)")
    landmarks = face.landmarks.astype(np.float64)
    scale = WORK_IOD / face.interocular_distance
    centre = np.array([(face.box[0] + face.box[2]) / 2, (face.box[1] + face.box[3]) / 2])
    side = int(round(_WORK_CROP * max(face.width, face.height) * scale))
    source = image
    if scale < 0.5:  # shrink with area averaging first: bilinear sampling would alias
        factor = 2 * scale
        small = (max(1, round(image.shape[1] * factor)), max(1, round(image.shape[0] * factor)))
        source = cv2.resize(image, small, interpolation=cv2.INTER_AREA)
        fx, fy = small[0] / image.shape[1], small[1] / image.shape[0]
        pre = np.array([[fx, 0.0, 0.5 * fx - 0.5], [0.0, fy, 0.5 * fy - 0.5]])
    else:
        pre = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    photo_to_crop = np.array([[scale, 0.0, side / 2 - scale * centre[0]],
                              [0.0, scale, side / 2 - scale * centre[1]]])
    # source -> photo -> crop
    pre_inv = cv2.invertAffineTransform(pre)
    matrix = np.hstack([photo_to_crop[:, :2] @ pre_inv[:, :2],
                        (photo_to_crop[:, :2] @ pre_inv[:, 2] + photo_to_crop[:, 2])[:, None]])
    crop = cv2.warpAffine(source, matrix, (side, side), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REFLECT_101)
    crop_landmarks = landmarks @ photo_to_crop[:, :2].T + photo_to_crop[:, 2]
    return BaseFace(name=path.name, image=crop, landmarks=crop_landmarks,
                    source_iod=face.interocular_distance, pose=face.pose)


def base_identities(bases: Sequence[BaseFace],
                    known: Mapping[str, str] | None = None) -> tuple[dict[str, str],
                                                                     list[list[str]]]:
    """The person each base photo shows, by file name, and the photos merged as copies.

    ``known`` names people (file name -> identity); other photos are their own person,
    named by file stem. Photos that are the same picture (mirrored, resized or re-encoded
    copies, found by perceptual hash) are merged into one person: a mirror image of a
    photo is not a new face.
    """
    from training.duplicates import near_duplicates, perceptual_hashes

    identity = {b.name: (known or {}).get(b.name) or Path(b.name).stem for b in bases}
    merged = []
    for i, j in near_duplicates([perceptual_hashes(b.image) for b in bases]):
        first, second = bases[i].name, bases[j].name
        merged.append([first, second])
        old, new = identity[second], identity[first]
        identity = {name: new if person == old else person for name, person in identity.items()}
    return identity, merged


# ---------------------------------------------------------------------------------------------
# Photo-level augmentation
# ---------------------------------------------------------------------------------------------


def _place_face(image: np.ndarray, landmarks: np.ndarray, rng: np.random.Generator,
                size: int) -> tuple[np.ndarray, np.ndarray]:
    """Roll, scale, squeeze (small yaw) and shift the face into a size x size picture."""
    frame = _Frame.from_landmarks(landmarks)
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
        factor = min(1.0, 1.4 * scale)
        small = (max(1, round(image.shape[1] * factor)), max(1, round(image.shape[0] * factor)))
        source = cv2.resize(image, small, interpolation=cv2.INTER_AREA)
        fx, fy = small[0] / image.shape[1], small[1] / image.shape[0]
        pre_inv = np.array([[1 / fx, 0.0, 0.5 / fx - 0.5], [0.0, 1 / fy, 0.5 / fy - 0.5]])
        warp = np.hstack([linear @ pre_inv[:, :2],
                          (linear @ pre_inv[:, 2] + translation)[:, None]])
    else:
        warp = matrix
    out = cv2.warpAffine(source, warp, (size, size), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REFLECT_101)
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


def _replace_background(image: np.ndarray, landmarks: np.ndarray,
                        rng: np.random.Generator) -> np.ndarray:
    size = image.shape[0]
    hull = cv2.convexHull(landmarks.astype(np.float32)).reshape(-1, 2)
    centre = hull.mean(axis=0)
    grown = centre + rng.uniform(1.08, 1.25) * (hull - centre)
    mask = np.zeros((size, size), dtype=np.uint8)
    cv2.fillConvexPoly(mask, np.round(grown * 16).astype(np.int32), 255, cv2.LINE_AA, 4)
    soft = cv2.GaussianBlur(mask.astype(np.float32) / 255, (0, 0), rng.uniform(1.0, 4.0))
    background = _random_background(rng, size)
    out = image.astype(np.float32) * soft[..., None] + background * (1 - soft[..., None])
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def photometric(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
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
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR),
                            [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return data.tobytes()


@dataclass(frozen=True)
class Sample:
    """One synthetic photo before it is written."""

    jpeg: bytes
    group: str
    effects: dict[str, float]
    regions: dict[str, float]
    landmarks: np.ndarray  # in the output picture (after the flip)


def render_sample(base: BaseFace, group: str, subject_rng: np.random.Generator,
                  photo_rng: np.random.Generator, size: int = OUTPUT_SIZE) -> Sample:
    """One photo of one synthetic subject.

    ``subject_rng`` decides the subject (identity warp, phenotype, strength) and must be
    seeded alike for every photo of that subject; ``photo_rng`` decides the photo.
    """
    low, high = _WBS_STRENGTH if group == "WBS" else _OTHER_STRENGTH
    strength = float(subject_rng.uniform(low, high))
    effects = plan_effects(group, strength, subject_rng)
    u = _Frame.from_landmarks(base.landmarks).to_frame(base.landmarks)
    identity = IdentityWarp.random(subject_rng, u)
    warped, landmarks, regions = apply_effects(base.image, base.landmarks, effects,
                                               identity=identity)
    picture, placed = _place_face(warped, landmarks, photo_rng, size)
    if photo_rng.random() < _BACKGROUND_P:
        picture = _replace_background(picture, placed, photo_rng)
    if photo_rng.random() < _FLIP_P:
        picture = np.ascontiguousarray(picture[:, ::-1])
        placed = placed.copy()
        placed[:, 0] = size - 1 - placed[:, 0]
    picture = photometric(picture, photo_rng)
    quality = int(photo_rng.integers(_JPEG_QUALITY[0], _JPEG_QUALITY[1] + 1))
    return Sample(jpeg=jpeg_bytes(picture, quality), group=group, effects=effects, regions=regions,
                  landmarks=placed.astype(np.float32))


# ---------------------------------------------------------------------------------------------
# Data set
# ---------------------------------------------------------------------------------------------


def base_schedule(bases: Sequence[BaseFace], identity_of: Mapping[str, str],
                  rng: np.random.Generator) -> Callable[[int], BaseFace]:
    """Which base photo subject ``k`` is made from: people take turns, in a random order,
    and each person's photos take turns. So every person is used about equally often,
    however many photos of them there are: a person with many photos would otherwise fill a
    cross-validation fold alone."""
    people: dict[str, list[BaseFace]] = {}
    for base in bases:
        people.setdefault(identity_of[base.name], []).append(base)
    order = [people[name] for name in sorted(people)]
    order = [order[i] for i in rng.permutation(len(order))]

    def base_of(k: int) -> BaseFace:
        photos = order[k % len(order)]
        return photos[(k // len(order)) % len(photos)]

    return base_of


def _format_strengths(values: Mapping[str, float]) -> str:
    return ";".join(f"{name}:{value:.2f}" for name, value in values.items())


def _seed_of(*entropy: int) -> int:
    return int(np.random.SeedSequence(list(entropy)).generate_state(1)[0])


def _software_versions() -> dict[str, str]:
    import scipy

    versions = {"numpy": np.__version__, "opencv": cv2.__version__, "scipy": scipy.__version__}
    try:
        from importlib.metadata import version

        versions["mediapipe"] = version("mediapipe")
    except Exception:  # pragma: no cover - metadata missing in a frozen build
        pass
    return versions


def generate(
    out_dir: str | os.PathLike[str],
    per_class: int,
    bases: Sequence[str | os.PathLike[str]] | None = None,
    seed: int = 0,
    progress: bool = True,
    *,
    photos_per_subject: int = 1,
    size: int = OUTPUT_SIZE,
    identities: Mapping[str, str] | None = None,
) -> Path:
    """Write ``per_class`` JPEGs per group under ``out_dir/<group>/`` and a manifest.

    ``bases`` are the base photos (default: :func:`default_bases`); pass disjoint lists to
    keep training and test identities apart. Each person is used equally often in every
    group (who it is must not predict the group; see :func:`base_schedule`). Every row
    names the person its base photo shows (``identities``: file name -> person, see
    :func:`base_identities`), so that ``cv`` keeps each person on one side of every split.
    Subject ``k`` gets its randomness from (``seed``, ``k``) and photo ``i`` from
    (``seed``, ``i``), so a seed always yields the same bytes. Bases without a usable face
    are skipped and listed in ``synth_info.json``.
    Returns the manifest's path.
    """
    if per_class < 1:
        raise ValueError("per_class must be at least 1")
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    if photos_per_subject < 1:
        raise ValueError("photos_per_subject must be at least 1")
    from tqdm import tqdm

    out = Path(out_dir)
    base_paths = [Path(b) for b in (default_bases() if bases is None else bases)]
    if not base_paths:
        raise ValueError("no base photos given")
    started = time.perf_counter()
    usable: list[BaseFace] = []
    skipped: list[dict[str, str]] = []
    for path in tqdm(base_paths, desc="base faces", unit="photo", disable=not progress):
        try:
            usable.append(prepare_base(path))
        except ValueError as error:
            skipped.append({"base": path.name, "reason": str(error)})
    if not usable:
        raise ValueError("none of the base photos has a usable face: "
                         + "; ".join(f"{s['base']}: {s['reason']}" for s in skipped))

    identity_of, merged = base_identities(usable, identities)
    schedule = base_schedule(usable, identity_of, np.random.default_rng(_seed_of(seed, 0xBA5E)))
    subjects_per_group = -(-per_class // photos_per_subject)
    for group in GROUPS:
        (out / group).mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, str]] = []
    index = 0
    with tqdm(total=per_class * len(GROUPS), desc="synth", unit="img",
              disable=not progress) as bar:
        for k in range(subjects_per_group):
            base = schedule(k)
            for g, group in enumerate(GROUPS):
                subject_number = k * len(GROUPS) + g
                subject = f"syn{seed}-{subject_number:05d}"
                subject_seed = _seed_of(seed, 1, subject_number)
                photos = min(photos_per_subject, per_class - k * photos_per_subject)
                for _ in range(photos):
                    photo_seed = _seed_of(seed, 2, index)
                    sample = render_sample(base, group, np.random.default_rng(subject_seed),
                                           np.random.default_rng(photo_seed), size)
                    relative = f"{group}/{index:06d}.jpg"
                    (out / relative).write_bytes(sample.jpeg)
                    rows.append({
                        "path": relative,
                        "group": group,
                        "subject": subject,
                        "identity": identity_of[base.name],
                        "base": base.name,
                        "warped_regions": _format_strengths(sample.regions),
                        "seed": str(photo_seed),
                        "effects": _format_strengths(sample.effects),
                    })
                    index += 1
                    bar.update(1)

    rows.sort(key=lambda r: r["path"])
    manifest = write_csv(out / "manifest.csv", rows, MANIFEST_COLUMNS)

    info: dict[str, Any] = {
        "generator": "training.synth",
        "generator_version": GENERATOR_VERSION,
        "arguments": {
            "per_class": per_class,
            "seed": seed,
            "photos_per_subject": photos_per_subject,
            "size": size,
            "bases": [str(p) for p in base_paths],
        },
        "counts": {g: sum(r["group"] == g for r in rows) for g in GROUPS},
        "subjects": {g: len({r["subject"] for r in rows if r["group"] == g}) for g in GROUPS},
        "bases_used": [
            {"base": b.name, "interocular_px": round(b.source_iod, 1),
             "pose_degrees": [round(float(v), 1) for v in b.pose],
             "images": sum(r["base"] == b.name for r in rows)}
            for b in usable
        ],
        "skipped": skipped,
        "identities": identity_of,
        "merged_copies": merged,
        "effects": {"WBS": list(WBS_EFFECTS), "other": list(OTHER_EFFECTS), "healthy": []},
        "effect_regions": {name: list(e.regions) for name, e in EFFECTS.items()},
        "software": _software_versions(),
    }
    (out / "synth_info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    if progress:
        elapsed = time.perf_counter() - started
        print(f"wrote {len(rows)} images to {out} in {elapsed:.1f} s "
              f"({len(usable)} base faces, {len(skipped)} skipped)", file=sys.stderr)
    return manifest


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``synth`` options to ``parser`` (for ``wbs-train synth``)."""
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--per-class", type=int, default=200,
                        help="images per group (WBS, other, healthy); default 200")
    parser.add_argument("--faces", type=Path, nargs="+", default=None,
                        help="folder(s) of base photos (default: the astronaut and Grace "
                             "Hopper portraits that ship with scikit-image and matplotlib)")
    parser.add_argument("--identities", type=Path, default=None,
                        help="CSV (columns file, identity) naming the person in each base "
                             "photo, where one person has several photos")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--photos-per-subject", type=int, default=1,
                        help="photos of each synthetic subject (default 1, as in the study)")
    parser.add_argument("--size", type=int, default=OUTPUT_SIZE, help="output side in pixels")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def run(args: argparse.Namespace) -> int:
    """Run ``synth`` with parsed arguments; returns the exit status."""
    try:
        bases = find_bases(*args.faces) if args.faces is not None else None
        if bases is not None and not bases:
            raise ValueError(f"no photos in {', '.join(map(str, args.faces))}")
        known = read_identities(args.identities) if args.identities else None
        manifest = generate(args.out, args.per_class, bases, args.seed,
                            progress=not args.quiet,
                            photos_per_subject=args.photos_per_subject, size=args.size,
                            identities=known)
    except ValueError as error:
        print(f"synth: {error}", file=sys.stderr)
        return 1
    print(manifest)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="synth", description="Make the synthetic phenotype data set (WBS/other/healthy).")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
