"""One connection to the broker (a paho-mqtt 2 client driven by its caller's thread), and "Test connection".

The caller drives the socket itself (``loop_read``/``loop_write``/``loop_misc``, paho's API for an external
event loop), so one thread of ours owns everything and no paho thread runs behind our back.
"""

from __future__ import annotations

import logging
import select
import ssl
import time
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from xcelsior_desktop.home_assistant.settings import BrokerTarget
from xcelsior_desktop.home_assistant.status import STATE_TEXT, BrokerState, classify_connect_error, classify_refusal

log = logging.getLogger(__name__)


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """The system's trusted CAs (plus ``ca_file`` when given), with host name checking."""
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


class BrokerConnection:
    """A paho client for one connection attempt: open it, pump it, read what happened from its flags."""

    def __init__(self, target: BrokerTarget, *, client_id: str, keepalive_s: int = 30,
                 connect_timeout_s: float = 10.0, will: tuple[str, str] | None = None) -> None:
        self.target = target
        self.keepalive_s = keepalive_s
        self.connect_timeout_s = connect_timeout_s
        self.connected = False
        self.closed = False
        self.failure: tuple[BrokerState, str] | None = None
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv311,
                                  clean_session=True)
        self.client.connect_timeout = connect_timeout_s
        if target.username:
            self.client.username_pw_set(target.username, target.password)
        if will:
            self.client.will_set(will[0], will[1], qos=1, retain=True)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self._deadline = 0.0

    @property
    def where(self) -> str:
        return self.target.display()

    def open(self) -> bool:
        """Open TCP (and TLS) and send CONNECT; False with :attr:`failure` set when that fails."""
        if self.target.tls:
            try:
                self.client.tls_set_context(tls_context(self.target.ca_file))
            except (OSError, ssl.SSLError) as exc:
                self.failure = (BrokerState.TLS_FAILED, f"the CA certificate file {self.target.ca_file} cannot be "
                                                        f"used: {getattr(exc, 'strerror', None) or exc}")
                self.closed = True
                return False
        try:
            self.client.connect(self.target.host, self.target.port, keepalive=self.keepalive_s)
        except Exception as exc:  # OSError, ssl.SSLError, ValueError from paho: all mean "not connected"
            self.failure = classify_connect_error(exc, self.where)
            self.closed = True
            return False
        self._deadline = time.monotonic() + self.connect_timeout_s
        return True

    def _on_connect(self, _client: Any, _userdata: Any, _flags: Any, reason: Any, _properties: Any) -> None:
        if reason.is_failure:
            self.failure = classify_refusal(int(reason.value), str(reason))
            self.client.disconnect()
        else:
            self.connected = True

    def _on_disconnect(self, _client: Any, _userdata: Any, _flags: Any, reason: Any, _properties: Any) -> None:
        was_connected = self.connected
        self.connected = False
        self.closed = True
        if self.failure is None:
            if was_connected:
                self.failure = (BrokerState.UNREACHABLE, f"lost the connection to {self.where} ({reason})")
            else:
                self.failure = (BrokerState.REFUSED, f"{self.where} closed the connection without answering: if "
                                                    "the broker expects TLS on this port, turn TLS on (mqtts://)")

    def pump(self, timeout: float, wake: Any = None) -> bool:
        """Wait up to ``timeout`` for the socket (or ``wake``, a socket whose readability ends the wait) and
        handle what is ready. Returns True when ``wake`` became readable."""
        sock = self.client.socket()
        if sock is None:
            self._mark_closed()
            return False
        readers: list[Any] = [sock] + ([wake] if wake is not None else [])
        writers = [sock] if self.client.want_write() else []
        pending = getattr(sock, "pending", None)
        if pending is not None and pending():
            timeout = 0.0  # TLS has decrypted bytes waiting that select cannot see
        try:
            readable, writable, _ = select.select(readers, writers, [], max(0.0, timeout))
        except (OSError, ValueError):
            readable, writable = [sock], []
        woken = wake is not None and wake in readable
        if sock in readable or (pending is not None and pending()):
            self.client.loop_read()
        if sock in writable and self.client.socket() is not None:
            self.client.loop_write()
        if self.client.socket() is not None:
            self.client.loop_misc()
        if not self.connected and not self.closed and self.failure is None and time.monotonic() > self._deadline:
            self.failure = (BrokerState.UNREACHABLE, f"{self.where} accepted the connection but did not answer "
                                                     "as an MQTT broker in time")
            self.close()
        if self.client.socket() is None:
            self._mark_closed()
        return woken

    def _mark_closed(self) -> None:
        self.connected = False
        self.closed = True
        if self.failure is None:
            self.failure = (BrokerState.UNREACHABLE, f"lost the connection to {self.where}")

    def flush(self, deadline: float, info: paho.MQTTMessageInfo | None = None) -> None:
        """Pump until ``info`` is acknowledged (or nothing waits to be written), or until ``deadline`` (monotonic)."""
        while self.client.socket() is not None and time.monotonic() < deadline:
            if info is not None and info.is_published():
                return
            if info is None and not self.client.want_write():
                return
            self.pump(min(0.1, deadline - time.monotonic()))

    def disconnect(self, deadline: float) -> None:
        """A clean DISCONNECT (the broker then does not publish the last will)."""
        if self.client.socket() is not None:
            self.client.disconnect()
            self.flush(deadline)
        self.close()

    def close(self) -> None:
        if self.client.socket() is not None:
            self.client._sock_close()  # paho's own "drop the socket now" (no public one for an external loop)
        self.connected = False
        self.closed = True


@dataclass(frozen=True)
class ConnectionResult:
    """What "Test connection" found, for the Settings page: ``message`` is the sentence to show."""

    ok: bool
    state: BrokerState
    detail: str

    @property
    def message(self) -> str:
        if self.ok or not self.detail:
            return STATE_TEXT[self.state]
        return f"{STATE_TEXT[self.state]}. {self.detail[0].upper()}{self.detail[1:]}."


def test_connection(target: BrokerTarget, *, timeout_s: float = 10.0) -> ConnectionResult:
    """Connect, wait for the broker's answer, disconnect. Blocks up to ``timeout_s``: call it off the GUI thread."""
    connection = BrokerConnection(target, client_id="", connect_timeout_s=timeout_s)
    deadline = time.monotonic() + timeout_s
    if connection.open():
        while not connection.connected and not connection.closed and time.monotonic() < deadline:
            connection.pump(min(0.2, deadline - time.monotonic()))
    if connection.connected:
        connection.disconnect(time.monotonic() + 2.0)
        result = ConnectionResult(True, BrokerState.CONNECTED, f"connected to {target.display()}")
    else:
        connection.close()
        state, detail = connection.failure or (BrokerState.UNREACHABLE, f"{target.display()} did not answer in time")
        result = ConnectionResult(False, state, detail)
    log.info("MQTT test connection to %s: %s", target.display(), result.message)
    return result


test_connection.__test__ = False  # type: ignore[attr-defined]  # not a pytest test when imported into one
