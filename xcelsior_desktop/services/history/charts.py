"""What each history chart shows, read from the store: the bars of a span, its totals, the open slot's estimate.

Qt-free. Day: the resolved intervals of the local day at their own length, plus the slot still in progress as an
estimate (the register delta since it began). Week and Month: per-day sums; Year: per-month sums (the store's
hour totals, a few milliseconds for a year). Live: the last hour of demand samples.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from xcelsior_desktop.services.chart_data import Bar, Totals, bars, bars_from_totals, totals
from xcelsior_desktop.services.history.store import DemandSample, EnergyInterval, HistoryStore
from xcelsior_desktop.services.periods import Span, View, span

SLOT_S = 900
OPEN_SLOT_BRACKET_S = 180  # a register reading this close to the slot's start gives its start value
FILING_S = 120  # a slot that closed less than this long ago may not be read yet: not "missing"


@dataclass(frozen=True)
class ChartData:
    span: Span
    bars: list[Bar]
    totals: Totals


def open_slot(store: HistoryStore, now: dt.datetime) -> EnergyInterval | None:
    """The 15-minute slot in progress at ``now`` (the meter's time) as far as it has gone: the register delta
    since its start (interpolated between the readings around it). None without readings close to its start."""
    now_s = now.timestamp()
    start_s = now_s - now_s % SLOT_S
    start = dt.datetime.fromtimestamp(start_s, dt.UTC)
    readings = [r for r in store.register_readings(start - dt.timedelta(seconds=OPEN_SLOT_BRACKET_S),
                                                   now + dt.timedelta(milliseconds=1))
                if r.imported_wh is not None and r.exported_wh is not None]
    if not readings or readings[-1].at <= start:
        return None
    times = [r.at.timestamp() for r in readings]
    i = bisect.bisect_left(times, start_s)
    after = readings[i]
    if times[i] - start_s > OPEN_SLOT_BRACKET_S:
        return None
    if i > 0 and times[i] > start_s:  # interpolate between the readings around the start
        before = readings[i - 1]
        f = (start_s - times[i - 1]) / (times[i] - times[i - 1])
        imported0 = before.imported_wh + f * (after.imported_wh - before.imported_wh)  # type: ignore[operator]
        exported0 = before.exported_wh + f * (after.exported_wh - before.exported_wh)  # type: ignore[operator]
    else:
        imported0, exported0 = after.imported_wh, after.exported_wh
    latest = readings[-1]
    assert latest.imported_wh is not None and latest.exported_wh is not None
    assert imported0 is not None and exported0 is not None
    return EnergyInterval(start, SLOT_S, max(0.0, latest.imported_wh - imported0),
                          max(0.0, latest.exported_wh - exported0), "estimate")


def chart_data(store: HistoryStore, view: View, anchor: dt.date, tz: dt.tzinfo, now: dt.datetime) -> ChartData:
    """The bars and totals of the ``view`` span that contains the local date ``anchor``."""
    shown = span(view, anchor, tz)
    # the totals count as complete up to the newest slot the meter can have filed (the open one is no gap)
    filed_s = now.timestamp() - FILING_S
    filed = dt.datetime.fromtimestamp(filed_s - filed_s % SLOT_S, dt.UTC)
    if view is View.DAY:
        estimate = open_slot(store, now) if shown.start <= now < shown.end else None
        day_bars = bars(shown, store.intervals(shown.start, shown.end), estimate=estimate)
        return ChartData(shown, day_bars, totals(shown, day_bars, filed))
    edges = [b.start for b in shown.buckets] + [shown.end]
    period_bars = bars_from_totals(shown, store.period_totals(edges))
    return ChartData(shown, period_bars, totals(shown, period_bars, filed))


def live_demand(store: HistoryStore, now: dt.datetime, window_s: int = 3600) -> list[DemandSample]:
    """The Live chart: demand of the last ``window_s`` seconds from the store (it survives a restart)."""
    return store.live_demand(now, window_s)
