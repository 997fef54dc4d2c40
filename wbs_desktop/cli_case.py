"""The case options of ``wbs-desktop report`` and ``predict`` (issue 12): whom the photos
are of, read into the core's ``Patient`` and checked before any model loads, and each
photo's date (``--photo-date``, else the photo's EXIF date) with the age it gives."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wbs_desktop.core.case.age import age_at, capture_date_problem
from wbs_desktop.core.case.capture_date import capture_date
from wbs_desktop.core.case.patient import SEXES, Patient
from wbs_desktop.core.case.population import case_warnings
from wbs_desktop.core.errors import WBSError
from wbs_desktop.core.i18n import _
from wbs_desktop.core.model.card_text import human_number

if TYPE_CHECKING:  # the report's modules bring matplotlib and OpenCV: imported when used
    from wbs_desktop.core.case.combine import CasePhoto
    from wbs_desktop.core.model.bundle import ModelBundle
    from wbs_desktop.core.outputs.report_frame import CaseDetails
    from wbs_desktop.core.pipeline.analysis import Result

_TEXT_OPTIONS = ("patient_id", "name", "examiner", "clinic", "ancestry", "notes")


class CaseDetailsError(WBSError):
    """The case options cannot be used; the message says why, one sentence per problem."""


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, not {text!r}") from None


def add_case_options(parser: argparse.ArgumentParser) -> None:
    case = parser.add_argument_group(
        _("case"),
        _(
            "whom the photos are of: printed on reports, never stored (--patient-id is "
            "required once any of these is given)"
        ),
    )
    case.add_argument("--patient-id", metavar="ID", help=_("the patient's identifier"))
    case.add_argument("--name", help=_("the patient's name (optional)"))
    case.add_argument("--dob", type=_iso_date, metavar="YYYY-MM-DD", help=_("date of birth"))
    case.add_argument(
        "--photo-date",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help=_("when the photos were taken (default: each photo's EXIF date)"),
    )
    case.add_argument("--sex", choices=SEXES, help=_("the patient's sex"))
    case.add_argument("--examiner", help=_("who examined the patient"))
    case.add_argument("--clinic", help=_("the clinic or hospital"))
    case.add_argument("--ancestry", help=_("the patient's ancestry (optional)"))
    case.add_argument("--notes", help=_("free-text notes for the report"))


def patient_from(args: argparse.Namespace, *, today: date | None = None) -> Patient | None:
    """The patient the options describe, or None when none was given.

    CaseDetailsError when they cannot go on a report, e.g. without a patient ID.
    """
    texts = {name: getattr(args, name) or "" for name in _TEXT_OPTIONS}
    if not (any(texts.values()) or args.dob or args.photo_date or args.sex):
        return None
    patient = Patient(**texts, date_of_birth=args.dob, sex=args.sex or "unknown")
    problems = patient.problems(for_report=True, today=today)
    if problems:
        raise CaseDetailsError(" ".join(problems))
    return patient


def case_json(case: CaseDetails) -> dict[str, object]:
    """What ``predict --json`` says of a photo's case: who, when, and the age then."""
    born, taken = case.patient.date_of_birth, case.photo_date
    known = born is not None and taken is not None and taken >= born
    return {
        "patient_id": case.patient.patient_id,
        "photo_date": taken.isoformat() if taken else None,
        "age": case.age_text if known else None,
        "age_months": age_at(born, taken).in_months if known and born and taken else None,
        "warnings": list(case.warnings),
    }


def case_outcome(
    patient_id: str, photos: Sequence[CasePhoto], card: Mapping[str, Any]
) -> tuple[dict[str, object], str]:
    """What ``predict`` says of the case after its photos: as JSON, and as a line."""
    from wbs_desktop.core.case.combine import combine

    case = combine(photos, card)
    line = _("patient {patient_id}: {summary} (score {score})").format(
        patient_id=patient_id, summary=case.summary, score=human_number(case.score)
    )
    warnings = [case.identity_warning] if case.identity_warning else []
    return {
        "patient_id": patient_id,
        "score": round(case.score, 4),
        "label": case.label,
        "summary": case.summary,
        "threshold": case.threshold,
        "photos_used": case.used,
        "photos": case.total,
        "combined": "Platt map of the mean deployed logit of the photos used",
        "warnings": warnings,
    }, "\n".join([line, *warnings])


def case_for_photo(
    patient: Patient,
    photo: str,
    given: date | None,
    card: Mapping[str, Any],
    *,
    today: date | None = None,
) -> CaseDetails:
    """The case details of one photo: its date is ``given`` or its EXIF date (None when it
    has none), with the warnings of the model whose card is ``card`` (an age outside its
    population). CaseDetailsError when that date cannot be right for this patient."""
    from wbs_desktop.core.outputs.report_frame import CaseDetails

    taken = given or capture_date(Path(photo).read_bytes())
    problem = capture_date_problem(taken, patient.date_of_birth, today=today) if taken else None
    if problem:
        raise CaseDetailsError(f"{photo}: {problem}")
    return CaseDetails(patient, taken, case_warnings(card, patient.date_of_birth, taken))


def with_every_photo(
    case: CaseDetails, photos: Sequence[str], first: Result, given: date | None, bundle: ModelBundle
) -> CaseDetails:
    """``case`` (of ``photos[0]``, analysed as ``first``) with every photo listed and the
    combined result, for a report of several photos; a photo that fails stops the report."""
    from dataclasses import replace

    from wbs_desktop.core.case.combine import CasePhoto, combine
    from wbs_desktop.core.case.identity import face_texture
    from wbs_desktop.core.outputs.report_frame import CasePhotoLine
    from wbs_desktop.core.pipeline.analysis import analyze
    from wbs_desktop.core.pipeline.imaging import load_image

    lines, parts = [], []
    for number, photo in enumerate(photos):
        result = first if number == 0 else analyze(load_image(photo), bundle, bundle.device)
        details = case_for_photo(case.patient, photo, given, bundle.card)
        known = case_json(details)["age"]
        name = Path(photo).name
        lines.append(
            CasePhotoLine(
                name,
                details.photo_date,
                str(known or ""),
                result.score,
                result.label,
                len(result.warnings),
                True,
                result.aligned.image,
            )
        )
        texture = face_texture(result.aligned.image)
        parts.append(
            CasePhoto(name, result.logit, bundle.sha256, details.photo_date, texture=texture)
        )
    combined = combine(parts, bundle.card)
    text = _("{summary}, score {score}").format(
        summary=combined.summary, score=human_number(combined.score)
    )
    warning = combined.identity_warning or ""
    return replace(case, photos=tuple(lines), combined=text, combined_warning=warning)
