"""The printable report of one result: a PDF (two A4 pages) or a PNG (the first page).

Drawn with matplotlib's object API on an Agg canvas (no pyplot, no GUI backend), so the CLI,
the GUI's worker threads and tests can all make reports. Page 1 holds everything a reader
needs: the photo (optionally cropped to the face), the aligned face and its Grad-CAM, the
score against the threshold, the quality warnings, the model summary, versions, date and
the intended use; page 2 holds the model card in full and the whole intended-use text.

Nothing is written unless asked: :func:`report_bytes` renders in memory and
:func:`write_report` writes atomically (see ``core.files``).
"""

from __future__ import annotations

import io
import os
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from wbs_desktop import __version__
from wbs_desktop.core.errors import OutputError
from wbs_desktop.core.files import atomic_write_bytes
from wbs_desktop.core.model_card import (
    calibration_summary,
    operating_point_summary,
    validation_summary,
)
from wbs_desktop.core.paths import intended_use_path
from wbs_desktop.core.regions import OUTSIDE, REGION_NAMES
from wbs_desktop.core.render import DEFAULT_COLORMAP, overlay

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from wbs_desktop.core.analysis import Result

FORMATS = ("pdf", "png")
PAGE_SIZE_IN = (8.27, 11.69)  # A4 portrait
PNG_DPI = 150
# Photos are embedded at most this many pixels on their longer side: enough for print,
# small enough that a 12-megapixel phone photo does not make a 30 MB PDF.
_MAX_EMBED_SIDE = 1000
_FACE_MARGIN = 0.35

_INK = "#1d2733"
_MUTED = "#5b6675"
_RULE = "#c9d1db"
_ACCENT = "#1f5f99"
_HIGH = "#b3541e"
_LOW = "#2f6f4f"
_BANNER_FILL = "#fdecea"
_BANNER_EDGE = "#b3261e"
_WARN = "#8a5a00"


@dataclass(frozen=True)
class ReportOptions:
    """Choices that change the report's look, not its content."""

    crop_to_face: bool = False
    colormap: str = DEFAULT_COLORMAP
    opacity: float = 0.5
    photo_label: str | None = None  # e.g. the file name; None prints nothing


def format_for(path: str | os.PathLike[str]) -> str:
    """'pdf' or 'png' from a file name; OutputError for anything else."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise OutputError(
            f"Could not save {Path(path).name}: reports are saved as .pdf or .png files; "
            "choose a name ending in one of these."
        )
    return suffix


def face_crop_box(box: tuple[float, float, float, float], shape: tuple[int, ...],
                  margin: float = _FACE_MARGIN) -> tuple[int, int, int, int]:
    """The face box grown by ``margin`` of its size on each side, clipped to the photo."""
    x0, y0, x1, y1 = box
    grow_x, grow_y = (x1 - x0) * margin, (y1 - y0) * margin
    height, width = shape[:2]
    return (max(0, int(x0 - grow_x)), max(0, int(y0 - grow_y)),
            min(width, int(np.ceil(x1 + grow_x))), min(height, int(np.ceil(y1 + grow_y))))


def _photo_for_print(image: np.ndarray, result: Result, crop: bool
                     ) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    """The photo (or its face crop) shrunk for embedding, and the face box in its pixels."""
    box = result.face.box
    if crop:
        cx0, cy0, cx1, cy1 = face_crop_box(box, image.shape)
        image = image[cy0:cy1, cx0:cx1]
        box = (box[0] - cx0, box[1] - cy0, box[2] - cx0, box[3] - cy0)
    scale = min(1.0, _MAX_EMBED_SIDE / max(image.shape[:2]))
    if scale < 1.0:
        size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
        image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
        box = tuple(v * scale for v in box)  # type: ignore[assignment]
    return np.ascontiguousarray(image), box


def intended_use_text() -> str:
    """The intended-use statement as plain text (markdown marks removed)."""
    try:
        text = intended_use_path().read_text(encoding="utf-8")
    except OSError:
        from wbs_desktop.core.bundle import INTENDED_USE

        return INTENDED_USE
    text = re.sub(r"\A#[^\n]*\n+", "", text)  # the title: callers print their own
    text = re.sub(r"^#+\s*", "", text, flags=re.MULTILINE)
    return text.replace("**", "").replace("`", "").strip()


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.fill(part, width) if part.strip() else ""
                     for part in text.splitlines())


def _heading(fig: Figure, y: float, text: str) -> None:
    fig.text(0.06, y, text.upper(), fontsize=8.5, fontweight="bold", color=_ACCENT)
    fig.add_artist(_hline(fig, y - 0.006))


def _hline(fig: Figure, y: float, x0: float = 0.06, x1: float = 0.94) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([x0, x1], [y, y], transform=fig.transFigure, color=_RULE, linewidth=0.8)


def _image_panel(fig: Figure, rect: list[float], image: np.ndarray, title: str,
                 colour: str = _MUTED) -> Any:
    ax = fig.add_axes(rect)
    ax.imshow(image, interpolation="antialiased")
    ax.set_anchor("N")  # panels of different aspect ratios line up at the top
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color(_RULE)
    fig.text(rect[0], rect[1] + rect[3] + 0.006, title, fontsize=8.5, color=colour)
    return ax


def _score_bar(fig: Figure, rect: list[float], result: Result) -> None:
    from matplotlib.patches import Rectangle

    ax = fig.add_axes(rect)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    colour = _HIGH if result.label == "high" else _LOW
    ax.add_patch(Rectangle((0, 0.3), 1, 0.4, facecolor="#e9edf2", edgecolor=_RULE, lw=0.8))
    ax.add_patch(Rectangle((0, 0.3), result.score, 0.4, facecolor=colour, edgecolor="none"))
    for network_score in result.network_scores if len(result.network_scores) > 1 else ():
        ax.plot([network_score] * 2, [0.3, 0.7], color="white", lw=1.0, alpha=0.9)
    ax.plot([result.threshold] * 2, [0.12, 0.88], color=_INK, lw=1.6)
    ax.text(result.threshold, 0.95, f"threshold {result.threshold:.2f}", ha="center",
            va="bottom", fontsize=7.5, color=_INK)
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        ax.text(tick, 0.05, f"{tick:.2f}".rstrip("0").rstrip(".") if tick not in (0, 1)
                else str(int(tick)), ha="center", va="top", fontsize=7, color=_MUTED)


def _regions_chart(fig: Figure, rect: list[float], regions: Mapping[str, float]) -> None:
    names = [n for n in REGION_NAMES if n in regions]
    if OUTSIDE in regions:
        names.append(OUTSIDE)
    values = [100 * float(regions[n]) for n in names]
    labels = [n.replace("_", " ") for n in names]
    ax = fig.add_axes(rect)
    positions = np.arange(len(names))[::-1]
    ax.barh(positions, values, color=_ACCENT, height=0.62)
    ax.set_yticks(positions, labels, fontsize=7.5, color=_INK)
    ax.set_xlim(0, max(values + [1.0]) * 1.25)
    ax.tick_params(axis="x", labelsize=7, colors=_MUTED, length=2)
    ax.tick_params(axis="y", length=0)
    for position, value in zip(positions, values, strict=True):
        ax.text(value + 0.8, position, f"{value:.0f} %", va="center", fontsize=7, color=_INK)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(_RULE)
    ax.set_xlabel("share of the heatmap (%)", fontsize=7, color=_MUTED)


def _first_page(image: np.ndarray, result: Result, options: ReportOptions,
                created: datetime) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch, Rectangle

    fig = Figure(figsize=PAGE_SIZE_IN)
    fig.patch.set_facecolor("white")
    model = result.model
    fig.text(0.06, 0.960, "WBS Screen - facial gestalt screening report", fontsize=15,
             fontweight="bold", color=_INK)
    fig.text(0.06, 0.943, "Research and decision-support aid. It does not diagnose Williams-"
             "Beuren syndrome.", fontsize=8.5, color=_MUTED)
    fig.text(0.94, 0.960, created.strftime("%Y-%m-%d %H:%M"), fontsize=9, color=_INK,
             ha="right")
    if options.photo_label:
        fig.text(0.94, 0.943, f"Photo: {options.photo_label}"[:70], fontsize=8, color=_MUTED,
                 ha="right")
    fig.add_artist(_hline(fig, 0.932))

    top = 0.925
    note = model.get("provenance_note") or ""
    if note:
        fig.add_artist(FancyBboxPatch((0.06, 0.887), 0.88, 0.032, transform=fig.transFigure,
                                      boxstyle="round,pad=0,rounding_size=0.004",
                                      facecolor=_BANNER_FILL, edgecolor=_BANNER_EDGE, lw=1.0))
        fig.text(0.075, 0.903, f"Not for clinical use - {note}.", fontsize=9.5,
                 fontweight="bold", color=_BANNER_EDGE, va="center")
        fig.text(0.925, 0.903, "Scores are not clinically meaningful.", fontsize=8.5,
                 color=_BANNER_EDGE, va="center", ha="right")
        top = 0.875

    # Images: photo, aligned face, Grad-CAM on the aligned face with its colour bar.
    photo, box = _photo_for_print(image, result, options.crop_to_face)
    panel_h = 0.215
    y = top - panel_h - 0.018
    title = "Photo (face crop)" if options.crop_to_face else "Photo"
    if result.face_count > 1:
        title = f"Photo: {result.face_count} faces, the largest analysed"
    photo_ax = _image_panel(fig, [0.06, y, 0.30, panel_h], photo, title,
                            _WARN if result.face_count > 1 else _MUTED)
    photo_ax.add_patch(Rectangle((box[0], box[1]), box[2] - box[0], box[3] - box[1],
                                 fill=False, edgecolor="#f2c230", lw=1.2))
    _image_panel(fig, [0.385, y, 0.235, panel_h], result.aligned.image, "Aligned face")
    heat = overlay(result.aligned.image, result.heatmap, options.opacity, options.colormap)
    _image_panel(fig, [0.645, y, 0.235, panel_h], heat, "Grad-CAM heatmap")
    bar_ax = fig.add_axes([0.895, y, 0.012, panel_h])
    gradient = np.linspace(1, 0, 256)[:, None]
    bar_ax.imshow(gradient, aspect="auto", cmap=options.colormap, extent=(0, 1, 0, 1))
    bar_ax.set_xticks([])
    bar_ax.yaxis.tick_right()
    bar_ax.set_yticks([0, 1], ["low", "high"], fontsize=7, color=_MUTED)
    bar_ax.tick_params(length=0)

    # Result.
    y -= 0.045
    _heading(fig, y, "Result")
    colour = _HIGH if result.label == "high" else _LOW
    fig.text(0.06, y - 0.040, result.summary, fontsize=16, fontweight="bold", color=colour)
    networks = len(result.network_scores)
    spread = (f"spread across {networks} networks +/- {result.score_std:.3f}" if networks > 1
              else "one network (no spread)")
    fig.text(0.06, y - 0.062, f"Score {result.score:.3f} (threshold {result.threshold:.3f}; "
             f"{spread})", fontsize=9, color=_INK)
    _score_bar(fig, [0.06, y - 0.125, 0.88, 0.045], result)

    # Regions and warnings side by side.
    y -= 0.155
    fig.text(0.06, y, "WHERE THE HEAT FELL", fontsize=8.5, fontweight="bold", color=_ACCENT)
    fig.add_artist(_hline(fig, y - 0.006, 0.06, 0.46))
    _regions_chart(fig, [0.16, y - 0.165, 0.28, 0.145], result.regions)
    fig.text(0.52, y, "PHOTO QUALITY", fontsize=8.5, fontweight="bold", color=_ACCENT)
    fig.add_artist(_hline(fig, y - 0.006, 0.52, 0.94))
    if result.warnings:
        lines = "\n".join("- " + _wrap(w, 62).replace("\n", "\n  ") for w in result.warnings)
        fig.text(0.52, y - 0.016, lines, fontsize=8, color=_WARN, va="top", linespacing=1.35)
    else:
        fig.text(0.52, y - 0.016, "No quality warnings: frontal, sharp, well exposed.",
                 fontsize=8, color=_INK, va="top")

    # Model.
    y -= 0.218
    _heading(fig, y, "Model")
    sha = model.get("sha256") or ""
    rows = [
        ("Name", model.get("name", "?")),
        ("Architecture", f"{model.get('architecture', '?')}, {model.get('networks', '?')} "
                         "network(s)"),
        ("Status", model.get("status", "?") + (f" ({note})" if note else "")),
        ("Operating point", model.get("operating_point") or "not measured"),
        ("File", f"{model.get('file') or '-'}   SHA-256 {sha[:16]}..."),
        ("Versions", f"WBS Screen {__version__}; report made {created.isoformat(' ', 'seconds')}"),
    ]
    for i, (key, value) in enumerate(rows):
        fig.text(0.06, y - 0.022 - i * 0.017, key, fontsize=8, color=_MUTED)
        fig.text(0.20, y - 0.022 - i * 0.017, str(value)[:95], fontsize=8, color=_INK)

    # Intended use, always on the first page.
    y -= 0.022 + len(rows) * 0.017 + 0.02
    _heading(fig, y, "Intended use")
    fig.text(0.06, y - 0.014, _wrap(str(model.get("intended_use") or intended_use_text()), 118),
             fontsize=7.8, color=_INK, va="top", linespacing=1.4)
    fig.text(0.5, 0.022, f"WBS Screen {__version__} - page 1", fontsize=7, color=_MUTED,
             ha="center")
    return fig


def _card_lines(card: Mapping[str, Any]) -> list[tuple[str, str]]:
    data = card.get("training_data", {})
    subjects = ", ".join(f"{group}: {count}" for group, count in
                         (data.get("subjects") or {}).items()) or "none"
    software = ", ".join(f"{k} {v}" for k, v in (card.get("software") or {}).items())
    return [
        ("Name", str(card.get("name", ""))),
        ("Architecture", f"{card.get('architecture')} x {card.get('num_networks')}, input "
                         f"{card.get('input_size')} px, classes {card.get('classes')}"),
        ("Status", str(card.get("status", ""))),
        ("Threshold", f"{card.get('threshold'):.3f} ({card.get('threshold_rule')})"),
        ("Operating point", operating_point_summary(card)),
        ("Calibration", calibration_summary(card)),
        ("Training data", f"{'synthetic' if data.get('synthetic') else 'real'}; subjects "
                          f"{subjects}. {data.get('description', '')}"),
        ("Cross-validation", validation_summary(card)),
        ("Training command", str((card.get("training") or {}).get("command") or "-")),
        ("Data hash", str(card.get("data_hash") or "-")),
        ("Software", software),
        ("Created", str(card.get("created", ""))),
    ]


def _second_page(card: Mapping[str, Any] | None, result: Result) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=PAGE_SIZE_IN)
    fig.text(0.06, 0.960, "Model card", fontsize=15, fontweight="bold", color=_INK)
    fig.add_artist(_hline(fig, 0.948))
    y = 0.925
    lines = _card_lines(card) if card else [(k.replace("_", " ").capitalize(), str(v))
                                             for k, v in result.model.items()]
    for key, value in lines:
        wrapped = _wrap(value, 90)[:1500]
        fig.text(0.06, y, key, fontsize=8.5, color=_MUTED, va="top")
        fig.text(0.24, y, wrapped, fontsize=8.5, color=_INK, va="top", linespacing=1.35)
        y -= 0.0165 * (wrapped.count("\n") + 1) + 0.008
    y -= 0.02
    _heading(fig, y, "Intended use")
    fig.text(0.06, y - 0.016, _wrap(intended_use_text(), 105), fontsize=8.5, color=_INK,
             va="top", linespacing=1.45)
    fig.text(0.5, 0.022, f"WBS Screen {__version__} - page 2", fontsize=7, color=_MUTED,
             ha="center")
    return fig


def report_bytes(image: np.ndarray, result: Result, fmt: str = "pdf", *,
                 card: Mapping[str, Any] | None = None,
                 options: ReportOptions | None = None,
                 created: datetime | None = None) -> bytes:
    """Render the report in memory: a two-page PDF or a PNG of the first page.

    ``image`` is the analysed RGB photo; ``card`` the bundle's full model card (page 2
    falls back to ``result.model`` without it).
    """
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.backends.backend_pdf import PdfPages

    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    options = options or ReportOptions()
    created = created or datetime.now().replace(microsecond=0)
    buffer = io.BytesIO()
    # Type 42 embeds TrueType fonts whole, so the PDF's text stays selectable and searchable.
    with rc_context({"pdf.fonttype": 42, "font.family": "DejaVu Sans"}):
        first = _first_page(image, result, options, created)
        if fmt == "png":
            FigureCanvasAgg(first)
            first.savefig(buffer, format="png", dpi=PNG_DPI, facecolor="white")
        else:
            metadata = {"Title": "WBS Screen report", "Creator": f"WBS Screen {__version__}",
                        "CreationDate": None}
            with PdfPages(buffer, metadata=metadata) as pdf:
                for page in (first, _second_page(card, result)):
                    FigureCanvasAgg(page)
                    pdf.savefig(page, facecolor="white")
    return buffer.getvalue()


def write_report(path: str | os.PathLike[str], image: np.ndarray, result: Result, *,
                 card: Mapping[str, Any] | None = None,
                 options: ReportOptions | None = None,
                 created: datetime | None = None, fmt: str | None = None) -> Path:
    """Render and atomically write a report; the format is ``fmt`` or follows the suffix
    (.pdf/.png).

    Raises OutputError for a wrong suffix, a full disk or a folder that refuses the file.
    """
    if fmt not in FORMATS:
        fmt = format_for(path)
    data = report_bytes(image, result, fmt, card=card, options=options, created=created)
    return atomic_write_bytes(path, data)
