"""Text from outside shown as text: file names, model cards and the error sentences that quote
them.

Qt renders a label's, tooltip's or message box's text as HTML when it looks like HTML, so a
photo named ``<h1>low</h1>.jpg`` or a model named ``<img src=...>`` would be rendered, not
shown; control and text-direction characters could rewrite what is read. Such text goes
through :class:`PlainLabel`, :func:`tooltip` or :func:`menu_text`, and into HTML only
escaped (:func:`html_text`).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from wbs_desktop.core.files import printable


class PlainLabel(QLabel):
    """A label that shows its text as plain text, control characters as escapes."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming
        super().setText(printable(text))


def html_text(text: str) -> str:
    """``text`` for a place that reads HTML: escaped, line breaks kept."""
    return "<br>".join(html.escape(printable(line)) for line in text.split("\n"))


def tooltip(text: str) -> str:
    """A tooltip that shows ``text`` as it is (``<qt>`` makes Qt read it as the escaped
    HTML it is, rather than guess)."""
    return f"<qt>{html_text(text)}</qt>"


def menu_text(text: str) -> str:
    """``text`` as a menu item's label: "&" shown, not taken as a shortcut mark."""
    return printable(text).replace("&", "&&")
