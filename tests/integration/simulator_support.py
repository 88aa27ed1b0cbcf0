"""A tiny raw HTTPS client for the simulator tests: independent of the project's meter client."""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable

from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.meter.tls import client_context


def connect(port: int, identity: Identity, context: ssl.SSLContext | None = None,
            session: ssl.SSLSession | None = None, timeout: float = 10.0) -> ssl.SSLSocket:
    context = context or client_context(identity)
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    return context.wrap_socket(raw, session=session)


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


def wait_until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)
