"""The app object: builds the meter session, its thread, discovery, tray, window and dialogs, and the shell.

The meter session (session/session.py) owns which meter and which certificate; this object only sends it
commands and listens. Plug-ins (alerts, onboarding, and what round 2 adds) receive the :class:`AppShell`
(app/shell.py), never this object. One listener here saves the target when it changes (the settings file and the
pin file); nothing else writes the meter's address or pin.
"""

from __future__ import annotations

import copy
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from xcelsior_desktop.app.about import show_about
from xcelsior_desktop.app.discovery_worker import DiscoveryThread, DiscoveryWorker
from xcelsior_desktop.app.meter_worker import MeterThread, MeterWorker
from xcelsior_desktop.app.settings_dialog import SettingsDialog
from xcelsior_desktop.app.shell import AppShell
from xcelsior_desktop.app.tray import Tray
from xcelsior_desktop.app.window import MainWindow
from xcelsior_desktop.energy.totals import Energy
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.meter.values import DeviceInfo, Measurement, Registers
from xcelsior_desktop.money.home_zone import HomeZone, home_zone
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.poller import Status
from xcelsior_desktop.session.session import (
    Command,
    Located,
    MeterSession,
    Pause,
    Probe,
    ProfileStore,
    ReadingFlagged,
    Refresh,
    RetryNow,
    SessionOptions,
    SetAddress,
    SetInterval,
    SetTarget,
)
from xcelsior_desktop.session.target import MeterTarget, save_target

if TYPE_CHECKING:
    from xcelsior_desktop.app.onboarding.in_app import OnboardingInApp
    from xcelsior_desktop.app.onboarding.wizard import SetupWizard
    from xcelsior_desktop.home_assistant.url import BrokerUrl
    from xcelsior_desktop.meter.discovery import DiscoveredMeter
    from xcelsior_desktop.platform.secrets import IdentityStore

log = logging.getLogger(__name__)

NO_TRAY_NOTICE = (
    "No system tray was found, so Xcelsior Desktop shows this window instead (closing it quits the app). "
    "On GNOME, install the \u201cAppIndicator and KStatusNotifierItem Support\u201d extension to get the tray icon."
)


class XcelsiorApp(QObject):
    identity_changed = Signal(object)
    settings_changed = Signal(object)
    first_watts = Signal(float)  # monotonic seconds when the tray first showed watts (bench, tests)

    def __init__(
        self,
        qapp: QApplication,
        *,
        identity: Identity | None,
        settings: Settings,
        settings_path: Path | None = None,
        log_path: str = "",
        discovery_interfaces: list[str] | None = None,
        worker_options: dict[str, Any] | None = None,
        title: str = "Xcelsior Desktop",
        identity_message: str | None = None,
        demo: bool = False,
        store: IdentityStore | None = None,
        profile_cache: ProfileStore | None = None,
        mqtt_flag: BrokerUrl | None = None,
        history_path: Path | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.qapp = qapp
        self.identity = identity
        self.settings = settings
        self.home: HomeZone = home_zone(settings)  # the one zone of every day and billing cycle
        self.settings_path = settings_path
        self.log_path = log_path
        self.demo = demo
        self.status: Status | None = None
        self._wizard: SetupWizard | None = None
        self.setup_discovery_timeout_s = 10.0
        self._quitting = False
        self._first_watts_at: float | None = None
        qapp.setQuitOnLastWindowClosed(False)

        self.window = MainWindow()
        self.window.setWindowTitle(title)
        self.window.set_identity(identity)
        self.window.set_units(settings.units)
        self.window.restore_geometry(settings.window_geometry)
        self.window.geometry_changed.connect(self._save_geometry)
        self.window.action_requested.connect(self._on_window_action)
        self.window.closed.connect(self._on_window_closed)
        if identity_message:
            self.window.set_notice(identity_message)

        self.tray = Tray(self)
        self.tray.set_units(settings.units)
        self.tray.icon.setToolTip(title)
        self.tray.open_requested.connect(lambda: self.show_view())
        self.tray.pause_toggled.connect(self.set_paused)
        self.tray.settings_requested.connect(self.open_settings)
        self.tray.setup_requested.connect(self.open_setup)
        self.tray.about_requested.connect(lambda: show_about(None, self.log_path))
        self.tray.quit_requested.connect(self.quit)
        self.tray.retry_requested.connect(lambda: self.send(RetryNow()))

        from xcelsior_desktop.app.onboarding.in_app import OnboardingInApp

        # a saved wait for activation: the session stays idle and the wait probes through it (see start())
        waiting = not demo and OnboardingInApp.activation_pending(identity)
        if profile_cache is None and not demo:
            from xcelsior_desktop.session.profile_cache import ProfileCache

            profile_cache = ProfileCache()
        target = MeterTarget.from_settings(settings, None if waiting else identity)
        options = SessionOptions(interval_s=settings.poll_interval_s, **(worker_options or {}))
        self.session = MeterSession(target, options, profiles=profile_cache)
        from xcelsior_desktop.session.activity_log import ActivityLog

        self.session.subscribe(ActivityLog())  # the log: each change of state, an hourly summary
        self.worker = MeterWorker(self.session)
        self.meter = MeterThread(self.worker)
        self.events = self.worker  # the session's events as Qt signals (app/session_signals.py)
        self.events.demand_read.connect(self._on_demand)
        self.events.registers_read.connect(self._on_registers)
        self.events.today_changed.connect(self._on_today)
        self.events.device_info_read.connect(self._on_device_info)
        self.events.status_changed.connect(self._on_status)
        self.events.reading_flagged.connect(self._on_flagged)
        self.events.target_changed.connect(self._on_target_changed)
        self._show_target(target)

        self.discovery = DiscoveryThread(DiscoveryWorker(interfaces=discovery_interfaces))
        self.events.locate_requested.connect(self.discovery.worker.locate)
        self.discovery.worker.located.connect(lambda address: self.send(Located(address)))

        self.shell = AppShell(window=self.window, events=self.events, send=self.send,
                              target=lambda: self.session.target, tray_menu=self.tray.menu,
                              tray_anchor=self.tray.settings_action, show_view=self.show_view,
                              settings=lambda: self.settings, home_zone=lambda: self.home,
                              update_settings=self.update_settings, clock=clock)
        self.window.set_poll_interval(settings.poll_interval_s)

        from xcelsior_desktop.app.alerts.wiring import install_in_app

        # desktop notifications, Alerts view, Settings page
        self.alerts = install_in_app(self.shell, self.tray.icon, identity=identity,
                                     identity_changed=self.identity_changed, demo=demo, parent=self)
        from xcelsior_desktop.app.history import install_history
        from xcelsior_desktop.energy.opening import demo_path

        # the energy history: the store (shell.history), the recorder on the session, the History tab
        self.history = install_history(self.shell, path=history_path or (demo_path() if demo else None),
                                       parent=self)
        from xcelsior_desktop.app.cost.plugin import install_cost

        # the Cost tab and settings page, the tray's price period, cost alerts
        self.cost = install_cost(self.shell, self.tray, settings, alerts=self.alerts, parent=self)
        from xcelsior_desktop.app.greenbutton import install_greenbutton

        self.greenbutton = install_greenbutton(self.shell, parent=self)  # Import... / Export... of the history
        self.greenbutton.history_changed.connect(lambda _first, _last: self.history.view.refresh())
        self.greenbutton.history_changed.connect(lambda _first, _last: self.shell.history_changed())
        from xcelsior_desktop.app.home_assistant import install_mqtt

        # MQTT / Home Assistant: the session's readings to a broker; mqtt_flag is `--mqtt URL` (this run only)
        self.mqtt = install_mqtt(self.shell, settings, flag=mqtt_flag, settings_changed=self.settings_changed,
                                 demo=demo, parent=self)
        self.onboarding: OnboardingInApp | None = None
        if not demo:
            from xcelsior_desktop.app.onboarding.in_app import install_onboarding

            onboarding = self.onboarding = install_onboarding(self.shell, self, store, parent=self)
            self.identity_changed.connect(lambda _identity: onboarding.refresh())

        self._tray_poll = QTimer(self)
        self._tray_poll.setInterval(5000)
        self._tray_poll.timeout.connect(self._check_tray)
        qapp.aboutToQuit.connect(self.shutdown)

    # -- start and stop ----------------------------------------------------------------------------

    def start(self, *, setup_if_needed: bool = False) -> None:
        """Start the threads and show the tray; resume a saved activation wait; with ``setup_if_needed`` (the
        real app at launch), open the setup wizard when there is no identity yet."""
        self.discovery.start()
        self.meter.start()
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray.show()
        else:
            log.warning("no system tray available: showing the window instead")
            self.window.set_notice(NO_TRAY_NOTICE)
            self.show_view()
            self._tray_poll.start()  # at login the tray may appear a little later
        self._show_reset_notices()
        self._show_zone_notice()
        if self.onboarding is None:
            return
        resumed = self.onboarding.resume_activation(self.identity)
        if not resumed and self.identity is None and setup_if_needed:
            self.open_setup()

    def _show_reset_notices(self) -> None:
        """Files found damaged at start (settings, alerts, identity record, ...): say once what was reset."""
        from xcelsior_desktop.platform.state_files import take_reset_notices

        shown = self.window.notice or ""
        notices = [text for text in take_reset_notices() if text not in shown]
        if notices:
            self.window.set_notice("\n".join([shown, *notices] if shown else notices))
            self.show_view()

    def _show_zone_notice(self) -> None:
        """Once per home zone and computer zone: days are counted in the home zone, not this computer's."""
        import datetime as dt

        text = self.home.notice(dt.datetime.now(dt.UTC))
        key = f"{self.home.name}|{dt.datetime.now().astimezone().tzname()}"
        if text is None or self.settings.extra.get("zone_notice_shown") == key:
            return
        shown = self.window.notice or ""
        self.window.set_notice(f"{shown}\n{text}" if shown else text)
        self.settings.extra["zone_notice_shown"] = key
        self.save_settings()

    def _check_tray(self) -> None:
        if QSystemTrayIcon.isSystemTrayAvailable():
            self._tray_poll.stop()
            self.tray.show()
            self.window.set_notice(None)

    @Slot()
    def quit(self) -> None:
        self.shutdown()
        # Qt 6's quit() first asks every window to close and gives up if one refuses; the main window refuses
        # (closing it only hides it, the tray keeps running) unless told that the app is quitting.
        self.window.allow_close()
        self.qapp.quit()

    @Slot()
    def shutdown(self) -> None:
        """Stop and join the threads (a request in flight is aborted), save settings. Idempotent."""
        if self._quitting:
            return
        self._quitting = True
        if self.window.isVisible():
            self.settings.window_geometry = self.window.encoded_geometry()
        self.tray.hide()
        if self.onboarding is not None:
            self.onboarding.stop()
        if self._wizard is not None:
            self._wizard.close()
        started = time.monotonic()
        self.meter.stop()
        self.discovery.stop()
        self.alerts.shutdown()
        self.greenbutton.shutdown()  # waits for an import or export in progress: before the history store closes
        self.mqtt.shutdown()  # after the meter thread: the last readings go out, then "offline"
        self.cost.stop()
        self.history.stop()
        log.info("threads stopped in %.2f s", time.monotonic() - started)
        self.save_settings()

    def save_settings(self) -> None:
        try:
            self.settings.save(self.settings_path)
        except OSError as exc:
            log.warning("could not save settings: %s", exc)

    # -- the session -------------------------------------------------------------------------------

    def send(self, command: Command) -> None:
        """Any thread: a command for the meter session."""
        self.meter.send(command)

    def probe(self, identity: Identity, host: str, port: int, meter_lfdi: str | None = None) -> Probe:
        """A probe through the session's one connection; its ``result`` Future resolves on the meter thread."""
        return self.session.probe(identity, host, port, meter_lfdi)

    @Slot(object)
    def _on_target_changed(self, target: MeterTarget) -> None:
        """The one place the target is saved: the settings file and the pin file (which survives a reset)."""
        self._show_target(target)
        try:
            save_target(target, self.settings, self.settings_path, keep_pin=not self.demo)
        except OSError as exc:
            log.warning("could not save the meter's address and pin: %s", exc)

    def _show_target(self, target: MeterTarget) -> None:
        self.window.set_address(target.host, target.port, target.automatic)

    # -- extension points --------------------------------------------------------------------------

    def show_view(self, name: str = "live") -> None:
        self.window.show_view(name)
        self.send(Refresh())

    def open_setup(self) -> None:
        """The onboarding wizard; when the meter accepts its certificate, the app uses it and the pinned meter.

        The wizard works on a copy of the settings (it pins the meter there) and probes through the session.
        Closed while waiting for activation, the wait goes on in the background.
        """
        if self._wizard is not None:
            self._wizard.show()
            self._wizard.raise_()
            self._wizard.activateWindow()
            return
        if self.onboarding is None:
            self.window.set_notice("The demo runs on a throwaway certificate: run `xcelsior-desktop` (no "
                                   "arguments) to set up your real meter.")
            self.show_view()
            return
        from dataclasses import replace

        from xcelsior_desktop.app.onboarding.wizard import SetupWizard

        interfaces = self.discovery.worker.interfaces

        def discover(timeout: float) -> list[DiscoveredMeter]:  # the same interfaces as the app's own discovery
            from xcelsior_desktop.meter.discovery import discover as find

            return list(find(timeout=timeout, interfaces=interfaces))

        wizard = SetupWizard(store=self.onboarding.store, settings=replace(self.settings),
                             adopt=lambda target: self.adopt_identity(target.identity, target, registered=True),
                             probe=self.onboarding.probe_fn(pinned=False), discover=discover,
                             discovery_timeout_s=self.setup_discovery_timeout_s)
        wizard.setObjectName("setup-wizard")
        wizard.finished.connect(lambda _result: self._setup_closed(wizard))
        self._wizard = wizard
        wizard.show()
        wizard.raise_()

    def _setup_closed(self, wizard: SetupWizard) -> None:
        self._wizard = None
        wizard.deleteLater()
        identity = wizard.identity
        if self.onboarding is None or identity is None or identity is self.identity:
            return
        if self.onboarding.activation_pending(identity):  # closed while waiting: carry on in the background
            self.identity = identity
            self.window.set_identity(identity)
            self.send(SetTarget(self.session.target.replace(identity=None)))  # idle: the wait probes through it
            self.onboarding.resume_activation(identity)

    @Slot(object)
    def set_identity(self, identity: Identity | None) -> None:
        self.adopt_identity(identity, registered=False)

    def adopt_identity(self, identity: Identity | None, target: MeterTarget | None = None, *,
                       registered: bool = False) -> None:
        """Use ``identity`` (None: none) and, when given, ``target`` (the meter pinned by setup) in one step.

        ``registered``: the meter has accepted this certificate, so a later refusal means "certificate refused".
        """
        base = target or self.session.target
        new = base.replace(identity=identity, registered=registered and identity is not None)
        self.identity = identity
        self.window.set_identity(identity)
        self.window.set_notice(None)
        self.send(SetTarget(new))
        self.identity_changed.emit(identity)

    def show_status(self, status: Status) -> None:
        """Show a state the session does not produce (waiting for activation runs outside it)."""
        self.status = status
        self.tray.set_status(status)
        self.window.set_status(status)

    def apply_settings(self, new: Settings) -> None:
        old = self.settings
        self.settings = new
        if new.poll_interval_s != old.poll_interval_s:
            self.send(SetInterval(float(new.poll_interval_s)))
        if (new.meter_host, new.meter_port) != (old.meter_host, old.meter_port):
            automatic = new.meter_host is None
            self.send(SetAddress(new.meter_host or new.last_meter_host, int(new.meter_port), automatic))
        self.window.set_units(new.units)
        self.tray.set_units(new.units)
        self.window.set_poll_interval(new.poll_interval_s)
        self.home = home_zone(new)
        self.save_settings()
        self.shell.settings_changed(new)
        self.settings_changed.emit(new)

    def update_settings(self, change: Callable[[Settings], None]) -> None:
        """A plug-in changes the settings outside the dialog: on a copy, then saved and told like the dialog's OK."""
        new = Settings.from_dict(copy.deepcopy(self.settings.to_dict()))
        change(new)
        self.apply_settings(new)

    @Slot()
    def open_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self.window if self.window.isVisible() else None,
                                pages=self.shell.settings_pages)
        if dialog.exec() and dialog.result_settings is not None:
            self.apply_settings(dialog.result_settings)

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        self.tray.set_paused(paused)
        self.send(Pause(paused))

    # -- from the session --------------------------------------------------------------------------

    @Slot(object)
    def _on_demand(self, measurement: Measurement) -> None:
        self.tray.set_demand(float(measurement.value), measurement.timestamp)
        self.window.set_demand(measurement)
        if self._first_watts_at is None:
            self._first_watts_at = time.monotonic()
            self.first_watts.emit(self._first_watts_at)

    @Slot(object)
    def _on_registers(self, registers: Registers) -> None:
        self.window.set_registers(registers)

    @Slot(object)
    def _on_today(self, today: Energy) -> None:
        self.window.set_today(today)
        self.tray.set_today(today)

    @Slot(object)
    def _on_device_info(self, info: DeviceInfo) -> None:
        self.window.set_device_info(info)

    @Slot(object)
    def _on_flagged(self, flagged: ReadingFlagged) -> None:
        self.window.set_flagged(flagged.what, flagged.label, flagged.reason)

    @Slot(object)
    def _on_status(self, status: Status) -> None:
        if self.onboarding is not None and self.onboarding.waiting:
            return  # the idle session's "no identity" is not news: the app waits for activation
        self.status = status
        self.tray.set_status(status)
        self.window.set_status(status)

    # -- window ------------------------------------------------------------------------------------

    def _save_geometry(self, encoded: str) -> None:
        self.settings.window_geometry = encoded
        self.settings.window_view = self.window.current_view()
        self.save_settings()

    def _on_window_closed(self) -> None:
        if not self.tray.icon.isVisible():
            self.quit()  # no tray: the window is the app

    def _on_window_action(self, action: str) -> None:
        if action == "setup":
            self.open_setup()
        elif action == "settings":
            self.open_settings()
        elif action == "resume":
            self.set_paused(False)
        elif action == "retry":
            self.send(RetryNow())


def make_qapp(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    qapp = QApplication(argv if argv is not None else [sys.argv[0]])
    qapp.setApplicationName("xcelsior-desktop")
    qapp.setOrganizationName("xcelsior-desktop")
    qapp.setDesktopFileName("io.github.xcelsiordesktop.XcelsiorDesktop")
    icon = _app_icon_path()
    if icon is not None:
        from PySide6.QtGui import QIcon

        qapp.setWindowIcon(QIcon(str(icon)))
    return qapp


def _app_icon_path() -> Path | None:
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[2]))
    for candidate in (base / "resources" / "xcelsior-desktop.svg", base / "resources" / "icons" / "xcelsior-desktop-64.png"):
        if candidate.exists():
            return candidate
    return None


def quit_on_signals(qapp: QApplication) -> QTimer:
    """SIGTERM / SIGINT quit cleanly (threads joined, settings saved). The timer lets Python see signals."""
    import signal

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: qapp.exit(0))  # exit(), which no window can veto; the caller then shuts down
    timer = QTimer(qapp)
    timer.setInterval(500)
    timer.timeout.connect(lambda: None)
    timer.start()
    return timer


def bench_print(text: str) -> None:
    """Machine-readable lines for bench/app.py, only when it asks (XCELSIOR_BENCH=1)."""
    if os.environ.get("XCELSIOR_BENCH") == "1":
        print(text, flush=True)
