"""Linux (and BSD) desktop notifications: ``org.freedesktop.Notifications`` on the session bus.

Why jeepney and not QtDBus: ``Notify`` takes ``replaces_id`` as a D-Bus UINT32, and PySide6 cannot marshal one
(a Python int goes out as INT32, ``QDBusArgument << int`` as UINT16, and the introspected call cannot be invoked
because of the untyped ``a{sv}``). GDBus-based servers (GNOME Shell, dunst, notification-daemon, xfce4-notifyd)
reject such a call with ``InvalidArgs``. jeepney (pure Python, already shipped on Linux as a dependency of keyring)
writes the exact signature. Its socket is watched by a ``QSocketNotifier``: no thread, nothing blocks the GUI.

Each notification carries the action ``default`` so a click on it comes back as ``ActionInvoked(id, "default")``;
a new alert of the same rule replaces that rule's bubble instead of stacking another one.
"""

from __future__ import annotations

import html
import logging
from itertools import count

from PySide6.QtCore import QObject, QSocketNotifier

from xcelsior_desktop.alerts import Alert
from xcelsior_desktop.app.alerts.base import Notifier

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
APP_NAME = "Xcelsior Desktop"
DESKTOP_ENTRY = "io.github.xcelsiordesktop.XcelsiorDesktop"  # the .desktop file in resources/
ICON = "xcelsior-desktop"
CALL_TIMEOUT_S = 2.0  # only for the set-up calls


class BusUnavailable(Exception):
    """No session bus, or nothing on it that shows notifications."""


class FreedesktopNotifier(Notifier):
    name = "desktop notifications (D-Bus)"

    def __init__(self, bus_address: str = "SESSION", parent: QObject | None = None) -> None:
        """Connect to the session bus (or ``bus_address``). Raises :class:`BusUnavailable` when it cannot be used."""
        super().__init__(parent)
        try:
            from jeepney import DBusAddress, MatchRule, message_bus, new_method_call
            from jeepney.io.blocking import open_dbus_connection
        except ImportError as exc:  # pragma: no cover - jeepney ships with keyring on Linux
            raise BusUnavailable(f"jeepney is not installed ({exc})") from exc
        self._new_method_call = new_method_call
        self._address = DBusAddress(PATH, bus_name=SERVICE, interface=INTERFACE)
        try:
            self._conn = open_dbus_connection(bus=bus_address)
        except (OSError, KeyError, ValueError, RuntimeError) as exc:
            raise BusUnavailable(f"no D-Bus session bus ({exc})") from exc
        try:
            bus = message_bus
            owned = self._conn.send_and_get_reply(
                new_method_call(bus, "NameHasOwner", "s", (SERVICE,)), timeout=CALL_TIMEOUT_S
            ).body[0]
            activatable = (
                SERVICE
                in self._conn.send_and_get_reply(
                    new_method_call(bus, "ListActivatableNames"), timeout=CALL_TIMEOUT_S
                ).body[0]
            )
            if not (owned or activatable):
                raise BusUnavailable("no notification server on the session bus")
            capabilities = self._conn.send_and_get_reply(
                new_method_call(self._address, "GetCapabilities"), timeout=CALL_TIMEOUT_S
            ).body[0]
            self._markup = "body-markup" in capabilities
            for member in ("ActionInvoked", "NotificationClosed"):
                rule = MatchRule(type="signal", interface=INTERFACE, member=member, path=PATH)
                self._conn.send_and_get_reply(
                    new_method_call(bus, "AddMatch", "s", (rule.serialise(),)), timeout=CALL_TIMEOUT_S
                )
        except BusUnavailable:
            self._conn.close()
            raise
        except (OSError, TimeoutError, IndexError, TypeError) as exc:
            self._conn.close()
            raise BusUnavailable(f"the session bus did not answer ({exc})") from exc
        self._serials = count(10_000)  # ours, above the few jeepney used during set-up
        self._pending: dict[int, Alert] = {}  # call serial -> alert
        self._by_id: dict[int, Alert] = {}  # notification id -> alert
        self._id_of_rule: dict[str, int] = {}  # rule -> its current bubble (replaces_id)
        self._closed = False
        self._watch = QSocketNotifier(self._conn.sock.fileno(), QSocketNotifier.Type.Read, self)
        self._watch.activated.connect(self._readable)

    @property
    def unique_name(self) -> str:
        return str(self._conn.unique_name)

    def notification_id(self, rule_id: str) -> int | None:
        """The server's id of the bubble currently showing ``rule_id``'s latest alert."""
        return self._id_of_rule.get(rule_id)

    def notify(self, alert: Alert) -> None:
        if self._closed:
            self.failed.emit(alert, "the notification connection is closed")
            return
        replaces = self._id_of_rule.get(alert.rule_id, 0)
        urgency = 2 if alert.kind == "certificate_expiring" and "expired" in alert.title.lower() else 1
        hints = {
            "urgency": ("y", urgency),
            "desktop-entry": ("s", DESKTOP_ENTRY),
            "category": ("s", "device"),
        }
        # servers with body markup would read "<" or "&" as tags: escape them there, so they show as typed
        body = html.escape(alert.body, quote=False) if self._markup else alert.body
        message = self._new_method_call(
            self._address,
            "Notify",
            "susssasa{sv}i",
            (APP_NAME, replaces, ICON, alert.title, body, ["default", "Open"], hints, -1),
        )
        serial = next(self._serials)
        try:
            self._conn.send(message, serial=serial)
        except OSError as exc:
            self._lost(f"sending failed ({exc})")
            self.failed.emit(alert, f"the session bus connection failed ({exc})")
            return
        self._pending[serial] = alert

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._watch.setEnabled(False)
            self._conn.close()

    # -- incoming messages ------------------------------------------------------------------------------

    def _readable(self) -> None:
        from jeepney.low_level import HeaderFields, MessageType

        while not self._closed:
            try:
                msg = self._conn.receive(timeout=0)
            except TimeoutError:
                return
            except (OSError, ValueError) as exc:
                self._lost(str(exc))
                return
            header = msg.header
            reply_to = header.fields.get(HeaderFields.reply_serial)
            if header.message_type is MessageType.method_return and reply_to in self._pending:
                alert = self._pending.pop(reply_to)
                notification_id = int(msg.body[0])
                self._by_id[notification_id] = alert
                self._id_of_rule[alert.rule_id] = notification_id
                log.debug("notification %s shown for rule %s", notification_id, alert.rule_id)
                self.delivered.emit(alert)
            elif header.message_type is MessageType.error and reply_to in self._pending:
                alert = self._pending.pop(reply_to)
                error = header.fields.get(HeaderFields.error_name, "error")
                detail = msg.body[0] if msg.body else ""
                self.failed.emit(alert, f"{error}: {detail}")
            elif header.message_type is MessageType.signal and header.fields.get(HeaderFields.interface) == INTERFACE:
                member = header.fields.get(HeaderFields.member)
                if member == "ActionInvoked":
                    notification_id, action = msg.body
                    clicked = self._by_id.get(int(notification_id))
                    if clicked is not None and action in ("default", "open"):
                        self.activated.emit(clicked.view)
                elif member == "NotificationClosed":
                    notification_id = int(msg.body[0])
                    closed = self._by_id.pop(notification_id) if notification_id in self._by_id else None
                    if closed is not None and self._id_of_rule.get(closed.rule_id) == notification_id:
                        del self._id_of_rule[closed.rule_id]

    def _lost(self, why: str) -> None:
        log.warning("lost the D-Bus session connection: %s", why)
        for alert in self._pending.values():
            self.failed.emit(alert, f"the session bus connection was lost ({why})")
        self._pending.clear()
        self.close()
