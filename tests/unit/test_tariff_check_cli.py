"""``xcelsior-desktop tariff check --from DATE --to DATE [--tariff NAME|FILE] [--db PATH]``: one line per period
``PERIOD KWH kWh $AMOUNT``, then ``monthly charge $AMOUNT``, then ``total $AMOUNT``; the days in the home zone;
one line and exit 1 for dates that are not dates, a span with no data, a tariff without prices."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from tests.cost_support import fill_store
from xcelsior_desktop.cli import main
from xcelsior_desktop.energy.days import local_midnight
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.money import load_preset
from xcelsior_desktop.money.cost import cost
from xcelsior_desktop.simulator.model import HouseholdModel

UTC = dt.UTC
TOU = load_preset("xcel-co-tou")
DENVER = TOU.zone


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as store:
        fill_store(store, HouseholdModel(seed=0), local_midnight(dt.date(2026, 10, 1), DENVER),
                   local_midnight(dt.date(2026, 11, 5), DENVER))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    code = main(["tariff", "check", *argv])
    out = capsys.readouterr()
    return code, out.out.splitlines(), out.err.splitlines()


def test_the_lines_are_the_one_cost_functions_figures(db: Path, capsys) -> None:
    code, out, err = run(capsys, "--from", "2026-10-15", "--to", "2026-11-03", "--db", str(db))
    assert (code, err) == (0, [])
    with HistoryStore(db) as store:
        expected = cost(TOU, store, local_midnight(dt.date(2026, 10, 15), DENVER),
                        local_midnight(dt.date(2026, 11, 4), DENVER), dt.datetime.now(UTC), zone=DENVER).summary
    def money(amount: float) -> str:
        return f"-${-amount:.2f}" if round(amount, 2) < 0 else f"${amount:.2f}"

    assert out == [f"{name} {t.imported_kwh:.2f} kWh {money(t.cost)}" for name, t in expected.periods.items()] + [
        f"monthly charge {money(expected.monthly_charge)}", f"total {money(expected.total)}"]
    assert [line.split()[0] for line in out] == ["on-peak", "off-peak", "monthly", "total"]
    # 17 days of the Oct 1 - Oct 31 cycle (31 days) and 3 of November's (30 days)
    assert expected.monthly_charge == pytest.approx(8.17 * 17 / 31 + 8.17 * 3 / 30)


def test_another_tariff_and_the_home_zone_from_the_settings(db: Path, capsys) -> None:
    code, out, _ = run(capsys, "--from", "2026-10-15", "--to", "2026-10-15", "--tariff", "xcel-co-flat",
                       "--db", str(db))
    assert code == 0 and out[0].startswith("flat ") and out[-1].startswith("total $")
    denver_day = float(out[0].split()[1])
    settings = Path(os.environ["XDG_CONFIG_HOME"]) / "xcelsior-desktop" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"home_timezone": "UTC"}), encoding="utf-8")
    before = settings.read_bytes()
    code, out, _ = run(capsys, "--from", "2026-10-15", "--to", "2026-10-15", "--tariff", "xcel-co-flat",
                       "--db", str(db))
    assert code == 0 and float(out[0].split()[1]) != denver_day  # the UTC day is another day's hours
    assert settings.read_bytes() == before  # a command that reads never rewrites the settings


@pytest.mark.parametrize(("argv", "words"), [
    (("--from", "2026-13-01", "--to", "2026-11-03"), "must be dates"),
    (("--from", "2026-11-03", "--to", "2026-11-01"), "is after"),
    (("--from", "2020-01-01", "--to", "2020-01-31"), "the history has no energy from 2020-01-01 to 2020-01-31"),
    (("--from", "2026-10-15", "--to", "2026-10-20", "--tariff", "xcel-mn-tou"), "could not price these days"),
    (("--from", "2026-10-15", "--to", "2026-10-20", "--tariff", "no-such"), "no preset or tariff file"),
])
def test_what_cannot_be_checked_is_one_line_and_exit_1(db: Path, capsys, argv: tuple[str, ...], words: str) -> None:
    code, out, err = run(capsys, *argv, "--db", str(db))
    assert code == 1 and out == [] and len(err) == 1 and words in err[0]
    assert err[0].startswith("xcelsior-desktop tariff check: ")
