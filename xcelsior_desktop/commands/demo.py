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

HELP = "start the tray app on a built-in meter simulator"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--show", action="store_true", help="open the window at start")
    parser.add_argument("--interval", type=float, default=5.0, help="poll interval in seconds (default 5, min 2)")
    parser.add_argument("--seed", type=int, default=0, help="simulator household seed")
    from xcelsior_desktop.simulator.faults import FAULT_NAMES

    parser.add_argument("--fault", action="append", default=[], metavar="NAME", choices=sorted(FAULT_NAMES),
                        help=f"start the simulator with this fault on ({', '.join(sorted(FAULT_NAMES))}); repeatable")
    parser.add_argument("--unregistered", action="store_true",
                        help="do not register the demo certificate (shows 'waiting for registration')")
    parser.add_argument("--debug", action="store_true", help="log debug details to the log file")
    from xcelsior_desktop.home_assistant.url import broker_url_argument

    # parsed here (a bad URL is a usage error); the session's MQTT publisher takes args.mqtt (a BrokerUrl or None)
    parser.add_argument("--mqtt", metavar="URL", type=broker_url_argument,
                        help="publish readings to this MQTT broker for this run, with Home Assistant discovery: "
                             "mqtt://[user[:password]@]host[:port] or mqtts://... (a password here is visible to "
                             "other users of this computer; prefer Settings, which keeps it in the keyring)")


def run(args: argparse.Namespace) -> int:
    from xcelsior_desktop.app.launch import run_gui

    def build(qapp, log_path):  # type: ignore[no-untyped-def]
        import dataclasses
        import os

        from PySide6.QtCore import QTimer

        from xcelsior_desktop.app.application import XcelsiorApp, bench_print
        from xcelsior_desktop.meter.identity import generate_identity
        from xcelsior_desktop.platform import paths
        from xcelsior_desktop.platform.settings import Settings, clamp_interval
        from xcelsior_desktop.simulator import MeterSimulator

        identity = generate_identity()  # throwaway, in memory only
        sim = MeterSimulator(
            host="127.0.0.1",
            port=0,
            allowed_certs=[] if args.unregistered else [identity.cert_pem],
            mdns=False,
            seed=args.seed,
            faults=args.fault,
        ).start()
        settings_path = paths.config_dir() / "demo-settings.json"
        saved = Settings.load(settings_path)
        # The user's demo preferences are kept (units, window, cost, MQTT, alerts ...); the meter facts are this
        # run's simulator's, never a pin from an earlier run (its identity is new every time)
        settings = dataclasses.replace(
            saved,
            poll_interval_s=clamp_interval(args.interval),
            meter_host=sim.host,
            meter_port=sim.port,
            meter_lfdi=None,
            meter_sfdi=None,
            last_meter_host=None,
            registered_lfdi=None,
        )
        app = XcelsiorApp(qapp, identity=identity, settings=settings, settings_path=settings_path,
                          log_path=str(log_path), title="Xcelsior Desktop (demo)", demo=True, mqtt_flag=args.mqtt)
        app.window.set_notice(
            f"Demo: readings come from a built-in meter simulator on {sim.host}:{sim.port} with a throwaway "
            "certificate; the History tab fills with its last 30 days within seconds (kept in demo-history.sqlite3, "
            "apart from your real history). Run `xcelsior-desktop` (no arguments) to set up your real meter."
        )
        app.first_watts.connect(lambda _t: bench_print("FIRST_WATTS"))
        if os.environ.get("XCELSIOR_BENCH") == "1":
            stats = QTimer(app)
            stats.setInterval(5000)
            stats.timeout.connect(lambda: bench_print(f"METER_REQUESTS {sim.log.request_count}"))
            stats.start()
        app.start()
        if args.show:
            app.show_view()

        def cleanup() -> None:
            bench_print(f"METER_REQUESTS {sim.log.request_count}")
            sim.stop()

        return app, cleanup

    return run_gui("demo", "The Xcelsior Desktop demo is already running; its window was brought up.", build,
                   debug=args.debug)
