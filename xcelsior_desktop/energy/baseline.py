"""The home's always-on baseline: the level its demand never goes below, save for a few minutes in two days.

Qt-free. Sense calls it "Always On": the 1st percentile of the home's demand over the last 48 hours. Here it is the
1st percentile of the store's 1-minute average demand (:meth:`HistoryStore.demand_by_minute`: the 5-second samples
averaged per minute for the last 7 days, the kept roll-ups before that). Minute averages, because they are what the
store keeps for good: today's figure, last week's and the 30-day trend are then measured the same way, and one
low 5-second reading is not taken for the baseline.

A net meter sees the home's use minus what its solar panels produce. While the panels produce, the net demand says
nothing about the home's own baseline, so when the home has exported in the last 30 days the minutes of the day in
which it ever exported (widened by :data:`SOLAR_MARGIN_S` on each side, for the hours the panels produce less than
the home uses) are left out, and :attr:`Baseline.left_out` says which. A production meter, later, can give home use
directly; the same :func:`baseline_of` then applies to it with nothing left out.

Too few minutes (:data:`MIN_MINUTES`) give no figure (None), never a guess.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xcelsior_desktop.energy.days import local_midnight
from xcelsior_desktop.energy.store import DemandMinute, EnergyInterval, HistoryStore

PERCENTILE = 1.0
WINDOW_S = 48 * 3600
MIN_MINUTES = 6 * 60  # fewer minutes than six hours (of night, with solar) give no figure
SOLAR_LOOKBACK_DAYS = 30
SOLAR_MARGIN_S = 3600
DAY_S = 86_400


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile (0 < p <= 100) of ``values`` (not empty)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class SolarHours:
    """The local time of day (seconds after midnight, [start, end)) in which the panels may produce."""

    start_s: int
    end_s: int

    def holds(self, local: dt.datetime) -> bool:
        seconds = local.hour * 3600 + local.minute * 60 + local.second
        return self.start_s <= seconds < self.end_s

    def words(self) -> str:
        return f"{_hm(self.start_s)}\u2013{_hm(self.end_s)}"


def _hm(seconds: int) -> str:
    seconds = max(0, min(DAY_S, seconds))
    return "24:00" if seconds == DAY_S else f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def solar_hours(intervals: Iterable[EnergyInterval], zone: dt.tzinfo) -> SolarHours | None:
    """The hours of the day the home exported in any of ``intervals`` (widened by the margin); None: no export."""
    first: int | None = None
    last: int | None = None
    for interval in intervals:
        if not interval.exported_wh or interval.duration_s > 3600:  # a day-long imported total says no hour
            continue
        local = interval.start.astimezone(zone)
        begins = local.hour * 3600 + local.minute * 60
        ends = begins + interval.duration_s
        first = begins if first is None else min(first, begins)
        last = ends if last is None else max(last, ends)
    if first is None or last is None:
        return None
    return SolarHours(max(0, first - SOLAR_MARGIN_S), min(DAY_S, last + SOLAR_MARGIN_S))


def solar_hours_of(store: HistoryStore, now: dt.datetime, zone: dt.tzinfo) -> SolarHours | None:
    """The solar hours seen in the store's last 30 days before ``now``."""
    return solar_hours(store.intervals(now - dt.timedelta(days=SOLAR_LOOKBACK_DAYS), now), zone)


@dataclass(frozen=True)
class Baseline:
    """The always-on figure of one window."""

    start: dt.datetime  # UTC
    end: dt.datetime
    watts: float | None  # None: fewer than MIN_MINUTES minutes to go by
    minutes: int  # minute averages it is based on
    left_out: SolarHours | None = None  # the hours of the day left out (solar)

    @property
    def hours(self) -> float:
        return self.minutes / 60

    def basis(self) -> str:
        """How the figure was found, in one sentence."""
        what = (f"the lowest 1 % of {self.hours:.0f} h of minute averages of your demand over the last "
                f"{(self.end - self.start).total_seconds() / 3600:.0f} h")
        if self.left_out is not None:
            what += (f", leaving out {self.left_out.words()}, when your panels may produce (the meter then sees "
                     "your use minus their output)")
        return what[0].upper() + what[1:] + "."


def baseline_of(minutes: Iterable[DemandMinute], start: dt.datetime, end: dt.datetime, zone: dt.tzinfo,
                solar: SolarHours | None = None) -> Baseline:
    """The baseline of the minutes in [start, end), leaving out the solar hours when given."""
    kept = [m.mean_w for m in minutes if start <= m.start < end
            and (solar is None or not solar.holds(m.start.astimezone(zone)))]
    watts = percentile(kept, PERCENTILE) if len(kept) >= MIN_MINUTES else None
    return Baseline(start, end, watts, len(kept), solar)


def always_on(store: HistoryStore, now: dt.datetime, *, zone: dt.tzinfo, solar: SolarHours | None = None,
              window_s: int = WINDOW_S) -> Baseline:
    """The always-on baseline of the ``window_s`` before ``now``. ``solar``: the hours to leave out (see
    :func:`solar_hours_of`; the caller finds them once for several windows)."""
    start = now - dt.timedelta(seconds=window_s)
    return baseline_of(store.demand_by_minute(start, now), start, now, zone, solar)


@dataclass(frozen=True)
class TrendPoint:
    day: dt.date  # the local day the window ends with
    baseline: Baseline


def always_on_trend(store: HistoryStore, now: dt.datetime, *, zone: dt.tzinfo, solar: SolarHours | None = None,
                    days: int = 30, window_s: int = WINDOW_S) -> list[TrendPoint]:
    """One point a local day for the last ``days`` days (today last): the baseline of the window that ends with
    that day (today: with ``now``). One read of the store for all of them."""
    today = now.astimezone(zone).date()
    ends = [min(now, local_midnight(today - dt.timedelta(days=back - 1), zone)) for back in range(days - 1, -1, -1)]
    first = ends[0] - dt.timedelta(seconds=window_s)
    minutes = store.demand_by_minute(first, now)
    # which minutes count, worked out once for all the windows (they overlap by 47 hours)
    kept = [(m.start, m.mean_w) for m in minutes if solar is None or not solar.holds(m.start.astimezone(zone))]
    starts = [at for at, _ in kept]
    points = []
    for end in ends:
        start = end - dt.timedelta(seconds=window_s)
        lo, hi = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
        values = [w for _, w in kept[lo:hi]]
        watts = percentile(values, PERCENTILE) if len(values) >= MIN_MINUTES else None
        day = (end - dt.timedelta(microseconds=1)).astimezone(zone).date()
        points.append(TrendPoint(day, Baseline(start, end, watts, len(values), solar)))
    return points


def change_over(points: Sequence[TrendPoint], days: int) -> tuple[float, float] | None:
    """(the newest figure, the one ``days`` earlier) when both are known; None otherwise."""
    known = {p.day: p.baseline.watts for p in points if p.baseline.watts is not None}
    if not points or points[-1].baseline.watts is None:
        return None
    before = known.get(points[-1].day - dt.timedelta(days=days))
    return None if before is None else (points[-1].baseline.watts, before)
