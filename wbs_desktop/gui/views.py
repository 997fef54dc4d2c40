"""Picture widgets: an image with an optional heat layer, face box and landmarks; a colour bar.

Drawing is done by the painter from cached, display-sized images: the opacity slider and
the landmark toggle only change painter settings, never pixels.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from wbs_desktop.gui.qimage import to_qimage

BACKGROUND = QColor("#f1f3f6")
FRAME = QColor("#c9d1db")
PLACEHOLDER_INK = QColor("#5b6675")
FACE_BOX = QColor("#f2c230")
LANDMARK = QColor(80, 220, 255, 150)


class ImageCanvas(QWidget):
    """Shows one image scaled to fit (aspect kept), with overlays in image coordinates."""

    def __init__(
        self, title: str = "", placeholder: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.placeholder = placeholder
        self._image: QImage | None = None
        self._heat: QImage | None = None
        self._heat_visible = True
        self._opacity = 0.5
        self._box: tuple[float, float, float, float] | None = None
        self._landmarks: QPolygonF | None = None
        self._landmarks_visible = True
        self._cache: dict[str, tuple[tuple[int, int, float], QImage]] = {}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(120, 120)

    # --- content
    def set_image(self, image: np.ndarray | QImage | None) -> None:
        self._image = to_qimage(image) if isinstance(image, np.ndarray) else image
        self._heat = None
        self._box = None
        self._landmarks = None
        self._cache.clear()
        self.update()

    def has_image(self) -> bool:
        return self._image is not None

    def image(self) -> QImage | None:
        return self._image

    def set_heat(self, rgba: np.ndarray | None) -> None:
        self._heat = None if rgba is None else to_qimage(rgba)
        self._cache.pop("heat", None)
        self.update()

    def has_heat(self) -> bool:
        return self._heat is not None

    def set_heat_visible(self, visible: bool) -> None:
        self._heat_visible = visible
        self.update()

    def set_opacity(self, opacity: float) -> None:
        self._opacity = float(np.clip(opacity, 0.0, 1.0))
        self.update()

    def set_face(
        self, box: tuple[float, float, float, float] | None, landmarks: np.ndarray | None = None
    ) -> None:
        """Face box and landmarks in the pixels of the image shown."""
        self._box = box
        self._landmarks = (
            None
            if landmarks is None
            else QPolygonF([QPointF(float(x), float(y)) for x, y in landmarks])
        )
        self.update()

    def set_landmarks_visible(self, visible: bool) -> None:
        self._landmarks_visible = visible
        self.update()

    # --- drawing
    def sizeHint(self) -> QSize:  # noqa: N802 - Qt naming
        return QSize(480, 400)

    def target_rect(self) -> QRectF:
        """Where the image lands in the widget (fitted, centred)."""
        area = QRectF(self.rect()).adjusted(6, 6 + self._title_height(), -6, -6)
        if self._image is None or area.width() <= 0 or area.height() <= 0:
            return area
        scale = min(area.width() / self._image.width(), area.height() / self._image.height())
        width, height = self._image.width() * scale, self._image.height() * scale
        return QRectF(area.center().x() - width / 2, area.center().y() - height / 2, width, height)

    def _title_height(self) -> int:
        return self.fontMetrics().height() + 4 if self.title else 0

    def _scaled(self, key: str, image: QImage, target: QRectF) -> QImage:
        """``image`` resampled once per widget size, at the screen's device pixel ratio."""
        ratio = self.devicePixelRatioF()
        size = (round(target.width() * ratio), round(target.height() * ratio), ratio)
        cached = self._cache.get(key)
        if cached is None or cached[0] != size:
            scaled = image.scaled(
                max(1, size[0]),
                max(1, size[1]),
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            scaled.setDevicePixelRatio(ratio)
            cached = (size, scaled)
            self._cache[key] = cached
        return cached[1]

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt naming
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.fillRect(self.rect(), BACKGROUND)
        if self.title:
            font = QFont(self.font())
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(PLACEHOLDER_INK)
            painter.drawText(
                QRectF(8, 4, self.width() - 16, self._title_height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                self.title,
            )
            painter.setFont(self.font())
        target = self.target_rect()
        if self._image is None:
            painter.setPen(PLACEHOLDER_INK)
            painter.drawText(
                target, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.placeholder
            )
            return
        painter.drawImage(target.topLeft(), self._scaled("image", self._image, target))
        if self._heat is not None and self._heat_visible and self._opacity > 0:
            painter.setOpacity(self._opacity)
            painter.drawImage(target.topLeft(), self._scaled("heat", self._heat, target))
            painter.setOpacity(1.0)
        painter.setPen(QPen(FRAME, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(target)
        self._paint_face(painter, target)

    def _paint_face(self, painter: QPainter, target: QRectF) -> None:
        if self._image is None or (self._box is None and self._landmarks is None):
            return
        scale = target.width() / self._image.width()
        painter.save()
        painter.translate(target.topLeft())
        painter.scale(scale, scale)
        if self._landmarks is not None and self._landmarks_visible:
            pen = QPen(LANDMARK, 2.0 if target.width() > 300 else 1.5)
            pen.setCosmetic(True)  # the same width on the screen whatever the zoom
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            painter.drawPoints(self._landmarks)
        if self._box is not None:
            pen = QPen(FACE_BOX, 2.0)
            pen.setCosmetic(True)
            painter.setPen(pen)
            x0, y0, x1, y1 = self._box
            painter.drawRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        painter.restore()


class ColorBar(QWidget):
    """The heat legend: the colour map from high (top) to low, labelled."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strip: QImage | None = None
        self.colormap = ""
        self.setFixedWidth(62)
        self.setMinimumHeight(90)
        self.retranslate()

    def retranslate(self) -> None:
        self.setToolTip(self.tr("Heat legend: how strongly each area pushed the score up"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_colormap(self, name: str) -> None:
        from wbs_desktop.gui.qimage import colormap_strip

        self.colormap = name
        self._strip = to_qimage(colormap_strip(name))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt naming
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        metrics = self.fontMetrics()
        top = metrics.height() + 6
        bar = QRectF(6, top, 14, max(10, self.height() - 2 * top))
        if self._strip is not None:
            painter.drawImage(bar, self._strip)
        else:
            painter.fillRect(bar, BACKGROUND)
        painter.setPen(QPen(FRAME, 1))
        painter.drawRect(bar)
        painter.setPen(PLACEHOLDER_INK)
        painter.drawText(QPointF(2, metrics.ascent() + 1), self.tr("Heat"))
        painter.drawText(
            QPointF(bar.right() + 5, bar.top() + metrics.ascent() / 2), self.tr("high")
        )
        painter.drawText(
            QPointF(bar.right() + 5, bar.bottom() + metrics.ascent() / 2 - 2), self.tr("low")
        )
