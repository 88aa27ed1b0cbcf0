"""End to end under a real X server: the demo (a simulator over TLS) shows the Overview, a History comparison and
the Big loads tab; each is captured with ImageMagick and checked to be drawn, light and dark."""

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


def test_the_overview_a_comparison_and_the_big_loads_are_drawn(tmp_path):
    require_tool("Xvfb", "import", "convert")
    xvfb, display = start_xvfb("1280x900x24")
    env = {**os.environ, "DISPLAY": display, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    env.pop("QT_QPA_PLATFORM", None)
    shots = os.environ.get("XCELSIOR_SCREENSHOTS")
    out = Path(shots) if shots else tmp_path
    try:
        for index, extra in enumerate([[], ["--dark"]]):
            home = tmp_path / f"home{index}"  # each run its own demo store, as a new user's
            run_env = {**env, "HOME": str(home), **{var: str(home / sub) for var, sub in (
                ("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state"),
                ("XDG_CACHE_HOME", ".cache"))}}
            run = subprocess.run([sys.executable, "-m", "tests.e2e.overview_screens", str(out), *extra],
                                 env=run_env, capture_output=True, text=True, timeout=600)
            assert run.returncode == 0, run.stdout + run.stderr
    finally:
        xvfb.terminate()
        xvfb.wait(5)
    for name in ("overview", "overview-dark", "history-compare", "big-loads"):
        png = out / f"{name}.png"
        assert png.exists() and _stddev(png) > 0.05, name
