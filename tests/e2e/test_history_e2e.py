"""End to end under a real X server: the demo's History tab in each view (Live, Day, Week, Month, Year), drawn
from the 30 days it backfilled from its simulator, captured with ImageMagick and checked to be drawn."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.capture_runs import assert_drawn, run_screens, screenshots_folder

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
VIEWS = ("live", "day", "week", "month", "year")


def _has_colour(path: Path, hex_colour: str) -> bool:
    """Whether any pixel of the PNG is exactly ``hex_colour`` (a bar's fill)."""
    out = subprocess.run(["convert", str(path), "-fill", "black", "+opaque", hex_colour, "-fill", "white",
                          "-opaque", hex_colour, "-format", "%[fx:maxima]", "info:"],
                         capture_output=True, text=True, check=True).stdout
    return float(out) > 0


def test_each_history_view_is_drawn_from_the_backfilled_month(tmp_path):
    from xcelsior_desktop.app.tray_icon import EXPORT_FILL, IMPORT_FILL

    shots = os.environ.get("XCELSIOR_SCREENSHOTS")
    out = screenshots_folder(tmp_path)
    # a README image shows a couple of minutes of the Live trace; the dark set is for the Day view
    runs = [["--live-seconds", "120"], ["--live-seconds", "70", "--dark"]] if shots else [["--live-seconds", "6"]]
    run_screens("tests.e2e.history_screens", out, tmp_path, runs)
    assert_drawn(out, (f"history-{view}" for view in VIEWS))
    for view in ("day", "week", "month"):  # import bars above, export bars below, from the backfilled history
        png = out / f"history-{view}.png"
        assert _has_colour(png, IMPORT_FILL.name()) and _has_colour(png, EXPORT_FILL.name()), view
