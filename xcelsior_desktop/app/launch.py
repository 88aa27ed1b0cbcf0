"""What every GUI entry point does around the app: logging, the QApplication, signals, one instance, crash dialog.

``xcelsior-desktop`` and ``xcelsior-desktop demo`` differ only in how they build the app; this runs the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication

from xcelsior_desktop.app.application import XcelsiorApp, make_qapp, quit_on_signals
from xcelsior_desktop.app.crash_dialog import CrashReporter
from xcelsior_desktop.app.logging_setup import setup_logging
from xcelsior_desktop.app.main_thread_gc import MainThreadCollector
from xcelsior_desktop.app.single_instance import SingleInstance

# build(qapp, log_path) -> (the started app, cleanup to run after it has shut down)
Builder = Callable[[QApplication, Path], tuple[XcelsiorApp, Callable[[], None]]]


def run_gui(instance_name: str, already_running: str, build: Builder, *, debug: bool = False) -> int:
    """Run the event loop of the app ``build`` makes; a second launch only brings up the first one's window."""
    log_path = setup_logging(logging.DEBUG if debug else logging.INFO)
    qapp = make_qapp()
    collector = MainThreadCollector(qapp)  # cycles holding Qt objects are freed on this thread only
    quit_on_signals(qapp)
    instance = SingleInstance(instance_name)
    if not instance.acquire():
        print(already_running)
        return 0
    reporter = CrashReporter(str(log_path))
    reporter.install()
    try:
        app, cleanup = build(qapp, log_path)
    except BaseException:
        instance.release()
        reporter.uninstall()
        collector.stop()
        raise
    instance.activated.connect(lambda: app.show_view())
    try:
        return int(qapp.exec())
    finally:
        app.shutdown()
        cleanup()
        instance.release()
        reporter.uninstall()
