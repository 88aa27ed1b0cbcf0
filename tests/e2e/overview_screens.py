"""Capture the Overview, a History comparison and the Big loads tab of the demo under a real X server.

    DISPLAY=:N python -m tests.e2e.overview_screens OUTDIR [--dark]

The demo's setup (a simulator over TLS, the app with ``demo=True`` and its own store), the simulator's clock pinned
to a Denver evening and running on from there. A real meter gives no past 5-second demand, so the demo's store is
first given the same household's last two days of it (the model the simulator serves), as two days of running the
app would leave; the slots come from the meter's own 30-day backfill. Saves the window with ImageMagick's
``import -window <id>``; prints one line per PNG.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

DENVER = ZoneInfo("America/Denver")
EVENING = dt.datetime(2026, 11, 30, 18, 40, 0, tzinfo=DENVER)  # a Monday, on-peak, late in the billing cycle


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--dark", action="store_true", help="a dark palette (Fusion), as a dark desktop theme")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from tests.e2e.screen_capture import shoot, until, use_dark_palette, wait
    from tests.meters import meter_at
    from xcelsior_desktop.app.application import XcelsiorApp, make_qapp
    from xcelsior_desktop.energy.opening import demo_path
    from xcelsior_desktop.energy.periods import View
    from xcelsior_desktop.energy.store import DemandSample, HistoryStore
    from xcelsior_desktop.meter.identity import generate_identity
    from xcelsior_desktop.platform.settings import Settings
    from xcelsior_desktop.session.history_recorder import BACKFILL_JOB
    from xcelsior_desktop.simulator import MeterSimulator
    from xcelsior_desktop.simulator.model import HouseholdModel

    qapp = make_qapp()
    if args.dark:
        use_dark_palette(qapp)
    model = HouseholdModel(0)
    at = EVENING.timestamp()
    with HistoryStore(demo_path()) as store:  # two days of the household's demand, as the app would have kept
        store.add_demand(DemandSample(dt.datetime.fromtimestamp(t, dt.UTC), model.demand_w(t))
                         for t in range(int(at) - 2 * 86400, int(at) - 30, 5))
    identity = generate_identity()
    started = time.monotonic()
    sim = MeterSimulator(host="127.0.0.1", port=0, allowed_certs=[identity.cert_pem], mdns=False, seed=0,
                         clock=lambda: EVENING.timestamp() + (time.monotonic() - started)).start()
    settings = Settings(poll_interval_s=2, home_timezone="America/Denver")
    app = XcelsiorApp(qapp, identity=identity, settings=settings, title="Xcelsior Desktop (demo)", demo=True,
                      meters=meter_at(sim.host, sim.port))

    try:
        app.start()
        app.window.set_notice(None)  # no tray notice on a bare X server: the screenshots show the figures
        app.window.resize(600, 800)
        app.show_view("history")
        until(lambda: any(name == BACKFILL_JOB for name, _ in app.history.recorder.summaries), "the backfill")
        until(lambda: app.window.today is not None, "today")
        wait(12)  # the meter's extras (maximum demand) and a few live readings
        suffix = "-dark" if args.dark else ""

        def save(name: str) -> None:
            shoot(app.window, args.out / f"{name}{suffix}.png")

        app.show_view("overview")
        app.overview.refresh()
        until(lambda: not app.overview.following, "the trend")
        save("overview")
        if not args.dark:
            view = app.history.view
            app.show_view("history")
            view.set_view(View.WEEK)
            view.go_today()
            view.compare_button.setChecked(True)
            save("history-compare")
            app.show_view("loads")
            save("big-loads")
    finally:
        app.shutdown()
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
