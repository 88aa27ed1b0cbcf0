"""Capture a solar home with two meters (net and production) under a real X server: the Live tab with the solar
meter's panel, the Overview with the Solar and Home use cards, and the History's Home use series.

    DISPLAY=:N python -m tests.e2e.solar_screens OUTDIR

The two meters are the demo's household simulators over TLS, their clocks pinned to a sunny Denver noon and running
on; the app runs with ``demo=True`` on its own store, so their 30-day backfills fill the history. Saves the window
with ImageMagick's ``import -window <id>`` and prints one line per PNG.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

DENVER = ZoneInfo("America/Denver")
NOON = dt.datetime(2026, 6, 18, 12, 30, tzinfo=DENVER)  # a sunny Thursday


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from tests.e2e.screen_capture import shoot, until, wait
    from xcelsior_desktop.app.application import XcelsiorApp, make_qapp
    from xcelsior_desktop.energy.periods import View
    from xcelsior_desktop.energy.series import Series
    from xcelsior_desktop.meter.identity import generate_identity
    from xcelsior_desktop.platform.settings import Settings
    from xcelsior_desktop.session.history_recorder import BACKFILL_JOB
    from xcelsior_desktop.session.target import PRODUCTION, MeterTarget
    from xcelsior_desktop.simulator.household import HouseholdMeters

    qapp = make_qapp()
    identity = generate_identity()
    started = time.monotonic()
    household = HouseholdMeters(0, host="127.0.0.1", allowed_certs=[identity.cert_pem], mdns=False,
                                clock=lambda: NOON.timestamp() + (time.monotonic() - started)).start()
    net, solar = household.net, household.production
    meters = [MeterTarget(host=net.host, port=net.port, automatic=False),
              MeterTarget(host=solar.host, port=solar.port, automatic=False, role=PRODUCTION)]
    app = XcelsiorApp(qapp, identity=identity, settings=Settings(poll_interval_s=2, home_timezone="America/Denver"),
                      title="Xcelsior Desktop (demo)", demo=True, meters=meters)

    try:
        app.start()
        app.window.set_notice(None)  # no tray notice on a bare X server: the screenshots show the figures
        app.window.resize(600, 800)
        app.show_view("live")
        recorders = app.history.recorders
        until(lambda: PRODUCTION in recorders and all(any(name == BACKFILL_JOB for name, _ in r.summaries)
                                                      for r in recorders.values()), "both backfills")
        panel = app.solar_panel
        until(lambda: panel is not None and panel.home_watts is not None and "from the sun" in panel.today.text(),
              "home use")
        wait(25)  # half a minute of live readings on the chart

        def save(name: str) -> None:
            shoot(app.window, args.out / f"{name}.png")

        save("solar-live")
        app.show_view("overview")
        app.overview.refresh()
        until(lambda: not app.overview.page.cards["home"].isHidden(), "the Home use card")
        save("solar-overview")
        view = app.history.view
        app.show_view("history")
        view.set_view(View.DAY)
        view.go_today()
        view.set_series(Series.HOME)
        save("solar-history")
    finally:
        app.shutdown()
        household.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
