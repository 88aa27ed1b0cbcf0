"""Unblocking a meter request in flight from another thread, so quitting never hangs.

The client's calls block (connect, handshake, read) with timeouts of up to 15 s. To quit promptly the GUI
thread shuts the TLS socket down under the worker's feet: ``shutdown(2)`` wakes a thread blocked in a
handshake or a read on every OS, and the blocked call then fails with an error the worker expects.

We find the socket by giving the client's SSL context an ``SSLSocket`` subclass that registers itself just
before its handshake (``SSLContext.sslsocket_class`` is the documented hook for this). The TCP connect before
it cannot be interrupted this way; it is bounded by the client's connect timeout.
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import threading
import time
import weakref
from typing import Any


class SocketTracker:
    """Remembers the live TLS sockets of one SSL context; :meth:`abort` shuts them all down."""

    def __init__(self) -> None:
        self._sockets: weakref.WeakSet[ssl.SSLSocket] = weakref.WeakSet()
        self._lock = threading.Lock()
        self.aborted = threading.Event()

    def install(self, context: ssl.SSLContext) -> None:
        tracker = self

        class TrackedSSLSocket(ssl.SSLSocket):
            def do_handshake(self, block: bool = False) -> None:
                tracker._add(self)
                super().do_handshake(block)

        context.sslsocket_class = TrackedSSLSocket

    def _add(self, sock: ssl.SSLSocket) -> None:
        with self._lock:
            self._sockets.add(sock)
        if self.aborted.is_set():
            self._shutdown(sock)

    def abort(self) -> None:
        """Thread-safe: fail every blocked call on these sockets now, and any new handshake."""
        self.aborted.set()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            self._shutdown(sock)

    def release(self, timeout_s: float = 1.0) -> None:
        """Worker thread, before closing the client: say we are done (FIN) and wait, up to ``timeout_s``, until
        the meter has closed its side. The meter serves one connection at a time and holds a new one until the
        old is gone, so reconnecting (another identity, another address) right after a plain close would make
        it see two at once for a moment."""
        with self._lock:
            sockets = [sock for sock in self._sockets if sock.fileno() != -1]
        deadline = time.monotonic() + timeout_s
        for sock in sockets:
            _finish(sock, deadline)

    def await_close(self, sock: ssl.SSLSocket, timeout_s: float = 1.0) -> None:
        """Worker thread, after the meter ended a handshake with an alert: send our FIN and wait, up to
        ``timeout_s``, for the meter's, so that the retry's connection never meets this one still open there."""
        if not self.aborted.is_set():
            _finish(sock, time.monotonic() + timeout_s)

    @staticmethod
    def _shutdown(sock: Any) -> None:
        with contextlib.suppress(OSError, ValueError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket call: no TLS state touched


def _finish(sock: ssl.SSLSocket, deadline: float) -> None:
    """Half-close ``sock`` and read (and discard) until the peer's FIN or the deadline."""
    with contextlib.suppress(OSError, ValueError):
        socket.socket.shutdown(sock, socket.SHUT_WR)
        while (left := deadline - time.monotonic()) > 0:
            if not select.select([sock], [], [], left)[0]:
                break
            # raw bytes under the TLS layer (a close_notify, an alert, leftovers): discarded until the meter's FIN
            if not socket.socket.recv(sock, 4096):
                break
