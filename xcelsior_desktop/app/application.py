"""The app object: builds the meter session, its thread, discovery, tray, window and dialogs, and the shell.

The meter session (session/session.py) owns which meter and which certificate; this object only sends it
commands and listens. Plug-ins (alerts, history, cost, Green Button, Home Assistant, onboarding) receive the
:class:`AppShell` (app/shell.py), never this object. One listener here saves the target when it changes (the settings file and the
pin file); nothing else writes the meter's address or pin.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from xcelsior_desktop.app.about import show_about
from xcelsior_desktop.app.discovery_worker import DiscoveryThread, DiscoveryWorker
from xcelsior_desktop.app.meters import AppMeters
from xcelsior_desktop.app.settings_dialog import SettingsDialog
from xcelsior_desktop.app.shell import AppShell, Launch
from xcelsior_desktop.app.solar_panel import SolarPanel
from xcelsior_desktop.app.status_text import STATE_TEXT
from xcelsior_desktop.app.tray import Tray
from xcelsior_desktop.app.window import MainWindow
from xcelsior_desktop.common import format as fmt
from xcelsior_desktop.energy.errors import HistoryError
from xcelsior_desktop.energy.home import home_energy
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.money.home_zone import HomeZone, home_zone
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.activity_log import ActivityLog, activity_logger
from xcelsior_desktop.session.commands import (
    Command,
    Located,
    Pause,
    Refresh,
    RetryNow,
    SetAddress,
    SetInterval,
    SetTarget,
)
from xcelsior_desktop.session.connection import ProfileStore, SessionOptions
from xcelsior_desktop.session.events import (
    DemandRead,
    DeviceInfoRead,
    LocateRequested,
    ReadingFlagged,
    RegistersRead,
    StateChanged,
    TargetChanged,
    TodayChanged,
)
from xcelsior_desktop.session.meters_file import load_targets, save_target
from xcelsior_desktop.session.poller import Status
from xcelsior_desktop.session.registry import MeterRegistry
from xcelsior_desktop.session.target import CURRENT_CERTIFICATE, NET, PRODUCTION, MeterTarget, Role

if TYPE_CHECKING:
    from xcelsior_desktop.app.onboarding.wizard import SetupWizard
    from xcelsior_desktop.home_assistant.broker_url import BrokerUrl
    from xcelsior_desktop.meter.discovery import DiscoveredMeter
    from xcelsior_desktop.platform.secrets import IdentityStore

log = logging.getLogger(__name__)

NO_TRAY_NOTICE = (
    "No system tray was found, so Xcelsior Desktop shows this window instead (closing it quits the app). "
    "On GNOME, install the \u201cAppIndicator and KStatusNotifierItem Support\u201d extension to get the tray icon."
)


class XcelsiorApp(QObject):
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
        meters: Sequence[MeterTarget] | None = None,
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
        self.tray.add_solar_requested.connect(self.open_add_solar)
        self.tray.about_requested.connect(lambda: show_about(None, self.log_path))
        self.tray.quit_requested.connect(self.quit)
        self.tray.retry_requested.connect(lambda: self.send(RetryNow()))

        from xcelsior_desktop.app.onboarding.in_app import OnboardingInApp

        # a saved wait for activation: that meter's session stays idle and the wait probes through it
        waiting = None if demo else OnboardingInApp.waiting_role(identity)

        def certificate(slot: str) -> Identity | None:
            """A meter's certificate: the one in use, or (a solar meter's own) loaded from its slot."""
            if slot == CURRENT_CERTIFICATE or demo:
                return identity if slot == CURRENT_CERTIFICATE else None
            from xcelsior_desktop.platform.secrets import IdentityStore

            return stored_certificate(store or IdentityStore(), slot)

        if meters is None:  # the household's meters, as meters.json has them (an earlier release's moved there)
            meters = load_targets(certificate, settings=settings, settings_path=settings_path)
        targets = [t if t.identity is not None else t.replace(identity=certificate(t.certificate)) for t in meters]
        if waiting is not None:
            targets = [t.replace(identity=None) if t.role == waiting else t for t in targets]
        options = SessionOptions(interval_s=settings.poll_interval_s, **(worker_options or {}))
        self.save_meters = not demo  # the demo's meters are this run's simulators: never saved
        self.registry = MeterRegistry(targets, options, profiles=self._profiles_for(demo, profile_cache))
        self.meters = AppMeters(self.registry, parent=self)
        self.session = self.registry.net
        self.events = self.meters.events(NET)  # the net meter's events, on the GUI thread
        self.meter = self.meters.runtime(NET).thread
        self.worker = self.meter.worker
        self.events.on(DemandRead, self._on_demand)
        self.events.on(RegistersRead, lambda event: self.window.set_registers(event.registers))
        self.events.on(TodayChanged, self._on_today)
        self.events.on(DeviceInfoRead, lambda event: self.window.set_device_info(event.info))
        self.events.on(StateChanged, self._on_status)
        self.events.on(ReadingFlagged, lambda event: self.window.set_flagged(event.what, event.label, event.reason))
        self._show_target(self.session.target)

        self.solar_panel: SolarPanel | None = None  # with a solar meter: its figures on the Live tab
        self.discovery = DiscoveryThread(DiscoveryWorker(interfaces=discovery_interfaces))
        self.discovery.worker.located.connect(self._located)
        for role in self.meters.roles():
            self._wire_meter(role)
        self.meters.on_added(self._wire_meter)

        self.shell = AppShell(window=self.window, events=self.events, meters=self.meters, send=self.send,
                              target=lambda: self.session.target, probe=self.session.probe, tray=self.tray,
                              tray_menu=self.tray.menu, tray_anchor=self.tray.settings_action,
                              show_view=self.show_view, settings=lambda: self.settings, home_zone=lambda: self.home,
                              update_settings=self.update_settings, identity_host=self,
                              launch=Launch(demo=demo, mqtt_flag=mqtt_flag, history_path=history_path,
                                            identity_store=store),
                              owner=self, clock=clock)
        self.shell.identity_changed(identity)
        self.window.set_poll_interval(settings.poll_interval_s)

        # The plug-ins, each installed with the shell alone. Alerts first: the others announce through them;
        # the history before cost, Green Button and Home Assistant, which read the store.
        from xcelsior_desktop.app import alerts, cost, greenbutton, history, home_assistant, onboarding, overview

        self.alerts = alerts.install(self.shell)  # desktop notifications, the Alerts tab and settings page
        self.history = history.install(self.shell)  # the store, the recorder on the session, the History tab
        self.cost = cost.install(self.shell)  # the Cost tab and settings page, the tray's price period
        self.overview = overview.install(self.shell)  # the first tab: cards read in one look; the Big loads tab
        self.greenbutton = greenbutton.install(self.shell)  # Import... / Export... of the history
        self.mqtt = home_assistant.install(self.shell)  # readings to a broker, with Home Assistant discovery
        self.onboarding = onboarding.install(self.shell)  # activation, expiry, renewal (not in the demo)
        self._refresh_add_solar()

        self._tray_poll = QTimer(self)
        self._tray_poll.setInterval(5000)
        self._tray_poll.timeout.connect(self._check_tray)
        qapp.aboutToQuit.connect(self.shutdown)

    # -- start and stop ----------------------------------------------------------------------------

    def start(self, *, setup_if_needed: bool = False) -> None:
        """Start the threads and show the tray; resume a saved activation wait; with ``setup_if_needed`` (the
        real app at launch), open the setup wizard when there is no identity yet."""
        self.discovery.start()
        self.meters.start()
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
        self.meters.stop()
        self.discovery.stop()
        self.alerts.shutdown()
        self.greenbutton.stop()  # waits for an import or export in progress: before the history store closes
        self.mqtt.shutdown()  # after the meter thread: the last readings go out, then "offline"
        self.overview.stop()
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

    @staticmethod
    def _profiles_for(demo: bool, given: ProfileStore | None) -> Callable[[MeterTarget], ProfileStore | None]:
        """Each meter's saved resource map (none in the demo: its meters are new every run)."""
        if demo:
            return lambda _target: None
        from xcelsior_desktop.session.profile_cache import ProfileCache

        return lambda target: given if given is not None and target.role == NET else ProfileCache.for_role(target.role)

    def _wire_meter(self, role: Role) -> None:
        """What every meter's session is connected to: the log, saving its record, discovery; the solar meter's
        readings to its panel and the tray."""
        runtime = self.meters.runtime(role)
        ActivityLog(logger=activity_logger(role)).attach(runtime.session.events)  # each change of state, hourly
        runtime.events.on(TargetChanged, self._on_target_changed)
        runtime.events.on(LocateRequested, lambda event: self.discovery.worker.locate.emit((role, event.sfdi)))
        if role == PRODUCTION:
            self._wire_solar()

    def _wire_solar(self) -> None:
        events = self.meters.events(PRODUCTION)
        panel = self.solar_panel = SolarPanel(self.meters.target(PRODUCTION).label)
        panel.set_units(self.settings.units)
        self.window.add_live_widget(panel)
        events.on(DemandRead, self._on_solar_demand)
        events.on(StateChanged, self._on_solar_status)
        events.on(TodayChanged, lambda _event: self._refresh_home())

    def _on_solar_demand(self, event: DemandRead) -> None:
        if self.solar_panel is not None:
            self.solar_panel.set_production(event.measurement)
            self._show_solar_now()

    def _on_solar_status(self, event: StateChanged) -> None:
        panel = self.solar_panel
        if panel is None or self._waiting_for(PRODUCTION):
            return
        panel.set_status(event.status)
        title, _ = STATE_TEXT[event.status.state]
        self.tray.set_meter_state(f"{panel.meter_label}: {title.lower()}")
        self._show_solar_now()

    def _show_solar_now(self) -> None:
        panel = self.solar_panel
        if panel is None:
            return
        production, home = panel.production_watts, panel.home_watts
        if production is None:
            self.tray.set_solar(f"{panel.meter_label}: no reading now")
            return
        line = f"Solar {fmt.full_power(production, self.settings.units)}"
        if home is not None:
            line += f" \u00b7 home using {fmt.full_power(home, self.settings.units)}"
        self.tray.set_solar(line)

    def _refresh_home(self) -> None:
        """Today's home use, solar and self-sufficiency, from both meters' history (the one energy function), for
        the same day and instant as the net meter's "today"."""
        store, panel, today = self.shell.history, self.solar_panel, self.window.today
        if store is None or panel is None or today is None:
            return
        try:
            panel.set_home(home_energy(store, today.start, today.end, today.as_of, zone=self.home.zone))
        except HistoryError as exc:
            log.warning("today's home use could not be read: %s", exc)

    def _located(self, answer: tuple[Role, tuple[str, int] | None]) -> None:
        role, address = answer
        if self.meters.has(role):
            self.meters.send(role, Located(address))

    def _on_target_changed(self, event: TargetChanged) -> None:
        """A meter's record changed in its session: saved (meters.json), shown."""
        target = event.target
        if target.role == NET:
            self._show_target(target)
        self._refresh_add_solar()
        self._save_meter(target)

    def _save_meter(self, target: MeterTarget) -> None:
        """A meter's record into meters.json (never the demo's)."""
        if not self.save_meters:
            return
        try:
            save_target(target)
        except OSError as exc:
            log.warning("could not save the %s's address and pin: %s", target.label.lower(), exc)

    def _show_target(self, target: MeterTarget) -> None:
        self.window.set_address(target.host, target.port, target.automatic)

    # -- extension points --------------------------------------------------------------------------

    def show_view(self, name: str = "overview") -> None:
        """Bring the window up on ``name`` (the Overview by default: it answers at a glance)."""
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

        from xcelsior_desktop.app.onboarding.wizard import SetupWizard

        wizard = SetupWizard(store=self.onboarding.store, target=lambda: self.session.target,
                             place=lambda target: self.send(SetTarget(target)),
                             adopt=lambda target: self.adopt_identity(target.identity, target, registered=True),
                             probe=self.onboarding.probe_fn(pinned=False), discover=self._discover_for_setup,
                             discovery_timeout_s=self.setup_discovery_timeout_s)
        wizard.setObjectName("setup-wizard")
        wizard.finished.connect(lambda _result: self._setup_closed(wizard))
        self._wizard = wizard
        wizard.show()
        wizard.raise_()

    def open_add_solar(self) -> None:
        """Setup for the household's solar (production) meter, once the net meter reads: the same certificate,
        registered on the second meter in Launchpad. The meter gets its own session as soon as its address is
        known (idle until it accepts, so the wait probes through it), and its record goes to meters.json."""
        if self._wizard is not None:
            self._wizard.show()
            self._wizard.raise_()
            return
        net = self.session.target
        if self.onboarding is None or self.identity is None or not net.registered:
            self.open_setup()  # the net meter first: its certificate is the one the solar meter registers
            return

        from xcelsior_desktop.app.onboarding.wizard import SetupWizard

        identity, onboarding = self.identity, self.onboarding
        wizard = SetupWizard(store=onboarding.store, role=PRODUCTION, identity=identity, other=net,
                             target=lambda: onboarding.meter_target(PRODUCTION),
                             place=self._place_meter, adopt=lambda target: self.meters.send(PRODUCTION,
                                                                                             SetTarget(target)),
                             probe=onboarding.probe_fn(pinned=False, role=PRODUCTION),
                             discover=self._discover_for_setup, discovery_timeout_s=self.setup_discovery_timeout_s)
        wizard.setObjectName("solar-setup-wizard")
        wizard.finished.connect(lambda _result: self._solar_setup_closed(wizard))
        self._wizard = wizard
        wizard.show()
        wizard.raise_()

    def _discover_for_setup(self, timeout: float) -> list[DiscoveredMeter]:
        """Setup's search, on the same interfaces as the app's own discovery."""
        from xcelsior_desktop.meter.discovery import discover as find

        return list(find(timeout=timeout, interfaces=self.discovery.worker.interfaces))

    def _place_meter(self, target: MeterTarget) -> None:
        """Setup found a second meter's address: its session holds the record from now on (idle, without the
        certificate, until the meter accepts it), so a wait closed early goes on after a restart."""
        idle = target.replace(identity=None, registered=False)
        if self.meters.has(target.role):
            self.meters.send(target.role, SetTarget(idle))
        else:  # a new session: its record is saved here, later changes by its TargetChanged
            self.meters.add(idle)
            self._save_meter(idle)
            self._refresh_add_solar()

    def _solar_setup_closed(self, wizard: SetupWizard) -> None:
        self._wizard = None
        wizard.deleteLater()
        if self.onboarding is not None and wizard.target is None:  # closed while waiting: on in the background
            self.onboarding.resume_activation(self.identity)

    def _refresh_add_solar(self) -> None:
        """"Add a solar meter…" in the tray menu while a real net meter reads and no solar meter is set up."""
        solar = self.meters.target(PRODUCTION) if self.meters.has(PRODUCTION) else None
        self.tray.add_solar_action.setVisible(
            self.onboarding is not None and self.session.target.registered and (solar is None or not solar.registered))

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
        self.shell.identity_changed(identity)

    def show_status(self, status: Status, role: Role = NET) -> None:
        """Show a state the ``role`` meter's session does not produce (waiting for activation runs outside it)."""
        if role != NET:
            if self.solar_panel is not None:
                self.solar_panel.set_status(status)
            title, _ = STATE_TEXT[status.state]
            self.tray.set_meter_state(f"{self.meters.target(role).label}: {title.lower()}")
            return
        self.status = status
        self.tray.set_status(status)
        self.window.set_status(status)

    def apply_settings(self, new: Settings, *, saved: bool = False) -> None:
        """Use ``new`` (saved first unless ``saved``): the session and the window follow, then every plug-in is
        told through the shell."""
        old = self.settings
        self.settings = new
        if new.poll_interval_s != old.poll_interval_s:
            for role in self.meters.roles():
                self.meters.send(role, SetInterval(float(new.poll_interval_s)))
        self.window.set_units(new.units)
        self.tray.set_units(new.units)
        if self.solar_panel is not None:
            self.solar_panel.set_units(new.units)
        self.window.set_poll_interval(new.poll_interval_s)
        self.home = home_zone(new)
        if not saved:
            self.save_settings()
        self.shell.settings_changed(new)

    def update_settings(self, change: Callable[[Settings], None]) -> None:
        """A plug-in changes the settings outside the dialog: on a copy, then saved and told like the dialog's OK."""
        new = Settings.from_dict(copy.deepcopy(self.settings.to_dict()))
        change(new)
        self.apply_settings(new)

    @Slot()
    def open_settings(self) -> None:
        """Every page validates, all commit, the file is saved, or nothing changes (app/settings_pages.py)."""
        dialog = SettingsDialog(self.settings, self.window if self.window.isVisible() else None,
                                pages=self.shell.settings_pages, save=lambda s: s.save(self.settings_path),
                                meters=[self.meters.target(role) for role in self.meters.roles()])
        if dialog.exec() and dialog.result_settings is not None:
            self.apply_settings(dialog.result_settings, saved=True)
            self.apply_addresses(dialog.result_addresses)

    def apply_addresses(self, addresses: dict[Role, tuple[str | None, int, bool]]) -> None:
        """A meter's address changed in Settings: its session takes it (and its listener saves the record)."""
        for role, (host, port, automatic) in addresses.items():
            target = self.meters.target(role)
            if (host, port, automatic) != (target.host, target.port, target.automatic):
                self.meters.send(role, SetAddress(host, int(port), automatic))

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        self.tray.set_paused(paused)
        for role in self.meters.roles():
            self.meters.send(role, Pause(paused))

    # -- from the session --------------------------------------------------------------------------

    def _on_demand(self, event: DemandRead) -> None:
        measurement = event.measurement
        self.tray.set_demand(float(measurement.value), measurement.timestamp)
        self.window.set_demand(measurement)
        if self.solar_panel is not None:
            self.solar_panel.set_net(measurement)
            self._show_solar_now()
        if self._first_watts_at is None:
            self._first_watts_at = time.monotonic()
            self.first_watts.emit(self._first_watts_at)

    def _on_today(self, event: TodayChanged) -> None:
        self.window.set_today(event.today)
        self.tray.set_today(event.today)
        self._refresh_home()

    def _on_status(self, event: StateChanged) -> None:
        if self._waiting_for(NET):
            return  # the idle session's "no identity" is not news: the app waits for activation
        self.show_status(event.status)

    def _waiting_for(self, role: Role) -> bool:
        """The ``role`` meter's session stays idle while the app waits for that meter's activation."""
        return self.onboarding is not None and self.onboarding.waiting and self.onboarding.waiting_for == role

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


def stored_certificate(store: IdentityStore, slot: str) -> Identity | None:
    """The certificate of another slot than the current one (a solar meter's own), or None when it cannot be
    loaded now (the meter then waits in "not set up"; the reason is logged)."""
    from xcelsior_desktop.platform.secrets import SLOTS, SecretsError

    if slot not in SLOTS:
        return None
    try:
        return store.load(slot)
    except SecretsError as exc:
        log.warning("the %s certificate could not be loaded: %s", slot, exc)
        return None


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
