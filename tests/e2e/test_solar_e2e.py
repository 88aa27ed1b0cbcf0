"""End to end under a real X server: a solar home's two meters (simulators over TLS) in the demo app, the Live tab's
solar panel, the Overview's Solar and Home use cards and the History's Home use series, each captured with
ImageMagick and checked to be drawn."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_history_e2e import _stddev
from tests.tools import require_tool
from tests.xserver import start_xvfb

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_a_solar_homes_two_meters_are_drawn(tmp_path):
    require_tool("Xvfb", "import", "convert")
    xvfb, display = start_xvfb("1280x900x24")
    home = tmp_path / "home"  # its own demo store, as a new user's
    env = {**os.environ, "DISPLAY": display, "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
           "HOME": str(home), **{var: str(home / sub) for var, sub in (
               ("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
               ("XDG_STATE_HOME", ".local/state"), ("XDG_CACHE_HOME", ".cache"))}}
    env.pop("QT_QPA_PLATFORM", None)
    shots = os.environ.get("XCELSIOR_SCREENSHOTS")
    out = Path(shots) if shots else tmp_path
    try:
        run = subprocess.run([sys.executable, "-m", "tests.e2e.solar_screens", str(out)], env=env,
                             capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stdout + run.stderr
    finally:
        xvfb.terminate()
        xvfb.wait(5)
    for name in ("solar-live", "solar-overview", "solar-history"):
        png = out / f"{name}.png"
        assert png.exists() and _stddev(png) > 0.05, name
