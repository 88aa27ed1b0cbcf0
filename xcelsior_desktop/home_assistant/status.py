"""The publisher's connection to the broker, in states and in words for the Settings page and the log."""

from __future__ import annotations

import enum
import socket
import ssl
from dataclasses import dataclass

# MQTT 5 reason codes, which paho 2 also gives for MQTT 3.1.1 CONNACK codes 4 and 5
BAD_USER_OR_PASSWORD = 134
NOT_AUTHORIZED = 135


class BrokerState(enum.StrEnum):
    WAITING_FOR_METER = "waiting_for_meter"  # nothing to publish until the meter has said who it is
    CONNECTING = "connecting"
    CONNECTED = "connected"
    UNREACHABLE = "unreachable"  # nothing answers: broker down, wrong host or port, no network
    AUTH_REFUSED = "auth_refused"  # wrong user name or password
    TLS_FAILED = "tls_failed"  # TLS handshake or certificate check failed
    REFUSED = "refused"  # the broker answered but refused for another reason, or closed without answering
    STOPPED = "stopped"


STATE_TEXT: dict[BrokerState, str] = {
    BrokerState.WAITING_FOR_METER: "Waiting for the meter to answer before connecting to the broker",
    BrokerState.CONNECTING: "Connecting to the broker",
    BrokerState.CONNECTED: "Connected to broker",
    BrokerState.UNREACHABLE: "Broker unreachable: check that it is running and that the address and port in "
                             "Settings are right",
    BrokerState.AUTH_REFUSED: "Broker refused the user name or password: check them in Settings",
    BrokerState.TLS_FAILED: "Secure connection (TLS) to the broker failed: check that the broker uses TLS on this "
                            "port and that its certificate is trusted (or turn TLS off in Settings)",
    BrokerState.REFUSED: "The broker refused the connection",
    BrokerState.STOPPED: "Not publishing",
}

FAILURE_STATES = frozenset({BrokerState.UNREACHABLE, BrokerState.AUTH_REFUSED, BrokerState.TLS_FAILED,
                            BrokerState.REFUSED})
TRANSIENT_STATES = frozenset({BrokerState.UNREACHABLE, BrokerState.REFUSED})  # may mend by themselves


@dataclass(frozen=True)
class PublisherStatus:
    """A snapshot for the UI: the state, its words, the technical detail, and the queue's counters."""

    state: BrokerState
    detail: str  # what exactly happened (an error text), "" when nothing to add
    since: float  # wall clock
    next_retry: float | None  # wall clock of the next connection attempt after a failure
    published: int  # state messages handed to the broker
    dropped: int  # state messages dropped, oldest first, because the queue was full
    queued: int

    @property
    def message(self) -> str:
        """The sentence for the Settings page (the publisher retries every failure, with growing pauses)."""
        return STATE_TEXT[self.state] + ("; we keep retrying" if self.state in TRANSIENT_STATES else "")

    @property
    def failed(self) -> bool:
        return self.state in FAILURE_STATES


def classify_connect_error(exc: BaseException, where: str) -> tuple[BrokerState, str]:
    """The state and detail for an exception from opening the TCP/TLS connection to ``where``."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return BrokerState.TLS_FAILED, f"the certificate of {where} is not trusted: {exc.verify_message or exc}"
    if isinstance(exc, ssl.SSLError):
        return BrokerState.TLS_FAILED, f"TLS handshake with {where} failed: {exc.reason or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return BrokerState.UNREACHABLE, f"nothing accepts connections at {where} (broker not running, or wrong port)"
    if isinstance(exc, socket.gaierror):
        return BrokerState.UNREACHABLE, f"the broker's host name in {where} is not known: {exc.strerror or exc}"
    if isinstance(exc, TimeoutError | socket.timeout):
        return BrokerState.UNREACHABLE, f"{where} did not answer in time"
    if isinstance(exc, OSError):
        return BrokerState.UNREACHABLE, f"cannot reach {where}: {exc.strerror or exc}"
    return BrokerState.REFUSED, f"connecting to {where}: {type(exc).__name__}: {exc}"


def classify_refusal(reason_value: int, reason_text: str) -> tuple[BrokerState, str]:
    """The state for a CONNACK that refused us."""
    if reason_value in (BAD_USER_OR_PASSWORD, NOT_AUTHORIZED):
        return BrokerState.AUTH_REFUSED, f"the broker answered: {reason_text}"
    return BrokerState.REFUSED, f"the broker answered: {reason_text}"
