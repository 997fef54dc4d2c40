"""Who a case is about, and the sentences that say what is missing or wrong.

Patient details live in memory only: nothing here writes them anywhere, and the GUI's
remembered settings never hold them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from wbs_desktop.core.case.age import date_problem
from wbs_desktop.core.files import UNPRINTABLE
from wbs_desktop.core.i18n import N_, _

SEXES: tuple[str, ...] = ("female", "male", "other", "unknown")
# The values above are data (JSON, CSV, the manifest); these are what people read.
SEX_LABELS = {
    "female": N_("female"),
    "male": N_("male"),
    "other": N_("other"),
    "unknown": N_("unknown"),
}
MAX_FIELD_CHARS = 200  # an ID, a name, a clinic: longer is a paste gone wrong
MAX_NOTES_CHARS = 4000


@dataclass(frozen=True)
class Patient:
    patient_id: str = ""
    name: str = ""
    date_of_birth: date | None = None
    sex: str = "unknown"
    ancestry: str = ""
    examiner: str = ""
    clinic: str = ""
    notes: str = ""

    def problems(self, *, for_report: bool = False, today: date | None = None) -> list[str]:
        """One sentence per problem; empty when the details can be used (``for_report``:
        a report also needs a patient ID, so that it can be filed in the right chart)."""
        found = []
        if for_report and not self.patient_id.strip():
            found.append(_("Enter the patient ID: a report without one cannot be filed."))
        if self.sex not in SEXES:
            found.append(
                _("The sex must be one of {choices}.").format(
                    choices=", ".join(_(SEX_LABELS[sex]) for sex in SEXES)
                )
            )
        if self.date_of_birth is not None:
            problem = date_problem(_("The date of birth"), self.date_of_birth, today=today)
            if problem:
                found.append(problem)
        fields = {
            N_("The patient ID"): self.patient_id,
            N_("The name"): self.name,
            N_("The ancestry"): self.ancestry,
            N_("The examiner"): self.examiner,
            N_("The clinic"): self.clinic,
        }
        for label, value in fields.items():
            if len(value) > MAX_FIELD_CHARS:
                found.append(
                    _("{field} is too long (at most {count} characters).").format(
                        field=_(label), count=MAX_FIELD_CHARS
                    )
                )
            elif UNPRINTABLE.search(value):
                found.append(
                    _("{field} holds control characters; type it again.").format(field=_(label))
                )
        if len(self.notes) > MAX_NOTES_CHARS:
            found.append(
                _("The notes are too long (at most {count} characters).").format(
                    count=MAX_NOTES_CHARS
                )
            )
        return found
