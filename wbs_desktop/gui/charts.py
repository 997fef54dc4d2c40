"""Small painted charts of the result: the score gauge and the heat-per-region bars.

Painted with QPainter rather than matplotlib, so that showing a result costs no import
and scales crisply on high-DPI screens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from wbs_desktop.gui.language import QT_TRANSLATE_NOOP

# Blue and orange stay distinct for the common colour-vision deficiencies.
LOW_COLOUR = QColor("#2b6cb0")
HIGH_COLOUR = QColor("#c05621")
TRACK = QColor("#e6eaf0")
SPREAD = QColor(29, 39, 51, 45)
INK = QColor("#1d2733")
MUTED = QColor("#5b6675")
BAR = QColor("#3d6f9e")

REGION_LABELS = {
    "forehead": QT_TRANSLATE_NOOP("RegionChart", "forehead"),
    "periorbital": QT_TRANSLATE_NOOP("RegionChart", "around the eyes"),
    "nose": QT_TRANSLATE_NOOP("RegionChart", "nose"),
    "cheeks": QT_TRANSLATE_NOOP("RegionChart", "cheeks"),
    "mouth": QT_TRANSLATE_NOOP("RegionChart", "mouth"),
    "chin": QT_TRANSLATE_NOOP("RegionChart", "chin"),
    "outside_face": QT_TRANSLATE_NOOP("RegionChart", "outside the face"),
}


class ScoreGauge(QWidget):
    """A 0-1 bar: the score filled, the model's threshold marked, the networks' spread
    shaded and each network's own score ticked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.score: float | None = None
        self.threshold = 0.5
        self.spread = 0.0
        self.network_scores: tuple[float, ...] = ()
        self.high = False
        self.setMinimumHeight(64)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        return QSize(300, 64)

    def set_score(
        self,
        score: float | None,
        threshold: float = 0.5,
        spread: float = 0.0,
        network_scores: Sequence[float] = (),
        high: bool = False,
    ) -> None:
        self.score, self.threshold, self.spread = score, threshold, spread
        self.network_scores = tuple(network_scores)
        self.high = high
        self.setAccessibleDescription(
            ""
            if score is None
            else self.tr("score {score:.2f}, threshold {threshold:.2f}").format(
                score=score, threshold=threshold
            )
        )
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt naming
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        label_h = metrics.height()
        left, right = 4.0, self.width() - 4.0
        track = QRectF(left, label_h + 4, right - left, 18)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(TRACK)
        painter.drawRoundedRect(track, 4, 4)

        def x_of(value: float) -> float:
            return track.left() + track.width() * min(max(value, 0.0), 1.0)

        if self.score is not None:
            colour = HIGH_COLOUR if self.high else LOW_COLOUR
            painter.setBrush(colour)
            painter.drawRoundedRect(
                QRectF(track.left(), track.top(), x_of(self.score) - track.left(), track.height()),
                4,
                4,
            )
            if self.spread > 0:
                painter.setBrush(SPREAD)
                painter.drawRect(
                    QRectF(
                        x_of(self.score - self.spread),
                        track.top() - 3,
                        x_of(self.score + self.spread) - x_of(self.score - self.spread),
                        track.height() + 6,
                    )
                )
            if len(self.network_scores) > 1:
                painter.setPen(QPen(QColor("white"), 1.5))
                for value in self.network_scores:
                    painter.drawLine(
                        QPointF(x_of(value), track.top() + 3),
                        QPointF(x_of(value), track.bottom() - 3),
                    )
        # Threshold marker and its label above the bar.
        tx = x_of(self.threshold)
        painter.setPen(QPen(INK, 2.5))
        painter.drawLine(QPointF(tx, track.top() - 4), QPointF(tx, track.bottom() + 4))
        painter.setPen(INK)
        text = self.tr("threshold {threshold:.2f}").format(threshold=self.threshold)
        width = metrics.horizontalAdvance(text)
        text_x = min(max(tx - width / 2, left), right - width)
        painter.drawText(QPointF(text_x, metrics.ascent()), text)
        # Scale.
        painter.setPen(MUTED)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
        painter.setFont(small)
        bottom = track.bottom() + 4 + painter.fontMetrics().ascent()
        for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
            label = f"{tick:g}"
            w = painter.fontMetrics().horizontalAdvance(label)
            painter.drawText(QPointF(min(max(x_of(tick) - w / 2, left), right - w), bottom), label)


class RegionChart(QWidget):
    """Horizontal bars: the share of the heatmap in each facial region."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.shares: list[tuple[str, float]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_shares(self, shares: Mapping[str, float]) -> None:
        self.shares = [
            (
                QCoreApplication.translate("RegionChart", REGION_LABELS[name])
                if name in REGION_LABELS
                else name.replace("_", " "),
                float(value),
            )
            for name, value in shares.items()
        ]
        self.setFixedHeight(max(1, len(self.shares)) * self._row_height() + 4)
        self.update()

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 4

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        return QSize(300, max(1, len(self.shares)) * self._row_height() + 4)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt naming
        if not self.shares:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        label_w = max(metrics.horizontalAdvance(name) for name, _ in self.shares) + 10
        value_w = metrics.horizontalAdvance("100 %") + 6
        bar_w = max(20.0, self.width() - label_w - value_w - 4)
        peak = max(max(v for _, v in self.shares), 1e-6)
        row = self._row_height()
        for i, (name, value) in enumerate(self.shares):
            y = 2 + i * row
            painter.setPen(INK)
            painter.drawText(
                QRectF(0, y, label_w - 8, row),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(TRACK)
            painter.drawRect(QRectF(label_w, y + 3, bar_w, row - 6))
            painter.setBrush(BAR)
            painter.drawRect(QRectF(label_w, y + 3, bar_w * value / peak, row - 6))
            painter.setPen(INK)
            painter.drawText(
                QRectF(label_w + bar_w + 4, y, value_w, row),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{100 * value:.0f} %",
            )
