"""Turning heatmaps into pictures: colour maps and overlays shared by the CLI, GUI and reports."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

# cividis is designed to read the same for people with colour-vision deficiency.
DEFAULT_COLORMAP = "cividis"
COLORMAPS = ("cividis", "viridis", "magma", "inferno", "turbo", "jet")


def colorize(heatmap: np.ndarray, colormap: str = DEFAULT_COLORMAP) -> np.ndarray:
    """(H,W) values in [0,1] -> (H,W,3) uint8 RGB through a matplotlib colour map."""
    from matplotlib import colormaps  # deferred: matplotlib costs ~0.3 s to import

    if colormap not in COLORMAPS:
        raise ValueError(f"unknown colour map {colormap!r}; choose one of {COLORMAPS}")
    rgba = colormaps[colormap](np.clip(heatmap, 0.0, 1.0))
    return (rgba[..., :3] * 255 + 0.5).astype(np.uint8)


def overlay(
    image: np.ndarray, heatmap: np.ndarray, opacity: float = 0.5, colormap: str = DEFAULT_COLORMAP
) -> np.ndarray:
    """Blend a coloured heatmap over an RGB image; weak heat shows more of the photo.

    The per-pixel opacity is ``opacity * heat``, so cold areas stay photographic and the
    eye goes to where the model looked.
    """
    if image.shape[:2] != heatmap.shape[:2]:
        raise ValueError(f"image {image.shape[:2]} and heatmap {heatmap.shape[:2]} differ")
    alpha = (np.clip(heatmap, 0.0, 1.0) * float(opacity))[..., None]
    blended = image.astype(np.float32) * (1 - alpha) + colorize(heatmap, colormap) * alpha
    return (blended + 0.5).astype(np.uint8)


def png_bytes(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()
