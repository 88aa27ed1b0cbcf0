"""What each history chart shows, read from the store: the bars of a span, its totals, the open slot's estimate.

Qt-free. Day: the resolved intervals of the local day at their own length, plus the register tail after the newest
one (the quarter hour in progress), hatched. Week and Month: per-day sums; Year: per-month sums (the store's
hour totals, a few milliseconds for a year). Live: the last hour of demand samples.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xcelsior_desktop.energy.chart_data import Bar, Totals, add_known, bars, bars_from_totals
from xcelsior_desktop.energy.periods import Span, View, span
from xcelsior_desktop.energy.store import DemandSample, EnergyInterval, HistoryStore
from xcelsior_desktop.energy.totals import energy

SLOT_S = 900
FILING_S = 120  # a slot that closed less than this long ago may not be read yet: not "missing"


@dataclass(frozen=True)
class ChartData:
    span: Span
    bars: list[Bar]
    totals: Totals


def _with_tail(span_bars: list[Bar], tail: EnergyInterval | None) -> list[Bar]:
    """Week, Month, Year: the register tail after the newest slot counts in the bucket where it is (today's bar
    then agrees with today's figure); it is measured, not a slot of the history."""
    if tail is None:
        return span_bars
    out = []
    for bar in span_bars:
        if bar.start <= tail.start < bar.end:
            bar = Bar(bar.start, bar.end, bar.label, add_known(bar.imported_wh, tail.imported_wh),
                      add_known(bar.exported_wh, tail.exported_wh), bar.covered_s + tail.duration_s, bar.estimate)
        out.append(bar)
    return out


def chart_data(store: HistoryStore, view: View, anchor: dt.date, tz: dt.tzinfo, now: dt.datetime) -> ChartData:
    """The bars and totals of the ``view`` span that contains the local date ``anchor``. The totals are the one
    energy function's figure for the span (energy/totals.py): the stored intervals and the register tail."""
    shown = span(view, anchor, tz)
    counted = energy(store, shown.start, shown.end, now, zone=tz, find_gaps=False)  # the bars show the gaps
    # the totals count as complete up to the newest slot the meter can have filed (the open one is no gap)
    filed_s = now.timestamp() - FILING_S
    filed = dt.datetime.fromtimestamp(filed_s - filed_s % SLOT_S, dt.UTC)
    if view is View.DAY:  # the tail is drawn hatched: the quarter hour in progress, measured by the registers
        span_bars = bars(shown, store.intervals(shown.start, shown.end), estimate=counted.tail)
    else:
        edges = [b.start for b in shown.buckets] + [shown.end]
        span_bars = _with_tail(bars_from_totals(shown, store.period_totals(edges)), counted.tail)
    elapsed = max(0.0, (min(filed, shown.end) - shown.start).total_seconds())
    covered = counted.intervals_s + (counted.tail.duration_s if counted.tail is not None else 0.0)
    shown_totals = Totals(counted.imported_wh or 0.0, counted.exported_wh or 0.0, covered, elapsed)
    return ChartData(shown, span_bars, shown_totals)


def live_demand(store: HistoryStore, now: dt.datetime, window_s: int = 3600) -> list[DemandSample]:
    """The Live chart: demand of the last ``window_s`` seconds from the store (it survives a restart)."""
    return store.live_demand(now, window_s)
