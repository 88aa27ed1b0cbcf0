"""The meter worker in its QThread against the real simulator over real mutual TLS, driven by its faults."""

from __future__ import annotations

import time

import pytest

from xcelsior_desktop.app.meter_worker import MeterThread, MeterWorker
from xcelsior_desktop.app.session_events import SessionEvents
from xcelsior_desktop.session.connection import SessionOptions
from xcelsior_desktop.session.events import DemandRead, DeviceInfoRead, MeterPinned, RegistersRead, StateChanged
from xcelsior_desktop.session.poller import State
from xcelsior_desktop.session.session import MeterSession
from xcelsior_desktop.session.target import MeterTarget


@pytest.fixture
def sim(start_simulator, identity):
    return start_simulator(identity, busy_hold=1.0, seed=3)


class Harness:
    """A worker in its thread, with every event its session published collected on the GUI thread."""

    def __init__(self, qtbot, session: MeterSession) -> None:
        self.worker = MeterWorker(session)
        self.events = SessionEvents(self.worker.session.events)  # on the GUI thread, as the app has them
        self.states: list[State] = []
        self.statuses = []
        self.demand = []
        self.registers = []
        self.info = []
        self.pinned = []
        self.events.on(StateChanged, lambda event: self._status(event.status))
        self.events.on(DemandRead, lambda event: self.demand.append(event.measurement))
        self.events.on(RegistersRead, lambda event: self.registers.append(event.registers))
        self.events.on(DeviceInfoRead, lambda event: self.info.append(event.info))
        self.events.on(MeterPinned, lambda event: self.pinned.append(event.lfdi))
        self.runner = MeterThread(self.worker)
        self.qtbot = qtbot

    def _status(self, status) -> None:
        self.statuses.append(status)
        self.states.append(status.state)

    def wait_state(self, state: State, timeout_s: float = 15.0) -> None:
        self.qtbot.waitUntil(lambda: bool(self.states) and self.states[-1] is state, timeout=int(timeout_s * 1000))


@pytest.fixture
def harness(qtbot, identity, sim):
    made: list[Harness] = []

    def make(**target_changes) -> Harness:
        target = MeterTarget(identity=identity, host=sim.host, port=sim.port, automatic=False).replace(
            **target_changes)
        options = SessionOptions(interval_s=2.0, handshake_timeout=2.0, read_timeout=2.0, connect_timeout=2.0)
        h = Harness(qtbot, MeterSession(target, options))
        made.append(h)
        h.runner.start()
        return h

    yield make
    for h in made:
        assert h.runner.stop(timeout_s=10)


def test_connects_reads_and_pins(harness, sim):
    h = harness()
    h.wait_state(State.CONNECTED)
    h.qtbot.waitUntil(lambda: bool(h.demand and h.registers and h.info), timeout=10_000)
    assert h.pinned == [sim.lfdi]
    assert h.info[0].lfdi == sim.lfdi
    assert isinstance(h.demand[0].value, float)
    assert h.registers[0].delivered_wh is not None
    n = len(h.demand)
    h.qtbot.waitUntil(lambda: len(h.demand) > n, timeout=5000)  # polling continues every 2 s


def test_unregistered_then_registered(harness, sim, identity):
    sim.unregister(identity.cert_pem)
    h = harness()
    h.wait_state(State.WAITING_REGISTRATION)
    status = h.statuses[-1]
    assert status.next_retry is not None and status.next_retry > time.time()
    assert "Launchpad" in status.detail or "refused" in status.detail.lower()
    sim.register(identity.cert_pem)
    h.runner.control.pause.emit(True)  # the user's Resume retries at once (instead of the 60 s back-off)
    h.wait_state(State.PAUSED)
    h.runner.control.pause.emit(False)
    h.wait_state(State.CONNECTED)


def test_refused_after_success_is_certificate_refused(harness, sim, identity):
    h = harness()
    h.wait_state(State.CONNECTED)
    sim.unregister(identity.cert_pem)
    sim.set_fault("reset_mid_response")  # kill the kept-alive connection so the next request handshakes again
    h.wait_state(State.CERT_REFUSED, timeout_s=20)


def test_busy_meter(harness, sim):
    sim.set_fault("busy")
    h = harness()
    h.wait_state(State.BUSY)
    sim.set_fault("busy", enabled=False)


def test_blackhole_is_unreachable_with_since_and_next_retry(harness, sim):
    sim.set_fault("blackhole")
    h = harness()
    h.wait_state(State.UNREACHABLE)
    status = h.statuses[-1]
    assert status.since <= time.time()
    assert status.next_retry is not None and status.next_retry > status.since


def test_stop_while_request_in_flight_does_not_hang(qtbot, identity, sim):
    sim.set_fault("blackhole")
    worker = MeterWorker(MeterSession(MeterTarget(identity=identity, host=sim.host, port=sim.port, automatic=False),
                                      SessionOptions(handshake_timeout=60)))
    runner = MeterThread(worker)
    runner.start()
    qtbot.waitUntil(lambda: sim.log.connections >= 1, timeout=5000)  # the handshake is now blocked
    # stop() joins the thread and says whether it ended: within 10 s, so the abort ended the handshake, which would
    # otherwise have blocked for its whole 60 s timeout
    assert runner.stop(timeout_s=10)


def test_no_identity_state(harness):
    h = harness(identity=None)
    h.wait_state(State.NO_IDENTITY)
