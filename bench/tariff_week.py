"""The demo household's cost for one week under a tariff, end to end, and how fast pricing runs.

    python bench/tariff_week.py                       # xcel-co-tou, the week Monday 2026-11-16 .. Sunday 2026-11-22
    python bench/tariff_week.py --tariff xcel-co-flat --week 2026-07-06

The path is the app's: the simulator (seed 0, the demo's household) serves its 15-minute interval history over
TLS on 127.0.0.1; ``history sync`` stores it in a throw-away history file; the week's slots are read back from the
store and priced. Printed: one line per local day (kWh imported, exported, on-peak, cost), the totals per period,
the simulated meter's own TOU tier registers over the same week beside the app's per-period kWh, and the time to
price a year of 15-minute slots. The last line is exactly:
``week_cost=<x> imported_kwh=<y> exported_kwh=<z> unpriced_slots=<n> year_price_s=<t>``
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    duration_s: int
    imported_wh: float | None
    exported_wh: float | None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tariff", default="xcel-co-tou")
    parser.add_argument("--week", type=dt.date.fromisoformat, default=dt.date(2026, 11, 16),
                        help="the first local day of the week (default 2026-11-16, a Monday)")
    args = parser.parse_args()

    from xcelsior_desktop.cli import main as cli
    from xcelsior_desktop.energy.store import HistoryStore
    from xcelsior_desktop.meter import generate_identity
    from xcelsior_desktop.money import daily_costs, format_money, resolve, summarize
    from xcelsior_desktop.simulator import MeterSimulator
    from xcelsior_desktop.simulator.model import HouseholdModel
    from xcelsior_desktop.simulator.tou import TouSchedule

    tariff = resolve(args.tariff)
    first = dt.datetime.combine(args.week, dt.time(), tariff.zone)
    last = dt.datetime.combine(args.week + dt.timedelta(days=7), dt.time(), tariff.zone)
    clock = last.timestamp() + 3600  # the meter's "now": an hour after the week ends

    me = generate_identity()
    with tempfile.TemporaryDirectory() as folder:
        cert, key, db = Path(folder, "c.pem"), Path(folder, "k.pem"), Path(folder, "h.sqlite3")
        cert.write_bytes(me.cert_pem)
        key.write_bytes(me.key_pem)
        with MeterSimulator(allowed_certs=[me.cert_pem], clock=lambda: clock) as sim:
            status = cli(["history", "sync", "--host", sim.host, "--port", str(sim.port), "--cert", str(cert),
                          "--key", str(key), "--meter-lfdi", sim.lfdi, "--db", str(db)])
        if status != 0:
            print(f"history sync failed ({status})", file=sys.stderr)
            return 1
        with HistoryStore(db) as store:
            week = store.intervals(first.astimezone(dt.UTC), last.astimezone(dt.UTC))

    print(f"{tariff.name}: {tariff.title}; week {args.week} .. {args.week + dt.timedelta(days=6)} "
          f"({len(week)} slots of 15 min from the simulated meter)")
    print(f"{'day':<15} {'import kWh':>10} {'export kWh':>10} {'on-peak kWh':>11} {'cost':>9}")
    for day in daily_costs(tariff, week):
        on_peak = day.periods.get("on-peak")
        print(f"{day.first_day:%a %Y-%m-%d} {day.imported_kwh:>10.2f} {day.exported_kwh:>10.2f} "
              f"{(on_peak.imported_kwh if on_peak else 0):>11.2f} {format_money(day.total, tariff.currency):>9}")
    summary = summarize(tariff, week, first_day=args.week, last_day=args.week + dt.timedelta(days=6))
    assert summary is not None
    print("by period:")
    for total in summary.periods.values():
        print(f"  {total.period:<10} import {total.imported_kwh:7.2f} kWh  export {total.exported_kwh:6.2f} kWh  "
              f"credit {format_money(total.credit, tariff.currency):>7}  cost {format_money(total.cost, tariff.currency)}")
    print(f"energy {format_money(summary.energy_cost, tariff.currency)} + fixed charges (the monthly charge's share "
          f"of these days) {format_money(summary.fixed_charge, tariff.currency)} = "
          f"{format_money(summary.total, tariff.currency)}; "
          f"unpriced: {summary.unpriced.intervals} slots ({summary.unpriced.hours:.2f} h)")

    model = HouseholdModel.for_seed(0)
    before, after = model.registers(first.timestamp()), model.registers(last.timestamp())
    names = TouSchedule.default().tier_names
    print("the meter's own TOU tier registers over the week (delivered) beside the app's per-period kWh:")
    for tier, name in sorted(names.items()):
        app = summary.periods[name].imported_kwh if name in summary.periods else 0.0
        print(f"  tier {tier} ({name}): meter {(after.tou_delivered[tier] - before.tou_delivered[tier]) / 1000:8.3f}"
              f" kWh, app {app:8.3f} kWh")

    year_start = dt.datetime(2025, 11, 1, tzinfo=tariff.zone).astimezone(dt.UTC)
    year = [Slot(year_start + dt.timedelta(minutes=15 * n), 900, 250.0, 10.0) for n in range(365 * 96)]
    began = time.perf_counter()
    year_summary = summarize(tariff, year)
    year_price_s = time.perf_counter() - began
    assert year_summary is not None
    print(f"a year of 15-minute slots ({len(year)}) priced and totalled in {year_price_s:.2f} s "
          f"({len(year) / year_price_s:,.0f} slots/s)")
    print(f"week_cost={summary.total:.2f} imported_kwh={summary.imported_kwh:.2f} "
          f"exported_kwh={summary.exported_kwh:.2f} unpriced_slots={summary.unpriced.intervals} "
          f"year_price_s={year_price_s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
