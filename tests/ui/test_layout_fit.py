"""No text cut, anywhere: every tab at the window's default 600x800 and filling a 1280x720 screen, at 100, 125 and 150 %
scaling, light and dark (tests/ui/layout_walk.py in a process per scale, as Qt reads the factor once). And the check
itself is checked: a label, a wrapped label, a table column and a list made too small are each caught."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QScrollArea, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from tests.overview_support import make_history_file
from tests.ui.layout_check import problems_in

ROOT = Path(__file__).resolve().parents[2]


def test_the_check_catches_a_label_too_narrow_for_its_text(qtbot):
    page = QWidget()
    qtbot.addWidget(page)
    label = QLabel("Projected $131.20 \u00b7 last cycle by now $118.02", page)
    label.setObjectName("too-narrow")
    label.setGeometry(0, 0, 60, 20)
    page.resize(200, 100)
    page.show()
    found = problems_in(page)
    assert len(found) == 1 and "too-narrow" in found[0] and "60x20 px" in found[0]
    label.setGeometry(0, 0, label.minimumSizeHint().width(), label.minimumSizeHint().height())
    assert problems_in(page) == []


def test_the_check_catches_wrapped_text_cut_and_long_paragraphs(qtbot):
    page = QWidget()
    qtbot.addWidget(page)
    label = QLabel("One sentence that wraps over several lines when the label is narrow. " * 3, page)
    label.setWordWrap(True)
    label.setGeometry(0, 0, 150, 20)
    page.show()
    assert any("of wrapped text" in p for p in problems_in(page))
    label.setGeometry(0, 0, 150, label.heightForWidth(150))
    assert problems_in(page) == []
    assert any("a paragraph of" in p for p in problems_in(page, max_lines=2))


def test_the_check_catches_a_cut_column_a_cut_item_and_a_sideways_scroll_bar(qtbot):
    page = QWidget()
    qtbot.addWidget(page)
    layout = QVBoxLayout(page)
    table = QTableWidget(1, 2)
    table.setHorizontalHeaderLabels(["Means", "kWh"])
    table.setItem(0, 0, QTableWidgetItem("off-peak and much more than that"))
    table.setColumnWidth(0, 30)
    items = QListWidget()
    items.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the item is elided instead
    items.addItem("+2.4 kW at 18:02 for 41 min (1.6 kWh, 37 \u00a2, on-peak) " * 3)
    scroll = QScrollArea()
    inner = QWidget()
    inner.setMinimumWidth(2000)
    scroll.setWidget(inner)
    for widget in (table, items, scroll):
        layout.addWidget(widget)
    page.resize(300, 400)
    page.show()
    qtbot.waitExposed(page)
    found = " | ".join(problems_in(page))
    assert "column 0 is 30 px" in found and "item 0" in found and "a horizontal scroll bar" in found


@pytest.mark.slow
def test_no_text_is_cut_on_any_tab_at_any_size_scale_or_theme(tmp_path):
    history = make_history_file(tmp_path / "history.sqlite3")
    shots = os.environ.get("XCELSIOR_LAYOUT_SHOTS")
    problems: list[str] = []
    for scale in ("1", "1.25", "1.5"):
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": scale,
               "PYTHONPATH": str(ROOT)}
        run = subprocess.run([sys.executable, "-m", "tests.ui.layout_walk", str(history),
                              *(["--shots", shots] if shots else [])],
                             env=env, cwd=ROOT, capture_output=True, text=True, timeout=240)
        assert run.returncode == 0, run.stdout + run.stderr
        result = json.loads(run.stdout.strip().splitlines()[-1])
        assert result["scale"] == scale
        problems += result["problems"]
    assert problems == [], "\n".join(problems)
