"""End to end under a real X server: the demo (a simulator over TLS) shows the Overview, a History comparison and
the Big loads tab; each is captured with ImageMagick and checked to be drawn, light and dark."""

from __future__ import annotations

import pytest

from tests.e2e.capture_runs import assert_drawn, run_screens, screenshots_folder

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_the_overview_a_comparison_and_the_big_loads_are_drawn(tmp_path):
    out = screenshots_folder(tmp_path)
    run_screens("tests.e2e.overview_screens", out, tmp_path, [[], ["--dark"]])
    assert_drawn(out, ("overview", "overview-dark", "history-compare", "big-loads"))
