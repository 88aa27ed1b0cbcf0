"""Compare with my bill under a real X server, drawn with readable text; ``XCELSIOR_SCREENSHOTS=docs/screenshots``
saves the README's picture of it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cost_support import fill_store
from tests.e2e.test_tray_e2e import _variance, _wait
from tests.tools import ROOT, require_tool
from tests.xserver import start_xvfb
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.money import load_preset
from xcelsior_desktop.simulator.model import HouseholdModel

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_the_bill_dialog_is_drawn_with_both_sides(tmp_path: Path) -> None:
    require_tool("Xvfb", "import", "convert")
    db = tmp_path / "history.sqlite3"
    zone = load_preset("xcel-co-tou").zone
    with HistoryStore(db) as store:
        fill_store(store, HouseholdModel(seed=0), dt.datetime(2026, 10, 10, tzinfo=zone),
                   dt.datetime(2026, 11, 20, tzinfo=zone))
    xvfb, display = start_xvfb()
    env = {**os.environ, "DISPLAY": display, "PYTHONPATH": str(ROOT)}
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("WAYLAND_DISPLAY", None)
    shower = subprocess.Popen([sys.executable, "-m", "tests.e2e.show_bill_dialog", str(db)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert shower.stdout is not None
        line = shower.stdout.readline().strip()
        assert line.startswith("dialog 0x"), line
        wid = line.split()[1]
        png = tmp_path / "compare-bill.png"

        def drawn() -> bool:
            shot = subprocess.run(["import", "-window", wid, str(png)], env=env, capture_output=True, check=False)
            return shot.returncode == 0 and _variance(png) > 0.05

        _wait(drawn, 20, "the bill dialog to be drawn")
    finally:
        shower.terminate()
        shower.wait(10)
        xvfb.terminate()
        xvfb.wait(10)
    shots = os.environ.get("XCELSIOR_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        subprocess.run(["cp", str(png), str(Path(shots) / "compare-bill.png")], check=True)
