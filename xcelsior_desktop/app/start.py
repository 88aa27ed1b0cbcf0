"""The two ways the tray app starts: on this computer's meter (``xcelsior-desktop``) and on the built-in simulator
(``xcelsior-desktop demo``). The command line parses its flags into these option values; everything Qt is here."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from xcelsior_desktop.app.application import XcelsiorApp, bench_print
from xcelsior_desktop.app.launch import run_gui

if TYPE_CHECKING:
    from xcelsior_desktop.home_assistant.broker_url import BrokerUrl
    from xcelsior_desktop.simulator import MeterSimulator


@dataclass(frozen=True)
class AppStart:
    show: bool = False  # open the window at start
    debug: bool = False  # debug details in the log file
    mqtt: BrokerUrl | None = None  # publish to this broker for this run only


@dataclass(frozen=True)
class DemoStart(AppStart):
    interval_s: float = 5.0
    seed: int = 0  # the simulated household
    faults: list[str] = field(default_factory=list)  # simulator faults on from the start
    unregistered: bool = False  # the simulator does not know the demo's certificate
    meters: int = 1  # 2: the household's net meter and its solar production meter


def run_app(options: AppStart) -> int:
    """The tray app with this computer's identity (the setup wizard opens when there is none)."""

    def build(qapp: QApplication, log_path: Path) -> tuple[XcelsiorApp, Callable[[], None]]:
        from xcelsior_desktop.app.onboarding.startup import DialogAsker, load_at_launch
        from xcelsior_desktop.platform.secrets import IdentityStore
        from xcelsior_desktop.platform.settings import Settings

        settings = Settings.load()
        store = IdentityStore()
        launch = load_at_launch(store, DialogAsker())  # asks for a passphrase / what to do about the keyring
        why = launch.message
        app = XcelsiorApp(qapp, identity=launch.identity, settings=settings, log_path=str(log_path), store=store,
                          identity_message=why or Settings.load_message, mqtt_flag=options.mqtt)
        # no identity yet: the setup wizard opens (unless the user chose "not now" about the keyring)
        app.start(setup_if_needed=launch.setup)
        if options.show or why or Settings.load_message:
            app.show_view()
        return app, lambda: None

    return run_gui("app", "Xcelsior Desktop is already running; its window was brought up.", build,
                   debug=options.debug)


def run_demo(options: DemoStart) -> int:
    """The tray app on a simulator in this process, with a throwaway identity held in memory only.

    The simulator listens on 127.0.0.1 only, mDNS off; the app talks to it as to a real meter (same TLS, same XML,
    the same one-connection rule). Demo settings, history and alert files are ``demo-`` files, apart from the real
    meter's.
    """

    def build(qapp: QApplication, log_path: Path) -> tuple[XcelsiorApp, Callable[[], None]]:
        from xcelsior_desktop.meter.identity import generate_identity
        from xcelsior_desktop.platform import paths
        from xcelsior_desktop.platform.settings import Settings, clamp_interval
        from xcelsior_desktop.session.target import NET, PRODUCTION, MeterTarget
        from xcelsior_desktop.simulator import MeterSimulator
        from xcelsior_desktop.simulator.household import HouseholdMeters

        identity = generate_identity()  # throwaway, in memory only
        allowed = [] if options.unregistered else [identity.cert_pem]
        if options.meters == 2:  # the household's net and solar meters, one model behind both
            sims = list(HouseholdMeters(options.seed, host="127.0.0.1", allowed_certs=allowed, mdns=False,
                                        faults=options.faults).start())
        else:
            sims = [MeterSimulator(host="127.0.0.1", port=0, allowed_certs=allowed, mdns=False, seed=options.seed,
                                   faults=options.faults).start()]
        sim = sims[0]
        settings_path = paths.config_dir() / "demo-settings.json"
        saved = Settings.load(settings_path)
        # The user's demo preferences are kept (units, window, cost, MQTT, alerts ...); the meter is this run's
        # simulator, with this run's throwaway certificate (never saved)
        settings = dataclasses.replace(saved, poll_interval_s=clamp_interval(options.interval_s))
        meters = [MeterTarget(identity=identity, host=one.host, port=one.port, automatic=False,
                              role=PRODUCTION if one.role == PRODUCTION else NET) for one in sims]
        app = XcelsiorApp(qapp, identity=identity, settings=settings, settings_path=settings_path, meters=meters,
                          log_path=str(log_path), title="Xcelsior Desktop (demo)", demo=True, mqtt_flag=options.mqtt)
        source = ("the household's net and solar meters, simulated" if len(sims) == 2
                  else "a built-in meter simulator")
        app.window.set_notice(
            f"Demo: readings come from {source} on {sim.host}:{sim.port} with a throwaway "
            "certificate; the History tab fills with its last 30 days within seconds (kept in demo-history.sqlite3, "
            "apart from your real history). Run `xcelsior-desktop` (no arguments) to set up your real meter."
        )
        app.first_watts.connect(lambda _t: bench_print("FIRST_WATTS"))
        if os.environ.get("XCELSIOR_BENCH") == "1":
            stats = QTimer(app)
            stats.setInterval(5000)
            stats.timeout.connect(lambda: report_requests(sims))
            stats.start()
        app.start()
        if options.show:
            app.show_view()

        def cleanup() -> None:
            report_requests(sims)
            for one in sims:
                one.stop()

        return app, cleanup

    return run_gui("demo", "The Xcelsior Desktop demo is already running; its window was brought up.", build,
                   debug=options.debug)


def report_requests(sims: list[MeterSimulator]) -> None:
    """What each simulated meter was asked so far, for bench/app.py (only when it asks: XCELSIOR_BENCH=1)."""
    for one in sims:
        bench_print(f"METER_REQUESTS {one.role} {one.log.request_count}")
