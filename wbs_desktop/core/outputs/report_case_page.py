"""The page a report gives a case of several photos (issue 12): the combined result, then
one row per photo with its aligned face, date, age at it, score and quality warnings, and
whether the combined result counted it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wbs_desktop.core.i18n import _, format_date, ngettext
from wbs_desktop.core.model.card_text import human_number
from wbs_desktop.core.outputs.report_frame import CaseDetails, CasePhotoLine, footer
from wbs_desktop.core.outputs.report_page import (
    FOOTER_CLEAR,
    INK,
    LEFT,
    MUTED,
    RIGHT,
    WARN,
    Page,
    heading,
    hline,
    image_panel,
)
from wbs_desktop.core.pipeline.analysis import label_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_ROW = 0.078  # of the page's height: a thumbnail and its lines
_THUMB_W = 0.075


def _row_text(photo: CasePhotoLine) -> str:
    taken = format_date(photo.taken) if photo.taken else _("no date")
    age = _(", age {age}").format(age=photo.age) if photo.age else ""
    warnings = ngettext(
        "{count} quality warning", "{count} quality warnings", photo.warnings
    ).format(count=photo.warnings)
    used = _("counted") if photo.used else _("left out")
    score = _("Score {score} ({label}); {warnings}; {used}").format(
        score=human_number(photo.score), label=label_text(photo.label), warnings=warnings, used=used
    )
    return f"{photo.name}\n{taken}{age}\n{score}"


def case_page(case: CaseDetails, number: int, pages: int) -> Figure:
    page = Page()
    page.text(LEFT, 0.960, _("Photos of this case"), fontsize=15, fontweight="bold", color=INK)
    page.fig.add_artist(hline(page.fig, 0.948))
    combined = page.wrap(case.combined, RIGHT - LEFT, 11, weight="bold", max_lines=2)
    label = page.text(LEFT, 0.935, combined, fontsize=11, fontweight="bold", color=INK, va="top")
    y = page.bottom(label) - 0.02
    if case.combined_warning:
        warning = page.wrap(case.combined_warning, RIGHT - LEFT, 9.5, max_lines=3)
        drawn = page.text(LEFT, y + 0.01, warning, fontsize=9.5, color=WARN, va="top")
        y = page.bottom(drawn) - 0.02
    count = len(case.photos)
    heading(page, y, ngettext("{count} photo", "{count} photos", count).format(count=count))
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
        left = len(case.photos) - len(shown)
        more = ngettext("... and {count} more photo", "... and {count} more photos", left).format(
            count=left
        )
        page.text(LEFT, y - 0.004, more, fontsize=8.5, color=MUTED, va="top")
    footer(page, number, pages, case)
    return page.fig
