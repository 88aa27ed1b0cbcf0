"""`xcelsior-desktop simulate` as scripts use it (subprocess), and the mDNS advertisement on loopback."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading

import pytest

from tests.integration.simulator_support import connect, get
from xcelsior_desktop.meter.identity import generate_identity, sfdi_from_lfdi
from xcelsior_desktop.simulator import MeterSimulator


def _simulate(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "xcelsior_desktop", "simulate", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_cli_prints_contract_lines_serves_and_exits_0_on_signal(tmp_path, signum):
    me = generate_identity()
    cert = tmp_path / "client.pem"
    cert.write_bytes(me.cert_pem)
    process = _simulate("--port", "0", "--no-mdns", "--allow-cert", str(cert), "--seed", "3")
    try:
        assert process.stdout is not None
        listening = process.stdout.readline()
        identity = process.stdout.readline()
        match = re.fullmatch(r"listening on 127\.0\.0\.1:(\d+)\n", listening)
        assert match, listening
        lfdi, sfdi = re.fullmatch(r"meter lfdi ([0-9A-F]{40}) sfdi (\d+)\n", identity).groups()  # type: ignore[union-attr]
        assert sfdi_from_lfdi(lfdi) == int(sfdi)
        with connect(int(match.group(1)), me) as conn:
            status, _, body = get(conn, "/sdev")
            assert status == 200 and f"<sFDI>{sfdi}</sFDI>".encode() in body
        process.send_signal(signum)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_cli_keeps_its_server_certificate_between_runs():
    lfdis = []
    for _ in range(2):
        process = _simulate("--port", "0", "--no-mdns", "--accept-any-cert")
        assert process.stdout is not None
        process.stdout.readline()
        lfdis.append(process.stdout.readline().split()[2])
        process.terminate()
        assert process.wait(timeout=15) == 0
    assert lfdis[0] == lfdis[1]


@pytest.mark.parametrize("args, message", [
    (["--allow-cert", "/nonexistent/client.pem"], "cannot read --allow-cert"),
    (["--server-cert", "/nonexistent/c.pem", "--server-key", "/nonexistent/k.pem"], "could not be opened"),
    (["--fault", "nope"], "invalid choice"),
    (["--port", "http"], "invalid int value"),
    (["--role", "inverter"], "invalid choice"),
])
def test_cli_bad_input_is_one_line_and_exit_2(args, message):
    process = _simulate("--port", "0", "--no-mdns", *args)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and message in err, err


def _contract_lines(process: subprocess.Popen[str]) -> tuple[int, str, int]:
    """(port, lfdi, sfdi) from the two lines a simulator prints before it serves."""
    assert process.stdout is not None
    listening, identity = process.stdout.readline(), process.stdout.readline()
    match = re.fullmatch(r"listening on 127\.0\.0\.1:(\d+)\n", listening)
    assert match, listening
    lfdi, sfdi = re.fullmatch(r"meter lfdi ([0-9A-F]{40}) sfdi (\d+)\n", identity).groups()  # type: ignore[union-attr]
    return int(match.group(1)), lfdi, int(sfdi)


def test_cli_net_and_production_meters_side_by_side(tmp_path):
    """One household's two meters as two processes on two ports: two identities, kept per role between runs."""
    me = generate_identity()
    cert = tmp_path / "client.pem"
    cert.write_bytes(me.cert_pem)
    common = ("--port", "0", "--no-mdns", "--allow-cert", str(cert), "--seed", "3")
    processes = [_simulate(*common), _simulate(*common, "--role", "production")]
    try:
        (net_port, net_lfdi, net_sfdi), (port, lfdi, sfdi) = (_contract_lines(p) for p in processes)
        assert net_port != port and net_lfdi != lfdi and net_sfdi != sfdi and sfdi_from_lfdi(lfdi) == sfdi
        with connect(port, me) as conn:
            assert f"<sFDI>{sfdi}</sFDI>".encode() in get(conn, "/sdev")[2]
            made = int(re.search(rb"<value>(-?\d+)</value>", get(conn, "/upt/1/mr/1/r")[2]).group(1))  # type: ignore[union-attr]
            assert made >= 0  # production, never negative
            received = get(conn, "/upt/1/mr/2/r")[2]
            assert b"<value>0</value>" in received  # the production meter's inverter draws nothing
        for process in processes:
            process.terminate()
            assert process.wait(timeout=15) == 0
        again = _simulate(*common, "--role", "production")
        try:
            assert _contract_lines(again)[1] == lfdi
            again.terminate()
            assert again.wait(timeout=15) == 0
        finally:
            if again.poll() is None:
                again.kill()
                again.wait()
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_cli_unreadable_pem_content(tmp_path):
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    process = _simulate("--port", "0", "--no-mdns", "--allow-cert", str(junk))
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2 and "not a PEM certificate" in err and len(err.strip().splitlines()) == 1


def test_mdns_advertises_the_meter_on_loopback_only():
    from zeroconf import ServiceBrowser, ServiceListener, Zeroconf

    found = threading.Event()
    infos = []

    class Listener(ServiceListener):
        def add_service(self, zc: Zeroconf, type_: str, name: str) -> None:
            info = zc.get_service_info(type_, name, timeout=3000)
            if info is not None and name.startswith(f"itrondnsserver-{simulator.sfdi}."):
                infos.append((name, info))
                found.set()

        def update_service(self, zc: Zeroconf, type_: str, name: str) -> None:
            self.add_service(zc, type_, name)

        def remove_service(self, zc: Zeroconf, type_: str, name: str) -> None:
            pass

    with MeterSimulator(mdns=True, mdns_interfaces=["127.0.0.1"]) as simulator:
        browser_zc = Zeroconf(interfaces=["127.0.0.1"])
        try:
            browser = ServiceBrowser(browser_zc, "_smartenergy._tcp.local.", Listener())
            assert found.wait(15), "the simulator was not found over mDNS on loopback"
            browser.cancel()
            ttls = {record.ttl for record in browser_zc.cache.entries_with_name(infos[0][0])}
        finally:
            browser_zc.close()
    name, info = infos[0]
    assert name == f"itrondnsserver-{simulator.sfdi}._smartenergy._tcp.local."
    assert info.port == simulator.port
    assert info.parsed_addresses() == ["127.0.0.1"]
    assert info.properties == {b"txtvers": b"1", b"dcap": b"/dcap", b"level": b"-S0",
                               b"https": str(simulator.port).encode()}
    assert ttls == {120}  # SRV and TXT records as received


def test_cli_firmware_3_2_39_and_a_field_fault(tmp_path):
    me = generate_identity()
    cert = tmp_path / "client.pem"
    cert.write_bytes(me.cert_pem)
    process = _simulate("--port", "0", "--no-mdns", "--allow-cert", str(cert), "--firmware", "3.2.39",
                        "--fault", "empty_intervals")
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().rsplit(":", 1)[1])
        process.stdout.readline()
        with connect(port, me) as conn:
            assert b"<swVer>3.2.39</swVer>" in get(conn, "/sdev/sdi")[2]
            assert b'all="20"' in get(conn, "/upt/1/mr?s=0&l=25")[2]
        process.terminate()
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    bad = subprocess.run([sys.executable, "-m", "xcelsior_desktop", "simulate", "--firmware", "9.9"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "firmware" in bad.stderr
