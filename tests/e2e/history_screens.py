"""Capture the History tab's views (Live, Day, Week, Month, Year) of the demo under a real X server.

    DISPLAY=:N python -m tests.e2e.history_screens OUTDIR [--live-seconds S] [--dark]

The demo's setup (a simulator over TLS, the app with ``demo=True`` and its own store), except that the
simulator's clock is pinned to a Denver afternoon (so the Day view shows daylight export and the hatched open
slot) and runs on from there. Waits for the 30-day backfill and ``--live-seconds`` of live readings, then shows
each view and saves the window with ImageMagick's ``import -window <id>``. Prints one line per PNG.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

DENVER = ZoneInfo("America/Denver")
AFTERNOON = dt.datetime(2026, 11, 28, 13, 47, 0, tzinfo=DENVER)  # 2 min into a busy slot: its estimate shows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--live-seconds", type=float, default=20.0)
    parser.add_argument("--dark", action="store_true", help="a dark palette (Fusion), as a dark desktop theme")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from tests.e2e.screen_capture import shoot, until, use_dark_palette, wait
    from xcelsior_desktop.app.application import XcelsiorApp, make_qapp
    from xcelsior_desktop.energy.periods import View
    from xcelsior_desktop.meter.identity import generate_identity
    from xcelsior_desktop.platform.settings import Settings
    from xcelsior_desktop.session.history_recorder import BACKFILL_JOB
    from xcelsior_desktop.session.target import MeterTarget
    from xcelsior_desktop.simulator import MeterSimulator

    qapp = make_qapp()
    if args.dark:
        use_dark_palette(qapp)
    identity = generate_identity()
    started = time.monotonic()
    sim = MeterSimulator(host="127.0.0.1", port=0, allowed_certs=[identity.cert_pem], mdns=False, seed=0,
                         clock=lambda: AFTERNOON.timestamp() + (time.monotonic() - started)).start()
    settings = Settings(poll_interval_s=2, home_timezone="America/Denver")
    app = XcelsiorApp(qapp, identity=identity, settings=settings, title="Xcelsior Desktop (demo)", demo=True,
                      meters=[MeterTarget(identity=identity, host=sim.host, port=sim.port, automatic=False)])

    try:
        app.start()
        app.window.set_notice(None)  # no tray notice on a bare X server: the screenshots show the charts
        app.window.resize(760, 640)
        app.show_view("history")
        until(lambda: any(name == BACKFILL_JOB for name, _ in app.history.recorder.summaries), "the backfill")
        until(lambda: app.window.today is not None, "today")
        wait(args.live_seconds)
        view = app.history.view
        suffix = "-dark" if args.dark else ""
        for shown in (View.LIVE, View.DAY, View.WEEK, View.MONTH, View.YEAR):
            view.set_view(shown)
            view.go_today()
            shoot(app.window, args.out / f"history-{shown.value}{suffix}.png", settle_s=0.5)
    finally:
        app.shutdown()
        sim.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
