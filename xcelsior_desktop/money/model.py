"""A tariff as plain data: versions by date, seasons, time-of-use periods or consumption tiers, prices, a daily
charge and the credit for exported energy. Built by :mod:`.loader` from a file; priced by :mod:`.pricing`.

All times of day are the household's local wall-clock time in the tariff's own time zone. Prices are in the
tariff's currency per kWh; the daily charge in currency per day; the monthly charge in currency per billing
cycle (a bill owes it once, whether the cycle has 29 days or 32: each day carries 1/length of it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from xcelsior_desktop.money.holidays import WEEKDAY_NAMES, HolidayCalendar

DAY_SECONDS = 86400
HOLIDAY = "holidays"  # the day type of an observed holiday (a day type of its own, like "sat")


@dataclass(frozen=True)
class Season:
    name: str
    start: tuple[int, int]  # (month, day), inclusive
    end: tuple[int, int]    # (month, day), inclusive; may wrap over the new year (Oct 1 .. May 31)

    def contains(self, date: dt.date) -> bool:
        key = (date.month, date.day)
        if self.start <= self.end:
            return self.start <= key <= self.end
        return key >= self.start or key <= self.end


@dataclass(frozen=True)
class Period:
    """A named window of the day: [start_s, end_s) seconds after local midnight; end <= start wraps over midnight
    (the part after midnight belongs to the next date's day type)."""

    name: str
    start_s: int
    end_s: int
    days: frozenset[str]           # "mon" .. "sun" and/or "holidays"
    seasons: frozenset[str] | None  # None: every season

    def covers(self, seconds: float) -> bool:
        if self.start_s < self.end_s:
            return self.start_s <= seconds < self.end_s
        return seconds >= self.start_s or seconds < self.end_s


@dataclass(frozen=True)
class Tier:
    """Energy imported in the billing cycle up to ``up_to_kwh`` (None: no limit, the last tier) at these prices."""

    name: str
    up_to_kwh: float | None
    prices: Mapping[str, float]  # season -> price per kWh


@dataclass(frozen=True)
class ExportCredit:
    """What exported energy earns: ``net`` = the price the same kWh would cost at that moment, ``fixed`` = a set
    price per kWh, ``none`` = nothing."""

    kind: Literal["net", "fixed", "none"]
    price: float = 0.0

    def describe(self, currency: str) -> str:
        if self.kind == "net":
            return "net metering: exported energy is credited at the price of the period it is exported in"
        if self.kind == "fixed":
            return f"exported energy is credited at {format_price(self.price, currency)}"
        return "no credit for exported energy"


@dataclass(frozen=True)
class TariffVersion:
    valid_from: dt.date
    seasons: tuple[Season, ...]
    periods: tuple[Period, ...]        # first match wins; overlaps are rejected by the loader
    default_period: str                # the name of every hour no period covers
    prices: Mapping[str, Mapping[str, float]]  # period -> season -> price per kWh (empty for a tiered version)
    tiers: tuple[Tier, ...] = ()
    daily_charge: float = 0.0  # per local day
    export_credit: ExportCredit = ExportCredit("none")
    note: str = ""
    monthly_charge: float = 0.0  # per billing cycle, whatever its length: a bill owes it once a cycle
    prices_from_bill: bool = False  # the version's prices are not known: the user enters them from a bill
    boundaries: tuple[int, ...] = field(default=(), compare=False)  # every start/end second of day, sorted

    def __post_init__(self) -> None:
        edges = {0}
        for period in self.periods:
            edges.update((period.start_s % DAY_SECONDS, period.end_s % DAY_SECONDS))
        object.__setattr__(self, "boundaries", tuple(sorted(edges)))

    @property
    def tiered(self) -> bool:
        return bool(self.tiers)

    @property
    def period_names(self) -> tuple[str, ...]:
        """Every period name in the order the file gives them, the default last (tiers by their names)."""
        if self.tiered:
            return tuple(t.name for t in self.tiers)
        names = [p.name for p in self.periods if p.name != self.default_period]
        return (*dict.fromkeys(names), self.default_period)

    def season_of(self, date: dt.date) -> str:
        for season in self.seasons:
            if season.contains(date):
                return season.name
        return self.seasons[0].name  # unreachable for a loaded tariff (coverage is checked)

    def period_at(self, day_type: str, season: str, seconds: float) -> str:
        for period in self.periods:
            if day_type in period.days and (period.seasons is None or season in period.seasons) \
                    and period.covers(seconds):
                return period.name
        return self.default_period

    def price(self, period: str, season: str) -> float:
        return self.prices[period][season]

    def has_price(self, period: str, season: str) -> bool:
        return season in self.prices.get(period, {})

    def missing_prices(self) -> list[tuple[str, str]]:
        """(period, season) pairs with no price yet (only a version whose prices come from the bill has any)."""
        if self.tiered:
            return []
        return [(p, s.name) for p in self.period_names for s in self.seasons if not self.has_price(p, s.name)]

    def segment_end(self, seconds: float) -> int:
        """The next boundary second of the day after ``seconds`` (DAY_SECONDS at the latest)."""
        for edge in self.boundaries:
            if edge > seconds:
                return edge
        return DAY_SECONDS


@dataclass(frozen=True)
class Tariff:
    name: str
    title: str
    timezone: str
    zone: dt.tzinfo
    versions: tuple[TariffVersion, ...]   # oldest first
    holidays: HolidayCalendar
    currency: str = "USD"
    source: str = ""
    checked: dt.date | None = None
    notes: str = ""
    origin: str = ""  # "preset" or the file it came from

    def version_on(self, date: dt.date) -> TariffVersion | None:
        """The version in force on a local date; None before the first version's ``from`` date."""
        found = None
        for version in self.versions:
            if version.valid_from <= date:
                found = version
        return found

    def day_type(self, date: dt.date) -> str:
        return HOLIDAY if self.holidays.is_holiday(date) else WEEKDAY_NAMES[date.weekday()]

    def local(self, when: dt.datetime) -> dt.datetime:
        if when.tzinfo is None:
            raise ValueError("a naive datetime cannot be placed in a tariff's time zone: give an aware UTC time")
        return when.astimezone(self.zone)


def format_price(price: float, currency: str) -> str:
    """27.9 ¢/kWh for US dollars (cents to at most three decimals), else 0.279 EUR/kWh."""
    if currency.upper() == "USD":
        cents = f"{price * 100:.3f}".rstrip("0")
        if cents.endswith("."):
            cents += "0"
        return f"{cents} ¢/kWh"
    return f"{price:g} {currency}/kWh"


def format_money(amount: float, currency: str) -> str:
    if currency.upper() == "USD":
        return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"
    return f"{amount:,.2f} {currency}"
