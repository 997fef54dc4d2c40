"""The installed environment holds the dependencies pyproject.toml and `make venv` promise:
one OpenCV, the headless build, so that no second Qt sits beside PySide6's."""

from __future__ import annotations

from importlib import metadata

import cv2


def _installed() -> set[str]:
    return {(dist.metadata["Name"] or "").lower() for dist in metadata.distributions()}


def test_the_only_opencv_is_the_headless_build() -> None:
    installed = _installed()
    assert "mediapipe" in installed
    opencvs = {name for name in installed if name.startswith("opencv")}
    assert opencvs == {"opencv-python-headless"}
    # The cv2 that imports is that build: no GUI backend, hence no Qt of its own.
    gui = next(
        line for line in cv2.getBuildInformation().splitlines() if line.strip().startswith("GUI")
    )
    assert gui.split(":", 1)[1].strip() == "NONE"
