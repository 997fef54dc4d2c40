"""Folder screening by case (issue 12): a manifest names the patient of each photo
(``path, patient_id, dob, photo_date, sex``), and the CSV gets one row per photo, with its
patient and age at the photo, and one row per patient, with the combined result of their
photos that were screened (``core.case.combine``)."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from wbs_desktop.core import files
from wbs_desktop.core.case.age import age_at, capture_date_problem
from wbs_desktop.core.case.combine import CasePhoto, combine
from wbs_desktop.core.case.patient import SEXES
from wbs_desktop.core.errors import WBSError
from wbs_desktop.core.i18n import _
from wbs_desktop.core.outputs.batch import CSV_FIELDS, BatchRow

MANIFEST_COLUMNS = ("path", "patient_id", "dob", "photo_date", "sex")
CASE_CSV_FIELDS = ("kind", "patient_id", "age", *CSV_FIELDS, "photos_used")


class CaseManifestError(WBSError):
    """The case manifest cannot be used; the message names the file and the row."""


@dataclass(frozen=True)
class CaseEntry:
    patient_id: str
    date_of_birth: date | None
    photo_date: date | None
    sex: str

    @property
    def age(self) -> str:
        born, taken = self.date_of_birth, self.photo_date
        return str(age_at(born, taken)) if born and taken and taken >= born else ""


def _date(text: str, where: str, column: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CaseManifestError(
            _("{where}: the {column} {text!r} is not a date written YYYY-MM-DD.").format(
                where=where, column=column, text=text
            )
        ) from None


def read_case_manifest(path: str | os.PathLike[str]) -> dict[str, CaseEntry]:
    """File name -> its patient (batch screens one folder, so names are unique there)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CaseManifestError(
            _("The case manifest {path} cannot be read ({error}).").format(path=path, error=error)
        ) from None
    missing = [c for c in ("path", "patient_id") if not rows or c not in rows[0]]
    if missing:
        raise CaseManifestError(
            _("The case manifest {path} needs the columns {value} (it lacks {missing}).").format(
                path=path, value=", ".join(MANIFEST_COLUMNS), missing=", ".join(missing)
            )
        )
    entries: dict[str, CaseEntry] = {}
    for number, row in enumerate(rows, 2):  # row 1 is the header
        where = _("{path}, row {number}").format(path=path, number=number)
        patient_id = (row.get("patient_id") or "").strip()
        name = Path((row.get("path") or "").strip()).name
        if not patient_id or not name:
            raise CaseManifestError(
                _("{where}: every row needs a path and a patient_id.").format(where=where)
            )
        sex = (row.get("sex") or "").strip().lower() or "unknown"
        if sex not in SEXES:
            raise CaseManifestError(
                _("{where}: the sex must be one of {choices}.").format(
                    where=where, choices=", ".join(SEXES)
                )
            )
        entry = CaseEntry(
            patient_id,
            _date(row.get("dob") or "", where, _("date of birth")),
            _date(row.get("photo_date") or "", where, _("photo date")),
            sex,
        )
        if entry.photo_date:
            problem = capture_date_problem(entry.photo_date, entry.date_of_birth)
            if problem:
                raise CaseManifestError(f"{where}: {problem}")
        entries[name] = entry
    return entries


def case_csv_rows(
    rows: Sequence[BatchRow], cases: Mapping[str, CaseEntry], card: Mapping[str, Any]
) -> list[dict[str, object]]:
    """One row per photo (with its patient, when the manifest names one), then one per
    patient: the combined result of their screened photos, and how many it used."""
    table: list[dict[str, object]] = []
    by_patient: dict[str, list[CasePhoto]] = {}
    totals: dict[str, int] = {}
    for row in rows:
        entry = cases.get(row.photo.name)
        table.append(
            {
                "kind": "photo",
                "patient_id": entry.patient_id if entry else "",
                "age": entry.age if entry else "",
                **row.to_csv(),
            }
        )
        if entry is None:
            continue
        totals[entry.patient_id] = totals.get(entry.patient_id, 0) + 1
        if row.ok and row.logit is not None:
            photo = CasePhoto(
                row.photo.name, row.logit, row.model_sha256, entry.photo_date, texture=row.texture
            )
            by_patient.setdefault(entry.patient_id, []).append(photo)
    for patient_id, total in totals.items():
        photos = by_patient.get(patient_id, [])
        if not photos:
            table.append(
                {
                    "kind": "case",
                    "patient_id": patient_id,
                    "status": "failed",
                    "error": _("None of this patient's photos could be screened."),
                    "photos_used": f"0 of {total}",
                }
            )
            continue
        case = combine(photos, card)
        table.append(
            {
                "kind": "case",
                "patient_id": patient_id,
                "status": "ok",
                "score": f"{case.score:.4f}",
                "label": case.label,
                "threshold": f"{case.threshold:.4f}",
                "model": rows[0].model,
                "model_sha256": photos[0].model_sha256,
                "provenance_note": rows[0].provenance_note,
                "warnings": case.identity_warning or "",
                "photos_used": f"{case.used} of {total}",
            }
        )
    return table


def write_case_csv(
    path: str | os.PathLike[str],
    rows: Sequence[BatchRow],
    cases: Mapping[str, CaseEntry],
    card: Mapping[str, Any],
) -> Path:
    """:func:`case_csv_rows` as spreadsheet-safe UTF-8 CSV, written atomically."""
    table: Iterable[Mapping[str, object]] = case_csv_rows(rows, cases, card)
    return files.write_csv(path, table, CASE_CSV_FIELDS)
