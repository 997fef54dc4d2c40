"""GUI fixtures: a real main window on a temporary INI file, real photos, real bundles."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QSettings

from wbs_desktop.core.paths import sample_photo_path
from wbs_desktop.gui.main_window import MainWindow
from wbs_desktop.gui.settings import Settings

MODEL_TIMEOUT_MS = 120_000  # the first window of the session imports torch and MediaPipe
RESULT_TIMEOUT_MS = 60_000


@pytest.fixture(autouse=True)
def _private_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing a test does may touch the user's settings or error log."""
    monkeypatch.setenv("WBS_SETTINGS_FILE", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("WBS_LOG_DIR", str(tmp_path / "logs"))


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture()
def make_window(qtbot, settings: Settings) -> Iterator[Callable[..., MainWindow]]:
    """Build, show and (unless ``start=False``) start a main window; closed at the end."""
    windows: list[MainWindow] = []

    def make(*, start: bool = True, store: Settings | None = None, **kwargs) -> MainWindow:
        window = MainWindow(store or settings, **kwargs)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        if start:
            with qtbot.waitSignal(window.model_ready, timeout=MODEL_TIMEOUT_MS):
                window.start()
        return window

    yield make
    for window in windows:
        window.close()


@pytest.fixture()
def window(make_window: Callable[..., MainWindow]) -> MainWindow:
    return make_window()


@pytest.fixture()
def analysed(qtbot) -> Callable[..., object]:
    """``analysed(window, action)``: run ``action`` and return the Analysis it leads to."""

    def run(window: MainWindow, action: Callable[[], object]) -> object:
        with qtbot.waitSignal(window.result_shown, timeout=RESULT_TIMEOUT_MS) as blocker:
            action()
        return blocker.args[0]

    return run


@pytest.fixture()
def failed(qtbot) -> Callable[..., str]:
    """``failed(window, action)``: run ``action`` and return the failure sentence shown."""

    def run(window: MainWindow, action: Callable[[], object]) -> str:
        with qtbot.waitSignal(window.failure_shown, timeout=RESULT_TIMEOUT_MS) as blocker:
            action()
        return str(blocker.args[0])

    return run


@pytest.fixture(scope="session")
def sample_photo() -> Path:
    return sample_photo_path()


@pytest.fixture(scope="session")
def photo_dir(
    tmp_path_factory: pytest.TempPathFactory, astronaut: np.ndarray, grace_hopper: np.ndarray
) -> Path:
    """Photos for the error paths and the batch: good, unreadable, faceless, two faces."""
    folder = tmp_path_factory.mktemp("photos")
    Image.fromarray(astronaut).save(folder / "astronaut.png")
    Image.open(sample_photo_path()).save(folder / "sample.jpg")
    (folder / "broken.jpg").write_bytes(b"this is not a photo")
    Image.new("RGB", (300, 300), (128, 140, 150)).save(folder / "blank.png")
    height = astronaut.shape[0]
    width = grace_hopper.shape[1] * height // grace_hopper.shape[0]
    hopper = cv2.resize(grace_hopper, (width, height), interpolation=cv2.INTER_AREA)
    two = np.concatenate([astronaut, hopper], axis=1)
    (folder / "extra").mkdir()
    Image.fromarray(two).save(folder / "extra" / "two_faces.jpg", quality=92)
    return folder


@pytest.fixture(scope="session")
def video_file(tmp_path_factory: pytest.TempPathFactory, astronaut: np.ndarray) -> Path:
    """A short MJPEG AVI of the astronaut, slightly moving: a camera for the tests."""
    path = tmp_path_factory.mktemp("video") / "camera.avi"
    frame = cv2.cvtColor(cv2.resize(astronaut, (384, 384)), cv2.COLOR_RGB2BGR)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15, (384, 384))
    assert writer.isOpened()
    for shift in range(12):
        writer.write(np.roll(frame, shift, axis=1))
    writer.release()
    return path
