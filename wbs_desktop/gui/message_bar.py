"""An in-window message strip: failures are told here in a sentence, not in a crash."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QToolButton, QWidget

from wbs_desktop.gui.plain_text import PlainLabel

_STYLES = {
    "error": ("#fdecea", "#b3261e", "#5f1712"),
    "warning": ("#fff4e0", "#b7791f", "#5c3d0a"),
    "info": ("#e8f1fb", "#2b6cb0", "#173a5e"),
}


class MessageBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.level = ""
        self._label = PlainLabel()
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        self._close = close
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.addWidget(self._label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.setObjectName("messageBar")
        self.hide()
        self.retranslate()

    def retranslate(self) -> None:
        self._close.setToolTip(self.tr("Dismiss (Esc)"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def show_message(self, text: str, level: str = "error") -> None:
        fill, edge, ink = _STYLES.get(level, _STYLES["info"])
        self.setStyleSheet(
            f"#messageBar {{ background: {fill}; border: 1px solid {edge}; "
            f"border-radius: 4px; }} QLabel {{ color: {ink}; }}"
        )
        self.level = level
        self._label.setText(text)
        self.setAccessibleName(f"{level}: {self._label.text()}")
        self.show()

    def text(self) -> str:
        return self._label.text() if self.isVisible() else ""

    def dismiss(self) -> None:
        self.level = ""
        self._label.clear()
        self.hide()
