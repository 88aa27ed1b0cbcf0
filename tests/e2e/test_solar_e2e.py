"""End to end under a real X server: a solar home's two meters (simulators over TLS) in the demo app, the Live tab's
solar panel, the Overview's Solar and Home use cards and the History's Home use series, each captured with
ImageMagick and checked to be drawn."""

from __future__ import annotations

import pytest

from tests.e2e.capture_runs import assert_drawn, run_screens, screenshots_folder

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_a_solar_homes_two_meters_are_drawn(tmp_path):
    out = screenshots_folder(tmp_path)
    run_screens("tests.e2e.solar_screens", out, tmp_path)
    assert_drawn(out, ("solar-live", "solar-overview", "solar-history"))
