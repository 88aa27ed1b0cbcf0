"""The small typed shell a plug-in (alerts, onboarding, history, cost, MQTT ...) receives instead of the app.

A plug-in may: add a tray menu section, a window tab, a banner or Device-tab actions, a settings page; listen to
the meter session's events (:attr:`AppShell.events`); send the session commands (:meth:`AppShell.send`); ask for
the current target; show a view; announce something to the user. Nothing else of the app is reachable, so what a
plug-in depends on is written here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from xcelsior_desktop.app.session_signals import SessionSignals
from xcelsior_desktop.app.window import MainWindow
from xcelsior_desktop.energy.chart_data import ChartDecorator
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.money.home_zone import HomeZone
from xcelsior_desktop.money.home_zone import home_zone as zone_of
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.session import Command
from xcelsior_desktop.session.target import MeterTarget

# A settings page: made for each dialog from the settings being edited; if it has ``apply(settings)`` that is
# called on OK (raise ValueError with a message for the user to keep the dialog open).
SettingsPageFactory = Callable[[Settings], QWidget]
# (kind, title, body, view): a notification the user may click to open ``view``
Announcer = Callable[[str, str, str, str], None]


@dataclass
class SettingsPages:
    """The settings pages plug-ins added, in order; the Settings dialog shows them after its own."""

    pages: list[tuple[str, SettingsPageFactory]] = field(default_factory=list)

    def add(self, title: str, factory: SettingsPageFactory) -> None:
        self.remove(title)
        self.pages.append((title, factory))

    def remove(self, title: str) -> None:
        self.pages[:] = [(t, f) for t, f in self.pages if t != title]

    def titles(self) -> list[str]:
        return [title for title, _ in self.pages]


class AppShell:
    def __init__(
        self,
        *,
        window: MainWindow,
        events: SessionSignals,
        send: Callable[[Command], None] = lambda _command: None,
        target: Callable[[], MeterTarget] = MeterTarget,
        tray_menu: QMenu | None = None,
        tray_anchor: QAction | None = None,
        show_view: Callable[[str], None] | None = None,
        settings_pages: SettingsPages | None = None,
        settings: Callable[[], Settings] = Settings,
        home_zone: Callable[[], HomeZone] | None = None,
        update_settings: Callable[[Callable[[Settings], None]], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.window = window
        self.events = events
        self._send = send
        self._target = target
        self._tray_menu = tray_menu
        self._tray_anchor = tray_anchor
        self._show_view = show_view or window.show_view
        self.settings_pages = settings_pages or SettingsPages()
        self._announcers: list[Announcer] = []
        # The history store (energy/): the one owner of energy. Plug-ins read it; the history plug-in
        # writes what the session reads. None until the app has opened it.
        self.history: HistoryStore | None = None
        self._chart_decorators: list[ChartDecorator] = []
        self._chart_sink: Callable[[ChartDecorator], None] | None = None
        self._settings = settings
        self._home_zone = home_zone or (lambda: zone_of(self.settings))
        self._update_settings = update_settings
        # The app's one clock (unix seconds): every plug-in's "now" (tests pin it to one instant)
        self.clock = clock
        self._settings_listeners: list[Callable[[Settings], None]] = []
        self._history_listeners: list[Callable[[], None]] = []

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
        """``listener(new)`` on the GUI thread after the user's settings were saved."""
        self._settings_listeners.append(listener)

    def settings_changed(self, new: Settings) -> None:
        """The app: the settings were saved; tell every listener."""
        for listener in list(self._settings_listeners):
            listener(new)

    # -- the meter session -------------------------------------------------------------------------

    def send(self, command: Command) -> None:
        """Queue a command for the meter session (it runs on the meter thread)."""
        self._send(command)

    @property
    def target(self) -> MeterTarget:
        """The session's current target (read only: change it with a command)."""
        return self._target()

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

    def add_settings_page(self, title: str, factory: SettingsPageFactory) -> None:
        self.settings_pages.add(title, factory)

    def remove_settings_page(self, title: str) -> None:
        self.settings_pages.remove(title)

    def on_history_changed(self, listener: Callable[[], None]) -> None:
        """``listener()`` on the GUI thread when the history store gained energy (a backfill, new slots, an
        import): figures drawn from it (cost today, totals) are worth working out again."""
        self._history_listeners.append(listener)

    def history_changed(self) -> None:
        """The history plug-in (or an import): the store gained energy; tell every listener."""
        for listener in list(self._history_listeners):
            listener()

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
