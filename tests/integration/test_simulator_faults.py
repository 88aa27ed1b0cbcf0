"""Every simulator fault, seen from a client on loopback."""

from __future__ import annotations

import socket
import ssl
import time

import pytest
from lxml import etree

from tests.clocks import FixedClock
from tests.integration.simulator_support import DECRYPT_ERROR, alert_received, connect, get
from tests.waiting import wait_until
from xcelsior_desktop.simulator import FAULT_NAMES, MeterSimulator


@pytest.fixture
def clock():
    return FixedClock(1791261391.0)


@pytest.fixture
def sim(start_simulator, identity, clock):
    return start_simulator(identity, clock=clock, busy_hold=0.5, idle_timeout=5)


def _value(body: bytes) -> int:
    return int(etree.fromstring(body).findtext("{urn:ieee:std:2030.5:ns}value"))


def test_fault_names_are_the_contract():
    assert set(FAULT_NAMES) == {"slow_handshake", "handshake_failure", "read_stall", "reset_mid_response",
                                "empty_body", "malformed_xml", "blackhole", "busy", "outage", "frozen_register",
                                "spike", "latency",
                                "stuck_demand", "empty_intervals", "zero_start", "flaky_reads"}
    with pytest.raises(ValueError, match="unknown fault"):
        MeterSimulator(faults=["nope"])


def test_slow_handshake(sim, identity):
    sim.set_fault("slow_handshake", seconds=0.4)
    started = time.monotonic()
    with connect(sim.port, identity) as conn:
        assert time.monotonic() - started >= 0.35
        assert get(conn, "/dcap")[0] == 200


def test_handshake_failure_once_in_n_then_retry_succeeds(sim, identity):
    sim.set_fault("handshake_failure", every=3)
    assert alert_received(sim.port, identity) == DECRYPT_ERROR
    for _ in range(2):
        with connect(sim.port, identity) as conn:
            assert get(conn, "/dcap")[0] == 200
    with pytest.raises(ssl.SSLError):
        get(connect(sim.port, identity), "/dcap")
    wait_until(lambda: sim.log.failed_handshakes == 2, what="two failed handshakes")


def test_read_stall(sim, identity):
    sim.set_fault("read_stall", seconds=3)
    with connect(sim.port, identity, timeout=0.5) as conn, pytest.raises(TimeoutError):
        get(conn, "/dcap")
    sim.set_fault("read_stall", False)


def test_reset_mid_response(sim, identity):
    sim.set_fault("reset_mid_response")
    with connect(sim.port, identity) as conn, pytest.raises((EOFError, ConnectionResetError, ssl.SSLError)):
        get(conn, "/upt/1/mr?s=0&l=25")


def test_empty_body_and_malformed_xml(sim, identity):
    sim.set_fault("empty_body", path="/upt/1/mr/12/rs/")
    with connect(sim.port, identity) as conn:
        status, headers, body = get(conn, "/upt/1/mr/12/rs/100/r?s=0&l=25")
        assert (status, body, headers["content-length"]) == (200, b"", "0")
        assert get(conn, "/dcap")[2] != b""  # other paths unaffected
        sim.set_fault("empty_body", False)
        sim.set_fault("malformed_xml")
        status, _, body = get(conn, "/sdev/sdi")
        assert status == 200 and body
        with pytest.raises(etree.XMLSyntaxError):
            etree.fromstring(body)


def test_blackhole_accepts_tcp_but_never_handshakes(sim, identity):
    sim.set_fault("blackhole")
    raw = socket.create_connection(("127.0.0.1", sim.port), timeout=0.5)
    wrapped = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    wrapped.check_hostname = False
    wrapped.verify_mode = ssl.CERT_NONE
    with pytest.raises(TimeoutError):
        wrapped.wrap_socket(raw)
    raw.close()
    sim.set_fault("blackhole", False)
    with connect(sim.port, identity) as conn:
        assert get(conn, "/dcap")[0] == 200


def test_busy_phantom_client_resets_newcomers(sim, identity):
    sim.set_fault("busy")
    raw = socket.create_connection(("127.0.0.1", sim.port), timeout=5)
    with pytest.raises(ConnectionResetError):
        raw.recv(10)
    raw.close()
    wait_until(lambda: sim.log.busy_resets == 1, what="the busy reset")
    sim.set_fault("busy", False)
    with connect(sim.port, identity) as conn:
        assert get(conn, "/dcap")[0] == 200


def test_outage_closes_the_port_for_a_while(sim, identity):
    port = sim.port
    sim.set_fault("outage", seconds=0.5)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)

    def back() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return True
        except ConnectionRefusedError:
            return False

    wait_until(back, timeout=5, what="the port to reopen")
    assert "outage" not in sim.faults
    wait_until(lambda: sim.log.open_connections == 0, what="the probe connection to end")
    with connect(sim.port, identity) as conn:
        assert get(conn, "/dcap")[0] == 200


def test_frozen_register_stops_while_demand_moves(sim, identity, clock):
    sim.set_fault("frozen_register", register="delivered")
    with connect(sim.port, identity) as conn:
        first = _value(get(conn, "/upt/1/mr/3/r")[2])
        received = _value(get(conn, "/upt/1/mr/2/r")[2])
        clock.t += 15 * 3600  # to 12:36 local: exporting now, and importing overnight before
        assert _value(get(conn, "/upt/1/mr/3/r")[2]) == first
        assert _value(get(conn, "/upt/1/mr/2/r")[2]) > received
        sim.set_fault("frozen_register", False)
        assert _value(get(conn, "/upt/1/mr/3/r")[2]) > first


def test_spike_in_demand_and_in_a_register(sim, identity):
    with connect(sim.port, identity) as conn:
        normal = _value(get(conn, "/upt/1/mr/1/r")[2])
        sim.set_fault("spike")
        assert _value(get(conn, "/upt/1/mr/1/r")[2]) == normal + 100_000
        sim.set_fault("spike", target="delivered", amount=5000)
        register = _value(get(conn, "/upt/1/mr/3/r")[2])
        sim.clear_faults()
        assert _value(get(conn, "/upt/1/mr/3/r")[2]) == register - 5000


def test_faults_chosen_at_start(start_simulator, identity):
    simulator = start_simulator(identity, faults=["empty_body"])
    with connect(simulator.port, identity) as conn:
        assert get(conn, "/dcap")[2] == b""
        assert simulator.faults == ["empty_body"]
