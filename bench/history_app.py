"""Benchmark of the history app side: what the History tab and the recorder cost on a year of history.

    python bench/history_app.py               # a year of 15-minute slots, 7 days of 5-second demand
    python bench/history_app.py --renders 50  # fewer renders per view

1. A store in the history format with a year of the meter's 15-minute slots (both directions), 7 days of 5-second
   demand samples and one register reading a minute for the last day (as the recorder leaves them).
2. ``chart_render_p95_ms``: the History tab offscreen, per view (Live, Day, Week, Month, Year) at random dates:
   read the store, build the bars and paint the widget (``QWidget.grab``); the worst p95 over the views.
3. ``demand_write_p95_ms``: one ``add_demand`` of one sample, as the recorder does on the meter thread per poll
   (WAL, one small transaction); the p95 over ``--writes`` writes.
4. ``today_p95_ms``: ``energy`` over today (today's slots + the register tail), computed after each register reading.
5. ``session_demand_late_max_s``: the app's own path, a MeterSession with the HistoryRecorder installed against the
   simulator over TLS answering each request after ``--latency`` s (250 ms): the first contact, the recent-slots job
   and the 30-day backfill go through the one connection while demand is polled every ``--interval`` s (5). The
   figure is the largest gap between two demand readings minus the interval (it includes that reading's own
   answer time): how late the tray's watts were because of the backfill. ``--no-session`` skips it (~40 s).
The last line is exactly:
chart_render_p95_ms=<x> demand_write_p95_ms=<y> today_p95_ms=<z> session_backfill_s=<s> session_demand_late_max_s=<w>
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root

from xcelsior_desktop.energy.days import day_span  # noqa: E402
from xcelsior_desktop.energy.periods import View  # noqa: E402
from xcelsior_desktop.energy.store import DemandSample, EnergyInterval, HistoryStore, RegisterReading
from xcelsior_desktop.energy.totals import energy  # noqa: E402

TZ = zoneinfo.ZoneInfo("America/Denver")
NOW = dt.datetime(2026, 11, 29, 21, 7, 30, tzinfo=dt.UTC)
SLOT = 900


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def build(path: Path) -> HistoryStore:
    store = HistoryStore(path)
    rng = random.Random(7)
    end = int(NOW.timestamp()) // SLOT * SLOT
    start = end - 365 * 86_400
    batch: list[EnergyInterval] = []
    for t in range(start, end, SLOT):
        hour = (t // 3600 - 7) % 24
        solar = max(0.0, 400.0 - abs(hour - 12.5) * 80) * rng.uniform(0.6, 1.0)
        load = rng.uniform(40, 350)
        batch.append(EnergyInterval(dt.datetime.fromtimestamp(t, dt.UTC), SLOT, max(0.0, load - solar),
                                    max(0.0, solar - load)))
        if len(batch) >= 5000:
            store.add_intervals(batch)
            batch = []
    store.add_intervals(batch)
    now_s = NOW.timestamp()
    samples = [DemandSample(dt.datetime.fromtimestamp(now_s - 5 * i, dt.UTC), rng.uniform(-3000, 5000))
               for i in range(7 * 86_400 // 5)]
    for i in range(0, len(samples), 20_000):
        store.add_demand(samples[i:i + 20_000])
    imported, exported = 40_000_000.0, 12_000_000.0
    readings = []
    for i in range(24 * 60, -1, -1):
        imported += rng.uniform(0, 80)
        exported += rng.uniform(0, 20)
        readings.append(RegisterReading(NOW - dt.timedelta(minutes=i), imported, exported))
    store.add_register_readings(readings)
    return store


def bench_charts(store: HistoryStore, renders: int) -> dict[View, float]:
    from PySide6.QtWidgets import QApplication

    from xcelsior_desktop.app.history.view import HistoryView

    QApplication.instance() or QApplication([])
    view = HistoryView(store, tz=TZ, now=lambda: NOW)
    view.resize(760, 560)
    view.show()
    rng = random.Random(3)
    out: dict[View, float] = {}
    for shown in (View.LIVE, View.DAY, View.WEEK, View.MONTH, View.YEAR):
        view.set_view(shown)
        times = []
        for _ in range(renders):
            view.anchor = (NOW - dt.timedelta(days=rng.randrange(0, 360))).astimezone(TZ).date()
            started = time.perf_counter()
            view.refresh()
            view.grab()
            times.append((time.perf_counter() - started) * 1000)
        out[shown] = p95(times)
    view.close()
    return out


def bench_session(latency: float, interval: float, folder: Path) -> tuple[float, float, int]:
    """(seconds from first contact to the backfill's end, the most a demand reading was late, most connections)."""
    import threading

    from xcelsior_desktop.meter import generate_identity
    from xcelsior_desktop.session.commands import UseHistory
    from xcelsior_desktop.session.connection import SessionOptions
    from xcelsior_desktop.session.events import DemandRead, Event
    from xcelsior_desktop.session.history_recorder import BACKFILL_JOB, HistoryRecorder
    from xcelsior_desktop.session.session import MeterSession
    from xcelsior_desktop.session.target import MeterTarget
    from xcelsior_desktop.simulator import MeterSimulator

    me = generate_identity()
    with MeterSimulator(allowed_certs=[me.cert_pem], idle_timeout=30.0) as sim, \
            HistoryStore(folder / "session.sqlite3") as store:
        sim.set_fault("latency", seconds=latency)
        session = MeterSession(MeterTarget(identity=me, host=sim.host, port=sim.port, automatic=False),
                               SessionOptions(interval_s=interval, read_timeout=10.0))
        recorder = HistoryRecorder(store, session.post)
        reads: list[float] = []
        first_contact: list[float] = []

        def listen(event: Event) -> None:
            if isinstance(event, DemandRead):
                reads.append(time.monotonic())
                if not first_contact:
                    first_contact.append(time.monotonic())

        session.events.on_any(listen)
        session.post(UseHistory(recorder))
        woken = threading.Event()
        session.wake = woken.set
        session.start()
        deadline = time.monotonic() + 600
        while not any(name == BACKFILL_JOB for name, _ in recorder.summaries) and time.monotonic() < deadline:
            wait = session.step()
            woken.wait(0.5 if wait is None else min(wait, 0.5))
            woken.clear()
        ended = time.monotonic()
        session.stop()
        gaps = [b - a for a, b in zip(reads, reads[1:], strict=False)]
        late = max((g - interval for g in gaps), default=0.0)
        return ended - first_contact[0], max(0.0, late), sim.log.max_concurrent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=100)
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.25, help="the simulator's answer time per request")
    parser.add_argument("--interval", type=float, default=5.0, help="demand poll interval")
    parser.add_argument("--no-session", action="store_true", help="skip the backfill through the session")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="xcelsior-history-app-"))
    started = time.perf_counter()
    store = build(folder / "history.sqlite3")
    print(f"built a year of history in {time.perf_counter() - started:.1f} s ({store.size_bytes() / 1e6:.1f} MB)")

    charts = bench_charts(store, args.renders)
    for shown, ms in charts.items():
        print(f"{shown.value:>5}: query + bars + paint p95 {ms:.1f} ms")

    writes = []
    for i in range(args.writes):
        sample = DemandSample(NOW + dt.timedelta(seconds=5 * (i + 1)), 1000.0 + i)
        t0 = time.perf_counter()
        store.add_demand([sample])
        writes.append((time.perf_counter() - t0) * 1000)
    print(f"add_demand of one sample: median {statistics.median(writes):.2f} ms, p95 {p95(writes):.2f} ms")

    todays = []
    for i in range(200):
        t0 = time.perf_counter()
        at = NOW - dt.timedelta(seconds=i)
        energy(store, *day_span(at, TZ), at, zone=TZ)
        todays.append((time.perf_counter() - t0) * 1000)
    print(f"today (energy over the day): median {statistics.median(todays):.2f} ms")
    store.close()
    backfill_s = late_s = float("nan")
    if not args.no_session:
        backfill_s, late_s, connections = bench_session(args.latency, args.interval, folder)
        print(f"session: 30 days backfilled {backfill_s:.1f} s after first contact at {args.latency * 1000:.0f} ms per "
              f"answer; demand at most {late_s:.2f} s late; at most {connections} connection(s) at once")
    print(f"chart_render_p95_ms={max(charts.values()):.1f} demand_write_p95_ms={p95(writes):.2f} "
          f"today_p95_ms={p95(todays):.2f} session_backfill_s={backfill_s:.1f} session_demand_late_max_s={late_s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
