"""Benchmark of the two-meter figures: the History's Home use and Solar series and today's home energy, on a year of
both meters' 15-minute slots (the demo household's model: the net meter's import and export, the panels' output).

    python bench/home_use.py [--queries 20]

Each figure is the median of ``--queries`` runs at random dates of the year, in milliseconds. The last line is:
home_day_ms=<a> home_month_ms=<b> home_year_ms=<c> solar_year_ms=<d> home_today_ms=<e>
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import zoneinfo
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root

from xcelsior_desktop.energy.days import day_span  # noqa: E402
from xcelsior_desktop.energy.home import home_energy  # noqa: E402
from xcelsior_desktop.energy.periods import View  # noqa: E402
from xcelsior_desktop.energy.series import Series, series_chart  # noqa: E402
from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore  # noqa: E402
from xcelsior_desktop.simulator.model import HouseholdModel  # noqa: E402

DENVER = zoneinfo.ZoneInfo("America/Denver")
SLOT = 900


def fill(store: HistoryStore, now: dt.datetime) -> int:
    """A year of both meters' slots from the household model (its mean power over each slot, sampled at 3 points)."""
    model = HouseholdModel(0)
    first = int(now.timestamp()) // SLOT * SLOT - 365 * 86400
    net: list[EnergyInterval] = []
    solar: list[EnergyInterval] = []
    for start in range(first, int(now.timestamp()) - SLOT, SLOT):
        points = [start + offset for offset in (150, 450, 750)]
        pv = sum(model.pv_w(t) for t in points) / 3 * SLOT / 3600
        grid = sum(model.demand_w(t) for t in points) / 3 * SLOT / 3600
        at = dt.datetime.fromtimestamp(start, dt.UTC)
        net.append(EnergyInterval(at, SLOT, max(0.0, grid), max(0.0, -grid)))
        solar.append(EnergyInterval(at, SLOT, pv, 0.0))
    store.add_intervals(net, not_after=now)
    store.for_meter("production").add_intervals(solar, not_after=now)
    return len(net)


def median_ms(run: Callable[[], object], count: int) -> float:
    times = []
    for _ in range(count):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--queries", type=int, default=20)
    args = parser.parse_args()
    now = dt.datetime(2026, 12, 6, 18, tzinfo=dt.UTC)
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as folder, HistoryStore(Path(folder) / "history.sqlite3") as store:
        began = time.monotonic()
        slots = fill(store, now)
        print(f"a year of two meters: {slots} slots each, stored in {time.monotonic() - began:.0f} s")

        def day() -> dt.date:
            return (now - dt.timedelta(days=rng.randrange(1, 360))).astimezone(DENVER).date()

        figures = {
            "home_day_ms": median_ms(lambda: series_chart(store, Series.HOME, View.DAY, day(), DENVER, now),
                                     args.queries),
            "home_month_ms": median_ms(lambda: series_chart(store, Series.HOME, View.MONTH, day(), DENVER, now),
                                       args.queries),
            "home_year_ms": median_ms(lambda: series_chart(store, Series.HOME, View.YEAR, day(), DENVER, now),
                                      args.queries),
            "solar_year_ms": median_ms(lambda: series_chart(store, Series.SOLAR, View.YEAR, day(), DENVER, now),
                                       args.queries),
            "home_today_ms": median_ms(lambda: home_energy(store, *day_span(now, DENVER), now, zone=DENVER),
                                       args.queries),
        }
    print(" ".join(f"{name}={value:.1f}" for name, value in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
