"""Benchmark of the energy history: backfill under realistic latency, demand lateness, store size, chart queries.

    python bench/history.py                   # the full run (about a minute of backfill, then the 3-year store)
    python bench/history.py --latency 0.05    # a quicker backfill check

1. Backfill: the simulator (real clock, real TLS) answers every request after ``--latency`` seconds (its
   ``latency`` fault, 250 ms by default). One thread and one client, as the session will run it: demand is due
   every ``--interval`` seconds (5); between demand polls the backfill does one step (one GET). The profile walk
   from /dcap is done first and not counted (the app keeps the profile). ``demand_late_max_s`` is the most a demand
   poll started after it was due; ``backfill_gets`` counts the backfill's own GETs.
2. A synthetic three-year store in the history format: 15-minute intervals for three years, 1-minute demand
   rollups before the last 7 days and 5-second demand samples and register readings for the last 7 days (one
   register reading per 15 minutes before). Rows go in as the store's own roll-up would leave them.
   ``db_mb_per_year`` = file size / 3. ``chart_query_p95_ms`` = the worst p95 over the chart views' queries
   (Live: last hour of samples; Day: 96 slots; Week and Month: daily totals; Year: monthly totals), each run
   ``--queries`` times at random dates.
The last line is exactly:
backfill_s=<x> backfill_gets=<n> demand_late_max_s=<y> db_mb_per_year=<z> chart_query_p95_ms=<w>
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import zoneinfo
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root

from xcelsior_desktop.energy.backfill import Backfill  # noqa: E402
from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore  # noqa: E402
from xcelsior_desktop.meter import generate_identity  # noqa: E402
from xcelsior_desktop.meter.client import MeterClient  # noqa: E402
from xcelsior_desktop.meter.transport import HttpResult  # noqa: E402
from xcelsior_desktop.simulator import MeterSimulator  # noqa: E402

TZ = zoneinfo.ZoneInfo("America/Denver")
DAY = 86_400
SAMPLE_S = 5


def bench_backfill(latency: float, interval: float, folder: Path) -> tuple[float, int, float, int]:
    me = generate_identity()
    with MeterSimulator(allowed_certs=[me.cert_pem], idle_timeout=30.0) as sim, \
            MeterClient(sim.host, sim.port, identity=me, read_timeout=10.0) as client, \
            HistoryStore(folder / "backfill.sqlite3") as store:
        profile = client.ensure_profile()
        skew = dt.timedelta(seconds=client.meter_time().skew_s)
        sim.set_fault("latency", seconds=latency)
        gets = 0

        def get(path: str) -> HttpResult:
            nonlocal gets
            gets += 1
            return client.transport.get(path)

        job = Backfill(get, profile, store, lambda: dt.datetime.now(dt.UTC) + skew)
        late: list[float] = []
        demand_polls = 0
        start = time.monotonic()
        due = start
        with client.batch():
            while True:
                now = time.monotonic()
                if now >= due:  # the session's demand poll comes first whenever it is due
                    late.append(now - due)
                    client.read_demand()
                    demand_polls += 1
                    due += interval
                    continue
                if job.done:
                    break
                job.step()
        elapsed = time.monotonic() - start
        slots = len(store.intervals())
        print(f"backfill: {job.summary.new_slots} new slots ({slots} stored), {gets} GETs, "
              f"{demand_polls} demand polls, gaps to retry: {len(job.summary.gap_sets)}")
        return elapsed, gets, max(late), slots


def build_three_years(path: Path, now: dt.datetime) -> float:
    """Fill ``path`` with three years of history; returns the seconds it took."""
    began = time.monotonic()
    rng = random.Random(12)
    end_s = int(now.timestamp()) // 900 * 900
    first_s = end_s - 3 * 365 * DAY
    recent_s = end_s - 7 * DAY
    with HistoryStore(path) as store:
        batch: list[EnergyInterval] = []
        for start in range(first_s, end_s, 900):
            hour = (start // 3600) % 24
            imported = float(rng.randint(20, 400)) if not 17 <= hour <= 22 else float(rng.randint(0, 60))
            exported = float(rng.randint(0, 300)) if 17 <= hour <= 22 else 0.0
            batch.append(EnergyInterval(dt.datetime.fromtimestamp(start, dt.UTC), 900, imported, exported))
            if len(batch) == 20_000:
                store.add_intervals(batch)
                batch = []
        store.add_intervals(batch)
    # rollups, samples and registers as the store's roll-up leaves them (rolling 19 million samples up through
    # add_demand would only measure Python)
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO demand_minutes(minute, samples, min_w, mean_w, max_w) VALUES (?, 12, ?, ?, ?)",
            ((m, lo, lo + rng.random() * (hi - lo), hi)
             for m in range(first_s, recent_s, 60)
             for lo, hi in [sorted((float(rng.randint(-3000, 6000)), float(rng.randint(-3000, 6000))))]),
        )
        conn.executemany("INSERT INTO demand_samples(at_ms, watts) VALUES (?, ?)",
                         ((t * 1000, float(rng.randint(-3000, 6000))) for t in range(recent_s, end_s, SAMPLE_S)))
        total = 10_000_000.0
        readings = []
        for t in range(first_s, recent_s, 900):
            total += rng.random() * 300
            readings.append((t * 1000, total, total / 5))
        for t in range(recent_s, end_s, SAMPLE_S):
            total += rng.random() * 2
            readings.append((t * 1000, total, total / 5))
        conn.executemany("INSERT INTO register_readings(at_ms, imported_wh, exported_wh) VALUES (?, ?, ?)", readings)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return time.monotonic() - began


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def bench_queries(path: Path, now: dt.datetime, count: int) -> dict[str, float]:
    rng = random.Random(7)
    today = now.astimezone(TZ).date()
    with HistoryStore(path) as store:
        def random_day() -> dt.date:
            return today - dt.timedelta(days=rng.randint(0, 3 * 365 - 40))

        views: dict[str, Callable[[], object]] = {
            "live": lambda: store.live_demand(now - dt.timedelta(seconds=rng.randint(0, 6 * DAY))),
            "day": lambda: store.day_slots(random_day(), TZ),
            "week": lambda: (lambda d: store.daily_totals(d, d + dt.timedelta(days=6), TZ))(random_day()),
            "month": lambda: (lambda d: store.daily_totals(d.replace(day=1), (d.replace(day=28) + dt.timedelta(days=4))
                                                           .replace(day=1) - dt.timedelta(days=1), TZ))(random_day()),
            "year": lambda: store.monthly_totals(today.year - rng.randint(0, 3), TZ),
        }
        results: dict[str, float] = {}
        for name, query in views.items():
            query()  # the first call warms the page cache, as the window's first draw does
            times = []
            for _ in range(count):
                began = time.perf_counter()
                query()
                times.append((time.perf_counter() - began) * 1000)
            results[name] = p95(times)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.25, help="seconds per meter response (default 0.25)")
    parser.add_argument("--interval", type=float, default=5.0, help="demand poll interval (default 5 s)")
    parser.add_argument("--queries", type=int, default=200, help="runs of each chart query (default 200)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="xcelsior-history-bench-") as tmp:
        folder = Path(tmp)
        backfill_s, gets, late_max, _slots = bench_backfill(args.latency, args.interval, folder)
        now = dt.datetime.now(dt.UTC)
        path = folder / "three-years.sqlite3"
        built = build_three_years(path, now)
        size_mb = path.stat().st_size / 1e6
        print(f"three-year store: {size_mb:.1f} MB, built in {built:.0f} s")
        began = time.monotonic()
        HistoryStore(path).close()
        print(f"opening it (with its integrity check): {(time.monotonic() - began) * 1000:.0f} ms")
        per_view = bench_queries(path, now, args.queries)
        print("chart query p95 (ms): " + ", ".join(f"{k}={v:.2f}" for k, v in per_view.items()))
    print(f"backfill_s={backfill_s:.1f} backfill_gets={gets} demand_late_max_s={late_max:.2f} "
          f"db_mb_per_year={size_mb / 3:.1f} chart_query_p95_ms={max(per_view.values()):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
