"""Notifications through the tray icon's balloon: the native toast on Windows 10/11, the notification centre on
macOS (through Qt's Cocoa backend), and the fallback on any desktop without a freedesktop notification server."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSystemTrayIcon

from xcelsior_desktop.alerts import Alert
from xcelsior_desktop.app.alerts.base import Notifier

TIMEOUT_MS = 10_000


class TrayNotifier(Notifier):
    name = "tray icon messages"

    def __init__(self, tray: QSystemTrayIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tray = tray
        self._last_view = "alerts"
        tray.messageClicked.connect(self._clicked)

    def available(self) -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages()

    def notify(self, alert: Alert) -> None:
        if not self._tray.isVisible():
            self.failed.emit(alert, "the tray icon is not shown")
            return
        self._last_view = alert.view  # the balloon says nothing about which message was clicked: the newest
        icon = QSystemTrayIcon.MessageIcon.Information if alert.resolved else QSystemTrayIcon.MessageIcon.Warning
        self._tray.showMessage(alert.title, alert.body, icon, TIMEOUT_MS)
        self.delivered.emit(alert)

    def _clicked(self) -> None:
        self.activated.emit(self._last_view)
