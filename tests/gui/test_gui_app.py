"""Start-up, remembered state, the crash handler, documents, and the real app under Xvfb."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QSettings

from tests.conftest import REPO_ROOT
from wbs_desktop.gui import crash
from wbs_desktop.gui.settings import Settings


def test_gui_modules_import_without_torch_or_mediapipe() -> None:
    """The window can appear before the heavy libraries load (they load in a worker)."""
    code = (
        "import sys, wbs_desktop.gui.app, wbs_desktop.cli; "
        "heavy = [m for m in ('torch', 'mediapipe', 'cv2', 'matplotlib') if m in sys.modules];"
        " print(heavy); sys.exit(1 if heavy else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_window_state_and_choices_are_remembered(make_window, tmp_path: Path) -> None:
    ini = tmp_path / "remember.ini"
    first = make_window(
        start=False, store=Settings(QSettings(str(ini), QSettings.Format.IniFormat))
    )
    first.resize(1220, 741)
    first.image_split.setSizes([380, 250])
    sizes = first.image_split.sizes()
    first.opacity.setValue(35)
    first.colormaps.setCurrentIndex(first.colormaps.findData("viridis"))
    first.landmark_toggle.setChecked(False)
    first.crop_action.trigger()
    first.close()
    assert ini.is_file()

    second = make_window(
        start=False, store=Settings(QSettings(str(ini), QSettings.Format.IniFormat))
    )
    # The offscreen screen is 800 px wide, so Qt clamps the width; the height and the
    # splitter come back as they were.
    assert second.height() == 741
    assert second.image_split.sizes() == sizes
    assert second.opacity.value() == 35
    assert second.colormap() == "viridis"
    assert not second.landmark_toggle.isChecked()
    assert second.crop_action.isChecked()
    text = ini.read_text()
    assert "photo" not in text.lower().replace("heat_on_photo", "")  # choices only


def test_shortcuts_for_frequent_actions(window) -> None:
    shortcuts = {
        action.text().replace("&", ""): action.shortcut().toString() for action in window.actions()
    }
    assert shortcuts["Open photo…"] == "Ctrl+O"
    assert shortcuts["Paste photo"] == "Ctrl+V"
    assert shortcuts["Camera…"] == "Ctrl+K"
    assert shortcuts["Screen a folder…"] == "Ctrl+B"
    assert shortcuts["Save report…"] == "Ctrl+S"
    assert shortcuts["Intended use"] == "F1"
    assert shortcuts["Landmarks"] == "Ctrl+L"
    window.landmarks_action.trigger()
    assert not window.landmark_toggle.isChecked()


def test_intended_use_is_one_click_away(window) -> None:
    window.use_action.trigger()
    dialog = window.dialogs[-1]
    assert dialog.isVisible()
    text = dialog.browser.toPlainText()
    assert "does not diagnose WBS" in text
    assert "genetic test" in text
    dialog.close()


def test_unexpected_errors_go_to_a_dialog_and_a_log_without_pixels(
    window, qtbot, tmp_path: Path
) -> None:
    crash.install()
    pixels = np.full((64, 64, 3), 123, dtype=np.uint8)
    try:
        raise ValueError(f"broken pixels {pixels.tolist()}")
    except ValueError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    qtbot.waitUntil(
        lambda: crash.last_dialog() is not None and crash.last_dialog().isVisible(), timeout=5_000
    )
    box = crash.last_dialog()
    log = tmp_path / "logs" / crash.LOG_NAME
    assert str(log) in box.informativeText()
    text = log.read_text(encoding="utf-8")
    assert "ValueError: broken pixels" in text
    assert "test_unexpected_errors_go_to_a_dialog" in text  # the traceback is there
    assert len(text) < 3_000  # the 12,288 pixel values are not
    box.close()


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_real_app_under_xvfb_saves_a_screenshot(tmp_path: Path, sample_photo: Path) -> None:
    shot = tmp_path / "window.png"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "xcb",
        "WBS_SETTINGS_FILE": str(tmp_path / "s.ini"),
        "WBS_LOG_DIR": str(tmp_path / "logs"),
    }
    done = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1400x900x24",
            sys.executable,
            "-m",
            "wbs_desktop",
            "gui",
            str(sample_photo),
            "--screenshot",
            str(shot),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    if "Could not load the Qt platform plugin" in done.stderr:
        pytest.skip("Qt's xcb plugin cannot load: install libxcb-cursor0 (see README)")
    assert done.returncode == 0, done.stderr[-2000:]
    with Image.open(shot) as image:
        assert image.width >= 1000 and image.height >= 700
        pixels = np.asarray(image.convert("RGB"), dtype=np.float32)
    assert pixels.std() > 20  # a real picture, not a blank frame
