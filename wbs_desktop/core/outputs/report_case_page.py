"""The page a report gives a case of several photos (issue 12): the combined result, then
one row per photo with its aligned face, date, age at it, score and quality warnings, and
whether the combined result counted it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wbs_desktop.core.model.card_text import human_number
from wbs_desktop.core.outputs.report_frame import CaseDetails, CasePhotoLine, footer
from wbs_desktop.core.outputs.report_page import (
    FOOTER_CLEAR,
    INK,
    LEFT,
    MUTED,
    RIGHT,
    Page,
    heading,
    hline,
    image_panel,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_ROW = 0.078  # of the page's height: a thumbnail and its lines
_THUMB_W = 0.075


def _row_text(photo: CasePhotoLine) -> str:
    taken = photo.taken.isoformat() if photo.taken else "no date"
    age = f", age {photo.age}" if photo.age else ""
    warnings = f"{photo.warnings} quality warning{'s' if photo.warnings != 1 else ''}"
    used = "counted" if photo.used else "left out"
    return (
        f"{photo.name}\n{taken}{age}\nScore {human_number(photo.score)} ({photo.label}); "
        f"{warnings}; {used}"
    )


def case_page(case: CaseDetails, number: int, pages: int) -> Figure:
    page = Page()
    page.text(LEFT, 0.960, "Photos of this case", fontsize=15, fontweight="bold", color=INK)
    page.fig.add_artist(hline(page.fig, 0.948))
    combined = page.wrap(case.combined, RIGHT - LEFT, 11, weight="bold", max_lines=2)
    label = page.text(LEFT, 0.935, combined, fontsize=11, fontweight="bold", color=INK, va="top")
    y = page.bottom(label) - 0.02
    heading(page, y, f"{len(case.photos)} photos")
    y -= 0.016
    rows = int((y - FOOTER_CLEAR) / _ROW)
    shown = case.photos if len(case.photos) <= rows else case.photos[: rows - 1]
    for photo in shown:
        if photo.face is not None:
            image_panel(page.fig, (LEFT, y - _ROW + 0.008, _THUMB_W, _ROW - 0.012), photo.face, "")
        text = page.wrap(_row_text(photo), RIGHT - LEFT - _THUMB_W - 0.02, 8.5, max_lines=3)
        page.text(LEFT + _THUMB_W + 0.02, y - 0.004, text, fontsize=8.5, color=INK, va="top")
        y -= _ROW
    if len(shown) < len(case.photos):
        more = f"... and {len(case.photos) - len(shown)} more photos"
        page.text(LEFT, y - 0.004, more, fontsize=8.5, color=MUTED, va="top")
    footer(page, number, pages, case)
    return page.fig
