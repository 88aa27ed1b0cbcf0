"""The tray icon and its menu. A view: the application feeds it values and status."""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from xcelsior_desktop.app.status_text import STATE_TEXT
from xcelsior_desktop.app.tray_icon import IconState, Theme, render_tray_image
from xcelsior_desktop.common import format as fmt
from xcelsior_desktop.energy.totals import Energy
from xcelsior_desktop.session.poller import State, Status

ICON_SIZES = (16, 20, 22, 24, 32, 48, 64)  # logical sizes; Qt picks the one the tray asks for

STATE_ICON: dict[State, IconState] = {
    State.CONNECTED: IconState.LIVE,
    State.STALE: IconState.STALE,
    State.BUSY: IconState.OFFLINE,
    State.UNREACHABLE: IconState.OFFLINE,
    State.MISMATCH: IconState.OFFLINE,
    State.LOCATING: IconState.WAITING,
    State.CONNECTING: IconState.WAITING,
    State.PAUSED: IconState.WAITING,
    State.NO_IDENTITY: IconState.ATTENTION,
    State.WAITING_REGISTRATION: IconState.ATTENTION,
    State.CERT_REFUSED: IconState.ATTENTION,
}


def taskbar_theme() -> Theme:
    """Light or dark taskbar, as far as Qt can tell (most taskbars are dark when unknown)."""
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hasattr(hints, "colorScheme") else Qt.ColorScheme.Unknown
    return Theme.LIGHT if scheme == Qt.ColorScheme.Light and sys.platform != "win32" else Theme.DARK


def build_icon(watts: float | None, state: IconState, theme: Theme, dpr: float, mask: bool = False,
               on_peak: bool = False) -> QIcon:
    icon = QIcon()
    for size in ICON_SIZES:
        image = render_tray_image(watts, size, dpr, theme=theme, state=state, mask=mask, on_peak=on_peak)
        icon.addPixmap(QPixmap.fromImage(image))
    if mask:
        icon.setIsMask(True)
    return icon


def today_line(today: Energy | None, cost: str | None = None) -> str | None:
    """"Today 7.4 kWh from the grid, $1.23": the one energy figure (and its cost, with a tariff)."""
    if today is None or today.imported_wh is None:
        return None
    text = f"Today {today.imported_wh / 1000:.1f} kWh from the grid"
    if today.exported_wh:
        text += f", {today.exported_wh / 1000:.1f} kWh to it"
    return text + (f" \u00b7 {cost}" if cost else "")


def tooltip_text(watts: float | None, when: dt.datetime | None, status: Status | None, units: str = "W",
                 period: str | None = None, today: str | None = None, solar: str | None = None) -> str:
    """The tooltip: watts and when read, (with a solar meter) solar and home use now, the connection, today so far,
    and (with a tariff) the price period now and until when ("On-peak until 9 pm, 27.9 ¢/kWh")."""
    lines = []
    if watts is not None:
        lines.append(f"{fmt.full_power(watts, units)} \u2014 {fmt.direction(watts)}")
        lines.append(f"read at {fmt.clock_time(when)}")
    if solar:
        lines.append(solar)
    if status is not None:
        title, _ = STATE_TEXT[status.state]
        if status.next_retry is not None:
            title += f" ({fmt.next_try(status.next_retry, time.time())})"
        lines.append(title)
    if today:
        lines.append(today)
    if period:
        lines.append(period)
    return "Xcelsior Desktop\n" + "\n".join(lines)


class Tray(QObject):
    open_requested = Signal()
    pause_toggled = Signal(bool)
    settings_requested = Signal()
    setup_requested = Signal()
    add_solar_requested = Signal()
    about_requested = Signal()
    quit_requested = Signal()
    retry_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.mask = sys.platform == "darwin"  # macOS menu bar: template image, the system colours it
        self.icon = QSystemTrayIcon(self)
        self.icon.setObjectName("tray")
        self.menu = QMenu()
        self.menu.setObjectName("tray-menu")
        self.meter_line = self._add("", lambda: None)  # with two meters: the solar meter's state
        self.meter_line.setEnabled(False)
        self.meter_line.setVisible(False)
        self.open_action = self._add("Open", self.open_requested.emit)
        self.setup_action = self._add("Set up\u2026", self.setup_requested.emit)
        self.add_solar_action = self._add("Add a solar meter\u2026", self.add_solar_requested.emit)
        self.add_solar_action.setVisible(False)  # the app shows it once the net meter is set up
        self.retry_action = self._add("Retry now", self.retry_requested.emit)
        self.retry_action.setVisible(False)
        self.pause_action = self._add("Pause", self._toggle_pause)
        self.settings_action = self._add("Settings\u2026", self.settings_requested.emit)
        self.about_action = self._add("About", self.about_requested.emit)
        self.menu.addSeparator()
        self.quit_action = self._add("Quit", self.quit_requested.emit)
        self.menu.setDefaultAction(self.open_action)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.paused = False
        self.watts: float | None = None
        self.when: dt.datetime | None = None
        self.status: Status | None = None
        self.units = "W"
        self.icon_state = IconState.WAITING
        self.period: str | None = None  # the tariff's period now, for the tooltip (set by the cost plug-in)
        self.on_peak = False  # draws the on-peak bar on the icon
        self.today: Energy | None = None  # today so far (the app sets it)
        self.today_cost: str | None = None  # today's cost in words, for the same instant (the cost plug-in)
        self.solar: str | None = None  # "Solar 3.2 kW · home using 1.1 kW" (with a solar meter)
        self._key: tuple[Any, ...] | None = None
        self._tooltip_clock = QTimer(self)  # "next try in N s" counts down live while a retry is scheduled
        self._tooltip_clock.setInterval(1000)
        self._tooltip_clock.timeout.connect(self._refresh_tooltip)
        self._redraw()

    def _add(self, text: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.menu)
        action.triggered.connect(slot)
        self.menu.addAction(action)
        return action

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def _toggle_pause(self) -> None:
        self.pause_toggled.emit(not self.paused)

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        self.pause_action.setText("Resume" if paused else "Pause")

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit()

    def set_demand(self, watts: float, when: dt.datetime) -> None:
        self.watts, self.when = watts, when
        self._redraw()

    def set_status(self, status: Status) -> None:
        self.status = status
        self.setup_action.setVisible(
            status.state in (State.NO_IDENTITY, State.WAITING_REGISTRATION, State.CERT_REFUSED)
        )
        self.set_paused(status.state is State.PAUSED)
        self.retry_action.setVisible(status.offers_retry_now)
        if status.next_retry is not None:
            self._tooltip_clock.start()
        else:
            self._tooltip_clock.stop()
        self._redraw()

    def set_period(self, summary: str | None, on_peak: bool) -> None:
        """The tariff's period now ("On-peak until 9 pm, 27.9 ¢/kWh") and whether it is on-peak (None, False:
        no tariff)."""
        self.period, self.on_peak = summary, on_peak
        self._redraw()

    def set_units(self, units: str) -> None:
        self.units = units
        self._redraw()

    def set_today(self, today: Energy) -> None:
        if self.today is None or today.start != self.today.start:
            self.today_cost = None  # a new day: yesterday's money is not today's
        self.today = today
        self._refresh_tooltip()

    def set_today_cost(self, today: Energy, cost: str | None) -> None:
        """Today's cost, worked out for ``today`` (the same figure the tooltip's kWh are): None without a tariff."""
        self.today, self.today_cost = today, cost
        self._refresh_tooltip()

    def set_solar(self, line: str | None) -> None:
        """The solar meter's line for the tooltip (None: no solar meter)."""
        self.solar = line
        self._refresh_tooltip()

    def set_meter_state(self, text: str | None) -> None:
        """A line atop the menu for the other meter's state ("Solar meter: unreachable"); None hides it."""
        self.meter_line.setText(text or "")
        self.meter_line.setVisible(bool(text))

    def _redraw(self) -> None:
        state = STATE_ICON[self.status.state] if self.status else IconState.WAITING
        if state is IconState.LIVE and self.watts is None:
            state = IconState.WAITING
        self.icon_state = state
        screen = QGuiApplication.primaryScreen()
        dpr = screen.devicePixelRatio() if screen is not None else 1.0
        theme = taskbar_theme()
        label_watts = self.watts if state in (IconState.LIVE, IconState.STALE) else None
        key = (fmt.short_watts(label_watts), state, theme, dpr, self.mask, self.on_peak)
        if key != self._key:  # re-render only when the picture changes
            self._key = key
            self.icon.setIcon(build_icon(label_watts, state, theme, dpr, self.mask, self.on_peak))
        self._refresh_tooltip()

    def _refresh_tooltip(self) -> None:
        self.icon.setToolTip(tooltip_text(self.watts, self.when, self.status, self.units, self.period,
                                          today_line(self.today, self.today_cost), self.solar))
