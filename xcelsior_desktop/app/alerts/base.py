"""The delivery side of alerts: one small interface, one implementation per platform."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from xcelsior_desktop.alerts import Alert


class Notifier(QObject):
    """Shows an alert as a desktop notification.

    ``activated(view)`` is emitted when the user clicks a notification: the app opens its window on ``view``.
    ``failed(alert, reason)`` is emitted when delivery did not work (the caller may try a fallback).
    ``delivered(alert)`` is emitted once the system has taken the notification.
    """

    activated = Signal(str)
    failed = Signal(Alert, str)
    delivered = Signal(Alert)

    name = "none"  # in words, for the About box and the log

    def available(self) -> bool:
        return True

    def notify(self, alert: Alert) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the notifier holds (bus connections); it is not used afterwards."""


class NullNotifier(Notifier):
    """No desktop notifications at all (no bus, no tray): alerts still reach the in-app list."""

    name = "in-app list only"

    def available(self) -> bool:
        return False

    def notify(self, alert: Alert) -> None:
        self.failed.emit(alert, "no notification service on this desktop")
