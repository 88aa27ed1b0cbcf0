"""Walk every tab of the app at 600x800 and 1280x720, light and dark, and print what text is cut (one JSON line).

    QT_SCALE_FACTOR=1.5 python -m tests.ui.layout_walk HISTORY_FILE [--shots DIR]

A process of its own, because Qt reads QT_SCALE_FACTOR once, when the QApplication is made. The app runs on the
history file given (tests/overview_support.py makes one), at its pinned instant, fed that instant's readings as
events; nothing is sent to a network. With --shots each layout is also saved as a PNG.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

DEFAULT = (600, 800)  # the window's own default size, in Qt's device-independent pixels
SCREEN = (1280, 720)  # a small laptop screen's pixels, the window filling it: fewer logical pixels when scaled
TWO_LINE_TABS = ("overview", "cost", "loads", "history")  # tabs where no paragraph may run past two lines


def dark(qapp) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor, QPalette

    qapp.setStyle("Fusion")
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#202124"), (QPalette.ColorRole.WindowText, "#E8EAED"),
                         (QPalette.ColorRole.Base, "#2B2C2F"), (QPalette.ColorRole.Text, "#E8EAED"),
                         (QPalette.ColorRole.Button, "#303134"), (QPalette.ColorRole.ButtonText, "#E8EAED"),
                         (QPalette.ColorRole.ToolTipBase, "#303134"), (QPalette.ColorRole.ToolTipText, "#E8EAED")):
        palette.setColor(role, QColor(colour))
    qapp.setPalette(palette)


def build(history: Path):  # type: ignore[no-untyped-def]
    """The app on ``history`` at the pinned instant, with that instant's readings published."""
    from tests.meters import meter_at
    from tests.overview_support import NOW
    from xcelsior_desktop.app.application import XcelsiorApp, make_qapp
    from xcelsior_desktop.energy.days import day_span
    from xcelsior_desktop.energy.totals import energy
    from xcelsior_desktop.meter.values import Measurement, Registers
    from xcelsior_desktop.platform.settings import Settings
    from xcelsior_desktop.session.events import DemandRead, RegistersRead, TodayChanged
    from xcelsior_desktop.simulator.model import HouseholdModel

    qapp = make_qapp()
    settings = Settings(home_timezone="America/Denver")
    app = XcelsiorApp(qapp, identity=None, settings=settings, demo=True, history_path=history,
                      meters=meter_at("127.0.0.1", 9), clock=lambda: NOW.timestamp())
    model = HouseholdModel(0)
    reg = model.registers(NOW.timestamp())
    tiers = (dict(enumerate(reg.tou_delivered)), dict(enumerate(reg.tou_received)))
    app.events.publish(RegistersRead(Registers(reg.delivered_wh, reg.received_wh,
                                               {t: v for t, v in tiers[0].items() if t},
                                               {t: v for t, v in tiers[1].items() if t}, read_at=NOW,
                                               delivered_at=NOW)))
    app.events.publish(DemandRead(Measurement(model.demand_w(NOW.timestamp()), "W", NOW)))
    store = app.shell.history
    app.events.publish(TodayChanged(energy(store, *day_span(NOW, app.home.zone), NOW, zone=app.home.zone)))
    app.window.set_notice(None)
    return qapp, app


def settle(qapp) -> None:  # type: ignore[no-untyped-def]
    for _ in range(6):
        qapp.processEvents()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("history", type=Path)
    parser.add_argument("--shots", type=Path)
    args = parser.parse_args()
    from tests.ui.layout_check import problems_in

    qapp, app = build(args.history)
    window = app.window
    problems: list[str] = []
    scale = os.environ.get("QT_SCALE_FACTOR", "1")
    try:
        for theme in ("light", "dark"):
            if theme == "dark":
                dark(qapp)
            factor = float(scale)
            for width, height in (DEFAULT, (round(SCREEN[0] / factor), round(SCREEN[1] / factor))):
                window.resize(width, height)
                window.show()
                settle(qapp)
                for index in range(window.tabs.count()):
                    window.tabs.setCurrentIndex(index)
                    settle(qapp)
                    name = window.current_view()
                    where = f"{name} at {width}x{height}, {theme}, scale {scale}"
                    page = window.tabs.currentWidget()
                    assert page is not None
                    problems += [f"{where}: {p}" for p in problems_in(
                        page, max_lines=2 if name in TWO_LINE_TABS else None)]
                    problems += [f"{where}: {p}" for p in problems_in(window.tabs.tabBar())]
                    if args.shots:
                        args.shots.mkdir(parents=True, exist_ok=True)
                        window.grab().save(str(args.shots / f"{name}-{width}x{height}-{theme}-{scale}.png"))
    finally:
        app.shutdown()
    print(json.dumps({"scale": scale, "problems": problems}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
