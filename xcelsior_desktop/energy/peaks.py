"""The month's highest 15-minute demand (from the meter's slots) and the quarter hour in progress.

Qt-free. A slot's demand is its imported energy over its 15 minutes (Wh x 4 = W): what a demand charge would
bill, and what the meter's own maximum-demand register measures over its own interval. Only the meter's
15-minute slots count (an imported hour or day says nothing about its highest quarter hour). The quarter hour in
progress comes from the one energy function (the registers since the slot began).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from xcelsior_desktop.energy.days import local_midnight
from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore
from xcelsior_desktop.energy.totals import energy

SLOT_S = 900


@dataclass(frozen=True)
class MonthPeak:
    month_start: dt.datetime  # UTC: the local month's first midnight
    at: dt.datetime | None  # UTC: the slot with the highest import; None: no slot this month
    watts: float | None
    days_with_data: int  # local days of the month with at least one slot


def month_start(now: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    return local_midnight(now.astimezone(zone).date().replace(day=1), zone)


def covering_month(since: dt.datetime, now: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """The start of one read that covers ``since`` onwards and the local month so far (a 30-day look-back misses
    the 1st on the 31st), for callers that read once for :func:`month_peak_of` and something else."""
    return min(since, month_start(now, zone))


def month_peak(store: HistoryStore, now: dt.datetime, zone: dt.tzinfo) -> MonthPeak:
    """The highest 15-minute import of the local month holding ``now``, up to ``now``."""
    return month_peak_of(store.intervals(month_start(now, zone), now), now, zone)


def month_peak_of(intervals: Iterable[EnergyInterval], now: dt.datetime, zone: dt.tzinfo) -> MonthPeak:
    """:func:`month_peak` from intervals already read (those outside the month are skipped)."""
    start = month_start(now, zone)
    best_at: dt.datetime | None = None
    best = -1.0
    days: set[dt.date] = set()
    for slot in intervals:
        if not start <= slot.start < now or slot.duration_s != SLOT_S or slot.imported_wh is None:
            continue
        days.add(slot.start.astimezone(zone).date())
        if slot.imported_wh > best:
            best, best_at = slot.imported_wh, slot.start
    watts = best * 3600 / SLOT_S if best_at is not None else None
    return MonthPeak(start, best_at, watts, len(days))


@dataclass(frozen=True)
class QuarterNow:
    start: dt.datetime  # UTC: the quarter hour in progress began
    elapsed_s: float  # how much of it the registers cover
    watts: float | None  # its average import so far; None: not measured


def quarter_now(store: HistoryStore, now: dt.datetime) -> QuarterNow:
    """The average import of the quarter hour in progress, so far (the register tail of the one energy function)."""
    seconds = now.timestamp()
    start = dt.datetime.fromtimestamp(seconds - seconds % SLOT_S, dt.UTC)
    counted = energy(store, start, start + dt.timedelta(seconds=SLOT_S), now)
    elapsed = (counted.as_of - counted.since).total_seconds() if counted.known else 0.0
    if counted.imported_wh is None or elapsed <= 0:
        return QuarterNow(start, 0.0, None)
    return QuarterNow(start, elapsed, counted.imported_wh * 3600 / elapsed)
