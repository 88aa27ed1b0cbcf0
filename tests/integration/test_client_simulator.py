"""The client over real mutual TLS against the simulator, including every fault it can produce."""

from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import pytest

from tests.waiting import wait_until
from xcelsior_desktop.meter import (
    CertificateRefused,
    IdentityMismatch,
    MeterBusy,
    ProtocolError,
    Unreachable,
    generate_identity,
)
from xcelsior_desktop.meter.channels import Channel
from xcelsior_desktop.meter.client import MeterClient
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.simulator import MeterSimulator

T0 = 1791261644.0  # the capture's demand timestamp: a fixed clock makes values exact


@pytest.fixture
def sim(start_simulator: Callable[..., MeterSimulator], identity: Identity) -> MeterSimulator:
    return start_simulator(identity, clock=lambda: T0, idle_timeout=5.0, busy_hold=1.0)


def client_for(sim: MeterSimulator, identity: Identity, **kwargs: object) -> MeterClient:
    options: dict[str, object] = {"connect_timeout": 2.0, "handshake_timeout": 3.0, "read_timeout": 3.0}
    options.update(kwargs)
    return MeterClient(sim.host, sim.port, identity=identity, **options)  # type: ignore[arg-type]




def test_reads_match_the_household_model(sim: MeterSimulator, identity: Identity) -> None:
    with client_for(sim, identity) as client:
        probe = client.probe()
        assert probe.accepted and probe.meter_lfdi == sim.lfdi and client.meter_lfdi == sim.lfdi
        info = client.device_info()
        assert (info.lfdi, info.sfdi, info.manufacturer, info.mf_id) == (sim.lfdi, sim.sfdi, "Itron", 1233)
        demand = client.read_demand()
        assert demand.unit == "W" and demand.value == round(sim.model.demand_w(T0))
        assert demand.timestamp == dt.datetime.fromtimestamp(T0, dt.UTC)
        regs = client.read_registers()
        exact = sim.model.registers(T0)
        assert regs.delivered_wh == pytest.approx(exact.delivered_wh, abs=1)
        assert regs.received_wh == pytest.approx(exact.received_wh, abs=1)
        assert regs.tou_delivered and set(regs.tou_delivered) <= set(range(1, 9))
        assert all(0 < v <= regs.delivered_wh for v in regs.tou_delivered.values())
        clock = client.meter_time()
        assert clock.meter_now == dt.datetime.fromtimestamp(T0, dt.UTC)
        assert clock.skew_s == pytest.approx(T0 - time.time(), abs=5)
        values = client.read()
        assert values[Channel.DEMAND].value == demand.value
        assert 0 < values[Channel.POWER_FACTOR].value <= 1 and Channel.POWER_FACTOR_A not in values
        assert client.stats.handshakes == 1 and sim.log.max_concurrent == 1


def test_later_reads_cost_one_get_per_channel(sim: MeterSimulator, identity: Identity) -> None:
    with client_for(sim, identity) as client:
        client.read_demand()
        sim.log.reset()
        client.read_demand()
        client.read([Channel.DELIVERED_WH, Channel.RECEIVED_WH])
        assert [path for path, _ in sim.log.requests] == ["/upt/1/mr/1/r", "/upt/1/mr/3/r", "/upt/1/mr/2/r"]
        saved = client.cached_profile
        assert saved is not None
    with client_for(sim, identity, profile=type(saved).from_json(saved.to_json())) as client:
        sim.log.reset()
        client.read_demand()
        assert [path for path, _ in sim.log.requests] == ["/upt/1/mr/1/r"]


def test_intervals_slots_from_local_id(sim: MeterSimulator, identity: Identity) -> None:
    since = dt.datetime.fromtimestamp(T0, dt.UTC) - dt.timedelta(hours=20)
    with client_for(sim, identity) as client:
        slots = client.intervals(since)
    assert slots and all(s.start >= since and s.duration_s == 900 for s in slots)
    starts = [s.start for s in slots]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert all((b - a).total_seconds() == 900 for a, b in zip(starts, starts[1:], strict=False))
    for slot in slots[-8:-1]:
        expected = sim.model.interval(int(slot.start.timestamp()))
        assert (slot.delivered_wh, slot.received_wh) == (expected.delivered_wh, expected.received_wh)


def test_recent_intervals_read_one_page_of_sets_per_channel(sim: MeterSimulator, identity: Identity) -> None:
    """The set list is newest first: a page reaching back before `since` is the last one needed."""
    since = dt.datetime.fromtimestamp(T0, dt.UTC) - dt.timedelta(hours=20)
    with client_for(sim, identity) as client:
        client.read_demand()
        sim.log.reset()
        client.intervals(since)
        set_pages = [path for path, _ in sim.log.requests if "/rs?" in path]
        assert len(set_pages) == 2, set_pages  # delivered and received, first page each
        sim.log.reset()
        client.intervals(since - dt.timedelta(days=20))  # 20 days back spans the second page of 25 sets
        assert len([path for path, _ in sim.log.requests if "/rs?" in path]) == 4


def test_no_ca_bundle_is_ever_loaded(sim: MeterSimulator, identity: Identity) -> None:
    with client_for(sim, identity, ) as client:
        client.read_demand()
        client.transport.disconnect()  # the next request opens a new connection through requests
        client.read_demand()
        assert client.transport.context.cert_store_stats() == {"x509": 0, "crl": 0, "x509_ca": 0}
        assert client.transport.context.get_ca_certs() == []


def test_session_resumed_after_idle_close(start_simulator: Callable[..., MeterSimulator], identity: Identity) -> None:
    sim = start_simulator(identity, idle_timeout=0.3)
    with client_for(sim, identity) as client:
        client.read_demand()
        sim.log.reset()
        for _ in range(3):
            wait_until(lambda: sim.log.idle_closes == 1 and sim.log.open_connections == 0)
            sim.log.reset()
            client.read_demand()
            assert client.transport.last_handshake_resumed
        assert client.stats.resumed_handshakes == 3 and client.stats.handshakes == 4
        assert sim.log.max_concurrent == 1


def test_unregistered_certificate_is_refused(sim: MeterSimulator) -> None:
    stranger = generate_identity()
    with client_for(sim, stranger) as client:
        probe = client.probe()
        assert not probe.accepted and isinstance(probe.error, CertificateRefused)
        assert probe.meter_lfdi == sim.lfdi  # learned from the meter's certificate even though we were refused
        with pytest.raises(CertificateRefused) as caught:
            client.read_demand()
        assert "Launchpad" in caught.value.user_message
    sim.register(stranger.cert_pem)
    with client_for(sim, stranger) as client:
        assert client.probe().accepted


def test_pinned_identity_mismatch(sim: MeterSimulator, identity: Identity) -> None:
    with client_for(sim, identity, meter_lfdi=generate_identity().lfdi) as client:
        probe = client.probe()
        assert isinstance(probe.error, IdentityMismatch) and probe.error.found == sim.lfdi
        with pytest.raises(IdentityMismatch):
            client.read_demand()
    with client_for(sim, identity, meter_lfdi=sim.lfdi) as client:
        assert client.read_demand().unit == "W"


def test_handshake_failure_is_retried_once(sim: MeterSimulator, identity: Identity) -> None:
    sim.set_fault("handshake_failure", every=2)
    with client_for(sim, identity) as client:
        assert client.read_demand().unit == "W"
        assert client.stats.handshake_retries == 1 and client.stats.failed_handshakes == 1


def test_the_retry_after_a_failed_handshake_waits_for_the_meter_to_close(sim: MeterSimulator,
                                                                         identity: Identity) -> None:
    """A meter busy with slow handshakes closes a while after its alert: the retry waits for that close (up to a
    second), so the meter never sees the retry's connection beside the failed one."""
    sim.set_fault("handshake_failure", every=2, linger=0.3)
    with client_for(sim, identity) as client:
        assert client.read_demand().unit == "W"
        assert client.stats.handshake_retries == 1
    assert sim.log.max_concurrent == 1, sim.log.events


def test_handshake_failing_every_time_is_a_protocol_error(sim: MeterSimulator, identity: Identity) -> None:
    sim.set_fault("handshake_failure", every=1)
    with client_for(sim, identity) as client:
        error = client.probe().error
        assert isinstance(error, ProtocolError) and "twice" in error.user_message
        assert client.stats.handshake_retries == 1 and client.stats.failed_handshakes == 2


def test_reset_mid_response_retried_once(sim: MeterSimulator, identity: Identity) -> None:
    with client_for(sim, identity) as client:
        client.read_demand()
        sim.set_fault("reset_mid_response", every=2)
        assert client.read_demand().unit == "W"
        assert client.stats.request_retries == 1
        sim.set_fault("reset_mid_response", every=1)
        with pytest.raises(ProtocolError):
            client.read_demand()
    assert sim.log.max_concurrent == 1, sim.log.events  # each retry came after the reset: never two at once


def test_empty_body_and_malformed_xml(sim: MeterSimulator, identity: Identity) -> None:
    with client_for(sim, identity) as client:
        client.read_demand()
        sim.set_fault("empty_body")
        with pytest.raises(ProtocolError, match="empty"):
            client.read_demand()
        assert client.read() == {}  # every channel answered empty: nothing to report, no crash
        sim.clear_faults()
        sim.set_fault("malformed_xml")
        with pytest.raises(ProtocolError, match="XML"):
            client.read_demand()
        sim.clear_faults()
        assert client.read_demand().unit == "W"


def test_empty_interval_pages_are_gaps(sim: MeterSimulator, identity: Identity) -> None:
    since = dt.datetime.fromtimestamp(T0, dt.UTC) - dt.timedelta(hours=6)
    with client_for(sim, identity) as client:
        client.read_demand()
        sim.set_fault("empty_body", path="/upt/1/mr/12/rs/")
        slots = client.intervals(since)
    assert slots and all(s.delivered_wh is None for s in slots)
    assert any(s.received_wh is not None for s in slots)


def test_read_stall_is_unreachable_after_the_read_timeout(sim: MeterSimulator, identity: Identity) -> None:
    with client_for(sim, identity, read_timeout=0.5) as client:
        client.read_demand()
        sim.set_fault("read_stall", seconds=3.0)
        # the meter answers once its 3 s stall is over: a client that waited for it would read the answer, so
        # Unreachable means the 0.5 s read timeout ended the request first
        with pytest.raises(Unreachable):
            client.read_demand()


def test_slow_handshake_within_timeout_works(sim: MeterSimulator, identity: Identity) -> None:
    sim.set_fault("slow_handshake", seconds=0.5)
    with client_for(sim, identity) as client:
        assert client.probe().accepted


def test_blackhole_is_unreachable(sim: MeterSimulator, identity: Identity) -> None:
    sim.set_fault("blackhole")
    with client_for(sim, identity, handshake_timeout=0.5) as client, pytest.raises(Unreachable, match="handshake"):
        client.read_demand()


def test_busy_meter(sim: MeterSimulator, identity: Identity) -> None:
    sim.set_fault("busy")
    with client_for(sim, identity) as client:
        error = client.probe().error
        assert isinstance(error, MeterBusy) and "one connection" in error.user_message


def test_second_client_while_first_holds_the_connection_is_busy(sim: MeterSimulator, identity: Identity) -> None:
    with client_for(sim, identity) as first, client_for(sim, identity) as second:
        first.read_demand()  # kept alive: holds the meter's only connection
        assert isinstance(second.probe().error, MeterBusy)


def _port_refuses(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
    except ConnectionRefusedError:
        return True
    except OSError:
        return False
    return False


def test_outage_is_unreachable_and_recovers(sim: MeterSimulator, identity: Identity) -> None:
    with client_for(sim, identity) as client:
        client.read_demand()
        sim.set_fault("outage", seconds=0)
        wait_until(lambda: _port_refuses(sim.host, sim.port))
        with pytest.raises(Unreachable, match="refused"):
            client.read_demand()
        sim.clear_faults()
        wait_until(lambda: not _port_refuses(sim.host, sim.port))
        assert client.read_demand().unit == "W"


def test_frozen_register_and_spike_come_through_unaltered(start_simulator: Callable[..., MeterSimulator],
                                                           identity: Identity) -> None:
    now = [T0]
    sim = start_simulator(identity, clock=lambda: now[0])
    with client_for(sim, identity) as client:
        before = client.read_registers()
        sim.set_fault("frozen_register", register="delivered")
        now[0] += 3600
        after = client.read_registers()
        assert after.delivered_wh == before.delivered_wh  # the client reports; flagging is the poller's job
        sim.set_fault("spike", target="demand", amount=100000)
        assert client.read_demand().value >= 100000 - 20000


def test_cli_read_json_against_the_simulator(sim: MeterSimulator, identity: Identity, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_bytes(identity.cert_pem)
    key.write_bytes(identity.key_pem)
    cmd = [sys.executable, "-m", "xcelsior_desktop", "read", "--host", sim.host, "--port", str(sim.port),
           "--cert", str(cert), "--key", str(key), "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["demand_w"] == round(sim.model.demand_w(T0)) and data["meter_lfdi"] == sim.lfdi
    assert data["meter_sfdi"] == sim.sfdi and data["sw_version"] == "3.2.50"
    assert data["delivered_wh"] > 0 and data["received_wh"] >= 0 and data["read_at"].endswith("Z")
    dt.datetime.fromisoformat(data["read_at"])
    wrong = subprocess.run([*cmd, "--meter-lfdi", generate_identity().lfdi], capture_output=True, text=True,
                           timeout=60)
    assert wrong.returncode == 6 and wrong.stdout == "" and len(wrong.stderr.strip().splitlines()) == 1
    sim.unregister(identity.cert_pem)
    refused = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 3 and "Launchpad" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1


def test_a_stopped_client_never_connects_again(sim: MeterSimulator, identity: Identity) -> None:
    """Quitting: after abort() not even a TCP connect reaches the meter (it would be a second connection while the
    meter still holds the one just cut)."""
    with client_for(sim, identity) as client:
        client.read_demand()
        client.abort()
        connections = sim.log.connections
        with pytest.raises(Unreachable, match="stopped"):
            client.read_demand()
        assert client.port_answers() is False
        assert sim.log.connections == connections
        assert sim.log.max_concurrent == 1


def test_an_outage_leaves_closing_to_the_thread_that_serves_the_connection(
        sim: MeterSimulator, identity: Identity, monkeypatch: pytest.MonkeyPatch) -> None:
    """A socket closed under a thread that still uses it frees its number for the next socket the process opens,
    which that thread (and OpenSSL) would then read and write: only the serving thread may close."""
    closers: list[str] = []
    real_close = socket.socket.close

    def close(self: socket.socket) -> None:
        if isinstance(self, ssl.SSLSocket) and self.server_side and self.fileno() != -1:
            closers.append(threading.current_thread().name)
        real_close(self)

    with client_for(sim, identity) as client:
        client.read_demand()  # kept alive: a serving thread waits for the next request
        monkeypatch.setattr(socket.socket, "close", close)
        sim.set_fault("outage", seconds=0)
        wait_until(lambda: bool(closers))
        sim.clear_faults()
        wait_until(lambda: not _port_refuses(sim.host, sim.port))
        assert client.read_demand().unit == "W"
    assert closers and set(closers) == {"sim-conn"}
