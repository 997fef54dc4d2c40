"""Alignment: exact similarity fits, and invariance to rotation and scale on real photos."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from wbs_desktop.core.pipeline.alignment import (
    TEMPLATE,
    align_face,
    anchor_points,
    fit_similarity,
    map_to_photo,
    transform_points,
)
from wbs_desktop.core.pipeline.landmarks import detect_faces


def test_fit_recovers_a_known_similarity() -> None:
    rng = np.random.default_rng(1)
    source = rng.uniform(0, 500, size=(5, 2))
    angle, scale = np.deg2rad(23.0), 0.37
    truth = np.array(
        [
            [scale * np.cos(angle), -scale * np.sin(angle), 12.5],
            [scale * np.sin(angle), scale * np.cos(angle), -40.0],
        ]
    )
    fitted = fit_similarity(source, transform_points(truth, source), rng.uniform(1, 3, 5))
    np.testing.assert_allclose(fitted, truth, atol=1e-9)


def test_fit_never_reflects() -> None:
    source = TEMPLATE * 100
    mirrored = source * [-1, 1]
    matrix = fit_similarity(source, mirrored)
    assert np.linalg.det(matrix[:, :2]) > 0


def test_aligned_crop_matches_the_template(astronaut: np.ndarray) -> None:
    face = detect_faces(astronaut)[0]
    for size in (112, 224, 300):
        aligned = align_face(astronaut, face, size)
        assert aligned.image.shape == (size, size, 3) and aligned.image.dtype == np.uint8
        anchors = anchor_points(aligned.landmarks)
        assert np.abs(anchors - TEMPLATE * size).max() < 0.04 * size
        np.testing.assert_allclose(
            aligned.right_eye_centre, [0.35 * size, 0.36 * size], atol=0.01 * size
        )


def _eyes(image: np.ndarray) -> np.ndarray:
    aligned = align_face(image, detect_faces(image)[0])
    return np.stack([aligned.right_eye_centre, aligned.left_eye_centre])


@pytest.mark.parametrize("angle", [-30, -15, 10, 30])
@pytest.mark.parametrize("photo", ["astronaut", "grace_hopper"])
def test_eyes_land_in_place_whatever_the_rotation(
    photo: str, angle: float, request: pytest.FixtureRequest
) -> None:
    image = request.getfixturevalue(photo)
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    rotated = cv2.warpAffine(image, matrix, (width, height), borderMode=cv2.BORDER_REFLECT)
    assert np.abs(_eyes(rotated) - _eyes(image)).max() < 2.0


@pytest.mark.parametrize("scale", [0.5, 0.75, 1.5, 2.0])
@pytest.mark.parametrize("photo", ["astronaut", "grace_hopper"])
def test_eyes_land_in_place_whatever_the_scale(
    photo: str, scale: float, request: pytest.FixtureRequest
) -> None:
    image = request.getfixturevalue(photo)
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    resized = cv2.resize(image, None, fx=scale, fy=scale, interpolation=interpolation)
    assert np.abs(_eyes(resized) - _eyes(image)).max() < 2.0


def test_large_photo_is_shrunk_without_aliasing(astronaut: np.ndarray) -> None:
    """A face 4x larger than needed goes through an area resize; the crop must match."""
    big = cv2.resize(astronaut, None, fx=4, fy=4, interpolation=cv2.INTER_CUBIC)
    small_crop = align_face(astronaut, detect_faces(astronaut)[0]).image.astype(float)
    big_crop = align_face(big, detect_faces(big)[0]).image.astype(float)
    assert np.abs(small_crop - big_crop).mean() < 8


def test_crop_maps_back_onto_the_photo(astronaut: np.ndarray) -> None:
    face = detect_faces(astronaut)[0]
    aligned = align_face(astronaut, face)
    spot = np.zeros((224, 224), np.float32)
    x, y = np.round(aligned.landmarks[1]).astype(int)  # nose tip in the crop
    cv2.circle(spot, (int(x), int(y)), 3, 1.0, -1)
    on_photo = map_to_photo(spot, aligned, astronaut.shape)
    assert on_photo.shape == astronaut.shape[:2]
    peak = np.array(np.unravel_index(on_photo.argmax(), on_photo.shape))[::-1]
    assert np.linalg.norm(peak - face.landmarks[1]) < 3
    far_corner = on_photo[-20:, -20:]
    assert far_corner.max() == 0
