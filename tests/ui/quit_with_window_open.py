"""Quit from the menu while the window is showing, in a process of its own: prints ``exec=<code> meter_thread=<
running|stopped>``. Usage: ``python -m tests.ui.quit_with_window_open SETTINGS_PATH``.

Its own process because ``QApplication.exec()`` is the app's whole life: run on the test session's shared
QApplication, the loop it leaves behind stopped delivering other threads' queued signals to later tests now and
then (seen: a later app's window never got the meter thread's status).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from tests.meters import meter_at
from tests.simulators import running_simulator
from xcelsior_desktop.app.application import XcelsiorApp
from xcelsior_desktop.meter.identity import generate_identity
from xcelsior_desktop.platform.settings import Settings


def main(settings_path: str) -> int:
    qapp = QApplication([sys.argv[0]])
    QSystemTrayIcon.isSystemTrayAvailable = staticmethod(lambda: True)  # type: ignore[method-assign]
    identity = generate_identity()
    with running_simulator(identity) as sim:
        app = XcelsiorApp(qapp, identity=identity, settings=Settings(), meters=meter_at(sim.host, sim.port),
                          settings_path=Path(settings_path))
        app.start()
        app.show_view("live")
        QTimer.singleShot(0, app.quit)
        QTimer.singleShot(10_000, lambda: qapp.exit(99))  # a vetoed quit would leave the loop running
        code = qapp.exec()
        running = app.meter.thread.isRunning()
    print(f"exec={code} meter_thread={'running' if running else 'stopped'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
