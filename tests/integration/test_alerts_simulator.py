"""Alert rules on what the client really reads from the simulator over mutual TLS, with its frozen_register and
outage faults. The simulator and the engine share one fake clock: 30 simulated minutes take a second or two."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.unit.alerts_streams import DENVER
from xcelsior_desktop.alerts import Alert, AlertEngine, Connection, RuleKind, default_rules
from xcelsior_desktop.meter import MeterError
from xcelsior_desktop.meter.client import MeterClient
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.simulator import MeterSimulator
from xcelsior_desktop.simulator.model import HouseholdModel

T0 = 1791261644.0


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def importing_start(seed: int = 0) -> float:
    """An instant after which the household imports steadily for an hour (so the import register must move)."""
    model = HouseholdModel.for_seed(seed)
    t = T0
    while min(model.demand_w(t + k * 60) for k in range(60)) < 250:
        t += 1800
    return t


@pytest.fixture
def rig(start_simulator: Callable[..., MeterSimulator],
        identity: Identity) -> Iterator[tuple[MeterSimulator, MeterClient, AlertEngine, Clock]]:
    clock = Clock(importing_start())
    engine = AlertEngine(default_rules(), clock=clock, tz=DENVER)
    sim = start_simulator(identity, clock=clock, idle_timeout=30.0, seed=0)
    client = MeterClient(
        sim.host, sim.port, identity=identity, connect_timeout=2.0, handshake_timeout=3.0, read_timeout=3.0
    )
    try:
        yield sim, client, engine, clock
    finally:
        client.close()


def poll(client: MeterClient, engine: AlertEngine, clock: Clock, seconds: float) -> list[Alert]:
    """The app's rhythm on the fake clock: demand every 5 s, registers every minute, failures reported."""
    fired: list[Alert] = []
    end = clock.now + seconds
    tick = 0
    while clock.now < end:
        clock.now += 5
        tick += 1
        try:
            fired += engine.feed_demand(client.read_demand().value)
            if tick % 12 == 0:
                registers = client.read_registers()
                fired += engine.feed_registers(registers.delivered_wh, registers.received_wh)
        except MeterError:
            fired += engine.feed_connection(Connection.OFFLINE)
            clock.now += 25  # back off
    return fired


def test_frozen_register_on_the_wire_raises_a_stale_alert(rig) -> None:
    sim, client, engine, clock = rig
    assert [a for a in poll(client, engine, clock, 10 * 60) if a.kind == RuleKind.STALE.value] == []
    sim.set_fault("frozen_register", register="delivered")
    frozen_at = clock.now
    stale = [a for a in poll(client, engine, clock, 30 * 60) if a.kind == RuleKind.STALE.value]
    assert len(stale) == 1 and "import register has not moved" in stale[0].body
    assert 20 * 60 <= stale[0].at - frozen_at <= 25 * 60
    sim.clear_faults()
    assert [a for a in poll(client, engine, clock, 5 * 60) if a.kind == RuleKind.STALE.value] == []


def test_outage_on_the_wire_gives_unreachable_then_back_online(rig) -> None:
    sim, client, engine, clock = rig
    poll(client, engine, clock, 5 * 60)
    sim.set_fault("outage", seconds=0)  # connection refused until switched off
    fired = poll(client, engine, clock, 17 * 60)
    assert len(fired) == 1 and fired[0].kind == RuleKind.UNREACHABLE.value
    assert fired[0].title in ("Meter unreachable for 15 min", "Meter unreachable for 16 min")  # 30 s retries
    sim.set_fault("outage", enabled=False)
    back = poll(client, engine, clock, 60)
    assert [a.title for a in back] == ["Meter back online"]
    assert sim.log.requests  # it really was served over TLS
