"""Pixels between numpy and Qt, and the display-sized copies the views draw.

Views draw shrunken copies (a 12-megapixel phone photo is never scaled on every repaint);
the full-resolution photo is kept only for the analysis and the report.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage

PREVIEW_MAX_SIDE = 1600


def to_qimage(array: np.ndarray) -> QImage:
    """An independent QImage (it owns a copy) from an RGB or RGBA uint8 array."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    height, width = array.shape[:2]
    channels = 1 if array.ndim == 2 else array.shape[2]
    formats = {
        1: QImage.Format.Format_Grayscale8,
        3: QImage.Format.Format_RGB888,
        4: QImage.Format.Format_RGBA8888,
    }
    image = QImage(array.data, width, height, width * channels, formats[channels])
    return image.copy()  # the array's buffer may go away; the copy owns its pixels


def qimage_to_bytes(image: QImage) -> bytes:
    """Encode a (clipboard) QImage as BMP bytes, so that it enters the app through
    ``core.imaging.load_image`` like every other picture. BMP: fast, lossless."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # PySide6 wants a str format at run time; its stubs say bytes (a ValueError otherwise).
    if not rgb.save(buffer, "BMP"):  # type: ignore[call-overload]
        return b""
    buffer.close()
    return bytes(data.data())


def shrink(image: np.ndarray, max_side: int = PREVIEW_MAX_SIDE) -> tuple[np.ndarray, float]:
    """``image`` scaled so its longer side is at most ``max_side``, and the scale used."""
    scale = min(1.0, max_side / max(image.shape[:2]))
    if scale >= 1.0:
        return image, 1.0
    import cv2  # deferred: only worker threads call this

    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), scale


def heat_rgba(heatmap: np.ndarray, colormap: str) -> np.ndarray:
    """The heatmap as an RGBA layer whose alpha is the heat: painted over the photo with an
    opacity ``o`` it gives exactly ``core.render.overlay(photo, heat, o)``, so the opacity
    slider only changes a painter setting."""
    from wbs_desktop.core.outputs.render import colorize

    heat = np.clip(heatmap, 0.0, 1.0)
    alpha = (heat * 255 + 0.5).astype(np.uint8)[..., None]
    return np.concatenate([colorize(heat, colormap), alpha], axis=2)


def colormap_strip(colormap: str, steps: int = 256) -> np.ndarray:
    """(steps, 1, 3) colours from high (top) to low, for a vertical colour bar."""
    from wbs_desktop.core.outputs.render import colorize

    return colorize(np.linspace(1.0, 0.0, steps, dtype=np.float32)[:, None], colormap)
