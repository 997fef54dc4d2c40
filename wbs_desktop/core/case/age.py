"""Age at the photo, in whole years and months, and the date checks a case needs: no date
in the future, no photo taken before the child was born."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from wbs_desktop.core.i18n import _, format_date, ngettext


@dataclass(frozen=True, order=True)
class Age:
    years: int
    months: int  # 0-11

    @property
    def in_months(self) -> int:
        return 12 * self.years + self.months

    def __str__(self) -> str:
        years = ngettext("{n} year", "{n} years", self.years).format(n=self.years)
        months = ngettext("{n} month", "{n} months", self.months).format(n=self.months)
        if self.years == 0:
            return months
        if self.months == 0:
            return years
        # Translators: an age such as "3 years 2 months".
        return _("{years} {months}").format(years=years, months=months)


def age_at(born: date, on: date) -> Age:
    """Completed years and months on ``on``: a month counts once its day of the month is
    reached (born 31 January, one month old on 28 February only when that is the month's
    last day). ValueError when ``on`` is before ``born``."""
    if on < born:
        raise ValueError(f"{on.isoformat()} is before the date of birth {born.isoformat()}")
    months = 12 * (on.year - born.year) + on.month - born.month
    if on.day < born.day and not _is_last_day_of_month(on):
        months -= 1
    return Age(months // 12, months % 12)


def _is_last_day_of_month(day: date) -> bool:
    return day.month != date.fromordinal(day.toordinal() + 1).month


def date_problem(label: str, value: date, *, today: date | None = None) -> str | None:
    """A sentence when ``value`` (named by ``label``, e.g. "The date of birth") lies in the
    future, else None."""
    today = today or date.today()
    if value > today:
        return _("{label} ({date}) is in the future; check it.").format(
            label=label, date=format_date(value)
        )
    return None


def capture_date_problem(
    taken: date, born: date | None, *, today: date | None = None
) -> str | None:
    """A sentence when a photo's date cannot be right: in the future, or before the date of
    birth; else None."""
    future = date_problem(_("The photo's date"), taken, today=today)
    if future:
        return future
    if born is not None and taken < born:
        return _(
            "The photo's date ({taken}) is before the date of birth ({born}); check both."
        ).format(taken=format_date(taken), born=format_date(born))
    return None
