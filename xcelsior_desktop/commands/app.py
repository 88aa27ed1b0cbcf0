"""`xcelsior-desktop` / `xcelsior-desktop app`: the tray app with this computer's identity."""

from __future__ import annotations

import argparse

HELP = "start the tray app (the default)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--show", action="store_true", help="open the window at start")
    parser.add_argument("--debug", action="store_true", help="log debug details (never keys) to the log file")


def load_identity() -> tuple[object | None, str | None]:
    """The stored identity, or (None, why not) when there is none or the keyring cannot be used."""
    try:
        from xcelsior_desktop.services.secrets import IdentityStore
    except ImportError:
        return None, None
    try:
        return IdentityStore().load(), None
    except Exception as exc:  # noqa: BLE001 - any keyring failure means "no identity, tell the user why"
        message = getattr(exc, "user_message", None) or f"The certificate could not be loaded: {exc}"
        return None, message


def run(args: argparse.Namespace) -> int:
    import logging

    from xcelsior_desktop.app.application import XcelsiorApp, make_qapp, quit_on_signals
    from xcelsior_desktop.app.crash_dialog import CrashReporter
    from xcelsior_desktop.app.logging_setup import setup_logging
    from xcelsior_desktop.app.single_instance import SingleInstance
    from xcelsior_desktop.services.settings import Settings

    log_path = setup_logging(logging.DEBUG if args.debug else logging.INFO)
    qapp = make_qapp()
    quit_on_signals(qapp)
    instance = SingleInstance("app")
    if not instance.acquire():
        print("Xcelsior Desktop is already running; its window was brought up.")
        return 0
    reporter = CrashReporter(str(log_path))
    reporter.install()
    settings = Settings.load()
    identity, why = load_identity()
    app = XcelsiorApp(qapp, identity=identity, settings=settings, log_path=str(log_path),  # type: ignore[arg-type]
                      identity_message=why or Settings.load_message)
    instance.activated.connect(lambda: app.show_view())
    app.start()
    if args.show or why or Settings.load_message:
        app.show_view()
    try:
        return int(qapp.exec())
    finally:
        app.shutdown()
        instance.release()
        reporter.uninstall()
