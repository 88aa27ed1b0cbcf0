"""The Qt-free parts of the history app: today from the store, the chart data of each view (gaps stay gaps, the
register tail hatched, totals the one energy function's), the household's zone, and opening the app's store."""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo

import pytest

from xcelsior_desktop.energy.charts import chart_data
from xcelsior_desktop.energy.days import day_span
from xcelsior_desktop.energy.opening import open_history
from xcelsior_desktop.energy.periods import View, span
from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore, RegisterReading
from xcelsior_desktop.energy.system_zone import SystemZone
from xcelsior_desktop.energy.totals import energy

DENVER = zoneinfo.ZoneInfo("America/Denver")
MIDNIGHT = dt.datetime(2026, 11, 20, tzinfo=DENVER).astimezone(dt.UTC)  # 07:00 UTC
SLOT = dt.timedelta(minutes=15)


def slot(i: int, imported: float = 100.0, exported: float = 10.0) -> EnergyInterval:
    return EnergyInterval(MIDNIGHT + i * SLOT, 900, imported, exported)


@pytest.fixture
def store(tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


def registers(store: HistoryStore, *points: tuple[dt.datetime, float, float]) -> None:
    store.add_register_readings([RegisterReading(at, i, e) for at, i, e in points])


def test_today_is_the_stores_slots_of_today_plus_the_register_delta(store):
    store.add_intervals([slot(i) for i in range(40)])  # 00:00 .. 10:00 local
    store.add_intervals([EnergyInterval(MIDNIGHT - SLOT, 900, 999.0, 999.0)])  # yesterday: not counted
    ten = MIDNIGHT + 40 * SLOT
    registers(store, (ten - dt.timedelta(seconds=30), 50_000.0, 7_000.0), (ten + dt.timedelta(seconds=30), 50_010.0,
                                                                           7_001.0),
              (ten + dt.timedelta(minutes=5), 50_100.0, 7_010.0))
    now = ten + dt.timedelta(minutes=5)
    today = energy(store, *day_span(now, DENVER), now, zone=DENVER)
    assert today.complete and today.intervals_s == 40 * 900
    assert today.day == dt.date(2026, 11, 20) and today.since == MIDNIGHT
    assert today.imported_wh == pytest.approx(40 * 100 + 95.0)  # 40 slots + the delta since 10:00 (interpolated)
    assert today.exported_wh == pytest.approx(40 * 10 + 9.5)


def test_today_with_a_gap_sums_what_is_there_and_says_what_is_not(store):
    store.add_intervals([slot(i) for i in range(40) if i not in (12, 13)])
    ten = MIDNIGHT + 40 * SLOT
    registers(store, (ten, 1000.0, 0.0), (ten + dt.timedelta(minutes=1), 1010.0, 0.0))
    now = ten + dt.timedelta(minutes=1)
    today = energy(store, *day_span(now, DENVER), now, zone=DENVER)
    assert not today.complete and today.missing == ((MIDNIGHT + 12 * SLOT, MIDNIGHT + 14 * SLOT),)
    assert today.imported_wh == pytest.approx(38 * 100 + 10)
    assert "Not counted: 30 min without data (03:00\u201303:30)" in today.footnote()


def test_no_reading_and_no_slot_today_means_nothing_known(store):
    store.add_intervals([slot(i) for i in range(-8, 0)])  # yesterday evening only
    now = MIDNIGHT + 9 * SLOT
    assert not energy(store, *day_span(now, DENVER), now, zone=DENVER).known


def test_day_bars_are_the_slots_with_gaps_left_empty_and_the_register_tail_hatched(store):
    store.add_intervals([slot(i) for i in range(40) if i not in (10, 11, 12)])
    now = MIDNIGHT + 40 * SLOT + dt.timedelta(minutes=6)
    registers(store, (MIDNIGHT + 40 * SLOT, 1000.0, 0.0), (now, 1050.0, 0.0))
    data = chart_data(store, View.DAY, dt.date(2026, 11, 20), DENVER, now)
    starts = [b.start for b in data.bars]
    assert MIDNIGHT + 10 * SLOT not in starts and len(data.bars) == 38  # 37 slots + the tail
    tail = data.bars[-1]
    assert tail.estimate and tail.start == MIDNIGHT + 40 * SLOT and tail.imported_wh == pytest.approx(50.0)
    # the totals are today's figure: the slots and the tail (the one energy function)
    assert data.totals.imported_wh == pytest.approx(37 * 100.0 + 50.0)
    assert data.totals.imported_wh == energy(store, *day_span(now, DENVER), now, zone=DENVER).imported_wh
    assert not data.totals.complete and data.totals.span_s == 40 * 900  # the three missing slots


def test_week_month_and_year_bars_sum_days_and_months_and_leave_empty_ones_empty(store):
    store.add_intervals([slot(i) for i in range(96)])  # the whole of 20 Nov
    store.add_intervals([EnergyInterval(MIDNIGHT + dt.timedelta(days=2) + i * SLOT, 900, 50.0, None)
                         for i in range(48)])  # half of 22 Nov, import only
    now = MIDNIGHT + dt.timedelta(days=5)
    week = chart_data(store, View.WEEK, dt.date(2026, 11, 20), DENVER, now)
    by_label = {b.label: b for b in week.bars}
    assert [b.label for b in week.bars] == ["Mon 16", "Tue 17", "Wed 18", "Thu 19", "Fri 20", "Sat 21", "Sun 22"]
    assert by_label["Fri 20"].imported_wh == pytest.approx(9600.0) and by_label["Fri 20"].complete
    assert by_label["Sat 21"].empty and by_label["Thu 19"].empty  # gaps, not zeros
    assert by_label["Sun 22"].exported_wh is None and not by_label["Sun 22"].complete
    month = chart_data(store, View.MONTH, dt.date(2026, 11, 20), DENVER, now)
    assert len(month.bars) == 30 and sum(not b.empty for b in month.bars) == 2
    year = chart_data(store, View.YEAR, dt.date(2026, 11, 20), DENVER, now)
    assert [b.label for b in year.bars if not b.empty] == ["Nov"]
    assert year.bars[10].imported_wh == pytest.approx(9600.0 + 2400.0)


def test_the_system_zone_follows_dst_like_the_zone_database(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "America/Denver")
    time.tzset()
    try:
        for day, slots in ((dt.date(2026, 3, 8), 92), (dt.date(2026, 11, 1), 100), (dt.date(2026, 6, 16), 96)):
            mine, theirs = span(View.DAY, day, SystemZone()), span(View.DAY, day, DENVER)
            assert (mine.start, mine.end, len(mine.buckets)) == (theirs.start, theirs.end, slots)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_damaged_file_is_set_aside_and_the_message_says_what_was_lost(tmp_path):
    path = tmp_path / "history.sqlite3"
    with HistoryStore(path) as first:
        first.add_intervals([slot(i) for i in range(4)])
    data = bytearray(path.read_bytes())
    data[100:4096] = os.urandom(3996)  # the schema page
    path.write_bytes(bytes(data))
    opened = open_history(path)
    try:
        assert opened.in_memory_notice is None and opened.damaged_message
        assert "set aside" in opened.damaged_message
        assert list(tmp_path.glob("history.sqlite3.damaged-*"))
        assert opened.store.intervals() == []
    finally:
        opened.store.close()


def test_an_unwritable_place_means_memory_for_this_run_and_says_so(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    opened = open_history(blocker / "history.sqlite3")
    assert opened.in_memory_notice and opened.in_memory_notice.startswith("History is kept in memory only")
    assert "restart" in opened.in_memory_notice
    opened.store.add_intervals([slot(0)])  # it works, in memory
    assert len(opened.store.intervals()) == 1
