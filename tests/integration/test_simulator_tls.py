"""The simulator's TLS and HTTP behaviour, checked with openssl and a raw client of our own."""

from __future__ import annotations

import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from tests.integration.simulator_support import BAD_CERTIFICATE, alert_received, connect, get
from tests.tools import require_tool
from tests.waiting import wait_until
from xcelsior_desktop.meter.identity import generate_identity, lfdi_from_der
from xcelsior_desktop.meter.tls import client_context
from xcelsior_desktop.simulator import MeterSimulator

CIPHER = "ECDHE-ECDSA-AES128-CCM8:@SECLEVEL=0"


@pytest.fixture(scope="module")
def stranger_identity():
    return generate_identity()


@pytest.fixture
def sim(start_simulator, identity):
    return start_simulator(identity, idle_timeout=2.0, busy_hold=0.6)


def _openssl_identity(folder: Path) -> tuple[Path, Path]:
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", str(key)], check=True)
    subprocess.run(["openssl", "req", "-x509", "-new", "-key", str(key), "-out", str(cert), "-days", "30",
                    "-subj", "/CN=MeterReaderHanClient", "-sha256"], check=True, capture_output=True)
    return cert, key


def _s_client(port: int, cert: Path, key: Path, request: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-tls1_2", "-cipher", CIPHER,
         "-cert", str(cert), "-key", str(key), "-ign_eof"],
        input=request, capture_output=True, timeout=30)


def test_openssl_s_client_with_an_openssl_certificate_fetches_dcap(tmp_path):
    require_tool("openssl")
    cert, key = _openssl_identity(tmp_path)
    with MeterSimulator(allowed_certs=[cert.read_bytes()]) as simulator:
        done = _s_client(simulator.port, cert, key, b"GET /dcap HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n")
    out = done.stdout.decode()
    assert "ECDHE-ECDSA-AES128-CCM8" in out
    assert "Protocol  : TLSv1.2" in out
    assert "HTTP/1.1 200 OK" in out
    assert "Content-Type: application/sep+xml" in out
    assert '<DeviceCapability\n     xmlns="urn:ieee:std:2030.5:ns"\n     href="/dcap">' in out
    assert simulator.log.requests == [("/dcap", 200)]


def test_openssl_certificate_not_registered_gets_bad_certificate_alert(tmp_path):
    require_tool("openssl")
    cert, key = _openssl_identity(tmp_path)
    with MeterSimulator() as simulator:
        done = _s_client(simulator.port, cert, key, b"GET /dcap HTTP/1.1\r\nHost: m\r\n\r\n")
        wait_until(lambda: simulator.log.refused_handshakes == 1, what="the refusal in the log")
    text = (done.stdout + done.stderr).decode()
    assert "alert number 42" in text  # bad_certificate, by the protocol's number (OpenSSL's words for it vary)
    assert "HTTP/1.1" not in text
    assert simulator.log.requests == []


def test_unregistered_certificate_refused_in_handshake_and_registration_changes_live(sim, stranger_identity):
    assert alert_received(sim.port, stranger_identity) == BAD_CERTIFICATE  # in the handshake, before any request
    wait_until(lambda: sim.log.refused_handshakes == 1, what="the refusal in the log")
    sim.register(stranger_identity.cert_pem)
    with connect(sim.port, stranger_identity) as conn:
        assert get(conn, "/sdev")[0] == 200
    sim.unregister(lfdi_from_der(stranger_identity.cert_der))
    assert alert_received(sim.port, stranger_identity) == BAD_CERTIFICATE
    wait_until(lambda: sim.log.refused_handshakes == 2, what="the second refusal in the log")


def test_demo_mode_accepts_any_certificate(start_simulator, stranger_identity):
    simulator = start_simulator(accept_any_cert=True)
    with connect(simulator.port, stranger_identity) as conn:
        assert get(conn, "/tm")[0] == 200


def test_only_tls12_with_the_ccm8_suite(sim, identity):
    strict = client_context(identity)
    with connect(sim.port, identity, strict) as conn:
        assert conn.version() == "TLSv1.2"
        assert conn.cipher()[0] == "ECDHE-ECDSA-AES128-CCM8"
    other = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    other.check_hostname = False
    other.verify_mode = ssl.CERT_NONE
    other.set_ciphers("ECDHE-ECDSA-AES128-GCM-SHA256")
    other.maximum_version = ssl.TLSVersion.TLSv1_2
    with pytest.raises(ssl.SSLError):
        connect(sim.port, identity, other)


def test_http_rules_keepalive_404_405_and_headers(sim, identity):
    with connect(sim.port, identity) as conn:
        status, headers, body = get(conn, "/dcap")
        assert status == 200 and headers["content-type"] == "application/sep+xml"
        assert int(headers["content-length"]) == len(body)
        status, headers, body = get(conn, "/edev")
        assert (status, body, headers["content-length"]) == (404, b"", "0")
        status, headers, body = get(conn, "/sdev/ns")
        assert status == 405 and body == b"" and headers["allow"] == ""
        status, headers, _ = get(conn, "/dcap", method="POST")
        assert status == 405 and headers["allow"] == "GET"
        assert get(conn, "/tm")[0] == 200  # still the same connection
    assert sim.log.handshakes == 1
    assert [s for _, s in sim.log.requests] == [200, 404, 405, 405, 200]


def test_session_resumption_is_offered_and_counted(sim, identity):
    context = client_context(identity)
    with connect(sim.port, identity, context) as first:
        get(first, "/dcap")
        session = first.session
    with connect(sim.port, identity, context, session=session) as second:
        assert second.session_reused
        get(second, "/dcap")
    assert sim.log.handshakes == 2
    assert sim.log.resumed_handshakes == 1


def test_second_connection_waits_then_is_reset_without_tls_bytes(sim, identity):
    with connect(sim.port, identity) as holder:
        get(holder, "/dcap")
        waiting = socket.create_connection(("127.0.0.1", sim.port), timeout=5)
        started = time.monotonic()
        with pytest.raises(ConnectionResetError):
            waiting.recv(10)  # no byte of TLS before the reset
        assert time.monotonic() - started >= 0.5  # held for busy_hold (0.6 s)
        waiting.close()
        assert get(holder, "/tm")[0] == 200  # the first connection is untouched
    wait_until(lambda: sim.log.busy_resets == 1, what="the busy reset in the log")
    assert sim.log.max_concurrent == 2


def test_second_connection_is_served_when_the_first_closes_in_time(start_simulator, identity):
    simulator = start_simulator(identity, busy_hold=5.0)
    first = connect(simulator.port, identity)
    get(first, "/dcap")
    raw = socket.create_connection(("127.0.0.1", simulator.port), timeout=10)
    wait_until(lambda: simulator.log.connections == 2, what="the second connection")
    first.close()
    second = client_context(identity).wrap_socket(raw)
    assert get(second, "/tm")[0] == 200
    second.close()
    assert simulator.log.busy_resets == 0


def test_idle_connection_closed_after_idle_timeout(start_simulator, identity):
    simulator = start_simulator(identity, idle_timeout=0.5)
    conn = connect(simulator.port, identity)
    get(conn, "/dcap")
    started = time.monotonic()
    conn.settimeout(10)  # the wait for the close is bounded by the socket: a server that never closes fails here
    assert conn.recv(10) == b""  # the server closed it
    assert time.monotonic() - started >= 0.4  # not before the 0.5 s idle timeout
    wait_until(lambda: simulator.log.idle_closes == 1, what="the idle close in the log")
    conn.close()

