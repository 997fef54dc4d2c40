"""Photos in (file, drop, paste), results out, and every photo failure as a message."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication

from tests.conftest import installed_default

DEFAULT = installed_default()


def test_open_shows_result_with_heatmap(window, analysed, sample_photo: Path) -> None:
    analysis = analysed(window, lambda: window.open_path(sample_photo))
    result = analysis.result
    panel = window.result_panel
    assert panel.headline.isVisible()
    assert panel.headline.text() == result.summary
    assert result.summary.startswith("Facial features similar to WBS: ")
    assert panel.gauge.score == pytest.approx(result.score)
    assert panel.gauge.threshold == pytest.approx(result.threshold)
    # The demo/untrained banner is on every result of such a model.
    assert panel.banner.isVisible()
    assert DEFAULT["note"] in panel.banner.text()
    # Heat layers: on the photo and on the aligned face, with alpha = heat.
    assert window.photo_view.has_heat() and window.gradcam_view.has_heat()
    face_layer = analysis.layers["face"]
    assert face_layer.shape == (*result.heatmap.shape, 4)
    np.testing.assert_array_equal(
        face_layer[..., 3], (np.clip(result.heatmap, 0, 1) * 255 + 0.5).astype(np.uint8)
    )
    assert analysis.layers["photo"].shape[:2] == analysis.photo.preview.shape[:2]
    assert window.aligned_view.has_image()
    assert window.colorbar.colormap == "cividis"
    assert {name for name, _ in panel.regions.shares} >= {"forehead", "nose", "mouth"}
    assert "No quality warnings" in panel.warning_texts()
    assert window.report_action.isEnabled()
    assert window.windowTitle().startswith("sample_face.jpg")
    # The photo joined the recent files; the colour map and opacity change only the view.
    assert window.settings.recent_files[0] == str(sample_photo)
    window.colormaps.setCurrentIndex(window.colormaps.findData("magma"))
    assert window.colorbar.colormap == "magma"
    assert analysis.layers["face"] is not face_layer
    window.opacity.setValue(20)
    assert window.photo_view._opacity == pytest.approx(0.2)


def test_photo_opened_while_model_loads_is_analysed_when_ready(
    make_window, qtbot, sample_photo: Path
) -> None:
    window = make_window(start=False)
    window.open_path(sample_photo)
    qtbot.waitUntil(lambda: window.photo is not None, timeout=30_000)
    assert window.bundle is None
    assert "analysed as soon as it is ready" in window.result_panel.status.text()
    order: list[str] = []
    window.model_ready.connect(lambda _ready: order.append("model"))
    window.result_shown.connect(lambda _analysis: order.append("result"))
    window.start()
    qtbot.waitUntil(lambda: order == ["model", "result"], timeout=120_000)


def _drop(window, mime: QMimeData) -> bool:
    position = QPointF(window.width() / 2, window.height() / 2)
    enter = QDragEnterEvent(
        position,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    if not enter.isAccepted():
        return False
    drop = QDropEvent(
        position,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, drop)
    return drop.isAccepted()


def test_drag_and_drop_a_file(window, analysed, photo_dir: Path) -> None:
    mime = QMimeData()
    mime.setUrls(
        [
            QUrl.fromLocalFile(str(photo_dir / "astronaut.png")),
            QUrl.fromLocalFile(str(photo_dir / "sample.jpg")),
        ]
    )
    accepted: list[bool] = []
    analysis = analysed(window, lambda: accepted.append(_drop(window, mime)))
    assert accepted == [True]
    assert analysis.photo.name == "astronaut.png"
    QApplication.processEvents()
    assert "only astronaut.png was opened" in window.message_bar.text()
    # Something that is neither a file nor a picture is refused at the door.
    text_only = QMimeData()
    text_only.setText("hello")
    assert _drop(window, text_only) is False


def test_paste_an_image_from_the_clipboard(window, analysed, sample_photo: Path) -> None:
    image = QImage(str(sample_photo))
    assert not image.isNull()
    QGuiApplication.clipboard().setImage(image)
    analysis = analysed(window, window.paste_action.trigger)
    assert analysis.photo.name == "Pasted picture"
    assert analysis.photo.path is None  # in memory only
    assert analysis.photo.image.shape == (image.height(), image.width(), 3)


def test_paste_with_nothing_usable_on_the_clipboard(window, failed) -> None:
    QGuiApplication.clipboard().setText("not a path to anything")
    message = failed(window, window.paste)
    assert "The clipboard holds no picture" in message
    assert window.message_bar.text() == message


def test_unreadable_file_is_a_message(window, failed, photo_dir: Path) -> None:
    message = failed(window, lambda: window.open_path(photo_dir / "broken.jpg"))
    assert "The file 'broken.jpg' is not a readable photo" in message
    assert window.result_panel.status.text() == message
    assert not window.report_action.isEnabled()
    assert str(photo_dir / "broken.jpg") not in window.settings.recent_files


def test_missing_file_is_a_message(window, failed, tmp_path: Path) -> None:
    message = failed(window, lambda: window.open_path(tmp_path / "gone.jpg"))
    assert "could not be found" in message


def test_no_face_is_a_message(window, failed, photo_dir: Path) -> None:
    message = failed(window, lambda: window.open_path(photo_dir / "blank.png"))
    assert message.startswith("No face was found in this photo")
    assert window.photo_view.has_image()  # the photo stays in view, without a heatmap
    assert not window.photo_view.has_heat()


def test_several_faces_show_the_result_with_the_warning(window, analysed, photo_dir: Path) -> None:
    analysis = analysed(window, lambda: window.open_path(photo_dir / "extra" / "two_faces.jpg"))
    assert analysis.result.face_count == 2
    assert "2 faces were found" in window.result_panel.warning_texts()
    assert "2 faces were found" in window.message_bar.text()
    assert window.report_action.isEnabled()


def test_event_loop_stays_responsive_during_an_analysis(
    window, qtbot, analysed, photo_dir: Path
) -> None:
    """A 10 ms timer keeps ticking (gaps < 100 ms) while the worker analyses a photo."""
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    spans: list[tuple[float, float]] = []
    for photo in ("extra/two_faces.jpg", "astronaut.png"):
        timer.start()
        started = time.perf_counter()
        analysis = analysed(window, lambda p=photo: window.open_path(photo_dir / p))
        spans.append((started, time.perf_counter()))
        timer.stop()
        assert analysis.result.timings["total"] > 0
    gaps = [
        b - a
        for (start, end) in spans
        for a, b in zip(ticks, ticks[1:], strict=False)
        if start <= a and b <= end
    ]
    assert len(gaps) >= 5
    assert max(gaps) < 0.100, f"the GUI thread stalled for {max(gaps) * 1000:.0f} ms"
