"""The "Case" panel (issue 12): whom the photo is of, typed by the clinician and kept in
memory only (never in the settings), checked as it is typed, and the patient banner that
sits above the result so that the wrong child is hard to miss."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from wbs_desktop.core import i18n
from wbs_desktop.core.case.age import age_at, capture_date_problem
from wbs_desktop.core.case.patient import SEX_LABELS, SEXES, Patient
from wbs_desktop.core.case.population import case_warnings
from wbs_desktop.gui.plain_text import PlainLabel

if TYPE_CHECKING:  # the report's modules load matplotlib: imported when a report is made
    from wbs_desktop.core.outputs.report_frame import CaseDetails

DATE_HINT = "YYYY-MM-DD"


def _read_date(text: str, label: str) -> tuple[date | None, str | None]:
    """(the date, None), (None, None) when empty, or (None, the sentence that says why not)."""
    text = text.strip()
    if not text:
        return None, None
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, QCoreApplication.translate(
            "CasePanel", "{field} must be a date written {hint}, e.g. 2021-09-15."
        ).format(field=label, hint=DATE_HINT)


class CasePanel(QWidget):
    """Patient details and the photo's date; ``changed`` fires on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._card: Mapping[str, Any] | None = None  # the model in use, for its population
        self.patient_id = QLineEdit()
        self.name = QLineEdit()
        self.date_of_birth = QLineEdit()
        self.photo_date = QLineEdit()
        for edit in (self.date_of_birth, self.photo_date):
            edit.setPlaceholderText(DATE_HINT)
        self.sex = QComboBox()
        for sex in SEXES:
            self.sex.addItem(sex, sex)  # shown translated (retranslate); the data stays
        self.sex.setCurrentIndex(self.sex.findData("unknown"))
        self.ancestry = QLineEdit()
        self.examiner = QLineEdit()
        self.clinic = QLineEdit()
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(60)
        self.problems_label = PlainLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color: #b3261e;")

        form = QFormLayout()
        self._labels = [QLabel() for _ in self._fields()]
        for label, widget in zip(self._labels, self._fields(), strict=True):
            form.addRow(label, widget)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problems_label)
        self.setMinimumWidth(270)
        for edit in self._line_edits():
            edit.textChanged.connect(self._on_edit)
        self.sex.currentIndexChanged.connect(self._on_edit)
        self.notes.textChanged.connect(self._on_edit)
        self.retranslate()

    def _fields(self) -> tuple[QWidget, ...]:
        return (
            self.patient_id,
            self.name,
            self.date_of_birth,
            self.sex,
            self.photo_date,
            self.ancestry,
            self.examiner,
            self.clinic,
            self.notes,
        )

    def retranslate(self) -> None:
        """Labels, hints and the sexes' names in the current language; the problems anew."""
        labels = (
            self.tr("Patient ID"),
            self.tr("Name"),
            self.tr("Date of birth"),
            self.tr("Sex"),
            self.tr("Photo date"),
            self.tr("Ancestry"),
            self.tr("Examiner"),
            self.tr("Clinic"),
            self.tr("Notes"),
        )
        for label, text in zip(self._labels, labels, strict=True):
            label.setText(text)
        self.patient_id.setPlaceholderText(self.tr("required for a report"))
        self.photo_date.setToolTip(self.tr("Filled from the photo's EXIF date when it has one"))
        for index, sex in enumerate(SEXES):
            self.sex.setItemText(index, i18n._(SEX_LABELS[sex]))
        self._on_edit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _line_edits(self) -> tuple[QLineEdit, ...]:
        return (
            self.patient_id,
            self.name,
            self.date_of_birth,
            self.photo_date,
            self.ancestry,
            self.examiner,
            self.clinic,
        )

    def patient(self) -> Patient:
        born = self.date_of_birth_value()
        return Patient(
            patient_id=self.patient_id.text().strip(),
            name=self.name.text().strip(),
            date_of_birth=born,
            sex=str(self.sex.currentData()),
            ancestry=self.ancestry.text().strip(),
            examiner=self.examiner.text().strip(),
            clinic=self.clinic.text().strip(),
            notes=self.notes.toPlainText().strip(),
        )

    def date_of_birth_value(self) -> date | None:
        return _read_date(self.date_of_birth.text(), self.tr("The date of birth"))[0]

    def taken(self) -> date | None:
        return _read_date(self.photo_date.text(), self.tr("The photo date"))[0]

    def is_empty(self) -> bool:
        return self.patient() == Patient() and not self.photo_date.text().strip()

    def problems(self, *, for_report: bool = False) -> list[str]:
        """One sentence per problem with what is typed (``for_report``: a report also needs
        the patient ID)."""
        found = [
            problem
            for text, label in (
                (self.date_of_birth.text(), self.tr("The date of birth")),
                (self.photo_date.text(), self.tr("The photo date")),
            )
            if (problem := _read_date(text, label)[1])
        ]
        found += self.patient().problems(for_report=for_report)
        taken = self.taken()
        if taken is not None:
            problem = capture_date_problem(taken, self.patient().date_of_birth)
            if problem:
                found.append(problem)
        return found

    def set_model_card(self, card: Mapping[str, Any] | None) -> None:
        """The card of the model in use: an age outside its population is warned of."""
        self._card = card
        self._on_edit()

    def warnings(self) -> tuple[str, ...]:
        return case_warnings(self._card, self.patient().date_of_birth, self.taken())

    def case_details(self) -> CaseDetails:
        """What a report says of the case (check :meth:`problems` first)."""
        from wbs_desktop.core.outputs.report_frame import CaseDetails

        return CaseDetails(self.patient(), self.taken(), self.warnings())

    def set_photo_date(self, taken: date | None) -> None:
        """A new photo's date (its EXIF date, or none): the clinician may change it."""
        self.photo_date.setText(taken.isoformat() if taken else "")

    def clear(self) -> None:
        for edit in self._line_edits():
            edit.clear()
        self.notes.clear()
        self.sex.setCurrentIndex(self.sex.findData("unknown"))

    def banner_text(self) -> str:
        """ "Patient P-7 | 3 years 2 months at the photo | female", or what is missing."""
        if self.is_empty():
            return self.tr("No patient details: fill in the Case panel (Ctrl+N starts a new case).")
        patient = self.patient()
        parts = [self.tr("Patient {id}").format(id=patient.patient_id or self.tr("(no ID)"))]
        if patient.name:
            parts.append(patient.name)
        born, taken = patient.date_of_birth, self.taken()
        if born and taken and taken >= born:
            parts.append(self.tr("{age} at the photo").format(age=age_at(born, taken)))
        parts.append(i18n._(SEX_LABELS.get(patient.sex, patient.sex)))
        return " | ".join(parts + list(self.warnings()))

    def _on_edit(self) -> None:
        self.problems_label.setText("\n".join(self.problems()))
        self.problems_label.setVisible(bool(self.problems_label.text()))
        self.changed.emit()
