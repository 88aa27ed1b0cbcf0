"""``history export --format csv --tariff NAME|FILE``: the columns period and cost after the standard four."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xcelsior_desktop.cli import main
from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore
from xcelsior_desktop.money import preset_text

# Monday 30 November 2026, Denver (UTC-7): 16:45 and 17:00 local are 23:45 and 00:00 UTC
EDGE = dt.datetime(2026, 11, 30, 23, 45, tzinfo=dt.UTC)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as store:
        store.add_intervals([
            EnergyInterval(EDGE, 900, 200.0, 0.0),                                  # 16:45 off-peak
            EnergyInterval(EDGE + dt.timedelta(minutes=15), 900, 300.0, 50.0),     # 17:00 on-peak, some export
            EnergyInterval(EDGE + dt.timedelta(minutes=30), 900, 120.0, None),     # export unknown: not priced
            EnergyInterval(EDGE + dt.timedelta(hours=4), 900, 400.0, 0.0),         # 20:45 on-peak
            EnergyInterval(EDGE + dt.timedelta(hours=4, minutes=15), 900, 400.0, 0.0),  # 21:00 off-peak
        ])
    return path


ON, OFF = 0.22996, 0.14296  # the preset's winter prices: the Electric Rates Summary of April 1, 2025 (RE-TOU)


def test_period_and_cost_columns(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "export", "--format", "csv", "--db", str(db), "--tariff", "xcel-co-tou"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "start,end,imported_wh,exported_wh,period,cost",
        f"2026-11-30T23:45:00Z,2026-12-01T00:00:00Z,200,0,off-peak,{0.2 * OFF:.4f}",
        f"2026-12-01T00:00:00Z,2026-12-01T00:15:00Z,300,50,on-peak,{0.3 * ON - 0.05 * ON:.4f}",
        "2026-12-01T00:15:00Z,2026-12-01T00:30:00Z,120,,,",
        f"2026-12-01T03:45:00Z,2026-12-01T04:00:00Z,400,0,on-peak,{0.4 * ON:.4f}",
        f"2026-12-01T04:00:00Z,2026-12-01T04:15:00Z,400,0,off-peak,{0.4 * OFF:.4f}",
    ]


def test_a_tariff_file_and_its_errors(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    own = tmp_path / "flat.toml"
    own.write_text(preset_text("xcel-co-flat").replace('export_credit = "net"', 'export_credit = "none"'),
                   encoding="utf-8")
    assert main(["history", "export", "--format", "csv", "--db", str(db), "--tariff", str(own)]) == 0
    rows = capsys.readouterr().out.splitlines()
    # no export credit: the unknown export no longer matters, so that slot is priced too
    assert rows[3] == f"2026-12-01T00:15:00Z,2026-12-01T00:30:00Z,120,,flat,{0.12 * 0.15612:.4f}"  # R-OO winter
    own.write_text(preset_text("xcel-co-flat").replace("from = 2022-01-01", "from = 2022-13-01"), encoding="utf-8")
    assert main(["history", "export", "--format", "csv", "--db", str(db), "--tariff", str(own)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("xcelsior-desktop history export: TariffError: ") and "line 22" in err
    assert main(["history", "export", "--format", "csv", "--db", str(db), "--tariff", "no-such"]) == 1
    assert "Use one of: xcel-co-flat, xcel-co-residential, xcel-co-tou, xcel-mn-tou" in capsys.readouterr().err
