"""Choosing how to deliver notifications on this computer."""

from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSystemTrayIcon

from xcelsior_desktop.alerts import Alert
from xcelsior_desktop.app.alerts.base import Notifier, NullNotifier

log = logging.getLogger(__name__)

ENV_OVERRIDE = "XCELSIOR_NOTIFIER"  # "dbus", "tray" or "none": for troubleshooting


class ChainNotifier(Notifier):
    """Tries ``primary``; when it reports a failure, the same alert goes to ``fallback``."""

    def __init__(self, primary: Notifier, fallback: Notifier, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.primary, self.fallback = primary, fallback
        self.name = f"{primary.name}, else {fallback.name}"
        for notifier in (primary, fallback):
            notifier.activated.connect(self.activated)
            notifier.delivered.connect(self.delivered)
        primary.failed.connect(self._primary_failed)
        fallback.failed.connect(self.failed)

    def notify(self, alert: Alert) -> None:
        self.primary.notify(alert)

    def _primary_failed(self, alert: Alert, reason: str) -> None:
        log.info("notification fell back to %s: %s", self.fallback.name, reason)
        self.fallback.notify(alert)

    def close(self) -> None:
        self.primary.close()
        self.fallback.close()


def create_notifier(
    tray: QSystemTrayIcon | None = None,
    platform: str = sys.platform,
    bus_address: str = "SESSION",
    parent: QObject | None = None,
) -> Notifier:
    """The best notifier here.

    Linux/BSD: freedesktop notifications over D-Bus (clickable, replace their own bubble), falling back to the
    tray icon's messages. Windows: the tray icon's messages, which Windows 10/11 shows as native toasts.
    macOS: the tray icon's messages, which Qt hands to the notification centre (a direct UNUserNotificationCenter
    call would need pyobjc, which the app does not ship). No tray and no bus: :class:`NullNotifier` (the alerts
    still reach the in-app list).
    """
    choice = os.environ.get(ENV_OVERRIDE, "").strip().lower()
    tray_notifier: Notifier | None = None
    if tray is not None and choice != "none":
        from xcelsior_desktop.app.alerts.tray import TrayNotifier

        tray_notifier = TrayNotifier(tray, parent)
    if choice not in ("tray", "none") and (platform.startswith("linux") or "bsd" in platform or choice == "dbus"):
        from xcelsior_desktop.app.alerts.freedesktop import BusUnavailable, FreedesktopNotifier

        try:
            dbus_notifier = FreedesktopNotifier(bus_address, parent)
        except BusUnavailable as exc:
            log.info("desktop notifications over D-Bus unavailable: %s", exc)
        else:
            if tray_notifier is None:
                return dbus_notifier
            return ChainNotifier(dbus_notifier, tray_notifier, parent)
    if tray_notifier is not None:
        return tray_notifier
    return NullNotifier(parent)
