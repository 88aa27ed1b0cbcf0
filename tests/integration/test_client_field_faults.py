"""The client against the field faults: nothing invented, no 1970 dates, no crash; over mutual TLS."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.integration.recovery_support import PollLoop
from tests.simulators import running_simulator
from xcelsior_desktop.meter.client import MeterClient
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.session.poller import State
from xcelsior_desktop.session.target import MeterTarget
from xcelsior_desktop.simulator import MeterSimulator

T0 = 1791261644.0


@pytest.fixture
def sim(start_simulator, identity: Identity) -> MeterSimulator:
    return start_simulator(identity, clock=lambda: T0)


def client_for(sim: MeterSimulator, identity: Identity) -> MeterClient:
    return MeterClient(sim.host, sim.port, identity=identity, connect_timeout=2, handshake_timeout=3, read_timeout=3)


def test_empty_interval_lists_are_gaps_never_zeros(sim: MeterSimulator, identity: Identity) -> None:
    since = dt.datetime.fromtimestamp(T0, dt.UTC) - dt.timedelta(hours=6)
    with client_for(sim, identity) as client:
        assert any(s.delivered_wh is not None for s in client.intervals(since))
        sim.set_fault("empty_intervals")
        slots = client.intervals(since)
    assert slots  # the slots are known from the sets' time periods...
    assert all(s.delivered_wh is None and s.received_wh is None for s in slots)  # ...and stay gaps


def test_zero_start_summations_are_stamped_when_read_not_1970(sim: MeterSimulator, identity: Identity) -> None:
    sim.set_fault("zero_start")
    with client_for(sim, identity) as client:
        registers = client.read_registers()
    assert registers.delivered_wh is not None and registers.received_wh is not None
    assert registers.delivered_at == registers.read_at and registers.received_at == registers.read_at
    assert registers.tou_delivered  # the TOU tiers still come through


def test_agent_3_2_39_reads_without_tou(identity: Identity) -> None:
    with running_simulator(identity, clock=lambda: T0, firmware="3.2.39") as sim, \
            client_for(sim, identity) as client:
        assert client.device_info().sw_version == "3.2.39"
        registers = client.read_registers(include_tou=True)
        assert registers.delivered_wh is not None and registers.tou_delivered == {} and registers.tou_received == {}
        assert client.read_demand().unit == "W"


@pytest.mark.parametrize("seed", [2, 6])  # 2: one glitch, cured by the retry; 6: three in a row
def test_bad_signature_now_and_then_never_reads_as_unreachable(identity: Identity, seed: int) -> None:
    with running_simulator(identity, clock=lambda: T0, seed=seed) as sim, \
            client_for(sim, identity) as client:
        sim.set_fault("handshake_failure", chance=0.6)  # full handshakes fail often; resumed ones never do
        loop = PollLoop(client, MeterTarget(identity=identity, host=sim.host, port=sim.port, automatic=False))
        loop.run_for(120)
        assert client.stats.failed_handshakes >= 1
        assert State.UNREACHABLE not in loop.states and State.BUSY not in loop.states
        assert loop.poller.state is State.CONNECTED and loop.watts_at
