"""The two pages of the printable report (see ``report``): page 1 with the photo, the
aligned face and its heatmap, the score against the threshold, the quality warnings, the
model summary and the intended use; page 2 with the model card in full and the whole
intended-use text. Each block is measured and placed below the one before (``report_page``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from wbs_desktop import __version__
from wbs_desktop.core.i18n import _, format_datetime
from wbs_desktop.core.intended_use import intended_use_text
from wbs_desktop.core.model.card_text import (
    calibration_summary,
    human_number,
    operating_point_summary,
    provenance_banner,
    validation_summary,
)
from wbs_desktop.core.outputs.render import DEFAULT_COLORMAP, overlay
from wbs_desktop.core.outputs.report_frame import CaseDetails, footer, header, patient_block
from wbs_desktop.core.outputs.report_page import (
    BANNER_EDGE,
    BANNER_FILL,
    BANNER_LINES,
    FOOTER_CLEAR,
    HIGH_INK,
    INK,
    LEFT,
    LOW_INK,
    MUTED,
    PANEL_HEIGHT,
    RIGHT,
    WARN,
    Page,
    heading,
    hline,
    image_panel,
    regions_chart,
    score_bar,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from wbs_desktop.core.pipeline.analysis import Result

# Photos are embedded at most this many pixels on their longer side: enough for print,
# small enough that a 12-megapixel phone photo does not make a 30 MB PDF.
_MAX_EMBED_SIDE = 1000
_FACE_MARGIN = 0.35


@dataclass(frozen=True)
class ReportOptions:
    """Choices that change the report's look, not its content."""

    crop_to_face: bool = False
    colormap: str = DEFAULT_COLORMAP
    opacity: float = 0.5
    photo_label: str | None = None  # e.g. the file name; None prints nothing


def face_crop_box(
    box: tuple[float, float, float, float], shape: tuple[int, ...], margin: float = _FACE_MARGIN
) -> tuple[int, int, int, int]:
    """The face box grown by ``margin`` of its size on each side, clipped to the photo."""
    x0, y0, x1, y1 = box
    grow_x, grow_y = (x1 - x0) * margin, (y1 - y0) * margin
    height, width = shape[:2]
    return (
        max(0, int(x0 - grow_x)),
        max(0, int(y0 - grow_y)),
        min(width, int(np.ceil(x1 + grow_x))),
        min(height, int(np.ceil(y1 + grow_y))),
    )


def _photo_for_print(
    image: np.ndarray, result: Result, crop: bool
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
        box = (box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale)
    return np.ascontiguousarray(image), box


def _banner(page: Page, top: float, note: str) -> float:
    """The red provenance banner, as tall as its wrapped text (at most BANNER_LINES);
    returns its bottom."""
    from matplotlib.patches import FancyBboxPatch

    pad_x, pad_y = 0.015, 0.008
    text = page.wrap(
        _("{banner} Scores from this model are not clinically meaningful.").format(
            banner=provenance_banner(note)
        ),
        RIGHT - LEFT - 2 * pad_x,
        9.5,
        weight="bold",
        max_lines=BANNER_LINES,
    )
    label = page.text(
        LEFT + pad_x,
        top - pad_y,
        text,
        fontsize=9.5,
        fontweight="bold",
        color=BANNER_EDGE,
        va="top",
        linespacing=1.3,
    )
    bottom = page.bottom(label) - pad_y
    page.fig.add_artist(
        FancyBboxPatch(
            (LEFT, bottom),
            RIGHT - LEFT,
            top - bottom,
            transform=page.fig.transFigure,
            boxstyle="round,pad=0,rounding_size=0.004",
            facecolor=BANNER_FILL,
            edgecolor=BANNER_EDGE,
            lw=1.0,
        )
    )
    return bottom


def _images(
    page: Page,
    top: float,
    panel_h: float,
    image: np.ndarray,
    result: Result,
    options: ReportOptions,
) -> float:
    """Photo, aligned face, Grad-CAM on the aligned face with its colour bar; returns the
    panels' bottom."""
    from matplotlib.patches import Rectangle

    fig = page.fig
    photo, box = _photo_for_print(image, result, options.crop_to_face)
    y = top - panel_h - 0.018
    title = _("Photo (face crop)") if options.crop_to_face else _("Photo")
    if result.face_count > 1:
        title = _("Photo: {count} faces, the largest analysed").format(count=result.face_count)
    photo_ax = image_panel(
        fig, (0.06, y, 0.30, panel_h), photo, title, WARN if result.face_count > 1 else MUTED
    )
    photo_ax.add_patch(
        Rectangle(
            (box[0], box[1]),
            box[2] - box[0],
            box[3] - box[1],
            fill=False,
            edgecolor="#f2c230",
            lw=1.2,
        )
    )
    image_panel(fig, (0.385, y, 0.235, panel_h), result.aligned.image, _("Aligned face"))
    heat = overlay(result.aligned.image, result.heatmap, options.opacity, options.colormap)
    image_panel(fig, (0.645, y, 0.235, panel_h), heat, _("Grad-CAM heatmap"))
    bar_ax = fig.add_axes((0.895, y, 0.012, panel_h))
    gradient = np.linspace(1, 0, 256)[:, None]
    bar_ax.imshow(gradient, aspect="auto", cmap=options.colormap, extent=(0, 1, 0, 1))
    bar_ax.set_xticks([])
    bar_ax.yaxis.tick_right()
    bar_ax.set_yticks([0, 1], [_("low"), _("high")], fontsize=7, color=MUTED)
    bar_ax.tick_params(length=0)
    return y


def _result_section(page: Page, y: float, result: Result) -> float:
    """The wording, the score and the score bar under a heading at ``y``; returns the bar's
    bottom."""
    heading(page, y, _("Result"))
    colour = HIGH_INK if result.label == "high" else LOW_INK
    page.text(LEFT, y - 0.040, result.summary, fontsize=16, fontweight="bold", color=colour)
    networks = len(result.network_scores)
    spread = (
        _("SD {sd} across its {networks} networks").format(
            sd=human_number(result.score_std), networks=networks
        )
        if networks > 1
        else _("one network (no spread)")
    )
    page.text(
        LEFT,
        y - 0.062,
        _("Score {score} (threshold {threshold}; {spread})").format(
            score=human_number(result.score),
            threshold=human_number(result.threshold),
            spread=spread,
        ),
        fontsize=9,
        color=INK,
    )
    score_bar(page.fig, (LEFT, y - 0.125, RIGHT - LEFT, 0.045), result)
    return y - 0.125


def _heat_and_quality(page: Page, y: float, result: Result) -> float:
    """Regions chart and quality warnings side by side under headings at ``y``; returns
    the lower of their bottoms."""
    heading(page, y, _("Where the heat fell"), LEFT, 0.46)
    chart = regions_chart(page.fig, (0.16, y - 0.165, 0.28, 0.145), result.regions)
    heading(page, y, _("Photo quality"), 0.52, RIGHT)
    width = RIGHT - 0.52
    if result.warnings:
        items = [
            "- " + page.wrap(w, width - 0.015, 8).replace("\n", "\n  ") for w in result.warnings
        ]
        warnings = page.text(
            0.52, y - 0.016, "\n".join(items), fontsize=8, color=WARN, va="top", linespacing=1.35
        )
    else:
        warnings = page.text(
            0.52,
            y - 0.016,
            page.wrap(_("No quality warnings: frontal, sharp, well exposed."), width, 8),
            fontsize=8,
            color=INK,
            va="top",
        )
    return min(page.bottom(chart), page.bottom(warnings))


def _model_section(page: Page, y: float, model: Mapping[str, Any], created: datetime) -> float:
    """Key-value rows about the model under a heading at ``y``; returns their bottom."""
    heading(page, y, _("Model"))
    sha = model.get("sha256") or ""
    rows = [
        (_("Name"), model.get("name", "?")),
        (
            _("Architecture"),
            _("{architecture}, {networks} network(s)").format(
                architecture=model.get("architecture", "?"), networks=model.get("networks", "?")
            ),
        ),
        (_("Status"), str(model.get("status", "?"))),  # the note is in the banner
        # Made when the analysis ran, so in that language: the card's own text when switched.
        (_("Operating point"), model.get("operating_point") or _("not measured")),
        (_("File"), f"{model.get('file') or '-'}   SHA-256 {sha[:16]}..."),
        (
            _("Versions"),
            _("WBS Screen {version}; report made {created}").format(
                version=__version__, created=format_datetime(created)
            ),
        ),
    ]
    y -= 0.014
    for key, value in rows:
        page.text(LEFT, y, key, fontsize=8, color=MUTED, va="top")
        text = page.wrap(str(value), RIGHT - 0.20, 8, max_lines=2)
        y = (
            page.bottom(page.text(0.20, y, text, fontsize=8, color=INK, va="top", linespacing=1.3))
            - 0.005
        )
    return y


def first_page(
    image: np.ndarray,
    result: Result,
    options: ReportOptions,
    created: datetime,
    case: CaseDetails | None = None,
    pages: int = 2,
) -> Figure:
    page = Page()
    model = result.model
    note = model.get("provenance_note") or ""
    header(page, created, options.photo_label)
    top = 0.925
    panel_h = PANEL_HEIGHT
    if case is not None:
        bottom = patient_block(page, top, case)
        panel_h -= top - bottom  # the photos give up the block's height
        top = bottom
    if note:
        bottom = _banner(page, top, note)
        # Lines of the banner beyond two come out of the photos' height.
        panel_h -= max(0.0, top - bottom - 2 * page.line_height(9.5, 1.3) - 0.02)
        top = bottom - 0.012
    y = _images(page, top, panel_h, image, result, options)
    y = _result_section(page, y - 0.038, result)
    y = _heat_and_quality(page, y - 0.030, result)
    y = _model_section(page, y - 0.030, model, created)

    # Intended use, always on the first page: cut to the room left, in full on page 2.
    y -= 0.020
    heading(page, y, _("Intended use"))
    size, spacing = 7.8, 1.4
    text = page.wrap(
        # The card's statement in English; the standard one has a translation.
        _(str(model.get("intended_use") or "")) or intended_use_text(),
        RIGHT - LEFT,
        size,
        max_lines=page.fitting_lines(y - 0.014, size, spacing),
    )
    page.text(LEFT, y - 0.014, text, fontsize=size, color=INK, va="top", linespacing=spacing)
    footer(page, 1, pages, case)
    return page.fig


def _card_lines(card: Mapping[str, Any]) -> list[tuple[str, str]]:
    data = card.get("training_data", {})
    subjects = ", ".join(
        f"{group}: {count}" for group, count in (data.get("subjects") or {}).items()
    ) or _("none")
    software = ", ".join(f"{k} {v}" for k, v in (card.get("software") or {}).items())
    return [
        (_("Name"), str(card.get("name", ""))),
        (
            _("Architecture"),
            _("{architecture} x {networks}, input {size} px, classes {classes}").format(
                architecture=card.get("architecture"),
                networks=card.get("num_networks"),
                size=card.get("input_size"),
                classes=", ".join(map(str, card.get("classes", []))),
            ),
        ),
        (_("Status"), str(card.get("status", ""))),
        (_("Threshold"), f"{human_number(card['threshold'])} ({card.get('threshold_rule')})"),
        (_("Operating point"), operating_point_summary(card)),
        (_("Calibration"), calibration_summary(card)),
        (
            _("Training data"),
            (
                _("synthetic; subjects {subjects}. {description}")
                if data.get("synthetic")
                else _("real; subjects {subjects}. {description}")
            ).format(subjects=subjects, description=data.get("description", "")),
        ),
        (_("Cross-validation"), validation_summary(card)),
        (_("Training command"), str((card.get("training") or {}).get("command") or "-")),
        (_("Data hash"), str(card.get("data_hash") or "-")),
        (_("Software"), software),
        (_("Created"), str(card.get("created", ""))),
    ]


def second_page(
    card: Mapping[str, Any] | None, result: Result, case: CaseDetails | None = None, pages: int = 2
) -> Figure:
    """The card in full, each row cut short only when the page would overflow, and the
    whole intended-use text."""
    page = Page()
    page.text(LEFT, 0.960, _("Model card"), fontsize=15, fontweight="bold", color=INK)
    page.fig.add_artist(hline(page.fig, 0.948))
    size, spacing, row_gap, width = 8.5, 1.35, 0.008, RIGHT - 0.24
    use_size, use_spacing = 8.5, 1.45
    use = page.wrap(intended_use_text(), RIGHT - LEFT, use_size)
    use_height = 0.036 + (use.count("\n") + 1) * page.line_height(use_size, use_spacing)
    lines = (
        _card_lines(card)
        if card
        else [(k.replace("_", " ").capitalize(), str(v)) for k, v in result.model.items()]
    )
    top = 0.925
    line = page.line_height(size, spacing)
    room = int((top - FOOTER_CLEAR - use_height - len(lines) * row_gap) / line)
    needed = [page.wrap(value, width, size).count("\n") + 1 for _, value in lines]
    most = max(needed)
    while most > 1 and sum(min(n, most) for n in needed) > room:
        most -= 1
    y = top
    for key, value in lines:
        page.text(LEFT, y, key, fontsize=size, color=MUTED, va="top")
        text = page.wrap(value, width, size, max_lines=most)
        y = (
            page.bottom(
                page.text(0.24, y, text, fontsize=size, color=INK, va="top", linespacing=spacing)
            )
            - row_gap
        )
    y -= 0.02
    heading(page, y, _("Intended use"))
    page.text(LEFT, y - 0.016, use, fontsize=use_size, color=INK, va="top", linespacing=use_spacing)
    footer(page, pages, pages, case)
    return page.fig
