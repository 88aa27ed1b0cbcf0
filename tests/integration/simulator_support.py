"""A tiny raw HTTPS client for the simulator tests: independent of the project's meter client."""

from __future__ import annotations

import contextlib
import socket
import ssl
from typing import Any

from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.meter.tls import client_context


def connect(port: int, identity: Identity, context: ssl.SSLContext | None = None,
            session: ssl.SSLSession | None = None, timeout: float = 10.0) -> ssl.SSLSocket:
    context = context or client_context(identity)
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return context.wrap_socket(raw, session=session)


# TLS alert descriptions (RFC 5246, section 7.2): what the simulator says on the wire, whatever words the local
# OpenSSL build gives the error it raises
BAD_CERTIFICATE = 42
DECRYPT_ERROR = 51
_CONTENT_ALERT = 21


def alert_received(port: int, identity: Identity) -> int | None:
    """Connect, GET /dcap, and return the TLS alert the simulator sent (read off the wire), or None without one."""
    context = client_context(identity)
    alerts: list[int] = []

    def trace(_conn: Any, direction: str, _version: Any, content_type: Any, _msg_type: Any, data: bytes) -> None:
        if direction == "read" and int(content_type) == _CONTENT_ALERT and len(data) >= 2:
            alerts.append(data[1])

    context._msg_callback = trace  # type: ignore[attr-defined]  # CPython's TLS message tracer
    with contextlib.suppress(ssl.SSLError, OSError, EOFError), connect(port, identity, context) as conn:
        get(conn, "/dcap")
    return alerts[0] if alerts else None


def get(conn: ssl.SSLSocket, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Send one request on a kept-alive connection and read the whole response (by Content-Length)."""
    conn.sendall(f"{method} {target} HTTP/1.1\r\nHost: meter\r\nAccept: application/sep+xml\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise EOFError("connection closed before a response")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers["content-length"])
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            raise EOFError("connection closed in the middle of a body")
        body += chunk
    return status, headers, body
