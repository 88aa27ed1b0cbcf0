"""`xcelsior-desktop history sync|export|info`: the exact contracts, against the simulator over TLS."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import socket
from pathlib import Path

import pytest

from xcelsior_desktop.cli import main
from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore
from xcelsior_desktop.exchange.csv_export import ExtraColumns, write_csv
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.money.home_zone import home_zone
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.simulator import MeterSimulator

T0 = 1791261644  # 2026-10-06 04:40:44 UTC
SYNC_LINE = re.compile(r"^synced (\d+) new slots \((\S+Z) \.\. (\S+Z)\)$")


@pytest.fixture
def sim(start_simulator, identity: Identity) -> MeterSimulator:
    return start_simulator(identity, clock=lambda: T0)


@pytest.fixture
def files(tmp_path: Path, identity: Identity) -> list[str]:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_bytes(identity.cert_pem)
    key.write_bytes(identity.key_pem)
    return ["--cert", str(cert), "--key", str(key)]


def sync(sim: MeterSimulator, files: list[str], db: Path) -> list[str]:
    return ["history", "sync", "--host", sim.host, "--port", str(sim.port), *files, "--meter-lfdi", sim.lfdi,
            "--db", str(db)]


def test_sync_twice_gives_the_same_data(sim, files, tmp_path, capsys) -> None:
    db = tmp_path / "h.sqlite3"
    assert main(sync(sim, files, db)) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    match = SYNC_LINE.match(out[0])
    assert match, out
    assert match.group(2, 3) == ("2026-09-06T12:00:00Z", "2026-10-06T04:30:00Z")
    count = int(match.group(1))
    with HistoryStore(db) as store:
        first = store.intervals()
    assert count == len(first) > 29 * 96

    assert main(sync(sim, files, db)) == 0
    assert capsys.readouterr().out == "synced 0 new slots\n"
    with HistoryStore(db) as store:
        assert store.intervals() == first


def test_sync_errors_use_reads_exit_codes(files, tmp_path, capsys) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once closed
    args = ["history", "sync", "--host", "127.0.0.1", "--port", str(port), *files, "--db", str(tmp_path / "h.db")]
    assert main(args) == 4  # unreachable, as `read`
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("xcelsior-desktop history sync: Unreachable:")
    assert main(["history", "sync", "--host", "127.0.0.1", "--cert", files[1], "--db", str(tmp_path / "h.db")]) == 8
    assert "Give both --cert and --key" in capsys.readouterr().err  # one of the pair: an unusable identity


def test_export_csv_contract(tmp_path, capsys) -> None:
    db = tmp_path / "h.sqlite3"
    base = dt.datetime(2026, 10, 5, 23, 45, tzinfo=dt.UTC)
    with HistoryStore(db) as store:
        store.add_intervals([
            EnergyInterval(base, 900, 164.0, 0.0),
            EnergyInterval(base + dt.timedelta(minutes=15), 900, 12.5, None),
            # 00:30 is a gap: no row
            EnergyInterval(base + dt.timedelta(minutes=45), 900, 7.0, 3.0),
        ])
    assert main(["history", "export", "--format", "csv", "--db", str(db)]) == 0
    assert capsys.readouterr().out == (
        "start,end,imported_wh,exported_wh\n"
        "2026-10-05T23:45:00Z,2026-10-06T00:00:00Z,164,0\n"
        "2026-10-06T00:00:00Z,2026-10-06T00:15:00Z,12.5,\n"
        "2026-10-06T00:30:00Z,2026-10-06T00:45:00Z,7,3\n"
    )
    out = tmp_path / "out" / "h.csv"
    # days are counted in the home zone (automatic: the chosen tariff's zone, else the computer's)
    zone = home_zone(Settings.load()).zone
    day = base.astimezone(zone).date()
    assert main(["history", "export", "--format", "csv", "--from", str(day), "--to", str(day), "--db", str(db),
                 "-o", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
    assert [r["start"] for r in rows] == [
        f"{iv:%Y-%m-%dT%H:%M:%SZ}" for iv in (base, base + dt.timedelta(minutes=15), base + dt.timedelta(minutes=45))
        if iv < midnight
    ]
    assert main(["history", "export", "--format", "csv", "--from", "2026-10-07", "--to", "2026-10-06",
                 "--db", str(db)]) == 2
    with pytest.raises(SystemExit) as usage:
        main(["history", "export", "--format", "csv", "--from", "yesterday", "--db", str(db)])
    assert usage.value.code == 2
    capsys.readouterr()
    assert main(["history", "export", "--format", "csv", "--db", str(tmp_path / "missing.sqlite3")]) == 1
    assert "no history at" in capsys.readouterr().err
    assert not (tmp_path / "missing.sqlite3").exists()


def test_extra_columns_follow_the_standard_ones() -> None:
    start = dt.datetime(2026, 10, 6, tzinfo=dt.UTC)
    ivs = [EnergyInterval(start, 900, 100.0, 0.0), EnergyInterval(start + dt.timedelta(minutes=15), 900, None, 2.0)]
    tariff = ExtraColumns(("period", "cost"), lambda rows: [("off-peak", 0.0123 if r.imported_wh else None)
                                                            for r in rows])
    buffer = io.StringIO()
    assert write_csv(ivs, buffer, [tariff]) == 2
    assert buffer.getvalue().splitlines() == [
        "start,end,imported_wh,exported_wh,period,cost",
        "2026-10-06T00:00:00Z,2026-10-06T00:15:00Z,100,0,off-peak,0.0123",
        "2026-10-06T00:15:00Z,2026-10-06T00:30:00Z,,2,off-peak,",
    ]


def test_info_prints_path_size_span_and_gaps(tmp_path, capsys) -> None:
    db = tmp_path / "h.sqlite3"
    start = dt.datetime(2026, 10, 6, tzinfo=dt.UTC)
    with HistoryStore(db) as store:
        store.add_intervals(EnergyInterval(start + dt.timedelta(minutes=15 * i), 900, 10.0, 0.0)
                            for i in range(96) if not 40 <= i < 48)
    assert main(["history", "info", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"path:       {db}"
    assert re.match(r"^size:       \d+\.\d MB \(\d+ bytes\)$", lines[1])
    assert lines[2:] == [
        "first slot: 2026-10-06T00:00:00Z .. 2026-10-06T00:15:00Z",
        "last slot:  2026-10-06T23:45:00Z .. 2026-10-07T00:00:00Z",
        "gaps:       1",
        "  2026-10-06T10:00:00Z .. 2026-10-06T12:00:00Z (2 h)",
    ]
