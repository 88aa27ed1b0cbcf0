"""What two meters tell together, read from one store with the net and production meters' rows: home use,
self-consumption and self-sufficiency per span, per slot and live, and the History tab's Solar and Home use series.
A slot or reading only one meter has is a gap, never a guess."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from xcelsior_desktop.energy.home import home_energy, home_intervals, home_watts
from xcelsior_desktop.energy.periods import View
from xcelsior_desktop.energy.series import Series, series_chart, series_demand
from xcelsior_desktop.energy.store import DemandSample, EnergyInterval, HistoryStore

DENVER = ZoneInfo("America/Denver")
NOON = dt.datetime(2026, 6, 18, 12, tzinfo=DENVER).astimezone(dt.UTC)
DAY = NOON.astimezone(DENVER).date()


@pytest.fixture
def store(tmp_path):  # type: ignore[no-untyped-def]
    """Four slots from 11:00: the net meter imports a little and exports, the panels make 500 Wh a slot; the
    net meter has no 11:45 slot (a gap) and the production meter no 11:30 one."""
    with HistoryStore(tmp_path / "history.sqlite") as opened:
        start = NOON - dt.timedelta(hours=1)
        slots = [start + dt.timedelta(minutes=15 * i) for i in range(4)]
        opened.add_intervals([EnergyInterval(s, 900, 100.0, 300.0) for i, s in enumerate(slots) if i != 3],
                             not_after=NOON)
        opened.for_meter("production").add_intervals(
            [EnergyInterval(s, 900, 500.0, 0.0) for i, s in enumerate(slots) if i != 2], not_after=NOON)
        yield opened


def test_home_use_per_slot_is_import_plus_production_less_export_where_both_measured(store) -> None:  # type: ignore[no-untyped-def]
    slots = home_intervals(store, NOON - dt.timedelta(hours=1), NOON)
    assert [s.start for s in slots] == [NOON - dt.timedelta(minutes=60), NOON - dt.timedelta(minutes=45)]
    assert [s.imported_wh for s in slots] == [300.0, 300.0]  # 100 + 500 - 300
    assert [s.exported_wh for s in slots] == [200.0, 200.0]  # the solar used at home: 500 - 300


def test_the_spans_figures_come_from_each_meters_one_energy_function(store) -> None:  # type: ignore[no-untyped-def]
    home = home_energy(store, NOON - dt.timedelta(hours=1), NOON, NOON)
    assert home.produced_wh == 1500.0 and home.grid.imported_wh == 300.0 and home.grid.exported_wh == 900.0
    assert home.home_use_wh == 900.0 and home.self_consumed_wh == 600.0
    assert home.self_sufficiency == pytest.approx(1 - 300 / 900)


def test_a_meter_without_figures_leaves_home_use_unknown(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with HistoryStore(tmp_path / "history.sqlite") as only_net:
        only_net.add_intervals([EnergyInterval(NOON - dt.timedelta(minutes=15), 900, 100.0, 0.0)], not_after=NOON)
        home = home_energy(only_net, NOON - dt.timedelta(hours=1), NOON, NOON)
        assert home.produced_wh is None and home.home_use_wh is None and home.self_sufficiency is None
        assert home_intervals(only_net, NOON - dt.timedelta(hours=1), NOON) == []


def test_the_history_series_draw_the_grid_the_panels_and_the_home(store) -> None:  # type: ignore[no-untyped-def]
    grid = series_chart(store, Series.GRID, View.DAY, DAY, DENVER, NOON)
    solar = series_chart(store, Series.SOLAR, View.DAY, DAY, DENVER, NOON)
    home = series_chart(store, Series.HOME, View.DAY, DAY, DENVER, NOON)
    assert grid.totals.imported_wh == 300.0 and grid.totals.exported_wh == 900.0
    assert solar.totals.imported_wh == 1500.0
    assert home.totals.imported_wh == 600.0 and home.totals.covered_s == 1800.0  # the two slots both measured
    assert [b.imported_wh for b in home.bars] == [300.0, 300.0]
    assert all(b.exported_wh is None for b in home.bars)  # the home's bars carry its use alone
    week = series_chart(store, Series.HOME, View.WEEK, DAY, DENVER, NOON)
    assert sum(b.imported_wh or 0 for b in week.bars) == 600.0
    assert sum(1 for b in week.bars if b.imported_wh is None) == 6  # the other days: gaps, not zeros


def test_home_watts_pair_each_solar_reading_with_the_net_meters_nearest(store) -> None:  # type: ignore[no-untyped-def]
    at = NOON - dt.timedelta(minutes=5)
    store.add_demand([DemandSample(at, -800.0), DemandSample(at + dt.timedelta(seconds=60), -700.0)])
    store.for_meter("production").add_demand([
        DemandSample(at + dt.timedelta(seconds=2), 2000.0),  # 2 s after the net reading: a pair
        DemandSample(at + dt.timedelta(seconds=30), 2100.0),  # 30 s from either: no partner, a gap
        DemandSample(at + dt.timedelta(seconds=57), 1900.0),  # 3 s before the next one
    ])
    samples = series_demand(store, Series.HOME, NOON)
    assert [(s.at - at).total_seconds() for s in samples] == [2.0, 57.0]
    assert [s.watts for s in samples] == [1200.0, 1200.0]
    assert [s.watts for s in series_demand(store, Series.SOLAR, NOON)] == [2000.0, 2100.0, 1900.0]
    assert home_watts(-800.0, None) is None and home_watts(-3000.0, 2000.0) == 0.0


def test_whole_days_come_from_the_totals_and_a_day_with_a_gap_slot_by_slot(tmp_path) -> None:  # type: ignore[no-untyped-def]
    days = [DAY - dt.timedelta(days=back) for back in (3, 2, 1)]
    with HistoryStore(tmp_path / "history.sqlite") as store:
        for index, day in enumerate(days):
            start = dt.datetime.combine(day, dt.time(), DENVER).astimezone(dt.UTC)
            slots = [start + dt.timedelta(minutes=15 * i) for i in range(96)]
            store.add_intervals([EnergyInterval(s, 900, 50.0 + i % 7, 20.0 + i % 3) for i, s in enumerate(slots)],
                                not_after=NOON)
            made = [EnergyInterval(s, 900, 80.0 + i % 5, 0.0) for i, s in enumerate(slots)
                    if not (index == 2 and i == 40)]  # the last day: one production slot missing
            store.for_meter("production").add_intervals(made, not_after=NOON)
        week = series_chart(store, Series.HOME, View.WEEK, DAY, DENVER, NOON)
        for day in days:
            start = dt.datetime.combine(day, dt.time(), DENVER).astimezone(dt.UTC)
            joined = home_intervals(store, start, start + dt.timedelta(days=1))
            bar = next(b for b in week.bars if b.start == start)
            assert bar.imported_wh == pytest.approx(sum(iv.imported_wh for iv in joined))
            assert bar.covered_s == sum(iv.duration_s for iv in joined)
        assert not next(b for b in week.bars if b.start.astimezone(DENVER).date() == days[2]).complete
