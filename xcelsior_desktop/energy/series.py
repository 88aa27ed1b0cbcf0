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

from xcelsior_desktop.energy.chart_data import Totals, bars
from xcelsior_desktop.energy.charts import FILING_S, SLOT_S, ChartData, chart_data, live_demand
from xcelsior_desktop.energy.home import PRODUCTION_METER, home_intervals, home_watts
from xcelsior_desktop.energy.periods import View, span
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
    """The home's use per slot both meters measured, summed into the span's bars; the totals cover those slots."""
    shown = span(view, anchor, tz)
    use = [EnergyInterval(iv.start, iv.duration_s, iv.imported_wh, None, iv.source)
           for iv in home_intervals(store, shown.start, shown.end)]
    filed_s = now.timestamp() - FILING_S
    filed = dt.datetime.fromtimestamp(filed_s - filed_s % SLOT_S, dt.UTC)
    elapsed = max(0.0, (min(filed, shown.end) - shown.start).total_seconds())
    used = sum(iv.imported_wh or 0.0 for iv in use)
    covered = float(sum(iv.duration_s for iv in use))
    return ChartData(shown, bars(shown, use), Totals(used, 0.0, covered, elapsed))


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
