"""What frames a report's pages: page 1's title header; the block under it that says whom
the report is about (ID, name, sex, date of birth, the photo's date and the age at it,
examiner, clinic, notes; issue 12); and the footer every page carries, with the patient ID,
so that a loose page still says whose it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from wbs_desktop import __version__
from wbs_desktop.core.case.age import age_at
from wbs_desktop.core.case.patient import SEX_LABELS, Patient
from wbs_desktop.core.i18n import _, format_date, format_datetime
from wbs_desktop.core.outputs.report_page import INK, LEFT, MUTED, RIGHT, WARN, Page, hline

NOTES_LINES = 3  # on page 1; the notes are cut there with an ellipsis
_SIZE, _SPACING = 8.5, 1.35


@dataclass(frozen=True)
class CasePhotoLine:
    """One photo of a case, as its report lists it."""

    name: str
    taken: date | None
    age: str  # "" when unknown
    score: float
    label: str
    warnings: int  # quality warnings
    used: bool  # counted in the combined result
    face: np.ndarray | None = None  # the aligned face, as a thumbnail


@dataclass(frozen=True)
class CaseDetails:
    """Whom a report is about, and when the photo was taken; for a case of several photos,
    each of them and the combined result (a page of its own, ``report_case_page``)."""

    patient: Patient
    photo_date: date | None = None
    warnings: tuple[str, ...] = ()  # e.g. an age outside the model's (core.case.population)
    photos: tuple[CasePhotoLine, ...] = ()
    combined: str = ""  # e.g. "Facial features similar to WBS: low (2 of 3 photos), score 0.14"
    combined_warning: str = ""  # e.g. that a photo may show a different person (identity)

    @property
    def age_text(self) -> str:
        born, taken = self.patient.date_of_birth, self.photo_date
        if born is None or taken is None:
            return _("unknown")
        if taken < born:
            return _("unknown (photo dated before birth)")
        return str(age_at(born, taken))

    def lines(self) -> list[str]:
        """The block's lines, before wrapping: short fields side by side."""
        patient = self.patient
        who = [_("Patient ID: {value}").format(value=patient.patient_id)]
        if patient.name:
            who.append(_("Name: {value}").format(value=patient.name))
        sex = SEX_LABELS.get(patient.sex)
        who.append(_("Sex: {value}").format(value=_(sex) if sex else patient.sex))
        given = _("not given")
        born = format_date(patient.date_of_birth) if patient.date_of_birth else given
        taken = format_date(self.photo_date) if self.photo_date else given
        when = [
            _("Age at photo: {value}").format(value=self.age_text),
            _("Date of birth: {value}").format(value=born),
            _("Photo taken: {value}").format(value=taken),
        ]
        by = [
            label.format(value=value)
            for label, value in (
                (_("Examiner: {value}"), patient.examiner),
                (_("Clinic: {value}"), patient.clinic),
                (_("Ancestry: {value}"), patient.ancestry),
            )
            if value
        ]
        return [" | ".join(parts) for parts in (who, when, by) if parts]


def header(page: Page, created: datetime, photo_label: str | None) -> None:
    page.text(
        LEFT,
        0.960,
        _("WBS Screen - facial gestalt screening report"),
        fontsize=15,
        fontweight="bold",
        color=INK,
    )
    subtitle = page.text(
        LEFT,
        0.943,
        _("Research and decision-support aid. It does not diagnose Williams-Beuren syndrome."),
        fontsize=8.5,
        color=MUTED,
    )
    page.text(RIGHT, 0.960, format_datetime(created), fontsize=9, color=INK, ha="right")
    if photo_label:
        room = RIGHT - page.right(subtitle) - 0.03
        page.text(
            RIGHT,
            0.943,
            page.wrap(_("Photo: {name}").format(name=photo_label), room, 8, max_lines=1),
            fontsize=8,
            color=MUTED,
            ha="right",
        )
    page.fig.add_artist(hline(page.fig, 0.932))


def patient_block(page: Page, top: float, case: CaseDetails) -> float:
    """Draw the block from ``top`` down; returns its bottom (below a rule)."""
    width = RIGHT - LEFT
    y = top
    for line in case.lines():
        text = page.wrap(line, width, _SIZE, max_lines=2)  # a longer one ends in "…"
        y = page.bottom(page.text(LEFT, y, text, fontsize=_SIZE, color=INK, va="top")) - 0.004
    for warning in case.warnings:
        text = page.wrap(warning, width, _SIZE, max_lines=2)
        y = page.bottom(page.text(LEFT, y, text, fontsize=_SIZE, color=WARN, va="top")) - 0.004
    if case.patient.notes.strip():
        notes = page.wrap(
            _("Notes: {notes}").format(notes=case.patient.notes),
            width,
            _SIZE,
            max_lines=NOTES_LINES,
        )
        label = page.text(
            LEFT, y, notes, fontsize=_SIZE, color=MUTED, va="top", linespacing=_SPACING
        )
        y = page.bottom(label) - 0.004
    page.fig.add_artist(hline(page.fig, y - 0.004))
    return y - 0.010


def footer(page: Page, number: int, total: int, case: CaseDetails | None) -> None:
    """ "WBS Screen <version> - patient <ID> - page i of n" at the foot of the page; a
    report of no patient says so instead, so that it is not filed in a chart."""
    parts = [f"WBS Screen {__version__}"]
    if case is not None:
        parts.append(_("patient {id}").format(id=case.patient.patient_id))
    else:
        parts.append(_("no patient details: not for a patient's record"))
    parts.append(_("page {number} of {total}").format(number=number, total=total))
    text = page.wrap(" - ".join(parts), RIGHT - LEFT, 7, max_lines=1)
    page.text(0.5, 0.022, text, fontsize=7, color=MUTED, ha="center")
