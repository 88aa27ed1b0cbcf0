"""Show the window and its Export dialog over a history file, print the dialog's X window id, and wait to be
terminated (``tests/e2e/test_export_dialog_e2e.py`` takes its picture). Usage: ``python -m tests.e2e.show_export_dialog DB``."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from xcelsior_desktop.app.greenbutton import install
from xcelsior_desktop.app.session_events import SessionEvents
from xcelsior_desktop.app.shell import AppShell
from xcelsior_desktop.app.window import MainWindow
from xcelsior_desktop.energy.store import HistoryStore


def main(db: str) -> int:
    qapp = QApplication([sys.argv[0]])
    window = MainWindow()
    shell = AppShell(window=window, events=SessionEvents(), owner=window)
    shell.provide_history(HistoryStore(db))
    plugin = install(shell)
    window.show()

    def open_dialog() -> None:
        plugin.export_action.trigger()
        dialog = plugin.export_dialog
        assert dialog is not None
        dialog.move(window.geometry().topLeft())
        QTimer.singleShot(200, lambda: print(f"dialog {int(dialog.winId()):#x}", flush=True))

    QTimer.singleShot(200, open_dialog)
    return qapp.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
