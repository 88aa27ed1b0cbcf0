"""Holidays as rules, computed for any year (never a list that runs out).

A rule is a fixed date ("07-04") or the n-th weekday of a month (4th Thursday of November; -1 = the last).
An observance policy moves a holiday that falls on a weekend, as utilities do:

- ``nearest-weekday``: Saturday -> the Friday before, Sunday -> the Monday after (US federal practice, and Xcel's
  for its time-of-use holidays);
- ``sunday-to-monday``: only Sunday moves, to Monday;
- ``none``: the holiday stays on its date.

Only the observed date counts as the holiday (the weekend date is a weekend anyway).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

OBSERVANCES = ("nearest-weekday", "sunday-to-monday", "none")
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class HolidayRule:
    name: str
    month: int
    day: int | None = None          # a fixed date: month + day
    weekday: int | None = None      # or: 0 = Monday ... 6 = Sunday
    nth: int | None = None          # with weekday: 1..4, or -1 for the last

    def date_in(self, year: int) -> dt.date:
        """The holiday's own date in ``year`` (before any weekend observance)."""
        if self.day is not None:
            return dt.date(year, self.month, self.day)
        assert self.weekday is not None and self.nth is not None
        days_in_month = calendar.monthrange(year, self.month)[1]
        if self.nth < 0:
            last = dt.date(year, self.month, days_in_month)
            return last - dt.timedelta(days=(last.weekday() - self.weekday) % 7)
        first = dt.date(year, self.month, 1)
        found = first + dt.timedelta(days=(self.weekday - first.weekday()) % 7 + 7 * (self.nth - 1))
        if found.month != self.month:
            raise ValueError(f"{self.name}: there is no {self.nth}th {WEEKDAY_NAMES[self.weekday]} in month {self.month}")
        return found


def observed(date: dt.date, observance: str) -> dt.date:
    """Where a holiday on ``date`` is observed under ``observance`` (see the module docstring)."""
    if observance == "nearest-weekday" and date.weekday() == 5:
        return date - dt.timedelta(days=1)
    if observance in ("nearest-weekday", "sunday-to-monday") and date.weekday() == 6:
        return date + dt.timedelta(days=1)
    return date


@dataclass(frozen=True)
class HolidayCalendar:
    """A set of holiday rules with one observance policy, plus any extra fixed dates."""

    rules: tuple[HolidayRule, ...] = ()
    observance: str = "nearest-weekday"
    extra_dates: frozenset[dt.date] = frozenset()

    def in_year(self, year: int) -> dict[dt.date, str]:
        """Observed holidays falling in ``year``, date -> name. A New Year's Day on a Saturday is observed on
        31 December of the year before, so the next year's rules are evaluated too."""
        return dict(_in_year(self, year))

    def is_holiday(self, date: dt.date) -> bool:
        return date in self.extra_dates or date in _dates_in_year(self, date.year)

    def name_of(self, date: dt.date) -> str | None:
        if date in self.extra_dates:
            return "holiday"
        return dict(_in_year(self, date.year)).get(date)

    def between(self, first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
        """Observed holidays from ``first`` to ``last`` inclusive, in date order."""
        found: dict[dt.date, str] = {}
        for year in range(first.year, last.year + 1):
            found.update(_in_year(self, year))
        found.update({d: "holiday" for d in self.extra_dates})
        return sorted((d, n) for d, n in found.items() if first <= d <= last)


@lru_cache(maxsize=256)
def _in_year(calendar_: HolidayCalendar, year: int) -> tuple[tuple[dt.date, str], ...]:
    found: dict[dt.date, str] = {}
    for rule_year in (year - 1, year, year + 1):
        for rule in calendar_.rules:
            when = observed(rule.date_in(rule_year), calendar_.observance)
            if when.year == year:
                found[when] = rule.name
    return tuple(sorted(found.items()))


@lru_cache(maxsize=256)
def _dates_in_year(calendar_: HolidayCalendar, year: int) -> frozenset[dt.date]:
    return frozenset(d for d, _ in _in_year(calendar_, year))


def us_utility_holidays(names: Iterable[str] = ("new-year", "memorial-day", "independence-day", "labor-day",
                                                "thanksgiving", "christmas")) -> tuple[HolidayRule, ...]:
    """Named rules for the holidays US utilities commonly observe (the six of NERC's off-peak list by default)."""
    return tuple(KNOWN_RULES[name] for name in names)


KNOWN_RULES: dict[str, HolidayRule] = {
    "new-year": HolidayRule("New Year's Day", 1, day=1),
    "mlk-day": HolidayRule("Martin Luther King Jr. Day", 1, weekday=0, nth=3),
    "presidents-day": HolidayRule("Presidents' Day", 2, weekday=0, nth=3),
    "memorial-day": HolidayRule("Memorial Day", 5, weekday=0, nth=-1),
    "juneteenth": HolidayRule("Juneteenth", 6, day=19),
    "independence-day": HolidayRule("Independence Day", 7, day=4),
    "labor-day": HolidayRule("Labor Day", 9, weekday=0, nth=1),
    "columbus-day": HolidayRule("Columbus Day", 10, weekday=0, nth=2),
    "veterans-day": HolidayRule("Veterans Day", 11, day=11),
    "thanksgiving": HolidayRule("Thanksgiving Day", 11, weekday=3, nth=4),
    "christmas-eve": HolidayRule("Christmas Eve", 12, day=24),
    "christmas": HolidayRule("Christmas Day", 12, day=25),
}
