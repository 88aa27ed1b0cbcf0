"""End to end under a real X server: the demo's History tab in each view (Live, Day, Week, Month, Year), drawn
from the 30 days it backfilled from its simulator, captured with ImageMagick and checked to be drawn."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tools import require_tool
from tests.xserver import start_xvfb

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
VIEWS = ("live", "day", "week", "month", "year")


def _stddev(path: Path) -> float:
    out = subprocess.run(["convert", str(path), "-colorspace", "Gray", "-format", "%[fx:standard_deviation]", "info:"],
                         capture_output=True, text=True, check=True).stdout
    return float(out)


def _has_colour(path: Path, hex_colour: str) -> bool:
    """Whether any pixel of the PNG is exactly ``hex_colour`` (a bar's fill)."""
    out = subprocess.run(["convert", str(path), "-fill", "black", "+opaque", hex_colour, "-fill", "white",
                          "-opaque", hex_colour, "-format", "%[fx:maxima]", "info:"],
                         capture_output=True, text=True, check=True).stdout
    return float(out) > 0


def test_each_history_view_is_drawn_from_the_backfilled_month(tmp_path):
    require_tool("Xvfb", "import", "convert")
    from xcelsior_desktop.app.tray_icon import EXPORT_FILL, IMPORT_FILL

    xvfb, display = start_xvfb("1280x900x24")
    env = {**os.environ, "DISPLAY": display, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    env.pop("QT_QPA_PLATFORM", None)
    shots = os.environ.get("XCELSIOR_SCREENSHOTS")
    out = Path(shots) if shots else tmp_path
    # a README image shows a couple of minutes of the Live trace; the dark set is for the Day view
    runs = [["--live-seconds", "120"], ["--live-seconds", "70", "--dark"]] if shots else [["--live-seconds", "6"]]
    try:
        for index, extra in enumerate(runs):
            home = tmp_path / f"home{index}"  # each run its own demo store, as a new user's
            run_env = {**env, "HOME": str(home), **{var: str(home / sub) for var, sub in (
                ("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"), ("XDG_STATE_HOME", ".local/state"),
                ("XDG_CACHE_HOME", ".cache"))}}
            run = subprocess.run([sys.executable, "-m", "tests.e2e.history_screens", str(out), *extra],
                                 env=run_env, capture_output=True, text=True, timeout=600)
            assert run.returncode == 0, run.stdout + run.stderr
    finally:
        xvfb.terminate()
        xvfb.wait(5)
    for view in VIEWS:
        png = out / f"history-{view}.png"
        assert png.exists() and _stddev(png) > 0.05, view
    for view in ("day", "week", "month"):  # import bars above, export bars below, from the backfilled history
        png = out / f"history-{view}.png"
        assert _has_colour(png, IMPORT_FILL.name()) and _has_colour(png, EXPORT_FILL.name()), view
