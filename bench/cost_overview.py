"""How long the cost plug-in's once-a-minute work takes: today's and the billing cycle's cost from the history store.

    python bench/cost_overview.py

The store holds 31 days of the demo household's 15-minute slots (simulator model, seed 0) and register readings;
``cost_overview`` (what the Cost tab, the tray and the cost alerts share) runs on the last day of the cycle, when
it prices the most slots. The last line is exactly:
``overview_ms=<median> slots=<n> cycle_total=<x> projected=<y>``
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore, RegisterReading
    from xcelsior_desktop.money import resolve
    from xcelsior_desktop.money.overview import cost_overview
    from xcelsior_desktop.simulator.model import HouseholdModel

    tariff = resolve("xcel-co-tou")
    model = HouseholdModel(seed=0)
    first = dt.datetime(2026, 11, 1, tzinfo=tariff.zone)
    now = dt.datetime(2026, 11, 30, 23, 50, tzinfo=tariff.zone)
    slots = []
    t = int(first.timestamp())
    while t + 900 <= int(now.timestamp()):
        iv = model.interval(t)
        slots.append(EnergyInterval(dt.datetime.fromtimestamp(t, dt.UTC), 900, float(iv.delivered_wh),
                                    float(iv.received_wh)))
        t += 900
    with HistoryStore.in_memory() as store:
        store.add_intervals(slots)
        reg = model.registers(now.timestamp())
        store.add_register_readings([RegisterReading(now.astimezone(dt.UTC), reg.delivered_wh, reg.received_wh)])
        before = model.registers(now.timestamp() - 360)
        store.add_register_readings([RegisterReading(now.astimezone(dt.UTC) - dt.timedelta(minutes=6),
                                                     before.delivered_wh, before.received_wh)])
        times = []
        overview = None
        for _ in range(7):
            began = time.perf_counter()
            overview = cost_overview(tariff, store, now, zone=tariff.zone)
            times.append((time.perf_counter() - began) * 1000)
    assert overview is not None and overview.cycle.projection.projected_total is not None
    median = statistics.median(times)
    print(f"{len(slots)} slots in the cycle; cost_overview took {min(times):.1f} .. {max(times):.1f} ms "
          f"(median {median:.1f} ms)")
    print(f"overview_ms={median:.1f} slots={len(slots)} cycle_total={overview.cycle.cost.total:.2f} "
          f"projected={overview.cycle.projection.projected_total:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
