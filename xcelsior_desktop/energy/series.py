"""Which energy a history chart shows in a solar home with two meters: the grid (the net meter), the solar (what the
production meter measured the panels make) or the home's use (both together, energy/home.py).

Qt-free. Each series is a :class:`~xcelsior_desktop.energy.charts.ChartData` of the same span, so the History tab
draws any of them with the same chart. The grid's is the one energy function's as always; the solar's is the same
function on the production meter's rows; the home's is per slot both meters measured (a slot only one of them has
is a gap, never a guess), its bars carrying the home's use alone.
"""

from __future__ import annotations

import datetime as dt
import enum

from xcelsior_desktop.energy.chart_data import Bar, Totals, bars
from xcelsior_desktop.energy.charts import FILING_S, SLOT_S, ChartData, chart_data, live_demand
from xcelsior_desktop.energy.home import PRODUCTION_METER, home_intervals, home_watts
from xcelsior_desktop.energy.periods import Span, View, span
from xcelsior_desktop.energy.store import DemandSample, EnergyInterval, HistoryStore

PAIR_S = 10.0  # the two meters' readings of one moment: taken within this of each other (both poll every few s)


class Series(enum.StrEnum):
    GRID = "grid"
    SOLAR = "solar"
    HOME = "home"


# (the series' name, what a bar above the line is, below it) in the History tab's words
SERIES_WORDS: dict[Series, tuple[str, str, str]] = {
    Series.GRID: ("Grid", "From the grid", "To the grid"),
    Series.SOLAR: ("Solar", "Made by the panels", "Drawn by the inverter"),
    Series.HOME: ("Home use", "Used at home", ""),
}


def series_chart(store: HistoryStore, series: Series, view: View, anchor: dt.date, tz: dt.tzinfo,
                 now: dt.datetime) -> ChartData:
    """The bars and totals of ``series`` for the ``view`` span containing ``anchor`` (``store``: the net meter's)."""
    if series is Series.GRID:
        return chart_data(store, view, anchor, tz, now)
    if series is Series.SOLAR:
        return chart_data(store.for_meter(PRODUCTION_METER), view, anchor, tz, now)
    return home_chart(store, view, anchor, tz, now)


def home_chart(store: HistoryStore, view: View, anchor: dt.date, tz: dt.tzinfo, now: dt.datetime) -> ChartData:
    """The home's use per slot both meters measured, summed into the span's bars; the totals cover those slots.

    Week, Month and Year: a bucket both meters cover whole in both directions is summed from the store's period
    totals (import + production - export of the bucket equals the sum over its slots); any other bucket (today, a
    month with a gap on either meter) is joined slot by slot, so a slot only one meter has never counts."""
    shown = span(view, anchor, tz)
    filed_s = now.timestamp() - FILING_S
    filed = dt.datetime.fromtimestamp(filed_s - filed_s % SLOT_S, dt.UTC)
    elapsed = max(0.0, (min(filed, shown.end) - shown.start).total_seconds())
    if view is View.DAY:
        drawn = bars(shown, _use(home_intervals(store, shown.start, shown.end)))
    else:
        drawn = _bucket_bars(store, shown)
    used = sum(bar.imported_wh or 0.0 for bar in drawn)
    covered = sum(bar.covered_s for bar in drawn)
    return ChartData(shown, drawn, Totals(used, 0.0, covered, elapsed))


def _use(slots: list[EnergyInterval]) -> list[EnergyInterval]:
    return [EnergyInterval(iv.start, iv.duration_s, iv.imported_wh, None, iv.source) for iv in slots]


def _bucket_bars(store: HistoryStore, shown: Span) -> list[Bar]:
    edges = [b.start for b in shown.buckets] + [shown.end]
    grid = {t.start: t for t in store.for_meter("net").period_totals(edges)}
    solar = {t.start: t for t in store.for_meter(PRODUCTION_METER).period_totals(edges)}
    out: list[Bar] = []
    for bucket in shown.buckets:
        whole = (bucket.end - bucket.start).total_seconds()
        net, made = grid.get(bucket.start), solar.get(bucket.start)
        if net is not None and made is not None and net.imported_wh is not None and net.exported_wh is not None \
                and made.imported_wh is not None and net.imported_s >= whole - 1 and net.exported_s >= whole - 1 \
                and made.imported_s >= whole - 1:
            use = max(0.0, net.imported_wh + made.imported_wh - net.exported_wh)
            out.append(Bar(bucket.start, bucket.end, bucket.label, use, None, whole))
            continue
        slots = home_intervals(store, bucket.start, bucket.end)
        if not slots:
            out.append(Bar(bucket.start, bucket.end, bucket.label, None, None, 0.0))
            continue
        out.append(Bar(bucket.start, bucket.end, bucket.label, sum(iv.imported_wh or 0.0 for iv in slots), None,
                       float(sum(iv.duration_s for iv in slots))))
    return out


def series_demand(store: HistoryStore, series: Series, now: dt.datetime, window_s: int = 3600) -> list[DemandSample]:
    """The Live chart of ``series``: the net meter's demand, the panels' or the home's (each solar reading with the
    net meter's nearest within :data:`PAIR_S`; a reading without a partner is a gap)."""
    if series is Series.GRID:
        return live_demand(store, now, window_s)
    solar = live_demand(store.for_meter(PRODUCTION_METER), now, window_s)
    if series is Series.SOLAR:
        return solar
    grid = live_demand(store, now, window_s)
    out: list[DemandSample] = []
    index = 0
    for sample in solar:
        while index + 1 < len(grid) and grid[index + 1].at <= sample.at:
            index += 1
        near = [g for g in grid[index:index + 2] if abs((g.at - sample.at).total_seconds()) <= PAIR_S]
        if not near:
            continue
        partner = min(near, key=lambda g: abs((g.at - sample.at).total_seconds()))
        watts = home_watts(partner.watts, sample.watts)
        if watts is not None:
            out.append(DemandSample(sample.at, watts))
    return out
