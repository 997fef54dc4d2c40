"""The printable report of one result: a PDF (two A4 pages) or a PNG (the first page).

Drawn with matplotlib's object API on an Agg canvas (no pyplot, no GUI backend), so the CLI,
the GUI's worker threads and tests can all make reports. Page 1 holds everything a reader
needs: the photo (optionally cropped to the face), the aligned face and its Grad-CAM, the
score against the threshold, the quality warnings, the model summary, versions, date and
the intended use; page 2 holds the model card in full and the whole intended-use text.

Nothing is written unless asked: :func:`report_figures` draws the pages and
:func:`report_bytes` encodes them in memory; :func:`write_report` does both and writes
atomically (see ``core.files``).

Text that comes from outside (the photo's file name, the model card) is measured and wrapped
to the width it has, each block placed below the one before and cut with an ellipsis where a
page would overflow, so no text runs over another whatever its length; it is never parsed as
mathtext (a "$" in a file name would otherwise crash the report) and its control characters
are shown as escapes.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from wbs_desktop import __version__
from wbs_desktop.core.errors import OutputError
from wbs_desktop.core.files import atomic_write_bytes
from wbs_desktop.core.i18n import _
from wbs_desktop.core.outputs.fonts import report_families
from wbs_desktop.core.outputs.report_case_page import case_page
from wbs_desktop.core.outputs.report_frame import CaseDetails
from wbs_desktop.core.outputs.report_page import PNG_DPI
from wbs_desktop.core.outputs.report_pages import ReportOptions, first_page, second_page

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from wbs_desktop.core.pipeline.analysis import Result

FORMATS = ("pdf", "png")


def format_for(path: str | os.PathLike[str]) -> str:
    """'pdf' or 'png' from a file name; OutputError for anything else."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise OutputError(
            _(
                "Could not save {name}: reports are saved as .pdf or .png files; "
                "choose a name ending in one of these."
            ).format(name=Path(path).name)
        )
    return suffix


def _style() -> AbstractContextManager[None]:
    """The report's matplotlib settings, active while pages are made and saved. Type 42
    embeds TrueType fonts (subset to the characters used), so the PDF's text stays
    selectable and searchable; no text is mathtext, so "$...$" in a file name or a card is
    printed, never parsed."""
    from matplotlib import rc_context

    return rc_context(
        {"pdf.fonttype": 42, "font.family": list(report_families()), "text.parse_math": False}
    )


def report_figures(
    image: np.ndarray,
    result: Result,
    fmt: str = "pdf",
    *,
    card: Mapping[str, Any] | None = None,
    options: ReportOptions | None = None,
    created: datetime | None = None,
    case: CaseDetails | None = None,
) -> list[Figure]:
    """The report's pages, laid out and drawn: page 1 alone for "png", two for "pdf" (three
    for a case of several photos: its photos and combined result come second).

    ``image`` is the analysed RGB photo; ``card`` the bundle's full model card (page 2
    falls back to ``result.model`` without it); ``case`` says whom the report is about
    (a block on page 1, the patient ID in every page's footer).
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    options = options or ReportOptions()
    created = created or datetime.now().replace(microsecond=0)
    with _style():
        several = case is not None and len(case.photos) > 1 and fmt == "pdf"
        total = 1 if fmt == "png" else 3 if several else 2
        pages = [first_page(image, result, options, created, case, total)]
        if several and case is not None:
            pages.append(case_page(case, 2, total))
        if fmt == "pdf":
            pages.append(second_page(card, result, case, total))
        for page in pages:
            page.canvas.draw()
    return pages


def report_bytes(pages: Sequence[Figure], fmt: str = "pdf") -> bytes:
    """Encode :func:`report_figures`' pages in memory: a PDF of them all, or a PNG of the
    first."""
    from matplotlib.backends.backend_pdf import PdfPages

    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    buffer = io.BytesIO()
    with _style():
        if fmt == "png":
            pages[0].savefig(buffer, format="png", dpi=PNG_DPI, facecolor="white")
        else:
            metadata = {
                "Title": _("WBS Screen report"),
                "Creator": f"WBS Screen {__version__}",
                "CreationDate": None,
            }
            with PdfPages(buffer, metadata=metadata) as pdf:
                for page in pages:
                    pdf.savefig(page, facecolor="white")
    return buffer.getvalue()


def write_report(
    path: str | os.PathLike[str],
    image: np.ndarray,
    result: Result,
    *,
    card: Mapping[str, Any] | None = None,
    options: ReportOptions | None = None,
    created: datetime | None = None,
    fmt: str | None = None,
    case: CaseDetails | None = None,
) -> Path:
    """Render and atomically write a report; the format is ``fmt`` or follows the suffix
    (.pdf/.png).

    Raises OutputError for a wrong suffix, a full disk or a folder that refuses the file.
    """
    if fmt not in FORMATS:
        fmt = format_for(path)
    pages = report_figures(
        image, result, fmt, card=card, options=options, created=created, case=case
    )
    data = report_bytes(pages, fmt)
    return atomic_write_bytes(path, data)
