"""The history recorder on the meter session against the simulator over real mutual TLS: the 30 days backfilled
through the session's one connection while demand keeps arriving, every reading stored, today from the store, and
a gap (the meter unreachable while slots closed) read once contact is back."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from tests.clocks import SteppedClock
from tests.simulators import model_slots, running_simulator
from tests.waiting import wait_until
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.meter.identity import Identity, generate_identity
from xcelsior_desktop.session.commands import SetIdentity, UseHistory
from xcelsior_desktop.session.connection import SessionOptions
from xcelsior_desktop.session.events import DemandRead, Event, RegistersRead, StateChanged, TodayChanged
from xcelsior_desktop.session.history_recorder import BACKFILL_JOB, RECENT_JOB, HistoryRecorder
from xcelsior_desktop.session.poller import State
from xcelsior_desktop.session.session import MeterSession
from xcelsior_desktop.session.target import MeterTarget
from xcelsior_desktop.simulator import MeterSimulator

SLOT = 900
STEPS = 2000  # a backfill is about 120 GETs, one per step, between live reads
SET = 43_200
OPTIONS = SessionOptions(interval_s=2.0, register_interval_s=4.0, connect_timeout=2.0, handshake_timeout=3.0,
                         read_timeout=3.0)


class MeterClock:
    """The simulator's clock: real time plus an offset the test moves (slots close while the meter is away)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def meter_clock() -> MeterClock:
    return MeterClock()


@pytest.fixture
def sim(start_simulator, identity: Identity, meter_clock: MeterClock) -> MeterSimulator:
    return start_simulator(identity, seed=4, clock=meter_clock, idle_timeout=10.0)


class Running:
    """A session stepped by its own thread, the way the app's meter thread does (woken by commands)."""

    def __init__(self, session: MeterSession) -> None:
        self.session = session
        self.events: list[Event] = []
        self.backfilling_at_demand: list[bool] = []
        self._woken = threading.Event()
        self._stop = threading.Event()
        session.wake = self._woken.set
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        self.session.start()
        while not self._stop.is_set():
            wait = self.session.step()
            self._woken.wait(0.5 if wait is None else min(wait, 0.5))
            self._woken.clear()
        self.session.stop()

    def until(self, condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
        wait_until(condition, timeout, what, pause=self._stop.wait, gave_up=lambda: not self.thread.is_alive())

    def stop(self) -> None:
        self._stop.set()
        self._woken.set()
        self.thread.join(10)

    def of(self, kind: type) -> list:
        return [e for e in list(self.events) if isinstance(e, kind)]


@pytest.fixture
def run(sim: MeterSimulator, identity: Identity, tmp_path) -> Iterator[tuple[Running, HistoryRecorder, HistoryStore]]:
    store = HistoryStore(tmp_path / "history.sqlite3")
    session = MeterSession(MeterTarget(identity=identity, host=sim.host, port=sim.port, automatic=False), OPTIONS)
    recorder = HistoryRecorder(store, session.post, tz=dt.UTC)
    running = Running(session)
    session.events.on_any(running.events.append)
    session.events.on_any(lambda e: running.backfilling_at_demand.append(recorder.backfilling)
                      if isinstance(e, DemandRead) else None)
    session.post(UseHistory(recorder))
    running.thread.start()
    yield running, recorder, store
    running.stop()
    store.close()


def names(recorder: HistoryRecorder) -> list[str]:
    return [name for name, _ in recorder.summaries]


def test_backfill_through_the_session_while_demand_keeps_arriving(run, sim, meter_clock) -> None:
    running, recorder, store = run
    sim.set_fault("latency", seconds=0.03)  # ~120 GETs: a few seconds, so demand polls fall inside the backfill
    running.until(lambda: BACKFILL_JOB in names(recorder), "the backfill")
    assert names(recorder) == [RECENT_JOB, BACKFILL_JOB]  # today's sets first, then everything else
    now = int(meter_clock())
    closed_end = now - now % SLOT
    newest_set = now - now % SET
    stored = store.intervals()
    assert stored[0].start == dt.datetime.fromtimestamp(newest_set - 59 * SET, dt.UTC)  # all the meter holds
    assert len(stored) > 29 * 96
    # each direction is its own reading set: across a slot boundary during the backfill the newest slot may hold one
    # direction yet (the other is a gap until the next read), so compare every slot but the newest closed one
    settled = closed_end - SLOT
    assert [s for s in stored if s.end.timestamp() <= settled] == model_slots(
        sim, newest_set - 59 * SET, min(settled, int(stored[-1].end.timestamp())))
    assert int(stored[-1].end.timestamp()) >= closed_end - SLOT  # the newest closed slot, or it is being filed
    assert sum(1 for b in running.backfilling_at_demand if b) >= 1  # demand went on during the backfill
    assert sim.log.max_concurrent == 1  # the session's one connection: no second client for the history
    assert len(running.session.history_reads) == 1 and 0 < running.session.history_reads[0] <= 12

    # every reading went to the store
    demand = running.of(DemandRead)
    first_read = demand[0].measurement.timestamp
    samples = store.demand(first_read, dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    assert [s.watts for s in samples][: len(demand)] == [float(e.measurement.value) for e in demand][: len(samples)]
    assert len(store.register_readings(first_read - dt.timedelta(minutes=1),
                                       dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))) >= len(
        running.of(RegistersRead)) - 1
    # today comes from the store: since midnight (UTC here), from the meter's slots
    running.until(lambda: any(e.today.intervals_s > 0 for e in running.of(TodayChanged)), "today")
    today = [e.today for e in running.of(TodayChanged)][-1]
    midnight = dt.datetime.fromtimestamp(now - now % 86_400, dt.UTC)
    assert today.since == midnight and today.intervals_s >= ((closed_end - midnight.timestamp()) // SLOT - 1) * SLOT


def test_a_gap_is_read_once_contact_is_back(run, sim, meter_clock) -> None:
    running, recorder, store = run
    running.until(lambda: BACKFILL_JOB in names(recorder), "the first backfill")
    before = store.newest_meter_slot()
    assert before is not None
    sim.set_fault("outage", seconds=0)
    running.until(lambda: running.session.state is State.UNREACHABLE, "unreachable")
    meter_clock.offset += 2 * 3600  # two hours of slots close while the meter is away
    sim.set_fault("outage", False)
    running.until(lambda: names(recorder).count(BACKFILL_JOB) == 2, "the backfill after the gap", timeout=90)
    after = store.newest_meter_slot()
    assert after is not None and after.end >= before.end + dt.timedelta(hours=1, minutes=45)
    newest_set = int(meter_clock()) - int(meter_clock()) % SET
    stored = store.intervals()  # a set the meter rolled away meanwhile stays in the history
    assert stored[0].start <= dt.datetime.fromtimestamp(newest_set - 59 * SET, dt.UTC)
    assert stored == model_slots(sim, int(stored[0].start.timestamp()), int(stored[-1].end.timestamp()))  # no hole
    assert any(isinstance(e, StateChanged) and e.status.state is State.CONNECTED for e in running.events)
    assert sim.log.max_concurrent == 1


def stepped_recorder(identity: Identity, sim: MeterSimulator, store: HistoryStore,
                     clock: SteppedClock) -> tuple[MeterSession, HistoryRecorder]:
    """A started session with the recorder installed, both on ``clock``, for the test to step
    (``clock.step_until(session.step, ...)``)."""
    session = MeterSession(MeterTarget(identity=identity, host=sim.host, port=sim.port, automatic=False), OPTIONS,
                           monotonic=lambda: clock.mono, wall=lambda: clock.wall)
    recorder = HistoryRecorder(store, session.post, tz=dt.UTC, wall=lambda: clock.wall)
    session.post(UseHistory(recorder))
    session.start()
    return session, recorder


def test_after_the_computer_slept_the_missed_slots_are_backfilled(identity, tmp_path) -> None:
    clock = SteppedClock()
    with running_simulator(identity, seed=4, clock=lambda: clock.wall, idle_timeout=600.0) as sim, \
            HistoryStore(tmp_path / "history.sqlite3") as store:
        session, recorder = stepped_recorder(identity, sim, store, clock)

        clock.step_until(session.step, lambda: BACKFILL_JOB in names(recorder), STEPS)
        before = store.newest_meter_slot()
        assert before is not None
        clock.wall += 3 * 3600  # the lid closed for three hours: the wall clock jumps, the monotonic one does not
        clock.step_until(session.step, lambda: names(recorder).count(BACKFILL_JOB) == 2, STEPS)
        after = store.newest_meter_slot()
        assert after is not None and after.end >= before.end + dt.timedelta(hours=2, minutes=45)
        stored = store.intervals()  # what the meter rolled away meanwhile stays: the history outlives the meter
        assert stored == model_slots(sim, int(stored[0].start.timestamp()), int(stored[-1].end.timestamp()))
        session.stop()
        assert sim.log.max_concurrent == 1


def test_a_backfill_goes_on_across_a_probe_and_a_certificate_switch(identity, tmp_path) -> None:
    """A renewal probes with the new certificate mid-backfill, then the app switches to it and the meter stops
    accepting the old one: the backfill reads on through the session's new connection, never through the closed
    one, and the state never leaves Connected (it once turned "unreachable", then "certificate refused")."""
    clock = SteppedClock()
    renewed = generate_identity()
    with running_simulator(identity, seed=4, clock=lambda: clock.wall, idle_timeout=600.0) as sim, \
            HistoryStore(tmp_path / "history.sqlite3") as store:
        session, recorder = stepped_recorder(identity, sim, store, clock)
        events: list[Event] = []
        session.events.on_any(events.append)

        clock.step_until(session.step, lambda: recorder.backfilling and len(store.intervals()) > 96, STEPS)
        connected_from = len(events)
        sim.register(renewed.cert_pem)
        probe = session.probe(renewed, sim.host, sim.port)
        clock.step_until(session.step, lambda: probe.result.done(), STEPS)
        assert probe.result.result().accepted and recorder.backfilling
        clock.step_until(session.step, lambda: len(store.intervals()) > 2 * 96, STEPS)  # read on after the probe
        session.post(SetIdentity(renewed, registered=True))
        sim.unregister(identity.cert_pem)  # from now on only the renewed certificate reads the meter
        clock.step_until(session.step, lambda: not recorder.backfilling, STEPS)
        assert names(recorder).count(BACKFILL_JOB) == 1  # one backfill, never stopped and started over
        newest_set = int(clock.wall) - int(clock.wall) % SET
        stored = store.intervals()
        assert stored[0].start == dt.datetime.fromtimestamp(newest_set - 59 * SET, dt.UTC)
        assert stored == model_slots(sim, int(stored[0].start.timestamp()), int(stored[-1].end.timestamp()))
        states = {e.status.state for e in events[connected_from:] if isinstance(e, StateChanged)}
        assert states <= {State.CONNECTED, State.CONNECTING}, states
        assert session.state is State.CONNECTED
        session.stop()
        assert sim.log.max_concurrent == 1
