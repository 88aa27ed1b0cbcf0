"""Send one notification the way the app would, and report what happens (troubleshooting, and the D-Bus test).

    python -m xcelsior_desktop.app.alerts --title "Test" --body "Hello" [--wait-click 30]

Prints one JSON object per line: the backend chosen, then "delivered" or "failed", then "activated" with the view
if the notification is clicked within ``--wait-click`` seconds. Exit status 0 when delivered (and clicked, if
waited for), 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xcelsior_desktop.app.alerts", description=__doc__)
    parser.add_argument("--title", default="Xcelsior Desktop test notification")
    parser.add_argument("--body", default="If you can read this, alerts will reach you.")
    parser.add_argument("--view", default="alerts", help="the view a click opens")
    parser.add_argument("--wait-click", type=float, default=0.0, metavar="SECONDS")
    parser.add_argument("--count", type=int, default=1, help="send it this many times (each replaces the last)")
    args = parser.parse_args(argv)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from xcelsior_desktop.alerts import Alert
    from xcelsior_desktop.app.alerts import create_notifier

    app = QApplication.instance() or QApplication(sys.argv[:1])
    notifier = create_notifier(tray=None)
    outcome = {"delivered": False, "clicked": args.wait_click <= 0}

    def say(**event: object) -> None:
        print(json.dumps(event), flush=True)

    sent = {"n": 0}

    def send() -> None:
        sent["n"] += 1
        notifier.notify(Alert("test", "test", args.title, args.body, time.time(), args.view))

    def delivered(alert: Alert) -> None:
        say(event="delivered", title=alert.title, n=sent["n"])
        if sent["n"] < args.count:
            send()
            return
        outcome["delivered"] = True
        if args.wait_click <= 0:
            app.quit()

    def failed(alert: Alert, reason: str) -> None:
        say(event="failed", reason=reason)
        app.quit()

    def activated(view: str) -> None:
        outcome["clicked"] = True
        say(event="activated", view=view)
        app.quit()

    notifier.delivered.connect(delivered)
    notifier.failed.connect(failed)
    notifier.activated.connect(activated)
    say(event="backend", name=notifier.name)
    QTimer.singleShot(0, send)
    QTimer.singleShot(int((args.wait_click + 5) * 1000), app.quit)
    app.exec()
    notifier.close()
    return 0 if outcome["delivered"] and outcome["clicked"] else 1


if __name__ == "__main__":
    sys.exit(main())
