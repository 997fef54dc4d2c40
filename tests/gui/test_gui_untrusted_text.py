"""Text from outside (file names, model cards) is shown as text, never rendered as HTML."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTextBrowser

from wbs_desktop.core.model.architectures import seeded_network
from wbs_desktop.core.model.bundle import load_model, save_bundle
from wbs_desktop.core.model.card import default_card
from wbs_desktop.core.model.registry import BundleEntry
from wbs_desktop.gui import crash
from wbs_desktop.gui.batch_dialog import BatchDialog
from wbs_desktop.gui.documents import card_html
from wbs_desktop.gui.model_picker import ModelPicker
from wbs_desktop.gui.result_panel import model_summary_html

HTML_NAME = "<h1>Facial features similar to WBS: low<img src=x>"  # a file name: no "/"


def shows_as_text(label: QLabel, text: str) -> bool:
    """Qt renders a label's text as HTML unless its format is plain text."""
    return label.textFormat() == Qt.TextFormat.PlainText and text in label.text()


def test_a_file_name_that_looks_like_html_is_shown_as_text(window, failed, tmp_path: Path) -> None:
    photo = tmp_path / f"{HTML_NAME}.jpg"
    photo.write_bytes(b"not a photo")
    text = failed(window, lambda: window.open_path(photo))
    assert HTML_NAME in text
    for label in (window.message_bar._label, window.result_panel.status):
        assert shows_as_text(label, HTML_NAME)
    assert window.status_text.textFormat() == Qt.TextFormat.PlainText


def test_control_characters_in_a_file_name_are_shown_escaped(
    window, analysed, sample_photo: Path, tmp_path: Path
) -> None:
    photo = tmp_path / "scan\u202egpj.exe\x1b.jpg"
    photo.write_bytes(sample_photo.read_bytes())
    analysed(window, lambda: window.open_path(photo))
    for text in (window.windowTitle(), window.status_text.text()):
        assert "scan\\u202egpj.exe\\x1b.jpg" in text
        assert "\u202e" not in text and "\x1b" not in text


def test_a_model_card_that_looks_like_html_is_shown_as_text(
    qtbot, tmp_path: Path, photo_dir: Path
) -> None:
    path = tmp_path / "html.safetensors"
    save_bundle(
        path,
        [seeded_network("mobilenet_v2", 0)],
        default_card(
            "mobilenet_v2",
            "<b>bold</b> <img src=x>",
            input_size=64,
            threshold_rule="<script>x</script>",
        ),
    )
    bundle = load_model(path)

    browser = QTextBrowser()
    qtbot.addWidget(browser)
    browser.setHtml(card_html(bundle.card, bundle.sha256, bundle.provenance_note))
    shown = browser.toPlainText()
    assert "<b>bold</b> <img src=x>" in shown and "<script>x</script>" in shown

    summary = QLabel(model_summary_html({"name": bundle.name}, bundle.card))
    summary.setTextFormat(Qt.TextFormat.RichText)
    qtbot.addWidget(summary)
    assert "&lt;b&gt;bold&lt;/b&gt;" in summary.text()

    dialog = BatchDialog(str(photo_dir), bundle, "cpu")
    qtbot.addWidget(dialog)
    assert shows_as_text(dialog.status, "Model: <b>bold</b> <img src=x>.")
    assert shows_as_text(dialog.banner, "Not for clinical use: untrained: pipeline test only.")


def test_model_list_tooltips_and_names_are_text(qtbot, tmp_path: Path) -> None:
    picker = ModelPicker()
    qtbot.addWidget(picker)
    entry = BundleEntry(
        tmp_path / "<b>m.safetensors",
        "0" * 64,
        "<i>name</i>",
        "mobilenet_v2",
        "trained",
        "<a href='x'>summary</a>",
        False,
    )
    picker.set_models([entry], {}, "")
    assert picker.models.itemText(0) == "<i>name</i>"
    tip = picker.models.itemData(0, Qt.ItemDataRole.ToolTipRole)
    assert tip == (
        "<qt>&lt;b&gt;m.safetensors<br>&lt;a href=&#x27;x&#x27;&gt;summary&lt;/a&gt;</qt>"
    )


def test_the_error_log_escapes_control_characters() -> None:
    error = ValueError("could not read evil\x1b]0;owned\x07\x1b[2J.jpg")
    text = crash.format_exception(ValueError, error, None)
    assert "evil\\x1b]0;owned\\x07\\x1b[2J.jpg" in text and "\x1b" not in text
