"""Our TLS against an independent server: ``openssl s_server`` with the meter's one cipher suite and a
required, verified client certificate, serving the real capture's bodies as files (``-WWW``).

``-WWW`` answers HTTP/1.0 and closes after every response, so every request here is a new connection: each one
must resume the TLS session and re-check the pinned LFDI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.client_support import OpensslServer, capture_responses, openssl_server, write_capture_tree
from tests.tools import require_tool
from xcelsior_desktop.meter import CertificateRefused, IdentityMismatch, generate_identity
from xcelsior_desktop.meter.channels import Channel
from xcelsior_desktop.meter.client import MeterClient
from xcelsior_desktop.meter.identity import Identity

# The two newest interval sets: 123 is in the capture, 122 was not captured -> served as an empty body.
EMPTY_SET_PAGES = {
    "/upt/1/mr/11/rs/122/r?s=0&l=25": b"",
    "/upt/1/mr/12/rs/122/r?s=0&l=25": b"",
}
SET_123_START = 1791244800  # 2026-10-06 00:00 UTC
SET_122_START = SET_123_START - 43200


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, identity: Identity) -> Iterator[OpensslServer]:
    require_tool("openssl")
    work = tmp_path_factory.mktemp("openssl")
    www = work / "www"
    write_capture_tree(www, capture_responses(), extra=EMPTY_SET_PAGES)
    with openssl_server(work, generate_identity(), [identity], www_root=www) as running:
        yield running


def test_capture_read_over_independent_tls(server: OpensslServer, identity: Identity) -> None:
    with MeterClient(server.host, server.port, identity=identity, handshake_timeout=10) as client:
        probe = client.probe()
        assert probe.accepted and probe.meter_lfdi == server.server_identity.lfdi
        info = client.device_info()
        assert (info.sfdi, info.sw_version, info.manufacturer) == (651057190448, "3.2.50", "Itron")
        demand = client.read_demand()
        assert demand.value == 2439.0 and demand.unit == "W"
        assert demand.timestamp == dt.datetime.fromtimestamp(1791261644, dt.UTC)
        regs = client.read_registers()
        assert (regs.delivered_wh, regs.received_wh) == (42239863.0, 8783719.0)
        assert regs.tou_received == {1: 331157.0, 2: 1425298.0, 3: 7027264.0}
        values = client.read()
        assert values[Channel.POWER_FACTOR].value == pytest.approx(0.918)
        assert Channel.POWER_FACTOR_A not in values and Channel.MAX_DEMAND_RECEIVED not in values
        assert values[Channel.MAX_DEMAND_DELIVERED].unit == "W"
        stats = client.stats
        # every request was a new connection (HTTP/1.0 server): all but the first resumed the session
        assert stats.handshakes == stats.connections and stats.handshakes > 30
        assert stats.resumed_handshakes == stats.handshakes - 1
        assert client.transport.context.get_ca_certs() == []


def test_intervals_from_local_id_with_an_empty_set_as_gaps(server: OpensslServer, identity: Identity) -> None:
    since = dt.datetime.fromtimestamp(SET_122_START, dt.UTC)
    with MeterClient(server.host, server.port, identity=identity) as client:
        slots = client.intervals(since)
    by_start = {int(s.start.timestamp()): s for s in slots}
    first_of_123 = by_start[SET_123_START]
    assert first_of_123.duration_s == 900 and first_of_123.delivered_wh is not None
    # set 122 answered empty: its 48 slots are there, as gaps
    gaps = [by_start[SET_122_START + i * 900] for i in range(48)]
    assert all(g.delivered_wh is None and g.received_wh is None for g in gaps)
    assert len(slots) == 48 + 19
    assert [int(s.start.timestamp()) for s in slots] == list(range(SET_122_START, SET_123_START + 19 * 900, 900))


def test_refused_certificate_over_independent_tls(server: OpensslServer) -> None:
    with MeterClient(server.host, server.port, identity=generate_identity()) as client:
        probe = client.probe()
        assert isinstance(probe.error, CertificateRefused) and probe.meter_lfdi == server.server_identity.lfdi
        with pytest.raises(CertificateRefused):
            client.read_demand()


def test_pin_checked_on_every_new_connection(server: OpensslServer, identity: Identity) -> None:
    with MeterClient(server.host, server.port, identity=identity, meter_lfdi=generate_identity().lfdi) as client, \
            pytest.raises(IdentityMismatch):
        client.read_demand()


def test_write_capture_tree_renames_conflicting_path(tmp_path: Path) -> None:
    write_capture_tree(tmp_path, capture_responses())
    assert (tmp_path / "sdev-sdi").is_file() and (tmp_path / "sdev").is_file()
