"""Whether a child's age at the photo lies within the ages the model was trained on (its
card's ``population``): outside them, its score may not apply, and the case says so in the
same way as a quality warning."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from wbs_desktop.core.case.age import Age, age_at
from wbs_desktop.core.i18n import _


def _years(value: float) -> str:
    return f"{value:g}"


def age_range_warning(card: Mapping[str, Any], age: Age | None) -> str | None:
    """One sentence when ``age`` is outside the card's ``population.age_years`` [low, high]
    (inside: at least ``low`` years old, and ``high`` or fewer completed years); None when it
    is inside, unknown, or the card states no range."""
    population = card.get("population") or {}
    ages = population.get("age_years")
    if age is None or not ages:
        return None
    low, high = ages
    # "1-12 years" as clinicians read it: from the first birthday until the thirteenth.
    if low <= age.in_months / 12 and age.years <= high:
        return None
    return _(
        "The child's age at the photo ({age}) is outside the ages this model was trained on "
        "({low}-{high} years): its score may not apply."
    ).format(age=age, low=_years(low), high=_years(high))


def case_warnings(
    card: Mapping[str, Any] | None, born: date | None, taken: date | None
) -> tuple[str, ...]:
    """The warnings a case of a child born ``born``, photographed ``taken``, gets under the
    model whose card is ``card`` (none without a card or either date)."""
    if card is None or born is None or taken is None or taken < born:
        return ()
    warning = age_range_warning(card, age_at(born, taken))
    return (warning,) if warning else ()
