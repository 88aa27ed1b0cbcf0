"""Benchmark of the Overview on a year of history: its first paint, the always-on query, a day's big-load scan.

    python bench/overview.py              # a year of slots, 30 days of minute roll-ups, 7 days of 5-second demand
    python bench/overview.py --runs 5     # more first paints (each a fresh app on the same file)

1. A history file from the simulator's household (the demo's): a year of the meter's 15-minute slots, 30 days of
   demand rolled up to minutes (as the store keeps what is older than 7 days), the last 7 days at 5 seconds, a
   day of register readings.
2. ``overview_first_paint_ms``: the whole app offscreen on that file (the cost plug-in has priced the cycle, as at
   any start), then the window shown on the Overview until its first paint: every card's figure worked out cold
   and drawn. The median of ``--runs`` fresh apps. Goal: at most 150. ``overview_complete_ms`` adds what follows
   the paint (the always-on trend over 30 days, the last cycle as far in), which starts 100 ms after it.
3. ``always_on_query_ms``: the always-on baseline of the last 48 hours (minute averages of 34,560 samples); the
   median of 20. Goal: at most 50.
4. ``steps_per_day_scan_ms``: one day of 5-second demand (17,280 samples) read and scanned for big loads; the
   median over the 7 days. Goal: at most 50.
The last line is exactly:
overview_first_paint_ms=<a> overview_complete_ms=<b> always_on_query_ms=<c> steps_per_day_scan_ms=<d>
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root

from tests.cost_support import fill_store  # noqa: E402
from tests.overview_support import DENVER, NOW  # noqa: E402
from xcelsior_desktop.energy.baseline import always_on, solar_hours_of  # noqa: E402
from xcelsior_desktop.energy.days import local_midnight  # noqa: E402
from xcelsior_desktop.energy.steps import big_loads  # noqa: E402
from xcelsior_desktop.energy.store import DemandSample, HistoryStore, RegisterReading  # noqa: E402
from xcelsior_desktop.simulator.model import HouseholdModel  # noqa: E402


def build(path: Path) -> None:
    model = HouseholdModel(0)
    end = dt.datetime.fromtimestamp(NOW.timestamp() // 900 * 900, dt.UTC)
    with HistoryStore(path) as store:
        for month in range(12, 0, -1):  # a month at a time: one transaction each
            fill_store(store, model, end - dt.timedelta(days=month * 30.5), end - dt.timedelta(days=(month - 1) * 30.5))
        now_s = int(NOW.timestamp())
        older = range(now_s - 30 * 86400, now_s - 7 * 86400, 60)  # one sample a minute: rolled up to minutes
        store.add_demand(DemandSample(dt.datetime.fromtimestamp(t, dt.UTC), model.demand_w(t)) for t in older)
        recent = range(now_s - 7 * 86400, now_s + 1, 5)
        store.add_demand(DemandSample(dt.datetime.fromtimestamp(t, dt.UTC), model.demand_w(t)) for t in recent)
        store.roll_up(NOW)
        store.add_register_readings(
            RegisterReading(dt.datetime.fromtimestamp(t, dt.UTC), *(lambda r: (r.delivered_wh, r.received_wh))(
                model.registers(t))) for t in range(now_s - 86400, now_s + 1, 60))


def first_paint(path: Path) -> tuple[float, float]:
    """(ms to the Overview's first paint, ms until what follows it is drawn too) of a fresh app on ``path``."""
    from PySide6.QtWidgets import QApplication

    from tests.ui.layout_walk import build as build_app

    qapp, app = build_app(path)
    try:
        window = app.window
        window.resize(600, 800)
        started = time.perf_counter()
        window.show()
        QApplication.processEvents()  # show, the Overview's figures, its paint
        painted = time.perf_counter()
        while app.overview.following:  # the trend and the last cycle, a moment after the paint
            QApplication.processEvents()
            time.sleep(0.002)
        done = time.perf_counter()
        assert app.overview.page.cards["always_on"].figure.text().endswith("W")
        return (painted - started) * 1000, (done - started) * 1000
    finally:
        app.shutdown()
        app.window.allow_close()
        app.window.close()
        qapp.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh apps to time the first paint of (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("XDG_CONFIG_HOME", folder)
        os.environ.setdefault("XDG_DATA_HOME", folder)
        os.environ.setdefault("XDG_STATE_HOME", folder)
        path = Path(folder) / "history.sqlite3"
        started = time.perf_counter()
        build(path)
        print(f"built a year of history in {time.perf_counter() - started:.1f} s", flush=True)
        paints = [first_paint(path) for _ in range(args.runs)]
        for paint, complete in paints:
            print(f"first paint {paint:.1f} ms, complete {complete:.1f} ms", flush=True)
        with HistoryStore(path) as store:
            solar = solar_hours_of(store, NOW, DENVER)
            times = []
            for _ in range(20):
                began = time.perf_counter()
                always_on(store, NOW, zone=DENVER, solar=solar)
                times.append((time.perf_counter() - began) * 1000)
            scans = []
            today = NOW.astimezone(DENVER).date()
            for back in range(1, 8):
                day = today - dt.timedelta(days=back)
                began = time.perf_counter()
                loads = big_loads(store, local_midnight(day, DENVER), local_midnight(day + dt.timedelta(days=1),
                                                                                      DENVER))
                scans.append((time.perf_counter() - began) * 1000)
                print(f"{day}: {len(loads)} big loads in {scans[-1]:.1f} ms", flush=True)
    print(f"overview_first_paint_ms={statistics.median(p for p, _ in paints):.1f} "
          f"overview_complete_ms={statistics.median(c for _, c in paints):.1f} "
          f"always_on_query_ms={statistics.median(times):.1f} steps_per_day_scan_ms={statistics.median(scans):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
