"""The capture dialog, driven by a generated video file (OpenCV reads it like a camera)."""

from __future__ import annotations

import shutil
from pathlib import Path


def test_capture_freeze_retake_use(window, qtbot, analysed, video_file: Path) -> None:
    dialog = window.open_camera(str(video_file))
    qtbot.waitUntil(lambda: dialog.frames_seen >= 3, timeout=30_000)
    assert dialog.preview.has_image()
    assert "Live: camera.avi" in dialog.status.text()
    dialog.toggle_freeze()
    assert dialog.frozen is not None and dialog.use_button.isEnabled()
    frozen = dialog.frozen
    dialog.toggle_freeze()  # retake: live again
    assert dialog.frozen is None and not dialog.use_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.last_frame is not frozen, timeout=10_000)
    dialog.toggle_freeze()
    captured = dialog.frozen
    analysis = analysed(window, dialog.use_button.click)
    assert not dialog.isVisible()
    assert analysis.photo.name == "Camera capture"
    assert analysis.photo.path is None  # photos from the camera stay in memory
    assert analysis.photo.image.shape == captured.shape == (384, 384, 3)
    assert analysis.result.face_count == 1


def test_missing_camera_is_a_clear_message(window, qtbot) -> None:
    dialog = window.open_camera(57)
    qtbot.waitUntil(lambda: bool(dialog.error_text()), timeout=30_000)
    assert dialog.error_text().startswith("No camera was found at number 57")
    assert dialog.retry_button.isVisible()
    assert not dialog.use_button.isEnabled()
    dialog.reject()


def test_camera_that_disappears_is_a_clear_message(
    window, qtbot, tmp_path: Path, video_file: Path
) -> None:
    source = tmp_path / "unplugged.avi"
    shutil.copy(video_file, source)
    dialog = window.open_camera(str(source))
    qtbot.waitUntil(lambda: dialog.frames_seen >= 2, timeout=30_000)
    dialog.toggle_freeze()  # a frozen picture survives the camera going away
    source.unlink()
    qtbot.waitUntil(lambda: bool(dialog.error_text()), timeout=30_000)
    assert "can no longer be read" in dialog.error_text()
    assert dialog.use_button.isEnabled()
    dialog.reject()
    assert dialog.worker is None
