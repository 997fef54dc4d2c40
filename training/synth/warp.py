"""Piecewise-affine image warping: a Delaunay mesh of moved points, pinned at the border.

The phenotype and identity warps (:mod:`training.synth.phenotypes`) are smooth displacement
fields sampled at the landmarks; this module turns such point moves into a warped image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from scipy.spatial import Delaunay


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
class Mesh:
    """A triangulation of source points (frame included) and where each point goes."""

    src: np.ndarray  # (P, 2) float64
    dst: np.ndarray  # (P, 2) float64
    simplices: np.ndarray  # (T, 3) int


def build_mesh(
    shape: tuple[int, ...], src_points: np.ndarray, dst_points: np.ndarray, margin: float = 2.0
) -> Mesh:
    """The mesh moving ``src_points`` to ``dst_points``, pinned by :func:`frame_points`.

    Points within ``margin`` px of the border or outside the image are left out.
    """
    height, width = shape[:2]
    src = np.asarray(src_points, dtype=np.float64).reshape(-1, 2)
    dst = np.asarray(dst_points, dtype=np.float64).reshape(-1, 2)
    if src.shape != dst.shape:
        raise ValueError("src_points and dst_points must have the same shape")
    # Points on or outside the border would make slivers with the fixed frame points.
    inside = (
        (src[:, 0] >= margin)
        & (src[:, 0] <= width - 1 - margin)
        & (src[:, 1] >= margin)
        & (src[:, 1] <= height - 1 - margin)
    )
    frame = frame_points(width, height)
    src = np.vstack([src[inside], frame])
    dst = np.vstack([dst[inside], frame])
    # Coincident points (e.g. closed lips) are left out of the triangulation by Qhull.
    simplices = Delaunay(src).simplices
    return Mesh(src=src, dst=dst, simplices=simplices)


def _signed_areas(points: np.ndarray, simplices: np.ndarray) -> np.ndarray:
    a, b, c = (points[simplices[:, i]] for i in range(3))
    return 0.5 * (
        (b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])
    )


def min_area_ratio(mesh: Mesh) -> float:
    """Smallest dst/src area ratio over the triangles: <= 0 means a fold."""
    src_area = _signed_areas(mesh.src, mesh.simplices)
    dst_area = _signed_areas(mesh.dst, mesh.simplices)
    usable = np.abs(src_area) > 1e-6
    if not usable.any():
        return 1.0
    return float((dst_area[usable] / src_area[usable]).min())


def warp_mesh(image: np.ndarray, mesh: Mesh) -> np.ndarray:
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
        cv2.fillConvexPoly(ids, triangle, (index,), cv2.LINE_8, shift)

    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    inside = ids >= 0
    tri_maps = maps[ids[inside]].astype(np.float32)  # (n, 2, 3)
    map_x = xs.copy()
    map_y = ys.copy()
    px, py = xs[inside], ys[inside]
    map_x[inside] = tri_maps[:, 0, 0] * px + tri_maps[:, 0, 1] * py + tri_maps[:, 0, 2]
    map_y[inside] = tri_maps[:, 1, 0] * px + tri_maps[:, 1, 1] * py + tri_maps[:, 1, 2]
    out[y0:y1, x0:x1] = cv2.remap(
        image, map_x, map_y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101
    )
    return out


def piecewise_affine_warp(
    image: np.ndarray, src_points: np.ndarray, dst_points: np.ndarray
) -> np.ndarray:
    """Warp ``image`` so that each of ``src_points`` moves to the matching ``dst_points``.

    The source points plus fixed points on the image border are triangulated (Delaunay) and
    each triangle is mapped affinely onto its displaced copy; the border does not move.
    Points within 2 px of the border or outside the image are ignored. The output has the
    input's shape and dtype. Displacements that fold the mesh give torn images: keep them
    smooth (see :func:`training.synth.phenotypes.apply_effects`, which checks).
    """
    return warp_mesh(image, build_mesh(image.shape, src_points, dst_points))


def area_shrink(image: np.ndarray, factor: float) -> tuple[np.ndarray, float, float]:
    """``image`` shrunk by about ``factor`` with area averaging, and the exact x and y factors.

    Done before an affine warp that shrinks a lot: bilinear sampling alone would alias.
    """
    small = (max(1, round(image.shape[1] * factor)), max(1, round(image.shape[0] * factor)))
    shrunk = cv2.resize(image, small, interpolation=cv2.INTER_AREA)
    return shrunk, small[0] / image.shape[1], small[1] / image.shape[0]
