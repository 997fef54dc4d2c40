"""Quality warnings on real photos made worse in known ways."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np

from wbs_desktop.core.pipeline.alignment import align_face
from wbs_desktop.core.pipeline.imaging import load_image
from wbs_desktop.core.pipeline.landmarks import detect_faces
from wbs_desktop.core.pipeline.quality import assess


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
