"""The shell: everything a plug-in may use, and the only thing it receives (``install(shell)``).

A plug-in (alerts, history, cost, Green Button, Home Assistant, onboarding) may: listen to the meter session's
events (:attr:`AppShell.events`, typed, on the GUI thread) and send it commands (:meth:`AppShell.send`); read the
settings, the home zone, the clock and the history store, and hear when they change; add a tray menu section, a
window tab, a window action, a banner, Device-tab actions, a settings page, chart shading; show a view; announce
something to the user. What onboarding and cost need of the app is here too, typed (the identity in use, the tray's
price period, the cost facts the alerts read). Nothing else of the app is reachable, so what a plug-in depends on is
written in this file.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from xcelsior_desktop.app.meters import AppMeters
from xcelsior_desktop.app.session_events import SessionEvents
from xcelsior_desktop.app.settings_pages import SettingsPageFactory, SettingsPages
from xcelsior_desktop.app.window import MainWindow
from xcelsior_desktop.energy.chart_data import ChartDecorator
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.energy.totals import Energy
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.money.home_zone import HomeZone
from xcelsior_desktop.money.home_zone import home_zone as zone_of
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.commands import Command, Probe
from xcelsior_desktop.session.poller import Status
from xcelsior_desktop.session.target import NET, MeterTarget, Role

if TYPE_CHECKING:
    from xcelsior_desktop.alerts.cost_facts import CostFactsSource
    from xcelsior_desktop.home_assistant.broker_url import BrokerUrl
    from xcelsior_desktop.meter.extras import ExtraReadings
    from xcelsior_desktop.money.overview import CostOverview
    from xcelsior_desktop.platform.secrets import IdentityStore

# (kind, title, body, view): a notification the user may click to open ``view``
Announcer = Callable[[str, str, str, str], None]


@dataclass(frozen=True)
class Launch:
    """How this run was started (fixed for the run)."""

    demo: bool = False  # the built-in simulator with a throwaway certificate: no onboarding, ``demo-`` files
    mqtt_flag: BrokerUrl | None = None  # ``--mqtt URL``: publish to this broker for this run only
    history_path: Path | None = None  # None: the app's own history file (the demo's in the demo)
    identity_store: IdentityStore | None = None  # None: the OS keyring's (onboarding makes it)


class TrayHost(Protocol):
    """What plug-ins may do with the tray icon."""

    @property
    def icon(self) -> QSystemTrayIcon: ...
    def set_period(self, summary: str | None, on_peak: bool) -> None: ...
    def set_today_cost(self, today: Energy, cost: str | None) -> None: ...


class IdentityHost(Protocol):
    """The app's side of the certificate in use (onboarding switches it; alerts watch its expiry)."""

    def adopt_identity(self, identity: Identity | None, target: MeterTarget | None = None, *,
                       registered: bool = False) -> None: ...
    def show_status(self, status: Status, role: Role = NET) -> None: ...


class AppShell:
    def __init__(
        self,
        *,
        window: MainWindow,
        events: SessionEvents,
        meters: AppMeters | None = None,
        send: Callable[[Command], None] = lambda _command: None,
        target: Callable[[], MeterTarget] = MeterTarget,
        probe: Callable[[Identity, str, int, str | None], Probe] | None = None,
        tray: TrayHost | None = None,
        tray_menu: QMenu | None = None,
        tray_anchor: QAction | None = None,
        show_view: Callable[[str], None] | None = None,
        settings: Callable[[], Settings] = Settings,
        home_zone: Callable[[], HomeZone] | None = None,
        update_settings: Callable[[Callable[[Settings], None]], None] | None = None,
        identity_host: IdentityHost | None = None,
        launch: Launch = Launch(),
        owner: QObject | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.window = window
        self.events = events  # the net meter's events on the GUI thread: ``shell.events.on(DemandRead, listener)``
        self.meters = meters  # every meter of the household (app/meters.py): a solar meter's events and target
        self.tray = tray  # None in tests and when the app runs without one
        self.launch = launch
        self.owner = owner  # the QObject that owns plug-ins' Qt objects (the app): they die with it
        self.clock = clock  # the app's one clock (unix seconds): every plug-in's "now" (tests pin it)
        self.settings_pages = SettingsPages()
        self._send = send
        self._target = target
        self._probe = probe
        self._tray_menu = tray_menu
        self._tray_anchor = tray_anchor
        self._show_view = show_view or window.show_view
        self._settings = settings
        self._home_zone = home_zone or (lambda: zone_of(self.settings))
        self._update_settings = update_settings
        self._identity_host = identity_host
        self._identity: Identity | None = None
        self._history: HistoryStore | None = None
        self._cost_facts: CostFactsSource | None = None
        self._announcers: list[Announcer] = []
        self._chart_decorators: list[ChartDecorator] = []
        self._chart_sink: Callable[[ChartDecorator], None] | None = None
        self._settings_listeners: list[Callable[[Settings], None]] = []
        self._history_listeners: list[Callable[[], None]] = []
        self._identity_listeners: list[Callable[[Identity | None], None]] = []
        self._cost_facts_listeners: list[Callable[[CostFactsSource | None], None]] = []
        self._cost_overview: CostOverview | None = None
        self._cost_overview_listeners: list[Callable[[CostOverview], None]] = []
        self._extras: ExtraReadings | None = None
        self._extras_listeners: list[Callable[[ExtraReadings], None]] = []

    # -- settings ----------------------------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        """The app's settings as saved now (read only: they change through the Settings dialog)."""
        return self._settings()

    @property
    def home_zone(self) -> HomeZone:
        """The one zone days and billing cycles are counted in (money/home_zone.py); it may change with the
        settings (listen with :meth:`on_settings_changed`)."""
        return self._home_zone()

    def update_settings(self, change: Callable[[Settings], None]) -> None:
        """Change the saved settings outside the Settings dialog (e.g. prices taken from a bill): ``change`` edits
        a copy; it is saved and every listener told, as after the dialog's OK."""
        if self._update_settings is not None:
            self._update_settings(change)

    def on_settings_changed(self, listener: Callable[[Settings], None]) -> None:
        """``listener(new)`` on the GUI thread after the settings were saved: the one way plug-ins learn of a
        change (the Settings dialog's pages never act on their own)."""
        self._settings_listeners.append(listener)

    def settings_changed(self, new: Settings) -> None:
        """The app: the settings were saved; tell every listener."""
        for listener in list(self._settings_listeners):
            listener(new)

    def add_settings_page(self, title: str, factory: SettingsPageFactory) -> None:
        """A page in the Settings dialog (app/settings_pages.py: it validates, then commits with the others)."""
        self.settings_pages.add(title, factory)

    def remove_settings_page(self, title: str) -> None:
        self.settings_pages.remove(title)

    # -- the meter session -------------------------------------------------------------------------

    def send(self, command: Command) -> None:
        """Queue a command for the meter session (it runs on the meter thread)."""
        self._send(command)

    @property
    def target(self) -> MeterTarget:
        """The session's current target (read only: change it with a command)."""
        return self._target()

    def probe(self, identity: Identity, host: str, port: int, meter_lfdi: str | None = None) -> Probe:
        """A handshake with another identity through the session's one connection; wait on ``result``."""
        if self._probe is None:
            raise RuntimeError("this shell has no meter session to probe through")
        return self._probe(identity, host, port, meter_lfdi)

    # -- the certificate in use --------------------------------------------------------------------

    @property
    def identity(self) -> Identity | None:
        return self._identity

    def on_identity_changed(self, listener: Callable[[Identity | None], None]) -> None:
        """``listener(identity)`` after the app switched certificates (setup, renewal, forgotten)."""
        self._identity_listeners.append(listener)

    def identity_changed(self, identity: Identity | None) -> None:
        """The app: this identity is now in use; tell every listener."""
        self._identity = identity
        for listener in list(self._identity_listeners):
            listener(identity)

    def adopt_identity(self, identity: Identity | None, target: MeterTarget | None = None, *,
                       registered: bool = False) -> None:
        """Onboarding: use ``identity`` (and the meter ``target`` setup pinned) from now on."""
        if self._identity_host is not None:
            self._identity_host.adopt_identity(identity, target, registered=registered)

    def show_status(self, status: Status, role: Role = NET) -> None:
        """Onboarding: show a state the ``role`` meter's session does not produce (waiting for activation runs
        outside it)."""
        if self._identity_host is not None:
            self._identity_host.show_status(status, role)

    # -- energy and money --------------------------------------------------------------------------

    @property
    def history(self) -> HistoryStore | None:
        """The history store: the one owner of energy. None until the history plug-in has opened it."""
        return self._history

    def provide_history(self, store: HistoryStore | None) -> None:
        """The history plug-in: the store is open (None: closed)."""
        self._history = store

    def on_history_changed(self, listener: Callable[[], None]) -> None:
        """``listener()`` on the GUI thread when the history store gained energy (a backfill, new slots, an
        import): figures drawn from it (cost today, totals) are worth working out again."""
        self._history_listeners.append(listener)

    def history_changed(self) -> None:
        """The history plug-in (or an import): the store gained energy; tell every listener."""
        for listener in list(self._history_listeners):
            listener()

    def offer_cost_facts(self, source: CostFactsSource | None) -> None:
        """The cost plug-in: what today and the cycle cost, for the alert rules (None: no tariff)."""
        self._cost_facts = source
        for listener in list(self._cost_facts_listeners):
            listener(source)

    def on_cost_facts(self, listener: Callable[[CostFactsSource | None], None]) -> None:
        """``listener(source)`` now with the current cost facts and again whenever they change."""
        self._cost_facts_listeners.append(listener)
        listener(self._cost_facts)

    def offer_cost_overview(self, overview: CostOverview) -> None:
        """The cost plug-in: today's and the billing cycle's cost, as it just worked them out (pricing a cycle is
        not free: others reuse these figures rather than price the same slots again)."""
        self._cost_overview = overview
        for listener in list(self._cost_overview_listeners):
            listener(overview)

    @property
    def cost_overview(self) -> CostOverview | None:
        """The newest figures the cost plug-in offered (its ``at`` says for when); None before any."""
        return self._cost_overview

    def on_cost_overview(self, listener: Callable[[CostOverview], None]) -> None:
        """``listener(overview)`` whenever the cost plug-in has worked out today's and the cycle's cost again."""
        self._cost_overview_listeners.append(listener)

    def offer_meter_extras(self, extras: ExtraReadings) -> None:
        """The cost plug-in: the meter's maximum demand and power factor, as its session job last read them."""
        self._extras = extras
        for listener in list(self._extras_listeners):
            listener(extras)

    def on_meter_extras(self, listener: Callable[[ExtraReadings], None]) -> None:
        """``listener(extras)`` whenever the meter's extra readings were read (now, when they already were)."""
        self._extras_listeners.append(listener)
        if self._extras is not None:
            listener(self._extras)

    def add_chart_decorator(self, decorator: ChartDecorator) -> None:
        """Shade stretches of the History charts and add a line to their hover text (e.g. on-peak hours, cost);
        see energy/chart_data.py ChartDecorator. Works before or after the history plug-in is installed."""
        self._chart_decorators.append(decorator)
        if self._chart_sink is not None:
            self._chart_sink(decorator)

    def set_chart_sink(self, sink: Callable[[ChartDecorator], None]) -> None:
        """The history plug-in receives the decorators (those added so far, then each new one)."""
        self._chart_sink = sink
        for decorator in self._chart_decorators:
            sink(decorator)

    # -- places to add things ----------------------------------------------------------------------

    def add_tray_section(self, menu: QMenu) -> None:
        """A submenu in the tray menu, above Settings."""
        if self._tray_menu is None:
            return
        if self._tray_anchor is not None:
            self._tray_menu.insertMenu(self._tray_anchor, menu)
        else:
            self._tray_menu.addMenu(menu)

    def add_window_tab(self, name: str, title: str, widget: QWidget) -> None:
        self.window.add_view(name, title, widget)

    def add_window_action(self, action: QAction) -> None:
        """A button above the window's tabs (e.g. Import..., Export...)."""
        self.window.add_window_action(action)

    def add_banner(self, widget: QWidget) -> None:
        self.window.add_banner(widget)

    def add_device_actions(self, actions: list[QAction]) -> None:
        self.window.add_device_actions(actions)

    # -- the user ----------------------------------------------------------------------------------

    def show_view(self, name: str = "live") -> None:
        self._show_view(name)

    def dialog_parent(self) -> QWidget | None:
        return self.window if self.window.isVisible() else None

    def add_announcer(self, announcer: Announcer) -> None:
        """The alerts plug-in delivers announcements (notification + the Alerts list)."""
        self._announcers.append(announcer)

    def announce(self, kind: str, title: str, body: str, view: str = "live") -> None:
        for announcer in self._announcers:
            announcer(kind, title, body, view)
