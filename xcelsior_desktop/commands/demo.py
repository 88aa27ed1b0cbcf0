"""`xcelsior-desktop demo`: the tray app against a built-in meter simulator, so anyone can see it work.

A throwaway identity is generated in memory and registered with the simulator (no keyring, no files with
keys); the simulator's own server identity is generated in memory too (unlike ``simulate``, the demo never
stores it), and the app runs with ``demo=True``: no setup wizard, no certificate lifecycle, no saved meter
profile, alert history and state in ``demo-`` files. The simulator listens on 127.0.0.1 only, with mDNS off;
the app talks to it as to a real meter (same TLS, same XML, the same one-connection rule). Settings (window geometry) go to a separate
``demo-settings.json`` so the demo never touches the real meter's pinned settings.
"""

from __future__ import annotations

import argparse

from xcelsior_desktop.commands.options import add_mqtt_option, add_window_options

HELP = "start the tray app on a built-in meter simulator"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_window_options(parser)
    parser.add_argument("--interval", type=float, default=5.0, help="poll interval in seconds (default 5, min 2)")
    parser.add_argument("--seed", type=int, default=0, help="simulator household seed")
    parser.add_argument("--meters", type=int, choices=(1, 2), default=1,
                        help="1: the net meter; 2: also the household's solar production meter")
    from xcelsior_desktop.simulator.faults import FAULT_NAMES

    parser.add_argument("--fault", action="append", default=[], metavar="NAME", choices=sorted(FAULT_NAMES),
                        help=f"start the simulator with this fault on ({', '.join(sorted(FAULT_NAMES))}); repeatable")
    parser.add_argument("--unregistered", action="store_true",
                        help="do not register the demo certificate (shows 'waiting for registration')")
    add_mqtt_option(parser)


def run(args: argparse.Namespace) -> int:
    from xcelsior_desktop.app.start import DemoStart, run_demo

    return run_demo(DemoStart(show=args.show, debug=args.debug, mqtt=args.mqtt, interval_s=args.interval,
                              seed=args.seed, faults=list(args.fault), unregistered=args.unregistered,
                              meters=args.meters))
