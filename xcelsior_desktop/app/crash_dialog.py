"""Unexpected exceptions show a dialog (with the log's path) instead of the tray vanishing.

``sys.excepthook`` covers the GUI thread (PySide6 routes exceptions from slots there) and
``threading.excepthook`` covers Python threads; both hand the report to the GUI thread by a queued signal.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QMessageBox

log = logging.getLogger(__name__)


class CrashReporter(QObject):
    report = Signal(str, str)  # summary, details

    def __init__(self, log_path: str) -> None:
        super().__init__()
        self.log_path = log_path
        self.shown = 0
        self._open = False
        self.report.connect(self._show)
        self._previous = (sys.excepthook, threading.excepthook)

    def install(self) -> None:
        sys.excepthook = self._sys_hook
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        sys.excepthook, threading.excepthook = self._previous

    def _sys_hook(self, kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous[0](kind, value, tb)
            return
        self._handle(kind, value, tb, "main thread")

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit or args.exc_value is None:
            return
        name = args.thread.name if args.thread else "a background thread"
        self._handle(args.exc_type, args.exc_value, args.exc_traceback, name)

    def _handle(self, kind: type[BaseException], value: BaseException, tb: TracebackType | None, where: str) -> None:
        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("unexpected error in %s:\n%s", where, details)
        self.report.emit(f"{kind.__name__}: {value}", details)  # queued to the GUI thread when needed

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        self.shown += 1
        if self._open:  # one dialog at a time; the rest are in the log
            return
        self._open = True
        try:
            box = QMessageBox()
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle("Xcelsior Desktop: unexpected error")
            box.setText("Something went wrong inside Xcelsior Desktop. It keeps running, but this is a bug.")
            box.setInformativeText(
                f"{summary}\n\nThe details are in the log file:\n{self.log_path}\n"
                "Please include it when you report the problem."
            )
            box.setDetailedText(details)
            box.setObjectName("crash-dialog")
            box.exec()
        finally:
            self._open = False
