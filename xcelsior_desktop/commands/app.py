"""`xcelsior-desktop` / `xcelsior-desktop app`: the tray app with this computer's identity."""

from __future__ import annotations

import argparse

from xcelsior_desktop.commands.options import add_mqtt_option, add_window_options

HELP = "start the tray app (the default)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_window_options(parser)
    add_mqtt_option(parser)


def run(args: argparse.Namespace) -> int:
    from xcelsior_desktop.app.start import AppStart, run_app

    return run_app(AppStart(show=args.show, debug=args.debug, mqtt=args.mqtt))
