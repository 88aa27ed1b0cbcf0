"""The Qt-free meter session against the simulator over real mutual TLS, stepped by the test's own loop.

The clocks are injected (the poller's schedule runs on them); the meter is real. Each test steps the session the
way the app's meter thread does and checks the events, the target and the one-connection rule.
"""

from __future__ import annotations

import pytest

from tests.clocks import SteppedClock
from xcelsior_desktop.meter.errors import Unreachable
from xcelsior_desktop.meter.identity import generate_identity
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.commands import Job, Pause, SetAddress, SetIdentity, SetTarget
from xcelsior_desktop.session.connection import MeterClientLike, SessionOptions
from xcelsior_desktop.session.events import (
    DemandRead,
    DeviceInfoRead,
    Event,
    RegistersRead,
    StateChanged,
    TargetChanged,
)
from xcelsior_desktop.session.meters_file import load_targets, save_target
from xcelsior_desktop.session.poller import State
from xcelsior_desktop.session.session import MeterSession
from xcelsior_desktop.session.target import MeterTarget

FAST = SessionOptions(interval_s=2.0, connect_timeout=2.0, handshake_timeout=3.0, read_timeout=3.0,
                      read_history=False)


@pytest.fixture
def sim(start_simulator, identity):
    return start_simulator(identity, seed=11, busy_hold=1.0)


def make(target: MeterTarget, clock: SteppedClock) -> tuple[MeterSession, list[Event]]:
    session = MeterSession(target, FAST, monotonic=lambda: clock.mono, wall=lambda: clock.wall)
    events: list[Event] = []
    session.events.on_any(events.append)
    session.start()
    return session, events


def of(events: list[Event], kind: type) -> list:
    return [e for e in events if isinstance(e, kind)]


def test_first_contact_reads_pins_and_reports_the_target(sim, identity):
    clock = SteppedClock()
    session, events = make(MeterTarget(identity=identity, host=sim.host, port=sim.port, automatic=False), clock)
    clock.step_until(session.step, lambda: bool(of(events, DemandRead) and of(events, RegistersRead)))
    assert of(events, DeviceInfoRead)[0].info.lfdi == sim.lfdi
    assert session.target.meter_lfdi == sim.lfdi and session.target.registered
    changed = of(events, TargetChanged)
    assert changed and changed[-1].target == session.target
    assert of(events, StateChanged)[-1].status.state is State.CONNECTED
    n = len(of(events, DemandRead))
    clock.step_until(session.step, lambda: len(of(events, DemandRead)) > n)  # polling goes on at the interval
    session.stop()
    assert sim.log.max_concurrent <= 1


def test_commands_change_the_target_in_one_place(sim, identity):
    clock = SteppedClock()
    session, events = make(MeterTarget(identity=identity, host="127.0.0.1", port=9, automatic=False), clock)
    clock.step_until(session.step, lambda: session.state is State.UNREACHABLE)
    session.post(SetAddress(sim.host, sim.port, automatic=False))
    clock.step_until(session.step, lambda: bool(of(events, DemandRead)))
    assert session.target.address == (sim.host, sim.port)
    assert of(events, TargetChanged)[0].previous.port == 9
    session.post(Pause(True))
    session.step()
    assert session.state is State.PAUSED
    session.stop()


def test_a_probe_shares_the_one_connection_and_resolves_its_future(sim, identity):
    clock = SteppedClock()
    session, events = make(MeterTarget(identity=identity, host=sim.host, port=sim.port, automatic=False), clock)
    clock.step_until(session.step, lambda: bool(of(events, DemandRead)))
    other = generate_identity()
    probe = session.probe(other, sim.host, sim.port)
    session.step()
    assert probe.result.done() and not probe.result.result().accepted
    assert probe.result.result().meter_lfdi == sim.lfdi
    n = len(of(events, DemandRead))
    clock.step_until(session.step, lambda: len(of(events, DemandRead)) > n)  # polling carries on afterwards
    session.stop()
    assert sim.log.max_concurrent <= 1


def test_a_job_runs_in_slices_between_live_reads(sim, identity):
    clock = SteppedClock()
    session, events = make(MeterTarget(identity=identity, host=sim.host, port=sim.port, automatic=False), clock)
    clock.step_until(session.step, lambda: bool(of(events, DemandRead)))
    slices: list[int] = []

    def step(client: MeterClientLike) -> bool:
        client.device_info()
        slices.append(len(of(events, DemandRead)))
        return len(slices) < 3

    job = Job("three slices", step)
    session.post(job)
    clock.step_until(session.step, lambda: job.result.done())
    assert job.result.result() is True and len(slices) == 3
    session.stop()


def test_a_job_outlives_a_new_certificate_but_not_a_new_meter(sim, identity):
    """Jobs (a backfill) are planned for one meter: a renewed certificate or a new address of the pinned meter keeps
    them going; a target without that pin ends them with a message, so their owner plans again."""
    clock = SteppedClock()
    session, events = make(MeterTarget(identity=identity, host=sim.host, port=sim.port, automatic=False), clock)
    clock.step_until(session.step, lambda: bool(of(events, DemandRead)))
    renewed = generate_identity()
    sim.register(renewed.cert_pem)
    slices: list[str] = []

    def step(client: MeterClientLike) -> bool:
        slices.append(client.device_info().lfdi)
        return len(slices) < 4

    job = Job("four slices", step)
    session.post(job)
    clock.step_until(session.step, lambda: len(slices) == 1)
    session.post(SetIdentity(renewed, registered=True))
    clock.step_until(session.step, lambda: job.result.done())
    assert job.result.result() is True and slices == [sim.lfdi] * 4

    unfinished = Job("never ends", lambda client: bool(client.device_info()))
    session.post(unfinished)
    session.step()
    session.post(SetAddress(sim.host, sim.port + 1, automatic=False))  # the pin stays: the same meter, moved
    session.step()
    assert not unfinished.result.done()
    session.post(SetTarget(session.target.replace(port=9, meter_lfdi=None)))  # set up again: perhaps another meter
    session.step()
    assert isinstance(unfinished.result.exception(), Unreachable)
    assert "meter changed" in unfinished.result.exception().user_message
    session.stop()


def test_stopping_fails_what_waits(identity):
    clock = SteppedClock()
    session, _ = make(MeterTarget(identity=identity, host="127.0.0.1", port=9, automatic=False), clock)
    session.stop()
    probe = session.probe(identity, "127.0.0.1", 9)
    assert "quitting" in str(probe.result.exception(timeout=1).user_message)


def test_the_pin_survives_a_settings_reset(identity, tmp_path):
    target = MeterTarget(identity=identity, host="192.0.2.10", port=8081, automatic=True,
                         meter_lfdi="3E4F45AB31EDFE5B67E343E5E4562E31984E23E5", registered=True)
    save_target(target)
    Settings().save(tmp_path / "settings.json")  # a reset settings file: the meter is not in it any more
    (restored,) = load_targets(lambda _slot: identity, settings=Settings(), settings_path=tmp_path / "settings.json")
    assert restored.meter_lfdi == target.meter_lfdi and restored.host == "192.0.2.10"
    assert restored.automatic and restored.registered and restored.meter_sfdi == 167261211391
