"""One result for a case of several photos of the same child.

The case score is the card's Platt map applied to the **mean of the photos' deployed
logits** (each photo's logit is itself the mean of the networks' log-odds): averaging in
log-odds, as the ensemble already does across networks, so that one photo scored 0.999
cannot outvote two scored 0.2 the way a mean of probabilities would let it. It is then
compared with the card's threshold like a single photo's score. Photos the clinician
excluded (e.g. because their quality warnings make them unreliable) do not count, and the
result says how many did. The photos that count are also checked for a face that differs
from the others (``identity``): a mixed-up file would otherwise count for this child.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from wbs_desktop.core.case.age import Age, age_at
from wbs_desktop.core.case.identity import different_person_warning, odd_ones
from wbs_desktop.core.errors import WBSError
from wbs_desktop.core.i18n import _, ngettext
from wbs_desktop.core.model.scoring import Calibration
from wbs_desktop.core.pipeline.analysis import decide, similarity_summary


class CaseError(WBSError):
    """A case cannot be combined; the message says why in one sentence."""


@dataclass(frozen=True)
class CasePhoto:
    name: str  # what the clinician sees: the file name, "Pasted photo", "Camera"
    logit: float  # the photo's deployed logit (``Scored.logit``)
    model_sha256: str  # the model that scored it: a case combines one model's scores only
    taken: date | None = None  # from EXIF when present, editable
    excluded: bool = False
    # identity.face_texture of its aligned face; None: not checked against the others
    texture: np.ndarray | None = field(default=None, compare=False, repr=False)

    def age(self, born: date | None) -> Age | None:
        """Age at the photo, when both dates are known and in order."""
        if born is None or self.taken is None or self.taken < born:
            return None
        return age_at(born, self.taken)


@dataclass(frozen=True)
class CaseResult:
    score: float
    logit: float
    label: str
    threshold: float
    used: int  # photos that count
    total: int  # photos in the case
    # Photos that count but may show someone else (identity.odd_ones), by name
    different_person: tuple[str, ...] = ()
    compared: int = 0  # photos that counted and had a texture to compare

    @property
    def identity_warning(self) -> str | None:
        """The "may be a different person" sentence, when any photo raised it."""
        if not self.different_person:
            return None
        return different_person_warning(self.different_person, self.compared)

    @property
    def summary(self) -> str:
        counted = ngettext(
            "{used} of {total} photo", "{used} of {total} photos", self.total
        ).format(used=self.used, total=self.total)
        # Translators: the case summary, e.g. "Facial features similar to WBS: low (2 of 3 photos)".
        return _("{summary} ({counted})").format(
            summary=similarity_summary(self.label), counted=counted
        )


def combine(photos: Sequence[CasePhoto], card: Mapping[str, Any]) -> CaseResult:
    """The case result of ``photos`` under the model whose card is ``card``.

    CaseError when no photo counts, or when the counted photos were scored by different
    models (their logits would not be on one scale).
    """
    used = [p for p in photos if not p.excluded]
    if not used:
        raise CaseError(
            _("Every photo of this case is excluded; include at least one to get a case result.")
        )
    if len({p.model_sha256 for p in used}) > 1:
        raise CaseError(
            _(
                "The photos of this case were analysed with different models; analyse them "
                "again with one model to combine them."
            )
        )
    logit = float(np.mean([p.logit for p in used]))
    score = float(Calibration.from_card(card).probability(logit))
    threshold = float(card["threshold"])
    compared = [p for p in used if p.texture is not None]
    odd = odd_ones([p.texture for p in compared if p.texture is not None])
    return CaseResult(
        score,
        logit,
        decide(score, threshold),
        threshold,
        len(used),
        len(photos),
        tuple(compared[i].name for i in odd),
        len(compared),
    )
