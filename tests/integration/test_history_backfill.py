"""The history backfill over real mutual TLS against the simulator: 30 days, gaps from faults, roll-over, idempotence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.clocks import FixedClock
from tests.simulators import model_slots
from xcelsior_desktop.energy.backfill import Backfill
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.meter import Unreachable
from xcelsior_desktop.meter.channels import Channel
from xcelsior_desktop.meter.client import MeterClient
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.meter.profile import MeterProfile
from xcelsior_desktop.meter.transport import HttpResult
from xcelsior_desktop.simulator import MeterSimulator

T0 = 1791261644  # 2026-10-06 04:40:44 UTC, the capture's time
SLOT = 900
SET = 43_200


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def sim(start_simulator, identity: Identity, clock: FixedClock) -> MeterSimulator:
    return start_simulator(identity, clock=clock, idle_timeout=5.0)


@pytest.fixture
def client(sim: MeterSimulator, identity: Identity) -> Iterator[MeterClient]:
    with MeterClient(sim.host, sim.port, identity=identity, connect_timeout=2.0, handshake_timeout=3.0,
                     read_timeout=3.0) as opened:
        yield opened


@pytest.fixture
def store(tmp_path) -> Iterator[HistoryStore]:
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


class CountingGet:
    def __init__(self, client: MeterClient) -> None:
        self.client = client
        self.paths: list[str] = []

    def __call__(self, path: str) -> HttpResult:
        self.paths.append(path)
        return self.client.transport.get(path)


def oldest_set_start(now: int) -> int:
    return (now // SET - 59) * SET


def job(client: MeterClient, profile: MeterProfile, store: HistoryStore, clock: FixedClock, **kw: object) -> Backfill:
    return Backfill(CountingGet(client), profile, store, clock.utc, **kw)  # type: ignore[arg-type]


def test_backfills_the_meters_30_days_and_a_second_sync_adds_nothing(client, store, sim, clock) -> None:
    profile = client.ensure_profile()
    first = job(client, profile, store, clock)
    summary = first.run()
    closed_end = T0 - T0 % SLOT
    want = model_slots(sim, oldest_set_start(T0), closed_end)
    assert len(want) > 29 * 96
    assert store.intervals() == want
    assert summary.new_slots == len(want) and summary.gap_sets == []
    assert (summary.first, summary.last) == (want[0].start, want[-1].end)
    assert summary.line() == f"synced {len(want)} new slots (2026-09-06T12:00:00Z .. 2026-10-06T04:30:00Z)"
    assert summary.gets == len(first.get.paths) <= 150  # type: ignore[attr-defined]
    assert all("l=100" in path for path in first.get.paths)  # type: ignore[attr-defined]

    again = job(client, profile, store, clock).run()
    assert (again.new_slots, again.gets) == (0, 2)  # only the two listings
    assert store.intervals() == want


def test_the_slot_in_progress_is_not_stored(client, store, sim, clock) -> None:
    profile = client.ensure_profile()
    behind = FixedClock(T0 - 20 * 60)  # our idea of the meter's time lags: 04:20:44, the 04:15 slot is still open
    job(client, profile, store, behind).run()
    newest = store.newest_meter_slot()
    assert newest is not None and newest.end == dt.datetime(2026, 10, 6, 4, 15, tzinfo=dt.UTC)


def test_an_empty_answer_is_a_gap_filled_by_the_next_backfill(client, store, sim, clock) -> None:
    profile = client.ensure_profile()
    delivered = profile.get(Channel.INTERVAL_DELIVERED_WH)
    assert delivered is not None and delivered.reading_set_list_href
    newest_id = sim._server.resources.set_id(T0 // SET - 3)  # a set from a day and a half ago
    sim.set_fault("empty_body", path=f"{delivered.reading_set_list_href}/{newest_id}/r")
    first = job(client, profile, store, clock).run()
    assert first.gap_sets == [f"{delivered.reading_set_list_href}/{newest_id}/r"]
    gap_start = (T0 // SET - 3) * SET
    in_gap = store.intervals(dt.datetime.fromtimestamp(gap_start, dt.UTC),
                             dt.datetime.fromtimestamp(gap_start + SET, dt.UTC))
    assert len(in_gap) == 48 and all(iv.imported_wh is None and iv.exported_wh is not None for iv in in_gap)

    sim.set_fault("empty_body", False)
    second = job(client, profile, store, clock).run()
    assert second.new_slots == 0 and second.gets == 3  # two listings and the one set that was a gap
    assert store.intervals() == model_slots(sim, oldest_set_start(T0), T0 - T0 % SLOT)


def test_an_outage_mid_backfill_loses_nothing_and_the_job_resumes(client, store, sim, clock) -> None:
    profile = client.ensure_profile()
    running = job(client, profile, store, clock)
    for _ in range(20):
        assert running.step()
    stored_before = len(store.intervals())
    assert stored_before > 0
    sim.set_fault("outage", seconds=0)
    with pytest.raises(Unreachable):
        running.step()
    assert len(store.intervals()) == stored_before  # what was read stays; no zeros for the rest
    assert all(iv.imported_wh is not None for iv in store.intervals() if iv.exported_wh is None)
    sim.set_fault("outage", False)
    while running.step():
        pass
    assert store.intervals() == model_slots(sim, oldest_set_start(T0), T0 - T0 % SLOT)


def test_sets_rolling_over_while_paging(client, store, sim, clock) -> None:
    clock.t = (T0 // SET + 1) * SET - 60  # a minute before a new set begins
    profile = client.ensure_profile()
    get = CountingGet(client)
    running = Backfill(get, profile, store, clock.utc, page_limit=25)
    assert running.step()  # first page of 25 sets of the first direction
    clock.t += 2 * 3600  # the newest set rolls over: every set moves one place down the list
    while running.step():
        pass
    listing = [p for p in get.paths if p.split("?")[0].endswith("/rs")]
    assert [p.rsplit("?", 1)[1] for p in listing[:3]] == ["s=0&l=25", "s=25&l=25", "s=50&l=25"]
    now = int(clock.t)
    want = model_slots(sim, oldest_set_start(now), now - now % SLOT)
    got = store.intervals()
    # nothing lost, nothing twice: the set that rolled away during the listing is only older than the meter holds
    assert [iv.start for iv in got] == sorted({iv.start for iv in got})
    assert got[-len(want):] == want


def test_closed_slots_are_read_with_a_couple_of_gets(client, store, sim, clock) -> None:
    profile = client.ensure_profile()
    backfill = job(client, profile, store, clock)
    backfill.run()
    clock.t += 40 * 60  # 05:20:44: the 04:30, 04:45 and 05:00 slots have closed
    follow = Backfill.closed_slots(CountingGet(client), profile, store, clock.utc, backfill.newest_sets)
    summary = follow.run()
    assert summary.new_slots == 3 and summary.gets == 2
    now = int(clock.t)
    assert store.intervals()[-3:] == model_slots(sim, now - now % SLOT - 3 * SLOT, now - now % SLOT)

    clock.t = (T0 // SET + 1) * SET + 20 * 60  # 12:20: a new set began since
    follow = Backfill.closed_slots(CountingGet(client), profile, store, clock.utc, backfill.newest_sets)
    summary = follow.run()
    assert summary.gets <= 6
    now = int(clock.t)
    assert store.intervals() == model_slots(sim, oldest_set_start(T0), now - now % SLOT)
