"""The app object: wires the meter worker, discovery, tray, window, settings and dialogs together.

Extension points for other parts (notifications, onboarding, history):
  * signals ``demand_read``, ``registers_read``, ``device_info_read``, ``status_changed`` (poller Status),
    ``identity_changed``, ``settings_changed``, re-emitted on the GUI thread;
  * ``open_setup()`` (the onboarding wizard), ``show_view(name)``, ``window.add_view(name, title, widget)``,
    ``settings_dialog.EXTRA_PAGES`` for settings pages, ``tray.menu`` for menu entries;
  * ``set_identity(identity)`` / ``adopt_identity(identity, settings, registered=)`` after setup or renewal,
    ``apply_settings(settings)`` after a change, ``show_status(status)`` for states the worker does not know
    (waiting for activation), ``probe_fn()`` for probes that must share the worker's one meter connection.

Onboarding (wizard, activation wait, expiry banner, Renew/Export/Forget) is installed by
``app/onboarding/in_app.py`` except in the demo, which runs on a throwaway identity.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from xcelsior_desktop.app.about import show_about
from xcelsior_desktop.app.discovery_worker import DiscoveryThread, DiscoveryWorker
from xcelsior_desktop.app.meter_worker import MeterThread, MeterWorker, WorkerConfig
from xcelsior_desktop.app.settings_dialog import SettingsDialog
from xcelsior_desktop.app.tray import Tray
from xcelsior_desktop.app.window import MainWindow
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.services.poller import State, Status
from xcelsior_desktop.services.settings import Settings

log = logging.getLogger(__name__)

NO_TRAY_NOTICE = (
    "No system tray was found, so Xcelsior Desktop shows this window instead (closing it quits the app). "
    "On GNOME, install the \u201cAppIndicator and KStatusNotifierItem Support\u201d extension to get the tray icon."
)


class XcelsiorApp(QObject):
    demand_read = Signal(object)
    registers_read = Signal(object)
    intervals_read = Signal(object)  # new 15-minute slots (list of IntervalEnergy)
    today_changed = Signal(object)  # services.today.TodaySoFar
    device_info_read = Signal(object)
    status_changed = Signal(object)
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
        store: Any = None,
        profile_cache: Any = None,
    ) -> None:
        super().__init__()
        self.qapp = qapp
        self.identity = identity
        self.settings = settings
        self.settings_path = settings_path
        self.log_path = log_path
        self.demo = demo
        self.status: Status | None = None
        self._wizard: Any = None
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

        from xcelsior_desktop.app.onboarding.in_app import OnboardingInApp

        # a saved wait for activation: the worker stays idle and the wait probes through it (see start())
        waiting = not demo and OnboardingInApp.activation_pending(identity)
        if profile_cache is None and not demo:
            from xcelsior_desktop.services.profile_cache import ProfileCache

            profile_cache = ProfileCache()
        host = settings.meter_host or settings.last_meter_host
        self.worker = MeterWorker(
            WorkerConfig(
                identity=None if waiting else identity,
                profile_cache=profile_cache,
                host=host,
                port=settings.meter_port,
                meter_lfdi=settings.meter_lfdi,
                interval_s=settings.poll_interval_s,
                automatic_address=settings.meter_host is None,
                ever_registered=identity is not None and settings.registered_lfdi == identity.lfdi,
                **(worker_options or {}),
            )
        )
        self.meter = MeterThread(self.worker)
        self.worker.demand_read.connect(self._on_demand)
        self.worker.registers_read.connect(self._on_registers)
        self.worker.intervals_read.connect(self.intervals_read)
        self.worker.today_changed.connect(self._on_today)
        self.worker.device_info_read.connect(self._on_device_info)
        self.worker.status_changed.connect(self._on_status)
        self.worker.meter_pinned.connect(self._on_pinned)
        self.window.set_address(host, settings.meter_port, settings.meter_host is None)

        self.discovery = DiscoveryThread(DiscoveryWorker(settings.meter_sfdi, interfaces=discovery_interfaces))
        self.worker.locate_requested.connect(self.discovery.worker.locate)
        self.discovery.worker.located.connect(self._on_located)

        from xcelsior_desktop.app.notifications.wiring import install_in_app

        self.alerts = install_in_app(self, demo=demo)  # desktop notifications, Alerts view, Settings page
        self.onboarding: OnboardingInApp | None = None
        if not demo:
            from xcelsior_desktop.app.onboarding.in_app import install_onboarding

            self.onboarding = install_onboarding(self, store)

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
        if self.onboarding is None:
            return
        resumed = self.onboarding.resume_activation(self.identity)
        if not resumed and self.identity is None and setup_if_needed:
            self.open_setup()

    def _show_reset_notices(self) -> None:
        """Files found damaged at start (settings, alerts, identity record, ...): say once what was reset."""
        from xcelsior_desktop.services.state_files import take_reset_notices

        shown = self.window.notice or ""
        notices = [text for text in take_reset_notices() if text not in shown]
        if notices:
            self.window.set_notice("\n".join([shown, *notices] if shown else notices))
            self.show_view()

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
        log.info("threads stopped in %.2f s", time.monotonic() - started)
        self.save_settings()

    def save_settings(self) -> None:
        try:
            self.settings.save(self.settings_path)
        except OSError as exc:
            log.warning("could not save settings: %s", exc)

    # -- extension points --------------------------------------------------------------------------

    def show_view(self, name: str = "live") -> None:
        self.window.show_view(name)
        self.meter.control.refresh.emit()

    def open_setup(self) -> None:
        """The onboarding wizard; when the meter accepts its certificate, the app uses it and the pinned meter.

        The wizard works on a copy of the settings (it pins the meter there) and probes through the meter worker.
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

        interfaces = self.discovery.worker.interfaces

        def discover(timeout: float) -> list[Any]:  # the same interfaces as the app's own discovery
            from xcelsior_desktop.meter.discovery import discover as find

            return list(find(timeout=timeout, interfaces=interfaces))

        wizard = SetupWizard(store=self.onboarding.store, settings=replace(self.settings),
                             probe=self.probe_fn(pinned=False), discover=discover,
                             discovery_timeout_s=self.setup_discovery_timeout_s)
        wizard.setObjectName("setup-wizard")
        wizard.setup_complete.connect(lambda identity: self.adopt_identity(identity, wizard.settings))
        wizard.finished.connect(lambda _result: self._setup_closed(wizard))
        self._wizard = wizard
        wizard.show()
        wizard.raise_()

    def _setup_closed(self, wizard: Any) -> None:
        self._wizard = None
        wizard.deleteLater()
        identity = wizard.identity
        if self.onboarding is None or identity is None or identity is self.identity:
            return
        if self.onboarding.activation_pending(identity):  # closed while waiting: carry on in the background
            self.identity = identity
            self.window.set_identity(identity)
            self.meter.control.identity.emit(None)  # idle: the wait probes through the worker
            self.onboarding.resume_activation(identity)

    @Slot(object)
    def set_identity(self, identity: Identity | None) -> None:
        self.adopt_identity(identity, registered=False)

    def adopt_identity(self, identity: Identity | None, settings: Settings | None = None, *,
                       registered: bool = False) -> None:
        """Use ``identity`` (None: none) and, when given, ``settings`` (the meter pinned by setup) in one step.

        ``registered``: the meter has accepted this certificate, so a later refusal means "certificate refused".
        """
        if settings is not None:
            self.settings = settings
            self.save_settings()
        cfg = self.settings
        host = cfg.meter_host or cfg.last_meter_host
        self.identity = identity
        self.window.set_identity(identity)
        self.window.set_notice(None)
        self.window.set_address(host, cfg.meter_port, cfg.meter_host is None)
        if identity is not None and cfg.meter_sfdi:
            self.discovery.worker.sfdi = cfg.meter_sfdi
        self.meter.control.reconfigure.emit({
            "identity": identity, "host": host, "port": int(cfg.meter_port), "meter_lfdi": cfg.meter_lfdi,
            "automatic_address": cfg.meter_host is None, "ever_registered": registered and identity is not None,
        })
        self.identity_changed.emit(identity)
        if settings is not None:
            self.settings_changed.emit(settings)

    def probe_fn(self, *, pinned: bool) -> Any:
        """A probe ``(host, port, identity) -> ProbeResult`` that runs on the meter worker's thread, so it never
        competes with polling for the meter's one connection. ``pinned``: check the meter's LFDI (renewal)."""

        def probe(host: str, port: int, identity: Identity) -> Any:
            lfdi = self.settings.meter_lfdi if pinned else None
            return self.worker.probe_blocking(identity, host, port, lfdi)

        return probe

    def show_status(self, status: Status) -> None:
        """Show a state the worker does not produce (waiting for activation runs outside it)."""
        self.status = status
        self.tray.set_status(status)
        self.window.set_status(status)
        self.status_changed.emit(status)

    def apply_settings(self, new: Settings) -> None:
        old = self.settings
        self.settings = new
        if new.poll_interval_s != old.poll_interval_s:
            self.meter.control.interval.emit(float(new.poll_interval_s))
        automatic = new.meter_host is None
        if (new.meter_host, new.meter_port) != (old.meter_host, old.meter_port):
            host = new.meter_host or new.last_meter_host
            self.meter.control.address.emit(host, int(new.meter_port), automatic)
            self.window.set_address(host, new.meter_port, automatic)
        self.window.set_units(new.units)
        self.tray.set_units(new.units)
        self.save_settings()
        self.settings_changed.emit(new)

    @Slot()
    def open_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self.window if self.window.isVisible() else None)
        if dialog.exec() and dialog.result_settings is not None:
            self.apply_settings(dialog.result_settings)

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        self.tray.set_paused(paused)
        self.meter.control.pause.emit(paused)

    # -- from the worker ---------------------------------------------------------------------------

    @Slot(object)
    def _on_demand(self, measurement: Any) -> None:
        self.tray.set_demand(float(measurement.value), measurement.timestamp)
        self.window.set_demand(measurement)
        if self._first_watts_at is None:
            self._first_watts_at = time.monotonic()
            self.first_watts.emit(self._first_watts_at)
        self.demand_read.emit(measurement)

    @Slot(object)
    def _on_registers(self, registers: Any) -> None:
        self.window.set_registers(registers)
        self.registers_read.emit(registers)

    @Slot(object)
    def _on_today(self, today: Any) -> None:
        self.window.set_today(today)
        self.today_changed.emit(today)

    @Slot(object)
    def _on_device_info(self, info: Any) -> None:
        self.window.set_device_info(info)
        self.device_info_read.emit(info)

    @Slot(object)
    def _on_status(self, status: Status) -> None:
        if self.onboarding is not None and self.onboarding.waiting:
            return  # the idle worker's "no identity" is not news: the app waits for activation
        self.status = status
        self.tray.set_status(status)
        self.window.set_status(status)
        identity = self.identity
        if status.state is State.CONNECTED and identity is not None and self.settings.registered_lfdi != identity.lfdi:
            self.settings.registered_lfdi = identity.lfdi  # from now on a refusal means "certificate refused"
            self.save_settings()
        self.status_changed.emit(status)

    @Slot(str)
    def _on_pinned(self, lfdi: str) -> None:
        from xcelsior_desktop.meter.identity import sfdi_from_lfdi

        if self.settings.meter_lfdi != lfdi:
            log.info("pinned the meter's LFDI %s", lfdi)
            self.settings.meter_lfdi = lfdi
            self.settings.meter_sfdi = str(sfdi_from_lfdi(lfdi))
            self.discovery.worker.sfdi = self.settings.meter_sfdi
            self.save_settings()

    @Slot(object)
    def _on_located(self, address: tuple[str, int] | None) -> None:
        if address is not None:
            host, port = address
            self.settings.last_meter_host = host
            self.settings.meter_port = port
            self.window.set_address(host, port, True)
            self.save_settings()
        self.meter.control.located.emit(address)

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
            self.set_paused(True)
            self.set_paused(False)


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
