"""The fault matrix: each simulator fault switched on while a real :class:`MeterSession` is connected,
then off again, in real time over real mutual TLS. Shared by ``tests/integration/test_fault_matrix.py`` (short
timeouts, short fault parameters) and ``bench/faults.py`` (the demo's settings).

One row = one simulator, one session stepped by a small loop on its own thread (as the app's meter thread steps
it), every event kept with the monotonic time it arrived. Rows are independent, so :func:`run_matrix` runs them
side by side: the slowest row (stuck demand needs a minute of repeats before it is called stale) sets the time.

Faults that act on the TLS handshake (busy, blackhole, handshake_failure, slow_handshake) only meet a new
connection, and at 5 s polling the session's kept-alive connection never idles out: after switching such a fault
on, the row pauses and resumes polling (the connection is released, as when the user pauses or the computer
sleeps), so the next demand read opens a new connection that meets the fault.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from xcelsior_desktop.meter.identity import Identity, generate_identity
from xcelsior_desktop.meter.values import IntervalEnergy
from xcelsior_desktop.session.commands import Job, Pause
from xcelsior_desktop.session.connection import MeterClientLike, ProfileStore, SessionOptions, default_client_factory
from xcelsior_desktop.session.events import DemandRead, Event, ReadingFlagged, RegistersRead, StateChanged
from xcelsior_desktop.session.plausibility import MAX_POWER_W
from xcelsior_desktop.session.poller import State
from xcelsior_desktop.session.session import MeterSession
from xcelsior_desktop.session.target import MeterTarget
from xcelsior_desktop.simulator import MeterSimulator

RECONNECT_FAULTS = frozenset({"busy", "blackhole", "handshake_failure", "slow_handshake"})
EPOCH_FLOOR = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # a summation stamped before this is the 1970 "start 0"


@dataclass(frozen=True)
class FaultCase:
    """One row: the fault, its parameters, and what the session must show while it is on."""

    fault: str
    params: dict[str, Any]
    shows: State  # the state the window must reach while the fault is on
    allowed: frozenset[State]  # every state it may show meanwhile (anything else is a finding)
    flag: str | None = None  # a ReadingFlagged of this kind ("demand", "registers") must be emitted
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.fault

    @property
    def reconnect(self) -> bool:
        return self.fault in RECONNECT_FAULTS


def cases(*, quick: bool) -> list[FaultCase]:
    """Every fault of the simulator. ``quick``: parameters scaled to the test's short timeouts (read timeout 1 s,
    handshake timeout 2 s); else the simulator's defaults against the demo's timeouts."""
    ok = frozenset({State.CONNECTED})
    ok_or_stale = frozenset({State.CONNECTED, State.STALE})
    away = frozenset({State.CONNECTED, State.UNREACHABLE})
    stall = {"seconds": 1.5} if quick else {}
    flaky = {"seconds": 1.5} if quick else {}  # the field rate: 1 request in 20 stalls
    slow = {"seconds": 1.0} if quick else {}
    return [
        FaultCase("outage", {"seconds": 0}, State.UNREACHABLE, away),
        FaultCase("blackhole", {}, State.UNREACHABLE, away | {State.PAUSED}),
        FaultCase("busy", {}, State.BUSY, frozenset({State.CONNECTED, State.BUSY, State.PAUSED})),
        FaultCase("read_stall", stall, State.STALE, ok_or_stale),
        FaultCase("malformed_xml", {}, State.STALE, ok_or_stale),
        FaultCase("empty_body", {}, State.STALE, ok_or_stale),
        FaultCase("reset_mid_response", {}, State.STALE, ok_or_stale),
        FaultCase("flaky_reads", flaky, State.CONNECTED, ok_or_stale),
        FaultCase("handshake_failure", {}, State.CONNECTED, ok | {State.PAUSED}),
        FaultCase("slow_handshake", slow, State.CONNECTED, ok | {State.PAUSED}),
        FaultCase("spike", {"target": "demand"}, State.STALE, ok_or_stale, flag="demand",
                  label="spike (demand)"),
        FaultCase("spike", {"target": "delivered"}, State.CONNECTED, ok_or_stale, flag="registers",
                  label="spike (import register)"),
        FaultCase("frozen_register", {}, State.CONNECTED, ok_or_stale),
        FaultCase("stuck_demand", {}, State.STALE, ok_or_stale, flag="demand"),
        FaultCase("empty_intervals", {}, State.CONNECTED, ok_or_stale),
        FaultCase("zero_start", {}, State.CONNECTED, ok_or_stale),
        FaultCase("latency", {"seconds": 0.25}, State.CONNECTED, ok_or_stale),
    ]


QUICK_OPTIONS = SessionOptions(interval_s=2.0, register_interval_s=4.0, connect_timeout=1.0, handshake_timeout=2.0,
                               read_timeout=1.0, read_history=False)
DEMO_OPTIONS = SessionOptions()  # the app's and the demo's: 5 s polling, real timeouts


@dataclass
class RowResult:
    """What one row saw. Times are monotonic seconds."""

    case: FaultCase
    on_at: float = 0.0
    off_at: float = 0.0
    states_on: list[State] = field(default_factory=list)  # states shown while the fault was on, in order
    shown: State | None = None  # the state shown when the fault went off
    watts_back_s: float | None = None  # from the fault switched off to the next DemandRead
    attempts_on: int = 0  # TCP connects and port probes while the fault was on
    max_concurrent: int = 0
    flags: list[ReadingFlagged] = field(default_factory=list)  # while the fault was on
    demand_on: list[float] = field(default_factory=list)  # watts of every DemandRead while it was on
    demand_after_stale: int = 0  # DemandReads between the first "stale" flag and the fault going off
    registers_on: list[RegistersRead] = field(default_factory=list)
    baseline_delivered_wh: float | None = None  # the last import register read before the fault
    intervals_on: list[IntervalEnergy] = field(default_factory=list)  # read by a job while the fault was on
    impossible_demand: list[float] = field(default_factory=list)  # DemandReads beyond the service, whole run
    error: str = ""
    sim_events: list[str] = field(default_factory=list)  # the simulator's last events, kept when it saw two at once

    @property
    def attempts_per_minute(self) -> float:
        seconds = self.off_at - self.on_at
        return self.attempts_on * 60.0 / seconds if seconds > 0 else 0.0


class Recorder:
    """Every session event with the monotonic time it arrived; waits on conditions over them."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self.events: list[tuple[float, Event]] = []

    def __call__(self, event: Event) -> None:
        with self._lock:
            self.events.append((time.monotonic(), event))
            self._lock.notify_all()

    def since(self, at: float, kind: type | None = None) -> list[tuple[float, Any]]:
        with self._lock:
            return [(t, e) for t, e in self.events if t >= at and (kind is None or isinstance(e, kind))]

    def wait(self, condition: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(min(remaining, 0.5))  # also wakes for time-based conditions
        return True


class SessionLoop:
    """Steps a session in real time on its own thread, as the app's meter thread does."""

    def __init__(self, session: MeterSession) -> None:
        self.session = session
        self._wake = threading.Event()
        self._quit = threading.Event()
        session.wake = self._wake.set
        self._thread = threading.Thread(target=self._run, name="fault-matrix-session", daemon=True)

    def _run(self) -> None:
        self.session.start()
        try:
            while not self._quit.is_set():
                wait = self.session.step()
                self._wake.wait(1.0 if wait is None else min(max(wait, 0.0), 1.0))
                self._wake.clear()
        finally:
            self.session.stop()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._quit.set()
        self.session.abort()
        self._wake.set()
        self._thread.join(timeout=60)


class CountingFactory:
    """The session's real client factory, keeping the clients it made so their connection counters add up."""

    def __init__(self) -> None:
        self.clients: list[MeterClientLike] = []

    def __call__(self, target: MeterTarget, options: SessionOptions,
                 profiles: ProfileStore | None) -> MeterClientLike:
        client = default_client_factory(target, options, profiles)
        self.clients.append(client)
        return client

    def attempts(self) -> int:
        """TCP connections attempted (for a handshake, or a plain port probe), refused and timed out included."""
        return sum(c.stats.tcp_connects + c.stats.probes for c in list(self.clients))


@contextmanager
def running_row(identity: Identity, options: SessionOptions, *, seed: int,
                busy_hold: float) -> Iterator[tuple[MeterSimulator, MeterSession, Recorder, CountingFactory]]:
    with MeterSimulator(host="127.0.0.1", port=0, allowed_certs=[identity.cert_pem], seed=seed,
                        busy_hold=busy_hold) as sim:
        factory = CountingFactory()
        target = MeterTarget(identity=identity, host=sim.host, port=sim.port, automatic=False)
        session = MeterSession(target, options, client_factory=factory)
        recorder = Recorder()
        session.events.on_any(recorder)
        loop = SessionLoop(session)
        loop.start()
        try:
            yield sim, session, recorder, factory
        finally:
            loop.stop()


def _shown_since(recorder: Recorder, at: float) -> list[State]:
    return [e.status.state for _, e in recorder.since(at, StateChanged)]


def _reached(case: FaultCase, session: MeterSession, recorder: Recorder, on_at: float, min_reads: int) -> bool:
    """The fault has shown: its state (for "Connected": demand still arriving), and its flag when it has one."""
    if case.flag is not None and not any(e.what == case.flag for _, e in recorder.since(on_at, ReadingFlagged)):
        return False
    if case.fault == "zero_start" and not recorder.since(on_at, RegistersRead):
        return False
    if case.shows is State.CONNECTED:
        return session.state is State.CONNECTED and len(recorder.since(on_at, DemandRead)) >= min_reads
    return case.shows in _shown_since(recorder, on_at)


def _interval_job(result: RowResult) -> Job:
    """Read the last three hours of the 15-minute history through the session's connection (as backfill does)."""

    def step(client: MeterClientLike) -> bool:
        since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
        result.intervals_on.extend(client.intervals(since))
        return False

    return Job("fault matrix: intervals", step)


def run_row(case: FaultCase, options: SessionOptions, *, hold_s: float, reach_timeout_s: float = 150.0,
            back_timeout_s: float = 60.0, seed: int = 0, busy_hold: float = 5.0,
            identity: Identity | None = None) -> RowResult:
    """Connect, switch the fault on, hold it at least ``hold_s`` and until its state shows (at most
    ``reach_timeout_s``), switch it off and wait (at most ``back_timeout_s``) for the next DemandRead."""
    identity = identity or generate_identity()
    result = RowResult(case)
    with running_row(identity, options, seed=seed, busy_hold=busy_hold) as (sim, session, recorder, factory):
        if not recorder.wait(lambda: bool(recorder.since(0, DemandRead)) and session.state is State.CONNECTED,
                             60.0):
            result.error = "no first DemandRead within 60 s"
            return result
        if case.flag == "registers" or case.fault == "zero_start":  # a register baseline before the fault
            recorder.wait(lambda: bool(recorder.since(0, RegistersRead)), 60.0)
        registers = [e.registers for _, e in recorder.since(0, RegistersRead)]
        result.baseline_delivered_wh = registers[-1].delivered_wh if registers else None
        result.on_at = on_at = time.monotonic()
        attempts_before = factory.attempts()
        sim.set_fault(case.fault, True, **case.params)
        if case.reconnect:  # the fault meets only a new connection: release ours (pause and resume)
            session.post(Pause(True))
            session.post(Pause(False))
        job: Job | None = None
        if case.fault == "empty_intervals":
            job = _interval_job(result)
            session.post(job)
        min_reads = 3
        reached = recorder.wait(lambda: _reached(case, session, recorder, on_at, min_reads), reach_timeout_s)
        if job is not None:
            try:
                job.result.result(timeout=60)
            except Exception as exc:  # noqa: BLE001 - reported with the row
                result.error = f"the interval job failed: {exc}"
        remaining = on_at + hold_s - time.monotonic()
        if remaining > 0:
            recorder.wait(lambda: False, remaining)
        if not reached:
            result.error = result.error or f"{case.shows.value} not shown within {reach_timeout_s:g} s"
        result.states_on = _shown_since(recorder, on_at)
        result.shown = session.state
        result.off_at = off_at = time.monotonic()
        result.attempts_on = factory.attempts() - attempts_before
        sim.set_fault(case.fault, False)
        if recorder.wait(lambda: bool(recorder.since(off_at, DemandRead)), back_timeout_s):
            result.watts_back_s = recorder.since(off_at, DemandRead)[0][0] - off_at
        elif not result.error:
            result.error = f"no DemandRead within {back_timeout_s:g} s of the fault going off"
        flagged = [(t, e) for t, e in recorder.since(on_at, ReadingFlagged) if t < off_at]
        result.flags = [e for _, e in flagged]
        result.demand_on = [e.measurement.value for t, e in recorder.since(on_at, DemandRead) if t < off_at]
        stale_at = [t for t, e in flagged if e.what == "demand" and "repeated" in e.reason]
        if stale_at:
            result.demand_after_stale = len([t for t, _ in recorder.since(stale_at[0], DemandRead) if t < off_at])
        result.registers_on = [e for t, e in recorder.since(on_at, RegistersRead) if t < off_at]
        result.impossible_demand = [e.measurement.value for _, e in recorder.since(0, DemandRead)
                                    if abs(e.measurement.value) > MAX_POWER_W]
    result.max_concurrent = sim.log.max_concurrent
    if result.max_concurrent > 1:
        result.sim_events = sim.log.events[-20:]
    return result


def run_matrix(rows: list[FaultCase], options: SessionOptions, *, hold_s: float, busy_hold: float,
               workers: int | None = None, **kwargs: Any) -> list[RowResult]:
    """Every row side by side (each has its own simulator and session), results in the rows' order."""
    identity = generate_identity()

    def one(case: FaultCase) -> RowResult:
        try:
            # One household for every row (the rows differ by fault): its model is built once, not once a row
            return run_row(case, options, hold_s=hold_s, busy_hold=busy_hold, identity=identity, **kwargs)
        except Exception as exc:  # noqa: BLE001 - one row's crash is that row's finding
            return dataclasses.replace(RowResult(case), error=f"{type(exc).__name__}: {exc}")

    with ThreadPoolExecutor(max_workers=workers or len(rows), thread_name_prefix="fault-row") as pool:
        return list(pool.map(one, rows))
