"""The field faults users of other tools report, seen from a raw TLS client on loopback."""

from __future__ import annotations

import socket

import pytest
from lxml import etree

from tests.clocks import FixedClock
from tests.integration.simulator_support import DECRYPT_ERROR, alert_received, connect, get
from tests.simulators import running_simulator
from tests.waiting import wait_until
from xcelsior_desktop.meter.discovery import discover
from xcelsior_desktop.simulator import MeterSimulator

NS = "{urn:ieee:std:2030.5:ns}"


@pytest.fixture
def clock():
    return FixedClock(1791261391.0)


@pytest.fixture
def sim(start_simulator, identity, clock) -> MeterSimulator:
    return start_simulator(identity, clock=clock, busy_hold=2.0, idle_timeout=5)


def _xml(body: bytes) -> etree._Element:
    return etree.fromstring(body)


def _value_and_start(body: bytes) -> tuple[int, int]:
    root = _xml(body)
    return int(root.findtext(f"{NS}value")), int(root.findtext(f"{NS}timePeriod/{NS}start"))


def test_stuck_demand_keeps_value_and_meter_timestamp(sim, identity, clock):
    with connect(sim.port, identity) as conn:
        sim.set_fault("stuck_demand")
        stuck = _value_and_start(get(conn, "/upt/1/mr/1/r")[2])
        assert stuck[1] == int(clock.t)
        values = set()
        for _ in range(6):
            clock.t += 600
            values.add(_value_and_start(get(conn, "/upt/1/mr/1/r")[2]))
            _, register_start = _value_and_start(get(conn, "/upt/1/mr/3/r")[2])
            assert register_start == int(clock.t)  # the registers keep their own clock
        assert values == {stuck}
        sim.set_fault("stuck_demand", False)
        assert _value_and_start(get(conn, "/upt/1/mr/1/r")[2])[1] == int(clock.t)


def test_zero_start_on_summations_only(sim, identity, clock):
    sim.set_fault("zero_start")
    with connect(sim.port, identity) as conn:
        value, start = _value_and_start(get(conn, "/upt/1/mr/3/r")[2])
        assert start == 0 and value > 0
        sets = _xml(get(conn, "/upt/1/mr/3/rs?s=0&l=25")[2])
        assert sets.findtext(f".//{NS}ReadingSet/{NS}timePeriod/{NS}start") == "0"
        assert _value_and_start(get(conn, "/upt/1/mr/1/r")[2])[1] == int(clock.t)


def test_empty_intervals_answer_all_zero(sim, identity):
    with connect(sim.port, identity) as conn:
        sets = _xml(get(conn, "/upt/1/mr/12/rs?s=0&l=2")[2])
        newest = sets.find(f"{NS}ReadingSet/{NS}ReadingListLink").get("href")
        assert int(_xml(get(conn, f"{newest}?s=0&l=25")[2]).get("all")) > 0
        sim.set_fault("empty_intervals")
        page = _xml(get(conn, f"{newest}?s=0&l=25")[2])
        assert (page.get("all"), page.get("results"), len(page)) == ("0", "0", 0)
        assert get(conn, f"{newest}/1")[0] == 404
        assert _value_and_start(get(conn, "/upt/1/mr/3/r")[2])[0] > 0  # registers unaffected


def test_flaky_reads_stall_some_requests_while_data_flows(identity, clock):
    with running_simulator(identity, clock=clock, seed=3) as sim:
        sim.set_fault("flaky_reads", chance=0.3, seconds=1.0)
        stalled = answered = 0
        for _ in range(20):
            with connect(sim.port, identity, timeout=0.4) as conn:
                try:
                    status = get(conn, "/upt/1/mr/1/r")[0]
                except TimeoutError:
                    stalled += 1
                else:
                    answered += 1
                    assert status == 200
            wait_until(lambda: sim.log.open_connections == 0, what="the connection to end")
        assert stalled >= 1 and answered >= 10
        assert sum("flaky read" in event for event in sim.log.events) == stalled


def test_handshake_failure_by_chance(identity, clock):
    with running_simulator(identity, clock=clock) as sim:
        sim.set_fault("handshake_failure", chance=1.0)
        assert alert_received(sim.port, identity) == DECRYPT_ERROR
        wait_until(lambda: sim.log.failed_handshakes == 1, what="the failed handshake")
        sim.set_fault("handshake_failure", False)
        with connect(sim.port, identity) as conn:
            assert get(conn, "/dcap")[0] == 200
    with pytest.raises(ValueError, match="chance"):
        MeterSimulator().set_fault("handshake_failure", chance=2)


def test_firmware_3_2_39_has_no_tou_readings(identity, clock):
    with running_simulator(identity, clock=clock, firmware="3.2.39") as sim, \
            connect(sim.port, identity) as conn:
        assert _xml(get(conn, "/sdev/sdi")[2]).findtext(f"{NS}swVer") == "3.2.39"
        listing = _xml(get(conn, "/upt/1/mr?s=0&l=25")[2])
        descriptions = [mr.findtext(f"{NS}description") for mr in listing]
        assert listing.get("all") == "20" and len(descriptions) == 20
        assert not any("TOU" in d for d in descriptions)
        assert get(conn, "/upt/1/mr/9/rs/1/r?s=0&l=25")[0] == 404
        assert get(conn, "/upt/1/mr/3/r")[0] == 200
    with pytest.raises(ValueError, match="firmware"):
        MeterSimulator(firmware="9.9")


def test_outage_also_silences_mdns(identity):
    with running_simulator(identity, mdns=True, mdns_interfaces=["127.0.0.1"]) as sim:
        assert discover(timeout=15, interfaces=["127.0.0.1"], sfdi=sim.sfdi)
        sim.set_fault("outage", seconds=0)
        assert not sim.mdns_answering
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", sim.port), timeout=2)
        assert discover(timeout=2, interfaces=["127.0.0.1"], sfdi=sim.sfdi) == []
        sim.set_fault("outage", False)
        assert sim.mdns_answering
        assert [m.port for m in discover(timeout=15, interfaces=["127.0.0.1"], sfdi=sim.sfdi)] == [sim.port]
