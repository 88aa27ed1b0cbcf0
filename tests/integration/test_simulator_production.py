"""A solar household's two meters over real mutual TLS on loopback, read with the project's client.

The net meter serves demand = load - PV, the production meter PV; at every instant and over every slot they must
add up to the household model's load, and each must be a meter of its own (certificate, LFDI, SFDI, mDNS record).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
from collections.abc import Iterator

import pytest

from tests.waiting import wait_until
from xcelsior_desktop.meter import IdentityMismatch, Unreachable
from xcelsior_desktop.meter.client import MeterClient
from xcelsior_desktop.meter.discovery import discover
from xcelsior_desktop.meter.identity import Identity, sfdi_from_lfdi
from xcelsior_desktop.simulator import HouseholdMeters, MeterSimulator
from xcelsior_desktop.simulator.model import SLOT, HouseholdModel

T0 = 1791244800 + 30 * SLOT  # 2026-10-06 07:30 UTC (01:30 in Denver), on a slot boundary
SUNNY_NOON = 1790881200  # 2026-10-01 19:00 UTC: solar noon of a sunny day for seed 0 (checked below)
STEP = 10  # the model's power is constant over each 10 s: a midpoint rule with this step is exact


class Clock:
    """The meters' clock, moved by the tests: every value served is then exact."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def load_wh(household: HouseholdModel, start: int, seconds: int = SLOT) -> float:
    return sum(household.load_w(start + (i + 0.5) * STEP) for i in range(seconds // STEP)) * STEP / 3600.0


def client_for(sim: MeterSimulator, identity: Identity, meter_lfdi: str | None = None) -> MeterClient:
    return MeterClient(sim.host, sim.port, identity=identity, meter_lfdi=meter_lfdi, connect_timeout=2.0,
                       handshake_timeout=5.0, read_timeout=5.0)


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture(scope="module")
def meters(identity: Identity, clock: Clock) -> Iterator[HouseholdMeters]:
    household = HouseholdMeters(seed=0, allowed_certs=[identity.cert_pem], clock=clock)
    with household:
        yield household


def test_sunny_noon_is_sunny() -> None:
    household = HouseholdModel.for_seed(0)
    day = household.local_day_of(SUNNY_NOON)
    assert household.solar_noon(day) == SUNNY_NOON and household.weather(day).kind == "sunny"


def test_production_demand_is_the_pv_of_that_instant(meters: HouseholdMeters, identity: Identity,
                                                    clock: Clock) -> None:
    household = meters.household
    instants = [T0, SUNNY_NOON - 4 * 3600 + 7, SUNNY_NOON + 13, SUNNY_NOON + 5 * 3600 + 3]  # night, 08:00, noon, 17:00
    with client_for(meters.production, identity) as production, client_for(meters.net, identity) as net:
        for t in instants:
            clock.now = t
            made = production.read_demand()
            assert made.value == round(household.pv_w(t)) and made.value >= 0, t
            assert made.timestamp == dt.datetime.fromtimestamp(t, dt.UTC)
            # net demand = load - PV: what both meters show adds up to the house's load (each rounds to 1 W)
            assert abs(net.read_demand().value + made.value - household.load_w(t)) <= 1.0, t
        clock.now = T0
        assert production.read_demand().value == 0  # 01:30 in Denver
        clock.now = SUNNY_NOON
        assert production.read_demand().value > 2000


def test_production_registers_integrate_the_served_pv(meters: HouseholdMeters, identity: Identity,
                                                      clock: Clock) -> None:
    first, slots = SUNNY_NOON - 3 * 3600, 12  # 09:00 to 12:00 in Denver
    household = meters.household
    with client_for(meters.production, identity) as production:
        clock.now = first
        before = production.read_registers()
        clock.now = first + slots * SLOT
        after = production.read_registers()
        history = production.intervals(dt.datetime.fromtimestamp(first, dt.UTC))
    made = [iv for iv in history if iv.start.timestamp() < first + slots * SLOT]
    assert [int(iv.start.timestamp()) for iv in made] == [first + k * SLOT for k in range(slots)]
    assert before.delivered_wh is not None and after.delivered_wh is not None
    # the slots are the differences of the integer register: they add up to it exactly
    assert sum(iv.delivered_wh or 0.0 for iv in made) == after.delivered_wh - before.delivered_wh
    assert after.delivered_wh - before.delivered_wh == pytest.approx(
        sum(household.pv_w(first + (i + 0.5) * STEP) for i in range(slots * SLOT // STEP)) * STEP / 3600, abs=1.0)
    assert after.delivered_wh - before.delivered_wh > 3000  # three hours of a sunny morning
    assert before.received_wh == after.received_wh == 0 and {iv.received_wh for iv in made} == {0.0}
    assert (before.tou_delivered, before.tou_received) == ({}, {})  # a production meter without tiers in use


def test_the_two_meters_add_up_to_the_household_load(meters: HouseholdMeters, identity: Identity,
                                                     clock: Clock) -> None:
    """Over every slot of a day: home use = net import - export + production >= 0, and equal to the model's load.

    Each meter serves whole Wh per slot (differences of its integer registers), so the sum of three of them is
    within 3 Wh of the exact energy."""
    household = meters.household
    clock.now = SUNNY_NOON + 12 * 3600
    since = dt.datetime.fromtimestamp(clock.now - 24 * 3600, dt.UTC)
    with client_for(meters.net, identity) as net_client, client_for(meters.production, identity) as production:
        net = {iv.start: iv for iv in net_client.intervals(since)}
        made = {iv.start: iv for iv in production.intervals(since)}
    assert len(net) == 96 and net.keys() == made.keys()
    exported = 0.0
    for start, iv in net.items():
        assert None not in (iv.delivered_wh, iv.received_wh, made[start].delivered_wh)
        home_use = iv.delivered_wh - iv.received_wh + made[start].delivered_wh  # type: ignore[operator]
        exported += iv.received_wh  # type: ignore[operator]
        assert home_use >= 0
        assert abs(home_use - load_wh(household, int(start.timestamp()))) < 3, start
    assert exported > 1000  # the day exported: PV did exceed the load, and home use still stayed the load


def test_each_meter_is_a_device_of_its_own(meters: HouseholdMeters, identity: Identity) -> None:
    net, production = meters
    assert net.role == "net" and production.role == "production"
    assert net.port != production.port and net.lfdi != production.lfdi and net.sfdi != production.sfdi
    infos = []
    for sim in (net, production):
        with client_for(sim, identity) as client:
            info = client.device_info()
        assert (info.lfdi, info.tls_lfdi, info.sfdi) == (sim.lfdi, sim.lfdi, sim.sfdi)
        assert sfdi_from_lfdi(sim.lfdi) == sim.sfdi
        infos.append(info)
    assert {(i.manufacturer, i.mf_id, i.model, i.serial_number, i.sw_version) for i in infos} == {
        ("Itron", 1233, None, None, "3.2.50")}  # the agent leaves model and serial number empty on both
    # a client pinned to the net meter refuses the production meter: pin each meter's LFDI on its own
    with client_for(production, identity, meter_lfdi=net.lfdi) as pinned, pytest.raises(IdentityMismatch):
        pinned.read_demand()


def test_faults_act_on_the_production_meter_alone(identity: Identity) -> None:
    clock = Clock(SUNNY_NOON - 3600)
    with HouseholdMeters(seed=0, allowed_certs=[identity.cert_pem], clock=clock) as (net, production):
        household = net.household
        with client_for(production, identity) as made, client_for(net, identity) as grid:
            frozen_at = made.read_registers().delivered_wh
            production.set_fault("frozen_register", register="delivered")
            clock.now += 1800
            assert made.read_registers().delivered_wh == frozen_at  # stopped...
            assert made.read_demand().value == round(household.pv_w(clock.now)) > 0  # ...while production goes on
            production.set_fault("frozen_register", False)
            assert made.read_registers().delivered_wh > frozen_at  # type: ignore[operator]

            production.set_fault("empty_intervals")
            since = dt.datetime.fromtimestamp(clock.now - 2 * 3600, dt.UTC)
            assert all(iv.delivered_wh is None for iv in made.intervals(since))  # gaps, never zeros
            assert all(iv.delivered_wh is not None for iv in grid.intervals(since))
            production.set_fault("empty_intervals", False)

            production.set_fault("outage", seconds=0)
            made.disconnect()
            with pytest.raises(Unreachable):
                made.read_demand()
            assert grid.read_demand().value == round(household.demand_w(clock.now))  # the net meter still serves
            production.set_fault("outage", False)
            assert made.read_demand().value == round(household.pv_w(clock.now))


def test_both_meters_are_found_over_mdns_and_told_apart_by_sfdi() -> None:
    with HouseholdMeters(seed=0, accept_any_cert=True, mdns=True, mdns_interfaces=["127.0.0.1"]) as (net, production):
        for sim in (net, production):
            found = discover(timeout=15, interfaces=["127.0.0.1"], sfdi=sim.sfdi)
            assert [(m.host, m.port, m.sfdi) for m in found] == [("127.0.0.1", sim.port, sim.sfdi)]
            assert found[0].name == f"itrondnsserver-{sim.sfdi}._smartenergy._tcp.local."
        # one search without an SFDI lists both (other meters on this loopback, if any, are not ours to check)
        everything = {m.sfdi: m.port for m in discover(timeout=3, interfaces=["127.0.0.1"])}
        assert everything[net.sfdi] == net.port and everything[production.sfdi] == production.port
        production.set_fault("outage", seconds=0)  # a hung agent stops answering DNS-SD too
        assert not production.mdns_answering and net.mdns_answering


def test_both_meters_start_and_stop_together_without_leaks(identity: Identity) -> None:
    threads_before = set(threading.enumerate())
    fds_before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    meters = HouseholdMeters(seed=0, allowed_certs=[identity.cert_pem]).start()
    ports = [sim.port for sim in meters]
    with client_for(meters.production, identity) as client:
        assert client.read_demand().value >= 0
    meters.stop()
    for port in ports:
        with pytest.raises(Unreachable), MeterClient("127.0.0.1", port, identity=identity,
                                                     connect_timeout=1.0) as client:
            client.read_demand()
    wait_until(lambda: set(threading.enumerate()) <= threads_before, what="the simulators' threads to end")
    if fds_before is not None:
        wait_until(lambda: len(os.listdir("/proc/self/fd")) <= fds_before, what="the simulators' sockets to close")


@pytest.mark.skipif(sys.platform == "win32", reason="Windows lets SO_REUSEADDR bind a port another socket listens on")
def test_a_meter_that_cannot_start_stops_the_other(identity: Identity) -> None:
    with MeterSimulator(accept_any_cert=True) as squatter:  # holds the port the production meter asks for
        meters = HouseholdMeters(seed=0, accept_any_cert=True, production_port=squatter.port)
        with pytest.raises(OSError):
            meters.start()
        with pytest.raises(Unreachable), MeterClient("127.0.0.1", meters.net.port, identity=identity,
                                                     connect_timeout=1.0) as client:
            client.read_demand()


def test_options_that_belong_to_one_meter_are_refused() -> None:
    for option in ({"role": "net"}, {"port": 8081}, {"server_identity": None}):
        with pytest.raises(TypeError, match="per meter"):
            HouseholdMeters(**option)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="role"):
        MeterSimulator(role="inverter")
