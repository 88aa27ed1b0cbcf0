"""Compare with my bill under a real X server, drawn with readable text; ``XCELSIOR_SCREENSHOTS=docs/screenshots``
saves the README's picture of it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.cost_support import fill_store
from tests.e2e.capture_runs import capture_dialog
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.money import load_preset
from xcelsior_desktop.simulator.model import HouseholdModel

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_the_bill_dialog_is_drawn_with_both_sides(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    zone = load_preset("xcel-co-tou").zone
    with HistoryStore(db) as store:
        fill_store(store, HouseholdModel(seed=0), dt.datetime(2026, 10, 10, tzinfo=zone),
                   dt.datetime(2026, 11, 20, tzinfo=zone))
    capture_dialog("tests.e2e.show_bill_dialog", db, tmp_path / "compare-bill.png", "the bill dialog to be drawn")
