"""The result column: demo banner, the wording, the gauge, heat per region, warnings, model.

Everything here is read from a core ``Result`` and the bundle's card; nothing is computed.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from wbs_desktop.core.model.card_text import (
    human_number,
    operating_point_summary,
    provenance_banner,
    validation_summary,
)
from wbs_desktop.gui.charts import HIGH_COLOUR, LOW_COLOUR, RegionChart, ScoreGauge
from wbs_desktop.gui.plain_text import PlainLabel, html_text

if TYPE_CHECKING:  # for annotations only: the GUI imports torch lazily
    from wbs_desktop.core.pipeline.analysis import Result

_SECTION_STYLE = "color: #1f5f99; font-weight: 600; letter-spacing: 0.5px;"


def _section() -> QLabel:
    """A section title's label; its text is set (upper case) by ``retranslate``."""
    label = QLabel()
    label.setStyleSheet(
        _SECTION_STYLE + " padding-top: 10px; border-bottom: 1px solid #c9d1db;"
        " padding-bottom: 3px;"
    )
    return label


def _wrapped(text: str = "", style: str = "", *, plain: bool = False) -> QLabel:
    """A word-wrapped, selectable label; ``plain`` for text that may quote a file name."""
    label = PlainLabel(text) if plain else QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    if style:
        label.setStyleSheet(style)
    return label


def model_summary_html(model: Mapping[str, Any], card: Mapping[str, Any] | None) -> str:
    rows = [
        (QCoreApplication.translate("ResultPanel", "Model"), model.get("name", "?")),
        (
            QCoreApplication.translate("ResultPanel", "Network"),
            f"{model.get('architecture', '?')} x {model.get('networks', '?')}",
        ),
    ]
    if card:
        data = card.get("training_data", {})
        subjects = ", ".join(f"{g} {n}" for g, n in (data.get("subjects") or {}).items())
        photos = (
            QCoreApplication.translate("ResultPanel", "synthetic photos")
            if data.get("synthetic")
            else QCoreApplication.translate("ResultPanel", "real photos")
        )
        rows.append(
            (
                QCoreApplication.translate("ResultPanel", "Trained on"),
                photos + (f" ({subjects})" if subjects else "")
                if card.get("status") == "trained"
                else QCoreApplication.translate("ResultPanel", "not trained"),
            )
        )
        rows.append(
            (
                QCoreApplication.translate("ResultPanel", "Threshold"),
                f"{human_number(card['threshold'])} ({card.get('threshold_rule')})",
            )
        )
        rows.append(
            (
                QCoreApplication.translate("ResultPanel", "Operating point"),
                operating_point_summary(card),
            )
        )
        rows.append(
            (
                QCoreApplication.translate("ResultPanel", "Cross-validation"),
                validation_summary(card),
            )
        )
    rows.append(("SHA-256", f"{str(model.get('sha256', ''))[:16]}…"))
    cells = "".join(
        f"<tr><td style='color:#5b6675;padding-right:10px'>{html.escape(k)}</td>"
        f"<td>{html_text(str(v))}</td></tr>"
        for k, v in rows
    )
    return f"<table cellspacing='0' cellpadding='1'>{cells}</table>"


class _Body(QWidget):
    """The scrolled content. Its minimum height is left to height-for-width: the default
    (the sum of word-wrapped labels' minimums at their narrowest) would add a scroll bar
    to a column that fits."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        return QSize(super().minimumSizeHint().width(), 0)


class ResultPanel(QScrollArea):
    model_card_requested = Signal()
    intended_use_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(360)
        body = _Body()
        body.setObjectName("resultBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(5)

        self.banner = _wrapped(
            style="background: #fdecea; border: 1px solid #b3261e; "
            "border-radius: 4px; color: #8c1d18; padding: 8px;"
        )
        self.banner.hide()
        self.status = _wrapped(style="color: #5b6675; font-size: 11pt; padding: 6px 0;", plain=True)
        self.headline = _wrapped()
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.45)
        font.setBold(True)
        self.headline.setFont(font)
        self.gauge = ScoreGauge()
        self.score_line = _wrapped(style="color: #1d2733;")
        self.regions_title = _section()
        self.regions = RegionChart()
        self.warnings_title = _section()
        self.warnings = _wrapped()
        self.model_title = _section()
        self.model = _wrapped()
        self.model.setTextFormat(Qt.TextFormat.RichText)
        self.card_button = QPushButton()
        self.card_button.clicked.connect(self.model_card_requested)
        self.card_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.use_button = QPushButton()
        self.use_button.clicked.connect(self.intended_use_requested)
        self.use_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 4, 0, 0)
        buttons.addWidget(self.card_button)
        buttons.addWidget(self.use_button)
        buttons.addStretch(1)
        self.use_note = _wrapped(style="color: #5b6675; padding-top: 8px; font-size: 9pt;")

        self._result_parts = (
            self.headline,
            self.gauge,
            self.score_line,
            self.regions_title,
            self.regions,
            self.warnings_title,
            self.warnings,
        )
        for widget in (self.banner, self.status, *self._result_parts, self.model_title, self.model):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addWidget(self.use_note)
        layout.addStretch(1)
        self.setWidget(body)
        self.retranslate()
        self.show_status(QCoreApplication.translate("ResultPanel", "Open a photo to begin."))

    def retranslate(self) -> None:
        """The panel's fixed texts; what it shows of a result is redrawn by its owner."""
        self.banner.setAccessibleName(
            QCoreApplication.translate("ResultPanel", "Model provenance warning")
        )
        self.regions_title.setText(
            QCoreApplication.translate("ResultPanel", "Where the heat fell").upper()
        )
        self.warnings_title.setText(
            QCoreApplication.translate("ResultPanel", "Photo quality").upper()
        )
        self.model_title.setText(QCoreApplication.translate("ResultPanel", "Model").upper())
        self.card_button.setText(QCoreApplication.translate("ResultPanel", "Model card…"))
        self.card_button.setToolTip(
            QCoreApplication.translate("ResultPanel", "The model's full card (Ctrl+I)")
        )
        self.use_button.setText(QCoreApplication.translate("ResultPanel", "Intended use"))
        self.use_button.setToolTip(
            QCoreApplication.translate("ResultPanel", "What WBS Screen is for, and what not (F1)")
        )
        self.use_note.setText(
            QCoreApplication.translate(
                "ResultPanel",
                "A research and decision-support aid: it does not diagnose WBS, and a low "
                "score does not rule it out. Confirm with a genetic test.",
            )
        )

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- states
    def _show_result_parts(self, visible: bool) -> None:
        for widget in self._result_parts:
            widget.setVisible(visible)

    def show_status(self, text: str, *, keep_result: bool = False) -> None:
        """A plain state line ("Loading model…", "Analysing…"); hides the old result."""
        self.status.setStyleSheet("color: #5b6675; font-size: 11pt; padding: 6px 0;")
        self.status.setText(text)
        self.status.show()
        if not keep_result:
            self._show_result_parts(False)

    def show_failure(self, text: str) -> None:
        self.status.setStyleSheet("color: #8c1d18; font-size: 11pt; padding: 6px 0;")
        self.status.setText(text)
        self.status.show()
        self._show_result_parts(False)

    def set_model(self, model: Mapping[str, Any], card: Mapping[str, Any] | None) -> None:
        """Model section and banner; shown even before any result."""
        self.model.setText(model_summary_html(model, card))
        note = model.get("provenance_note") or ""
        self.banner.setText(
            QCoreApplication.translate(
                "ResultPanel",
                "<b>{banner}</b> Scores from this model are not clinically meaningful.",
            ).format(banner=html.escape(provenance_banner(note)))
            if note
            else ""
        )
        self.banner.setVisible(bool(note))

    def show_result(self, result: Result, card: Mapping[str, Any] | None) -> None:
        self.set_model(result.model, card)
        self.status.hide()
        high = result.label == "high"
        colour = (HIGH_COLOUR if high else LOW_COLOUR).name()
        self.headline.setText(result.summary)
        self.headline.setStyleSheet(f"color: {colour};")
        self.gauge.set_score(
            result.score, result.threshold, result.score_std, result.network_scores, high
        )
        networks = len(result.network_scores)
        spread = (
            QCoreApplication.translate(
                "ResultPanel", "SD {sd} across its {networks} networks"
            ).format(sd=human_number(result.score_std), networks=networks)
            if networks > 1
            else QCoreApplication.translate("ResultPanel", "one network, so no spread")
        )
        self.score_line.setText(
            QCoreApplication.translate(
                "ResultPanel",
                "Score <b>{score}</b> &nbsp;·&nbsp; threshold {threshold} &nbsp;·&nbsp; {spread}",
            ).format(
                score=human_number(result.score),
                threshold=human_number(result.threshold),
                spread=spread,
            )
        )
        self.regions.set_shares(result.regions)
        if result.warnings:
            items = "".join(
                f"<li style='margin-bottom:4px'>{html.escape(w)}</li>" for w in result.warnings
            )
            self.warnings.setText(f"<ul style='margin-left:-20px; color:#7a4b00'>{items}</ul>")
        else:
            self.warnings.setText(
                QCoreApplication.translate(
                    "ResultPanel", "No quality warnings: frontal, sharp and well exposed."
                )
            )
        self._show_result_parts(True)

    # --- for tests and accessibility
    def warning_texts(self) -> str:
        return self.warnings.text() if self.warnings.isVisible() else ""
