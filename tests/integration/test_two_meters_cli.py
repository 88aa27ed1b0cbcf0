"""The command line with two meters (net and solar, each its own simulator of one household, real mutual TLS on
loopback): --meter picks one by role or by the name given it, read and history sync go through a session (its pin
refuses the other meter), each meter's history stays in its own rows, and the output lines do not change."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from xcelsior_desktop.cli import main
from xcelsior_desktop.energy.store import Access, HistoryStore
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.session.meters_file import save_targets
from xcelsior_desktop.session.target import PRODUCTION, MeterTarget
from xcelsior_desktop.simulator.household import HouseholdMeters

T0 = 1781805600  # 2026-06-18 12:00 Denver: the panels make power
SYNC_LINE = re.compile(r"^synced (\d+) new slots \((\S+Z) \.\. (\S+Z)\)$")


@pytest.fixture
def meters(identity: Identity) -> Iterator[HouseholdMeters]:
    household = HouseholdMeters(5, host="127.0.0.1", allowed_certs=[identity.cert_pem], mdns=False,
                                clock=lambda: T0).start()
    save_targets([MeterTarget(host=household.net.host, port=household.net.port, automatic=False,
                              meter_lfdi=household.net.lfdi),
                  MeterTarget(host=household.production.host, port=household.production.port, automatic=False,
                              role=PRODUCTION, name="Garage PV", meter_lfdi=household.production.lfdi)])
    yield household
    household.stop()


@pytest.fixture
def files(tmp_path: Path, identity: Identity) -> list[str]:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_bytes(identity.cert_pem)
    key.write_bytes(identity.key_pem)
    return ["--cert", str(cert), "--key", str(key)]


def read_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    assert main(["read", "--json", *args]) == 0
    return dict(json.loads(capsys.readouterr().out))


def test_read_picks_a_meter_by_role_or_name(meters, files, capsys) -> None:  # type: ignore[no-untyped-def]
    net = read_json(capsys, *files)
    assert net["meter_lfdi"] == meters.net.lfdi  # without --meter: the net meter
    solar = read_json(capsys, "--meter", "production", *files)
    assert solar["meter_lfdi"] == meters.production.lfdi and solar["demand_w"] > 0  # noon: the panels make power
    assert solar["received_wh"] == 0  # a production meter only ever delivers
    assert read_json(capsys, "--meter", "garage pv", *files)["meter_lfdi"] == meters.production.lfdi
    assert main(["read", "--meter", "shed", *files]) == 2
    assert "no meter called 'shed'" in capsys.readouterr().err


def test_the_pin_refuses_the_other_meter(meters, files, capsys) -> None:  # type: ignore[no-untyped-def]
    args = ["read", "--host", meters.net.host, "--port", str(meters.net.port), "--meter-lfdi",
            meters.production.lfdi, *files]
    assert main(args) == 6  # another device answers at that address: never read as this one
    assert "IdentityMismatch" in capsys.readouterr().err


def test_each_meters_history_in_its_own_rows(meters, files, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "h.sqlite3"
    assert main(["history", "sync", "--meter", "production", *files, "--db", str(db)]) == 0
    line = capsys.readouterr().out.strip()
    assert SYNC_LINE.match(line), line
    with HistoryStore(db, access=Access.READ) as store:
        solar = store.for_meter("production").intervals()
        assert solar and store.intervals() == []  # the net meter's rows are untouched
        assert all(iv.exported_wh in (0, None) for iv in solar)
    assert main(["history", "sync", *files, "--db", str(db)]) == 0  # the net meter's own sync, beside it
    capsys.readouterr()
    assert main(["history", "export", "--format", "csv", "--meter", "production", "--db", str(db)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and set(rows[0]) >= {"start", "end", "imported_wh", "exported_wh"}
    assert sum(float(r["imported_wh"]) for r in rows) == pytest.approx(sum(iv.imported_wh or 0 for iv in solar))
    assert main(["history", "info", "--meter", "nowhere", "--db", str(db)]) == 2


def test_a_sync_by_address_goes_into_the_rows_meter_names(meters, files, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """--host reads that address; --meter says whose history it is (the solar meter's here), as without --host."""
    db = tmp_path / "h.sqlite3"
    solar = meters.production
    assert main(["history", "sync", "--host", solar.host, "--port", str(solar.port), "--meter", "production", *files,
                 "--db", str(db)]) == 0
    assert SYNC_LINE.match(capsys.readouterr().out.strip())
    with HistoryStore(db, access=Access.READ) as store:
        assert store.for_meter("production").intervals() and store.intervals() == []
