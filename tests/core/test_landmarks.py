"""Face detection with real MediaPipe on real photos and photos built from them."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from wbs_desktop.core.errors import NoFaceError
from wbs_desktop.core.pipeline.imaging import load_image
from wbs_desktop.core.pipeline.landmarks import NUM_LANDMARKS, detect_faces, require_faces


def test_one_face_with_478_landmarks_inside_the_photo(astronaut: np.ndarray) -> None:
    faces = detect_faces(astronaut)
    assert len(faces) == 1
    face = faces[0]
    assert face.landmarks.shape == (NUM_LANDMARKS, 2)
    x0, y0, x1, y1 = face.box
    # Astronaut's face is in the upper middle of the 512x512 picture.
    assert 150 < x0 < x1 < 300 and 50 < y0 < y1 < 200
    # The subject's right eye is on the photo's left.
    assert face.right_eye_centre[0] < face.left_eye_centre[0]
    assert 35 < face.interocular_distance < 50
    assert all(abs(angle) < 12 for angle in face.pose)


def test_grace_hopper(grace_hopper: np.ndarray) -> None:
    faces = detect_faces(grace_hopper)
    assert len(faces) == 1
    assert abs(faces[0].pose[0]) < 15


def test_no_face_gives_an_empty_list_and_a_clear_error() -> None:
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 255, size=(480, 640, 3), dtype=np.uint8)
    for image in (np.full((480, 640, 3), 128, np.uint8), noise):
        assert detect_faces(image) == []
    with pytest.raises(NoFaceError, match="No face was found"):
        require_faces([])


@pytest.mark.parametrize("face_width", [45, 90])
def test_small_face_in_a_large_frame_is_found(astronaut: np.ndarray, face_width: int) -> None:
    """A face 2-5 % of a 1080p frame's width, which Face Mesh alone misses."""
    portrait = astronaut[20:260, 110:350]  # the face is ~90 px wide in these 240 px
    scale = face_width / 90
    small = cv2.resize(portrait, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    frame = np.full((1080, 1920, 3), 90, np.uint8)
    height, width = small.shape[:2]
    frame[700 : 700 + height, 1500 : 1500 + width] = small
    faces = detect_faces(frame)
    assert len(faces) == 1
    assert faces[0].width == pytest.approx(face_width, rel=0.3)
    cx = (faces[0].box[0] + faces[0].box[2]) / 2
    cy = (faces[0].box[1] + faces[0].box[3]) / 2
    assert 1500 < cx < 1500 + width and 700 < cy < 700 + height


def test_several_faces_largest_first(astronaut: np.ndarray, grace_hopper: np.ndarray) -> None:
    big = astronaut[0:300, 100:400]
    small = cv2.resize(grace_hopper, (200, 260), interpolation=cv2.INTER_AREA)
    canvas = np.full((400, 800, 3), 200, np.uint8)
    canvas[50:350, 450:750] = big
    canvas[70:330, 60:260] = small
    faces = detect_faces(canvas)
    assert len(faces) == 2
    assert faces[0].area > faces[1].area
    assert faces[0].box[0] > 400  # the astronaut's (larger) face comes first


@pytest.mark.parametrize("angle", [-25, 25])
def test_roll_follows_an_in_plane_rotation(astronaut: np.ndarray, angle: float) -> None:
    base_roll = detect_faces(astronaut)[0].pose[2]
    matrix = cv2.getRotationMatrix2D((256, 256), angle, 1.0)
    rotated = cv2.warpAffine(astronaut, matrix, (512, 512), borderMode=cv2.BORDER_REFLECT)
    roll = detect_faces(rotated)[0].pose[2]
    # cv2's positive angle turns the picture anticlockwise: roll falls by that much.
    assert roll - base_roll == pytest.approx(-angle, abs=4)


def test_mirror_image_flips_yaw_and_roll(shared_faces: Path) -> None:
    image = load_image(shared_faces / "img34.jpg")  # a face turned ~14 degrees
    yaw, _, roll = detect_faces(image)[0].pose
    m_yaw, _, m_roll = detect_faces(np.ascontiguousarray(image[:, ::-1]))[0].pose
    assert abs(yaw) > 8
    assert m_yaw == pytest.approx(-yaw, abs=4)
    assert m_roll == pytest.approx(-roll, abs=3)


def test_group_photos_from_the_shared_set(shared_faces: Path) -> None:
    assert len(detect_faces(load_image(shared_faces / "couple.jpg"))) == 2
    assert len(detect_faces(load_image(shared_faces / "selfie-many-people.jpg"))) >= 3


def test_nearly_every_shared_photo_has_a_face(shared_faces: Path) -> None:
    photos = sorted(shared_faces.glob("img*.jpg"))
    found = sum(bool(detect_faces(load_image(p))) for p in photos)
    assert found >= 0.95 * len(photos)


def test_rejects_arrays_that_are_not_rgb8() -> None:
    with pytest.raises(ValueError):
        detect_faces(np.zeros((10, 10), np.uint8))
