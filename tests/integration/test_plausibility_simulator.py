"""The plausibility checks on readings taken over mutual TLS from the simulator's spike, frozen-register and
stuck-demand faults (the client is the real one; no Qt)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.clocks import FixedClock
from xcelsior_desktop.meter.client import MeterClient
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.session.plausibility import PlausibilityChecker, Verdict
from xcelsior_desktop.simulator import MeterSimulator

NIGHT = 1791261391.0  # 21:36 in the household's zone: the house imports


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NIGHT)


@pytest.fixture
def sim(start_simulator, identity: Identity, clock: FixedClock) -> MeterSimulator:
    return start_simulator(identity, clock=clock, idle_timeout=5.0)


@pytest.fixture
def client(sim: MeterSimulator, identity: Identity) -> Iterator[MeterClient]:
    with MeterClient(sim.host, sim.port, identity=identity, connect_timeout=2, handshake_timeout=3, read_timeout=3) as c:
        yield c


def test_demand_spike_is_suspect_then_trusted_again(sim: MeterSimulator, client: MeterClient, clock: FixedClock) -> None:
    checker = PlausibilityChecker(monotonic=clock)
    assert checker.check_demand(client.read_demand()).trusted
    sim.set_fault("spike", target="demand")
    clock.t += 5
    spiked = client.read_demand()
    check = checker.check_demand(spiked)
    assert spiked.value > 100_000 and check.verdict is Verdict.SUSPECT
    sim.set_fault("spike", False)
    clock.t += 5
    assert checker.check_demand(client.read_demand()).trusted


def test_register_spike_is_suspect_and_never_becomes_the_baseline(sim: MeterSimulator, client: MeterClient,
                                                                    clock: FixedClock) -> None:
    checker = PlausibilityChecker(monotonic=clock)
    first = client.read_registers(include_tou=False)
    assert checker.check_registers(first).trusted
    sim.set_fault("spike", target="delivered")  # +1 GWh: once fired "Daily budget reached: 1000.0 kWh"
    clock.t += 60
    spiked = client.read_registers(include_tou=False)
    check = checker.check_registers(spiked)
    assert check.delivered.verdict is Verdict.SUSPECT and check.received.trusted
    assert check.trusted_part(spiked).delivered_wh is None
    sim.set_fault("spike", False)
    clock.t += 60
    after = client.read_registers(include_tou=False)
    assert checker.check_registers(after).trusted
    assert after.delivered_wh is not None and first.delivered_wh is not None
    assert after.delivered_wh >= first.delivered_wh


def test_frozen_import_register_is_flagged_while_demand_moves(sim: MeterSimulator, client: MeterClient,
                                                              clock: FixedClock) -> None:
    checker = PlausibilityChecker(monotonic=clock)
    assert checker.check_registers(client.read_registers(include_tou=False)).trusted
    sim.set_fault("frozen_register", register="delivered")
    verdicts = []
    for _minute in range(30):
        for _ in range(12):  # demand every 5 s, as the app polls
            clock.t += 5
            assert checker.check_demand(client.read_demand()).trusted
        verdicts.append(checker.check_registers(client.read_registers(include_tou=False)))
        if verdicts[-1].delivered.verdict is Verdict.FROZEN:
            break
    assert verdicts[-1].delivered.verdict is Verdict.FROZEN, [v.delivered for v in verdicts]
    assert verdicts[-1].received.trusted
    sim.set_fault("frozen_register", False)
    clock.t += 60
    assert checker.check_registers(client.read_registers(include_tou=False)).trusted


def test_stuck_demand_goes_stale(sim: MeterSimulator, client: MeterClient, clock: FixedClock) -> None:
    checker = PlausibilityChecker(monotonic=clock)
    sim.set_fault("stuck_demand")
    verdicts = []
    for _ in range(20):
        verdicts.append(checker.check_demand(client.read_demand()).verdict)
        clock.t += 5
    assert verdicts[0] is Verdict.OK and verdicts[-1] is Verdict.STALE
    sim.set_fault("stuck_demand", False)
    assert checker.check_demand(client.read_demand()).trusted
