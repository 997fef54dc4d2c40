"""Facial regions: a partition of the crop, and heat shares that follow the heat."""

from __future__ import annotations

import numpy as np
import pytest

from wbs_desktop.core.pipeline.alignment import align_face
from wbs_desktop.core.pipeline.landmarks import detect_faces
from wbs_desktop.core.pipeline.regions import (
    FACE_ONLY_FILL,
    OUTSIDE,
    REGION_NAMES,
    face_only,
    heat_shares,
    region_areas,
    region_masks,
)


@pytest.fixture(scope="module")
def crop_landmarks(astronaut: np.ndarray) -> np.ndarray:
    return align_face(astronaut, detect_faces(astronaut)[0]).landmarks


def test_masks_partition_the_crop(crop_landmarks: np.ndarray) -> None:
    masks = region_masks(crop_landmarks, 224)
    assert list(masks) == [*REGION_NAMES, OUTSIDE]
    coverage = np.sum([m.astype(int) for m in masks.values()], axis=0)
    assert (coverage == 1).all()
    for name in REGION_NAMES:
        assert masks[name].mean() > 0.01, f"{name} is (nearly) empty"


def test_regions_sit_where_anatomy_says(crop_landmarks: np.ndarray) -> None:
    masks = region_masks(crop_landmarks, 224)

    def centre_y(name: str) -> float:
        return float(np.nonzero(masks[name])[0].mean())

    order = ["forehead", "periorbital", "nose", "mouth", "chin"]
    heights = [centre_y(name) for name in order]
    assert heights == sorted(heights)


def test_shares_follow_the_heat(crop_landmarks: np.ndarray) -> None:
    masks = region_masks(crop_landmarks, 224)
    for name in REGION_NAMES:
        heat = masks[name].astype(np.float32)
        shares = heat_shares(heat, crop_landmarks)
        assert shares[name] == pytest.approx(1.0)
        assert sum(shares.values()) == pytest.approx(1.0)


def test_uniform_heat_gives_the_area_shares(crop_landmarks: np.ndarray) -> None:
    shares = heat_shares(np.ones((224, 224), np.float32), crop_landmarks)
    assert shares == pytest.approx(region_areas(crop_landmarks, 224))


def test_no_heat_shares_nothing(crop_landmarks: np.ndarray) -> None:
    shares = heat_shares(np.zeros((224, 224), np.float32), crop_landmarks)
    assert set(shares.values()) == {0.0}


def test_face_only_greys_exactly_what_lies_outside_the_face(astronaut: np.ndarray) -> None:
    aligned = align_face(astronaut, detect_faces(astronaut)[0], 112)
    masked = face_only(aligned.image, aligned.landmarks)
    outside = region_masks(aligned.landmarks, 112)[OUTSIDE]
    grey = (masked == np.array(FACE_ONLY_FILL, np.uint8)).all(axis=2)
    assert 0.3 < outside.mean() < 0.7
    assert (grey | ~outside).all()  # every outside pixel is grey
    assert np.array_equal(masked[~outside], aligned.image[~outside])  # the face is untouched
    assert not np.array_equal(aligned.image[outside], masked[outside])
    assert aligned.image is not masked and not (aligned.image == masked).all()
