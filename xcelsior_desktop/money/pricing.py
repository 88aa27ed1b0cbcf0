"""What energy costs under a tariff: the period of any instant, the cost of any interval, totals per day, per period
and per billing cycle, a projection for the cycle, and "which period is it now and until when".

Intervals are any objects with ``start`` (aware UTC), ``duration_s``, ``imported_wh`` and ``exported_wh`` (None =
unknown), such as the history store's ``EnergyInterval``.

How an interval is priced:

- It is cut at every point where the price may change: period edges, local midnight (where the season, the
  holiday, the version and the billing cycle change) and daylight-saving changes. Its energy is shared among the
  pieces in proportion to their duration (a 15-minute slot from the meter falls inside one period; an hourly or
  daily interval from Green Button is spread evenly over its hours).
- Each piece costs ``imported kWh x price - exported kWh x credit``: with net metering the credit is the same
  price, with a fixed credit that price, with none zero.
- Unknown energy is never priced as zero. An interval with no import figure, or no export figure under a tariff
  that credits export, or on a date before the tariff's first version, is *unpriced*: it counts in
  :class:`Unpriced` (how many intervals, how many hours, why) and in no cost.
- Tiered tariffs count the imported kWh of the billing cycle from the first interval given in that cycle, so give
  intervals from the cycle's start; a piece that crosses a tier limit is split at the limit.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from xcelsior_desktop.energy.interval_like import IntervalLike
from xcelsior_desktop.money.model import DAY_SECONDS, Tariff, TariffVersion, format_price

UTC = dt.UTC
NO_VERSION = "no tariff version for this date"
NO_IMPORT = "no import figure"
NO_EXPORT = "no export figure (this tariff credits exported energy)"
NO_PRICE = "no price from your bill yet (enter it in Settings, Cost)"


# -- cutting time into pieces of one price ------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A stretch of time with one period, season and version (never crosses a local midnight)."""

    start: dt.datetime  # UTC
    end: dt.datetime    # UTC
    local_date: dt.date
    period: str | None  # None before the tariff's first version
    season: str | None
    version: TariffVersion | None

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def _offset_change(tariff: Tariff, start: dt.datetime, end: dt.datetime) -> dt.datetime | None:
    """The first instant in (start, end] whose UTC offset differs from start's (at most one: end is within a day)."""
    offset = start.astimezone(tariff.zone).utcoffset()
    if end.astimezone(tariff.zone).utcoffset() == offset:
        return None
    low, high = start.timestamp(), end.timestamp()
    while high - low > 1:
        middle = (low + high) // 2 if (low + high) // 2 > low else low + 1
        if dt.datetime.fromtimestamp(middle, tariff.zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return dt.datetime.fromtimestamp(high, UTC)


def _wall_to_utc(tariff: Tariff, date: dt.date, seconds: int, after: dt.datetime) -> dt.datetime | None:
    """The earliest UTC instant after ``after`` showing this wall-clock time on ``date`` (either fold)."""
    if seconds >= DAY_SECONDS:
        date, seconds = date + dt.timedelta(days=1), seconds - DAY_SECONDS
    wall = dt.datetime.combine(date, dt.time(seconds // 3600, seconds % 3600 // 60, seconds % 60))
    found = [c for fold in (0, 1)
             if (c := wall.replace(tzinfo=tariff.zone, fold=fold).astimezone(UTC)) > after]
    return min(found) if found else None


def segments(tariff: Tariff, start: dt.datetime, end: dt.datetime) -> Iterator[Segment]:
    """Cut [start, end) (aware datetimes) into segments of one period each, in time order."""
    cursor = start.astimezone(UTC)
    end = end.astimezone(UTC)
    while cursor < end:
        local = cursor.astimezone(tariff.zone)
        date = local.date()
        seconds = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        version = tariff.version_on(date)
        edge = version.segment_end(seconds) if version else DAY_SECONDS
        candidates = [end]
        at_edge = _wall_to_utc(tariff, date, edge, cursor)
        if at_edge is not None:
            candidates.append(at_edge)
        midnight = _wall_to_utc(tariff, date, DAY_SECONDS, cursor)
        if midnight is not None:
            candidates.append(midnight)
        limit = min(candidates)
        change = _offset_change(tariff, cursor, limit)
        if change is not None and change < limit:
            limit = change
        if version is None:
            yield Segment(cursor, limit, date, None, None, None)
        else:
            season = version.season_of(date)
            period = version.period_at(tariff.day_type(date), season, seconds)
            yield Segment(cursor, limit, date, period, season, version)
        cursor = limit


# -- what one instant costs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodAt:
    period: str
    season: str
    price: float | None     # None for a tiered tariff (it depends on the cycle's use), or a price not entered yet
    version_from: dt.date


def period_at(tariff: Tariff, when: dt.datetime) -> PeriodAt | None:
    """The period, season and price at an aware instant; None before the tariff's first version."""
    local = tariff.local(when)
    version = tariff.version_on(local.date())
    if version is None:
        return None
    season = version.season_of(local.date())
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    if version.tiered:
        return PeriodAt(version.tiers[0].name, season, None, version.valid_from)
    period = version.period_at(tariff.day_type(local.date()), season, seconds)
    price = version.price(period, season) if version.has_price(period, season) else None  # from the bill, later
    return PeriodAt(period, season, price, version.valid_from)


@dataclass(frozen=True)
class PeriodNow:
    """The period now and when it next changes (name or price), for the tray tooltip."""

    period: str
    price: float | None
    currency: str
    until: dt.datetime | None  # local time of the next change; None if none within the next 8 days
    next_period: str | None
    next_price: float | None
    now: dt.datetime           # local

    def summary(self) -> str:
        """"On-peak until 9 pm, 27.9 ¢/kWh" (a weekday or date when the change is not today)."""
        text = self.period[:1].upper() + self.period[1:]
        if self.until is not None:
            text += f" until {_when(self.until, self.now)}"
        if self.price is not None:
            text += f", {format_price(self.price, self.currency)}"
        return text


def _clock(local: dt.datetime) -> str:
    if local.hour == 0 and local.minute == 0:
        return "midnight"
    if local.hour == 12 and local.minute == 0:
        return "noon"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{hour} {suffix}" if local.minute == 0 else f"{hour}:{local.minute:02d} {suffix}"


def _when(until: dt.datetime, now: dt.datetime) -> str:
    """"9 pm", "tomorrow 5 pm", "Mon 5 pm", "Jun 1 5 pm"; a change at midnight is told as the end of the day
    before ("Wed midnight"), as people say it."""
    day = until.date()
    if until.hour == 0 and until.minute == 0:
        day -= dt.timedelta(days=1)
    days = (day - now.date()).days
    if days == 0:
        return _clock(until)
    if days == 1:
        return f"tomorrow {_clock(until)}"
    if days < 7:
        return f"{day:%a} {_clock(until)}"
    return f"{day:%b} {day.day} {_clock(until)}"


def period_now(tariff: Tariff, now: dt.datetime | None = None, *, horizon_days: int = 8) -> PeriodNow | None:
    """The period at ``now`` (default: the current time) and the next change; None before the first version."""
    now = (now or dt.datetime.now(UTC)).astimezone(UTC)
    first = period_at(tariff, now)
    if first is None:
        return None
    until = next_period = next_price = None
    for segment in segments(tariff, now, now + dt.timedelta(days=horizon_days)):
        found = period_at(tariff, segment.start)
        key = (found.period, found.price) if found else (None, None)
        if key != (first.period, first.price):
            until = segment.start.astimezone(tariff.zone)
            next_period, next_price = key
            break
    return PeriodNow(first.period, first.price, tariff.currency, until, next_period, next_price,
                     now.astimezone(tariff.zone))


# -- what an interval costs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PricedPart:
    """One piece of an interval at one price."""

    start: dt.datetime
    end: dt.datetime
    local_date: dt.date
    period: str
    season: str
    price: float
    imported_kwh: float
    exported_kwh: float | None  # None: unknown (only where the tariff gives no export credit)
    credit: float               # what the exported energy earned
    cost: float                 # imported_kwh x price - credit


@dataclass(frozen=True)
class PricedInterval:
    interval: IntervalLike
    parts: tuple[PricedPart, ...]
    unpriced_reason: str | None  # None when priced

    @property
    def cost(self) -> float | None:
        """The interval's money (import less export credit), or None when it could not be priced."""
        return None if self.unpriced_reason else sum(p.cost for p in self.parts)

    @property
    def period(self) -> str:
        """The period's name; an interval spanning several gives them in time order joined by '/'; '' if unpriced."""
        return "/".join(dict.fromkeys(p.period for p in self.parts))


def billing_cycle(day: dt.date, start_day: int) -> tuple[dt.date, dt.date]:
    """The billing cycle holding ``day``: (first day, the next cycle's first day). The cycle starts on
    ``start_day`` of each month (1-31; in a shorter month, its last day)."""
    if not 1 <= start_day <= 31:
        raise ValueError(f"the billing cycle's start day must be 1-31, not {start_day}")

    def on(year: int, month: int) -> dt.date:
        return dt.date(year, month, min(start_day, calendar.monthrange(year, month)[1]))

    def shift(year: int, month: int, by: int) -> tuple[int, int]:
        index = year * 12 + month - 1 + by
        return index // 12, index % 12 + 1

    this = on(day.year, day.month)
    first = this if day >= this else on(*shift(day.year, day.month, -1))
    return first, on(*shift(first.year, first.month, 1))


class Pricer:
    """Prices intervals one after another (in time order for tiered tariffs, which keep the cycle's kWh)."""

    def __init__(self, tariff: Tariff, *, cycle_start_day: int = 1) -> None:
        billing_cycle(dt.date(2000, 1, 1), cycle_start_day)  # checks the day
        self.tariff = tariff
        self.cycle_start_day = cycle_start_day
        self._cycle: dt.date | None = None
        self._cycle_kwh = 0.0

    def price(self, interval: IntervalLike) -> PricedInterval:
        if interval.duration_s <= 0:
            return PricedInterval(interval, (), "the interval has no duration")
        start = interval.start
        end = start + dt.timedelta(seconds=interval.duration_s)
        pieces = list(segments(self.tariff, start, end))
        if any(s.version is None for s in pieces):
            return PricedInterval(interval, (), NO_VERSION)
        if interval.imported_wh is None:
            return PricedInterval(interval, (), NO_IMPORT)
        credits_export = any(s.version is not None and s.version.export_credit.kind != "none" for s in pieces)
        if interval.exported_wh is None and credits_export:
            return PricedInterval(interval, (), NO_EXPORT)
        if any(s.version is not None and not s.version.tiered and s.period is not None and s.season is not None
               and not s.version.has_price(s.period, s.season) for s in pieces):
            return PricedInterval(interval, (), NO_PRICE)  # never a made-up price
        parts: list[PricedPart] = []
        for segment in pieces:
            assert segment.version is not None and segment.period is not None and segment.season is not None
            share = segment.seconds / interval.duration_s
            imported = interval.imported_wh * share / 1000
            exported = None if interval.exported_wh is None else interval.exported_wh * share / 1000
            if segment.version.tiered:
                parts.extend(self._tiered(segment, imported, exported))
            else:
                price = segment.version.price(segment.period, segment.season)
                parts.append(self._part(segment, segment.period, price, imported, exported))
        return PricedInterval(interval, tuple(parts), None)

    def _part(self, segment: Segment, period: str, price: float, imported: float, exported: float | None,
              start: dt.datetime | None = None, end: dt.datetime | None = None) -> PricedPart:
        assert segment.version is not None and segment.season is not None
        credit = segment.version.export_credit
        if credit.kind == "none" or exported is None:
            earned = 0.0
        else:
            earned = exported * (price if credit.kind == "net" else credit.price)
        return PricedPart(start or segment.start, end or segment.end, segment.local_date, period, segment.season,
                          price, imported, exported, earned, imported * price - earned)

    def _tiered(self, segment: Segment, imported: float, exported: float | None) -> list[PricedPart]:
        assert segment.version is not None and segment.season is not None
        cycle = billing_cycle(segment.local_date, self.cycle_start_day)[0]
        if cycle != self._cycle:
            self._cycle, self._cycle_kwh = cycle, 0.0
        parts: list[PricedPart] = []
        remaining = imported
        cursor = segment.start
        tiers = segment.version.tiers
        for index, tier in enumerate(tiers):
            room = float("inf") if tier.up_to_kwh is None else tier.up_to_kwh - self._cycle_kwh
            if room <= 0 and index < len(tiers) - 1:
                continue
            take = min(remaining, room)
            last = take >= remaining
            share = take / imported if imported > 0 else 1.0
            part_end = segment.end if last else cursor + (segment.end - segment.start) * share
            part_exported = None if exported is None else exported * share
            price = tier.prices[segment.season]
            parts.append(self._part(segment, tier.name, price, take, part_exported, cursor, part_end))
            self._cycle_kwh += take
            remaining -= take
            cursor = part_end
            if last:
                break
        return parts


def price_intervals(tariff: Tariff, intervals: Iterable[IntervalLike], *,
                    cycle_start_day: int = 1) -> Iterator[PricedInterval]:
    """Price intervals in the order given (time order for tiered tariffs)."""
    pricer = Pricer(tariff, cycle_start_day=cycle_start_day)
    for interval in intervals:
        yield pricer.price(interval)


# -- totals -------------------------------------------------------------------------------------------------------


@dataclass
class PeriodTotal:
    period: str
    imported_kwh: float = 0.0
    exported_kwh: float = 0.0
    cost: float = 0.0      # import at the period's price less the export credit
    credit: float = 0.0    # what exported energy earned (already taken off ``cost``)


@dataclass
class Unpriced:
    """What could not be priced: never counted as zero, always said."""

    intervals: int = 0
    hours: float = 0.0
    reasons: dict[str, int] = field(default_factory=dict)

    def add(self, reason: str, seconds: float) -> None:
        self.intervals += 1
        self.hours += seconds / 3600
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


@dataclass
class CostSummary:
    """Energy cost by period, the fixed charges (daily, and the monthly charge's share of these days) and what was
    left unpriced, for the local days ``first_day`` to ``last_day`` inclusive."""

    first_day: dt.date
    last_day: dt.date
    currency: str
    periods: dict[str, PeriodTotal] = field(default_factory=dict)
    fixed_charge: float = 0.0
    monthly_charge: float = 0.0  # the part of fixed_charge that is the monthly charge's share
    priced_hours: float = 0.0
    unpriced: Unpriced = field(default_factory=Unpriced)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def energy_cost(self) -> float:
        return sum(t.cost for t in self.periods.values())

    @property
    def imported_kwh(self) -> float:
        return sum(t.imported_kwh for t in self.periods.values())

    @property
    def exported_kwh(self) -> float:
        return sum(t.exported_kwh for t in self.periods.values())

    @property
    def total(self) -> float:
        return self.energy_cost + self.fixed_charge

    def add(self, priced: PricedInterval) -> None:
        if priced.unpriced_reason:
            self.unpriced.add(priced.unpriced_reason, priced.interval.duration_s)
            return
        for part in priced.parts:
            total = self.periods.setdefault(part.period, PeriodTotal(part.period))
            total.imported_kwh += part.imported_kwh
            total.exported_kwh += part.exported_kwh or 0.0
            total.cost += part.cost
            total.credit += part.credit
            self.priced_hours += (part.end - part.start).total_seconds() / 3600


def charges_by_kind(tariff: Tariff, first_day: dt.date, last_day: dt.date, *,
                    cycle_start_day: int = 1) -> tuple[float, float]:
    """(the daily charges, the monthly charges' shares) of the local days from ``first_day`` to ``last_day``: each
    day's daily charge, and its share of the monthly charge (the monthly charge divided by the days of the billing
    cycle the day is in, so a cycle of 29 days and one of 32 both owe one month), from the version in force that
    day."""
    daily = monthly = 0.0
    day = first_day
    cycle: tuple[dt.date, dt.date] | None = None
    while day <= last_day:
        version = tariff.version_on(day)
        if version is not None:
            daily += version.daily_charge
            if version.monthly_charge:
                if cycle is None or not cycle[0] <= day < cycle[1]:
                    cycle = billing_cycle(day, cycle_start_day)
                monthly += version.monthly_charge / (cycle[1] - cycle[0]).days
        day += dt.timedelta(days=1)
    return daily, monthly


def _ordered(tariff: Tariff, summary: CostSummary) -> CostSummary:
    order: list[str] = []
    for version in reversed(tariff.versions):
        order.extend(n for n in version.period_names if n not in order)
    summary.periods = dict(sorted(summary.periods.items(),
                                  key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))
    return summary


def summarize(tariff: Tariff, intervals: Iterable[IntervalLike], *, first_day: dt.date | None = None,
              last_day: dt.date | None = None, cycle_start_day: int = 1,
              zone: dt.tzinfo | None = None) -> CostSummary | None:
    """Totals for the intervals (those whose local start date is within the days, when days are given). The
    fixed charges count every day from ``first_day`` to ``last_day`` (default: the first and last day with
    data). Days are local in ``zone`` (the home zone; default: the tariff's). None if there are no intervals and no
    days."""
    day_zone = zone or tariff.zone
    priced = list(price_intervals(tariff, intervals, cycle_start_day=cycle_start_day))
    dates = [p.interval.start.astimezone(day_zone).date() for p in priced]
    if first_day is None:
        first_day = min(dates, default=None)
    if last_day is None:
        last_day = max(((p.interval.start + dt.timedelta(seconds=max(p.interval.duration_s, 1) - 1))
                        .astimezone(day_zone).date() for p in priced), default=None)
    if first_day is None or last_day is None:
        return None
    summary = CostSummary(first_day, last_day, tariff.currency)
    for item, date in zip(priced, dates, strict=True):
        if first_day <= date <= last_day:
            summary.add(item)
    daily, monthly = charges_by_kind(tariff, first_day, last_day, cycle_start_day=cycle_start_day)
    summary.fixed_charge, summary.monthly_charge = daily + monthly, monthly
    return _ordered(tariff, summary)


def daily_costs(tariff: Tariff, intervals: Iterable[IntervalLike], *,
                cycle_start_day: int = 1) -> list[CostSummary]:
    """One summary per local day that has intervals, in date order. An interval longer than a day is shared
    among its days pro rata (its parts never cross a local midnight); an unpriced one counts on its start day."""
    days: dict[dt.date, CostSummary] = {}
    for priced in price_intervals(tariff, intervals, cycle_start_day=cycle_start_day):
        if priced.unpriced_reason:
            date = tariff.local(priced.interval.start).date()
            days.setdefault(date, CostSummary(date, date, tariff.currency)).add(priced)
            continue
        for part in priced.parts:
            day = days.setdefault(part.local_date, CostSummary(part.local_date, part.local_date, tariff.currency))
            day.add(PricedInterval(priced.interval, (part,), None))
    for date, day in days.items():
        daily, monthly = charges_by_kind(tariff, date, date, cycle_start_day=cycle_start_day)
        day.fixed_charge, day.monthly_charge = daily + monthly, monthly
        _ordered(tariff, day)
    return [days[d] for d in sorted(days)]


# -- the billing cycle ---------------------------------------------------------------------------------------------


@dataclass
class CycleCost:
    """The billing cycle so far, and a projection for all of it."""

    first_day: dt.date
    next_first_day: dt.date      # the day the next cycle starts
    so_far: CostSummary
    elapsed_hours: float
    cycle_hours: float
    projected: CostSummary | None  # None until something was priced
    basis: str                     # how the projection was made, in words

    @property
    def projected_total(self) -> float | None:
        return None if self.projected is None else self.projected.total


def cycle_cost(tariff: Tariff, intervals: Iterable[IntervalLike], *, now: dt.datetime | None = None,
               cycle_start_day: int = 1, zone: dt.tzinfo | None = None) -> CycleCost:
    """The cycle holding ``now``: cost so far (intervals that start in the cycle before ``now``) and a projection.

    The projection assumes the rest of the cycle goes on like its priced hours so far: each period's kWh and
    energy cost are scaled by (hours in the cycle / priced hours), which keeps the mix of weekdays, weekends and
    periods seen so far; a tiered tariff scales the kWh and prices them through the tiers again. The daily charge
    counts every day of the cycle. Unpriced hours are left out of the rate, not counted as zero use."""
    now = (now or dt.datetime.now(UTC)).astimezone(UTC)
    day_zone = zone or tariff.zone
    today = now.astimezone(day_zone).date()
    first, next_first = billing_cycle(today, cycle_start_day)
    cycle_start = dt.datetime.combine(first, dt.time(), day_zone).astimezone(UTC)
    cycle_end = dt.datetime.combine(next_first, dt.time(), day_zone).astimezone(UTC)
    inside = [i for i in intervals if cycle_start <= i.start < now]
    so_far = summarize(tariff, inside, first_day=first, last_day=today, cycle_start_day=cycle_start_day,
                       zone=day_zone)
    assert so_far is not None
    elapsed = (now - cycle_start).total_seconds() / 3600
    cycle_hours = (cycle_end - cycle_start).total_seconds() / 3600
    if so_far.priced_hours <= 0:
        return CycleCost(first, next_first, so_far, elapsed, cycle_hours, None, "nothing priced yet this cycle")
    scale = cycle_hours / so_far.priced_hours
    projected = CostSummary(first, next_first - dt.timedelta(days=1), tariff.currency,
                            priced_hours=cycle_hours)
    version = tariff.version_on(today)
    if version is not None and version.tiered:
        season = version.season_of(today)
        remaining = so_far.imported_kwh * scale
        used = 0.0
        for tier in version.tiers:
            room = float("inf") if tier.up_to_kwh is None else tier.up_to_kwh - used
            take = min(remaining, room)
            if take <= 0:
                continue
            price = tier.prices[season]
            projected.periods[tier.name] = PeriodTotal(tier.name, take, 0.0, take * price)
            used += take
            remaining -= take
        if projected.periods:  # the export credit so far, scaled, on the last tier reached
            last = list(projected.periods.values())[-1]
            last.exported_kwh = so_far.exported_kwh * scale
            last.credit = sum(t.credit for t in so_far.periods.values()) * scale
            last.cost -= last.credit
        basis = (f"kWh of {so_far.priced_hours:.1f} priced hours scaled to the cycle's {cycle_hours:.0f} hours "
                 "and priced through the tiers")
    else:
        for name, total in so_far.periods.items():
            projected.periods[name] = PeriodTotal(name, total.imported_kwh * scale, total.exported_kwh * scale,
                                                  total.cost * scale, total.credit * scale)
        basis = f"{so_far.priced_hours:.1f} priced hours scaled to the cycle's {cycle_hours:.0f} hours"
    daily, monthly = charges_by_kind(tariff, first, next_first - dt.timedelta(days=1), cycle_start_day=cycle_start_day)
    projected.fixed_charge, projected.monthly_charge = daily + monthly, monthly
    return CycleCost(first, next_first, so_far, elapsed, cycle_hours, _ordered(tariff, projected), basis)

