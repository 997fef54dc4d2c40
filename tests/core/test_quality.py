"""Quality warnings on real photos made worse in known ways."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest

from wbs_desktop.core.pipeline.alignment import align_face
from wbs_desktop.core.pipeline.imaging import load_image
from wbs_desktop.core.pipeline.landmarks import (
    LEFT_MOUTH_CORNER,
    LOWER_LIP_INNER,
    RIGHT_MOUTH_CORNER,
    UPPER_LIP_INNER,
    detect_faces,
)
from wbs_desktop.core.pipeline.quality import MAX_MOUTH_OPENING, assess, mouth_opening


def _warnings(image: np.ndarray) -> tuple[str, ...]:
    face = detect_faces(image)[0]
    return assess(face, align_face(image, face)).warnings


def test_good_frontal_photos_raise_no_warning(
    astronaut: np.ndarray, grace_hopper: np.ndarray
) -> None:
    assert _warnings(astronaut) == ()
    assert _warnings(grace_hopper) == ()


def test_blur_is_noticed(grace_hopper: np.ndarray) -> None:
    blurred = cv2.GaussianBlur(grace_hopper, (0, 0), 4)
    assert any("blurred" in w for w in _warnings(blurred))


def test_dark_and_bright_photos(astronaut: np.ndarray) -> None:
    dark = (astronaut * 0.2).astype(np.uint8)
    bright = np.clip(astronaut.astype(int) + 110, 0, 255).astype(np.uint8)
    assert any("underexposed" in w for w in _warnings(dark))
    assert any("overexposed" in w or "pure black or white" in w for w in _warnings(bright))


def test_small_face_is_noticed(astronaut: np.ndarray) -> None:
    small = cv2.resize(astronaut, (256, 256), interpolation=cv2.INTER_AREA)
    canvas = np.full((900, 900, 3), 120, np.uint8)
    canvas[300:556, 300:556] = small
    assert any("small in the photo" in w for w in _warnings(canvas))


def test_pose_thresholds_name_the_angle(astronaut: np.ndarray) -> None:
    face = detect_faces(astronaut)[0]
    aligned = align_face(astronaut, face)
    turned = dataclasses.replace(face, pose=(25.0, -24.0, 40.0))
    warnings = assess(turned, aligned).warnings
    assert "Face turned 25 degrees to the side: use a frontal photo." in warnings
    assert any("24 degrees down" in w for w in warnings)
    assert any("40 degrees sideways" in w for w in warnings)


def test_turned_faces_in_the_shared_set(shared_faces: Path) -> None:
    image = load_image(shared_faces / "selfie-many-people.jpg")
    faces = detect_faces(image)
    turned = [f for f in faces if abs(f.pose[0]) > 20]
    assert turned, "the selfie has faces turned well to the side"
    assert any("to the side" in w for w in assess(turned[0], align_face(image, turned[0])).warnings)


def test_an_open_mouth_is_noticed_and_a_closed_one_or_a_smile_is_not(
    astronaut: np.ndarray, grace_hopper: np.ndarray, shared_faces: Path
) -> None:
    """Real photos: an open mouth (surprise, fear) is warned about, closed lips and smiles
    (the astronaut shows her teeth) are not."""
    open_mouths = [
        shared_faces.parent / "faces-extra" / name
        for name in (
            "justadudewhohacks_face-api.js__examples_images_penny_penny1.png",
            "justadudewhohacks_face-api.js__examples_images_surprised.jpg",
        )
    ]
    if not all(p.is_file() for p in open_mouths):
        pytest.skip("the open-mouth photos of ../shared/faces-extra are absent")
    for photo in open_mouths:
        image = load_image(photo)
        face = detect_faces(image)[0]
        quality = assess(face, align_face(image, face))
        assert quality.mouth_opening > MAX_MOUTH_OPENING, photo.name
        assert any("mouth is open" in w for w in quality.warnings), photo.name
    for image in (astronaut, grace_hopper, load_image(shared_faces / "img29.jpg")):
        face = detect_faces(image)[0]
        assert mouth_opening(face.landmarks) < MAX_MOUTH_OPENING


def test_mouth_opening_follows_the_lips(astronaut: np.ndarray) -> None:
    """Moving the lower inner lip away from the upper one by half the mouth's width gives
    the ratio 0.5 more, whatever the face's size."""
    landmarks = detect_faces(astronaut)[0].landmarks.astype(np.float64)
    closed = mouth_opening(landmarks)
    for scale in (1.0, 3.0):
        moved = landmarks * scale
        width = np.linalg.norm(moved[LEFT_MOUTH_CORNER] - moved[RIGHT_MOUTH_CORNER])
        moved[LOWER_LIP_INNER] += (
            (moved[LOWER_LIP_INNER] - moved[UPPER_LIP_INNER])
            / (np.linalg.norm(moved[LOWER_LIP_INNER] - moved[UPPER_LIP_INNER]))
            * (0.5 * width)
        )
        assert mouth_opening(moved) == pytest.approx(closed + 0.5, abs=1e-6)
