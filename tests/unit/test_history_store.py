"""The history store: idempotent writes, gaps kept as gaps, the meter wins, DST days, rollups, migration, damage."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import zoneinfo

import pytest

from xcelsior_desktop.energy import schema
from xcelsior_desktop.energy.errors import StoreTooNew, StoreUnavailable
from xcelsior_desktop.energy.store import DemandSample, EnergyInterval, HistoryStore, RegisterReading

DENVER = zoneinfo.ZoneInfo("America/Denver")
T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def slots(first: dt.datetime, count: int, imported: float = 10.0, exported: float | None = 1.0) -> list[EnergyInterval]:
    return [EnergyInterval(first + dt.timedelta(minutes=15 * i), 900, imported, exported) for i in range(count)]


@pytest.fixture
def store(tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


def test_default_path_is_in_the_data_folder(isolated_home):
    with HistoryStore() as opened:
        assert opened.path == isolated_home / ".local/share/xcelsior-desktop/history.sqlite3"
        assert opened.path.exists()


def test_adding_the_same_intervals_again_changes_nothing(store):
    assert store.add_intervals(slots(T0, 8)) == 8
    assert store.add_intervals(slots(T0, 8)) == 0
    assert store.add_intervals(slots(T0, 8, imported=11.0)) == 8  # the meter restated them
    got = store.intervals()
    assert [iv.imported_wh for iv in got] == [11.0] * 8
    assert store.first_last() == (T0, at(120))


def test_a_gap_is_no_row_and_a_known_value_is_never_forgotten(store):
    store.add_intervals([*slots(T0, 2), EnergyInterval(at(30), 900, None, None), *slots(at(45), 1)])
    got = store.intervals()
    assert [iv.start for iv in got] == [T0, at(15), at(45)]  # no zero at 00:30
    assert store.gaps() == [(at(30), at(45))]
    # a later read that lacks one direction keeps what was known
    assert store.add_intervals([EnergyInterval(T0, 900, None, 2.0)]) == 1
    assert store.intervals(T0, at(15)) == [EnergyInterval(T0, 900, 10.0, 2.0)]


def test_the_slot_in_progress_is_not_stored(store):
    added = store.add_intervals(slots(T0, 4), not_after=at(50))
    assert added == 3
    assert store.first_last() == (T0, at(45))


def test_all_or_nothing(store):
    bad = [*slots(T0, 3), EnergyInterval(at(45).replace(tzinfo=None), 900, 1.0, 1.0)]
    with pytest.raises(ValueError):
        store.add_intervals(bad)
    assert store.intervals() == []


def test_one_source_never_overlaps_itself(store):
    store.add_intervals([EnergyInterval(T0, 3600, 40.0, None, "greenbutton")])
    store.add_intervals([EnergyInterval(at(30), 1800, 20.0, None, "greenbutton")])
    assert store.intervals_of("greenbutton") == [EnergyInterval(at(30), 1800, 20.0, None, "greenbutton")]


def test_the_meter_wins_where_it_overlaps_another_source(store):
    hourly = [EnergyInterval(at(60 * h), 3600, 40.0, 0.0, "greenbutton") for h in range(3)]
    store.add_intervals(hourly)
    store.add_intervals(slots(at(60), 1))  # one meter slot inside the second hour
    got = store.intervals()
    assert [(iv.start, iv.source) for iv in got] == [(T0, "greenbutton"), (at(60), "meter"), (at(120), "greenbutton")]
    # the other order: meter first, then an overlapping import
    store.add_intervals([EnergyInterval(at(45), 3600, 99.0, None, "other")])
    assert all(iv.source != "other" for iv in store.intervals())
    assert len(store.intervals_of("other")) == 1  # kept as stated, just not in the resolved view


def test_dst_days_have_their_own_length(store):
    # 2026-03-08 is 23 hours in Denver, 2026-11-01 is 25 hours
    for day in (dt.date(2026, 3, 8), dt.date(2026, 11, 1)):
        start = dt.datetime.combine(day, dt.time(), DENVER).astimezone(dt.UTC)
        store.add_intervals(slots(start - dt.timedelta(hours=2), 4 * 30))
    short = store.day_slots(dt.date(2026, 3, 8), DENVER)
    long = store.day_slots(dt.date(2026, 11, 1), DENVER)
    assert (len(short), len(long)) == (92, 100)
    totals = store.daily_totals(dt.date(2026, 3, 7), dt.date(2026, 3, 9), DENVER)
    assert [t.imported_wh for t in totals] == [80.0, 920.0, 200.0]
    assert [t.complete for t in totals] == [False, True, False]
    assert totals[1].length_s == 23 * 3600


def test_totals_agree_on_hour_and_half_hour_zones_and_follow_the_meter_winning(store):
    kolkata = zoneinfo.ZoneInfo("Asia/Kolkata")  # +05:30: local days do not start on a UTC hour
    store.add_intervals(EnergyInterval(at(60 * h), 3600, 40.0, 4.0, "greenbutton") for h in range(72))
    store.add_intervals(slots(at(24 * 60 + 60), 4, imported=1.0, exported=0.0))  # the meter replaces one hour
    expected = 72 * 40.0 - 40.0 + 4 * 1.0
    for tz in (DENVER, kolkata, dt.UTC):
        totals = store.daily_totals(dt.date(2026, 10, 30), dt.date(2026, 11, 5), tz)
        assert sum(t.imported_wh or 0.0 for t in totals) == expected
    slot_sums = sum(iv.imported_wh or 0.0 for iv in store.intervals())
    assert slot_sums == expected


def test_totals_leave_out_periods_without_data(store):
    store.add_intervals(slots(dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC), 4))
    store.add_intervals(slots(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), 4, exported=None))
    months = store.monthly_totals(2026, DENVER)
    assert [(m.start.astimezone(DENVER).month, m.imported_wh, m.exported_wh) for m in months] == [
        (1, 40.0, 4.0),
        (3, 40.0, None),
    ]
    assert months[1].exported_s == 0


def test_demand_rolls_up_to_minutes_after_seven_days(store):
    old = [DemandSample(at(i / 12), 1000.0 + 100 * (i % 12)) for i in range(24)]  # two minutes of 5 s samples
    store.add_demand(old)
    assert len(store.demand(T0, at(2))) == 24
    store.add_demand([DemandSample(at(7 * 24 * 60 + 10), 500.0)])  # a week later: the old ones roll up
    assert store.demand(T0, at(2)) == []
    minutes = store.demand_by_minute(T0, at(2))
    assert [(m.start, m.samples, m.min_w, m.mean_w, m.max_w) for m in minutes] == [
        (T0, 12, 1000.0, 1550.0, 2100.0),
        (at(1), 12, 1000.0, 1550.0, 2100.0),
    ]
    live = store.live_demand(at(7 * 24 * 60 + 10))
    assert [s.watts for s in live] == [500.0]
    # a late sample for an already rolled-up minute merges into it
    store.add_demand([DemandSample(at(0.5), 5000.0)])
    store.roll_up(at(7 * 24 * 60 + 10))
    first = store.demand_by_minute(T0, at(1))[0]
    assert (first.samples, first.max_w) == (13, 5000.0)
    assert first.mean_w == pytest.approx((1550.0 * 12 + 5000.0) / 13)


def test_register_readings_thin_to_one_per_quarter_hour_after_seven_days(store):
    store.add_register_readings(RegisterReading(at(i), 1000.0 + i, 5.0) for i in range(30))
    store.roll_up(at(8 * 24 * 60))
    kept = store.register_readings(T0, at(60))
    assert [r.at for r in kept] == [T0, at(15)]


def test_migrates_a_version_1_file(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE slots (start INTEGER PRIMARY KEY, imported_wh REAL, exported_wh REAL);"
        "CREATE TABLE demand (at_ms INTEGER PRIMARY KEY, watts REAL NOT NULL);"
        "PRAGMA user_version = 1;"
    )
    base = int(T0.timestamp())
    conn.executemany(
        "INSERT INTO slots VALUES (?, ?, ?)", [(base, 10.0, 1.0), (base + 900, None, None), (base + 1800, 12.0, None)]
    )
    conn.execute("INSERT INTO demand VALUES (?, ?)", (base * 1000, 750.0))
    conn.commit()
    conn.close()
    with HistoryStore(path) as store:
        assert store.intervals() == [EnergyInterval(T0, 900, 10.0, 1.0), EnergyInterval(at(30), 900, 12.0, None)]
        assert store.demand(T0, at(1)) == [DemandSample(T0, 750.0)]
        assert store.user_message is None
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA user_version").fetchone()[0] == schema.CURRENT_VERSION
    check.close()


def test_a_damaged_file_is_set_aside_and_a_fresh_one_started(tmp_path):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not a database at all" * 100)
    with HistoryStore(path) as store:
        assert store.set_aside_path is not None and store.set_aside_path.exists()
        assert store.set_aside_path.read_bytes().startswith(b"this is not")
        assert store.user_message and "set aside" in store.user_message
        assert store.add_intervals(slots(T0, 1)) == 1


def test_a_file_with_damaged_pages_is_set_aside_too(tmp_path):
    path = tmp_path / "history.sqlite3"
    with HistoryStore(path) as store:
        store.add_intervals(slots(T0, 4 * 24 * 20))
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    assert len(data) > 8 * page
    data[3 * page : 6 * page] = b"\xa5" * (3 * page)  # three interior pages overwritten, the header intact
    path.write_bytes(bytes(data))
    with HistoryStore(path) as store:
        assert store.set_aside_path is not None and store.set_aside_path.read_bytes() == bytes(data)
        assert store.user_message and "damaged" in store.user_message
        assert store.intervals() == []


def test_a_file_from_a_newer_app_is_left_alone(tmp_path):
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreTooNew) as caught:
        HistoryStore(path)
    assert "newer version" in caught.value.user_message
    assert path.exists()


def test_an_unwritable_folder_raises_with_a_user_message(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(StoreUnavailable) as caught:
        HistoryStore(blocker / "history.sqlite3")
    assert "cannot be saved" in caught.value.user_message


def test_a_full_disk_raises_with_a_user_message_and_keeps_the_data(store):
    store.add_intervals(slots(T0, 4))
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]  # the real SQLITE_FULL path: cap the file
    store._conn.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreUnavailable) as caught:
        store.add_intervals(slots(at(60), 4 * 24 * 30))
    assert "disk is full" in caught.value.user_message
    assert len(store.intervals()) == 4


def test_two_programs_write_one_file_without_locking_errors(tmp_path):
    path = tmp_path / "history.sqlite3"
    errors: list[BaseException] = []

    def writer(offset_days: int) -> None:
        try:
            with HistoryStore(path) as mine:
                for day in range(10):
                    start = T0 + dt.timedelta(days=offset_days + day)
                    mine.add_intervals(slots(start, 96))
                    mine.add_demand([DemandSample(start, 100.0 + offset_days)])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    HistoryStore(path).close()
    threads = [threading.Thread(target=writer, args=(n * 10,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with HistoryStore(path) as store:
        assert len(store.intervals()) == 30 * 96
        assert store.gaps() == []
