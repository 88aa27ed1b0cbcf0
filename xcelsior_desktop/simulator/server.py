"""The simulator's TLS + HTTP server: one connection at a time, GET only, keep-alive, idle close, faults.

How a second connection is treated (the meter serves one TLS connection at a time): it is accepted by TCP and left
waiting without a byte of TLS. If the slot frees within ``busy_hold`` seconds it is served; otherwise it is reset
(RST). So a client sees "accepted, then reset before any TLS bytes" = busy, which differs from a blackhole
("accepted, the handshake never answers"), a certificate refusal (a TLS alert) and an outage (connection refused).
"""

from __future__ import annotations

import collections
import contextlib
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable
from typing import Any

from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.meter.tls import server_context
from xcelsior_desktop.simulator import tlsverify
from xcelsior_desktop.simulator.faults import FaultSet
from xcelsior_desktop.simulator.model import MeterModel
from xcelsior_desktop.simulator.resources import TOU_TIERS_IN_USE, MeterResources, Response, Snapshot

REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed"}
HANDSHAKE_TIMEOUT = 30.0
MAX_HEAD = 16_384


class SimLog:
    """What happened, for tests: counters and the request list, all read and written under one lock.

    The request and event lists keep the newest ``KEEP`` entries, so a demo that runs for days stays small;
    ``request_count`` counts every request ever served.
    """

    KEEP = 10_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.connections = 0
            self.handshakes = 0
            self.resumed_handshakes = 0
            self.refused_handshakes = 0
            self.failed_handshakes = 0
            self.busy_resets = 0
            self.idle_closes = 0
            self.open_connections = getattr(self, "open_connections", 0)
            self.max_concurrent = self.open_connections
            self.request_count = 0
            self._requests: collections.deque[tuple[str, int]] = collections.deque(maxlen=self.KEEP)
            self._events: collections.deque[str] = collections.deque(maxlen=self.KEEP)

    @property
    def requests(self) -> list[tuple[str, int]]:
        with self._lock:
            return list(self._requests)

    @property
    def events(self) -> list[str]:
        with self._lock:
            return list(self._events)

    def note(self, event: str, **counters: int) -> None:
        with self._lock:
            self._events.append(event)
            for name, delta in counters.items():
                setattr(self, name, getattr(self, name) + delta)

    def opened(self) -> None:
        with self._lock:
            self.connections += 1
            self.open_connections += 1
            self.max_concurrent = max(self.max_concurrent, self.open_connections)

    def closed(self) -> None:
        with self._lock:
            self.open_connections -= 1

    def request(self, target: str, status: int) -> None:
        with self._lock:
            self._requests.append((target, status))
            self.request_count += 1


def _reset(sock: socket.socket) -> None:
    """Close with RST instead of FIN. Only the thread that serves ``sock`` may call this (see :func:`_cut`)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


def _cut(sock: socket.socket) -> None:
    """From another thread: make the thread serving ``sock`` fail now, and its close send RST.

    Never close a socket that another thread is using: its number would be free for the next socket the process
    opens (another connection, a database file) while the serving thread, or OpenSSL under it, still reads and
    writes that number. The fault matrix, which runs many simulators in one process, saw exactly that: a client's
    kept-alive connection dropped and another simulator's new connection failed with "Bad file descriptor".
    ``shutdown`` wakes the blocked thread without freeing the number; the serving thread closes."""
    with contextlib.suppress(OSError, ValueError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError, ValueError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket call: no TLS state touched


class _Registry:
    """Registered client certificates by LFDI, plus the TLS context built for them."""

    def __init__(self, identity: Identity, accept_any: bool, fault_set: FaultSet) -> None:
        self.identity = identity
        self.accept_any = accept_any
        self._faults = fault_set
        self._lock = threading.Lock()
        self._pems: dict[str, bytes] = {}
        self.hook = tlsverify.VerifyHook(self._decide)
        self.in_handshake_alerts = True
        self.context = self._build()

    def _decide(self, lfdi: str) -> int:
        if self._faults.fires("handshake_failure"):
            return tlsverify.X509_V_ERR_CERT_SIGNATURE_FAILURE
        with self._lock:
            known = lfdi in self._pems
        return tlsverify.X509_V_OK if (known or self.accept_any) else tlsverify.X509_V_ERR_CERT_REJECTED

    def _build(self) -> ssl.SSLContext:
        context = server_context(self.identity, [], accept_any=False)
        if tlsverify.install(context, self.hook):
            self.in_handshake_alerts = True
            return context
        # fallback: trust the registered certificates directly (alert unknown_ca), demo mode asks for none
        self.in_handshake_alerts = False
        with self._lock:
            pems = list(self._pems.values())
        if self.accept_any:
            context = server_context(self.identity, [], accept_any=True)
            context.verify_mode = ssl.CERT_NONE
            return context
        if not pems:
            from xcelsior_desktop.meter.identity import generate_identity

            pems = [generate_identity(days=1).cert_pem]  # trust nobody real, but keep CERT_REQUIRED valid
        return server_context(self.identity, pems)

    def register(self, lfdi: str, pem: bytes) -> None:
        with self._lock:
            self._pems[lfdi] = pem
        if not self.in_handshake_alerts:
            self.context = self._build()

    def unregister(self, lfdi: str) -> None:
        with self._lock:
            self._pems.pop(lfdi, None)
        # a fresh context also drops the session cache, so a removed client cannot resume its way back in
        self.context = self._build()

    def lfdis(self) -> list[str]:
        with self._lock:
            return list(self._pems)


class MeterServer:
    """Listens, enforces the one-connection rule, speaks HTTP/1.1 over TLS, applies faults."""

    def __init__(self, host: str, port: int, identity: Identity, accept_any: bool, model: MeterModel,
                 clock: Callable[[], float], idle_timeout: float, busy_hold: float, log: SimLog,
                 fault_set: FaultSet, firmware: str = "3.2.50", tou_tiers: frozenset[int] = TOU_TIERS_IN_USE) -> None:
        self.host = host
        self.port = port
        self.identity = identity
        self.model = model
        self.clock = clock
        self.idle_timeout = idle_timeout
        self.busy_hold = busy_hold
        self.log = log
        self.faults = fault_set
        self.registry = _Registry(identity, accept_any, fault_set)
        self.resources = MeterResources(model, identity.lfdi, identity.sfdi, firmware, tou_tiers)
        self.on_outage: Callable[[bool], None] | None = None  # told when the port closes (True) and reopens
        self._stop = threading.Event()
        self._slot = threading.Condition()
        self._slot_taken = False
        self._listener: socket.socket | None = None
        self._retired_listeners: list[socket.socket] = []  # shut down by another thread, closed by the accept loop
        self._listener_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._sockets: set[socket.socket] = set()
        self._sockets_lock = threading.Lock()
        self._outage_timer: threading.Timer | None = None

    # -------------------------------------------------------------- lifecycle
    def start(self) -> None:
        # Warm the model before the port opens: the registers are the integral of every day since the model's
        # anchor, about 1 s of CPU for a year of days (more as the calendar moves on), once per household. Served
        # on the first request instead, a connection waited on it (many simulators in one process: 18 s), the
        # client's read timeout expired, and its next connection found the old one still open, which a real
        # meter, answering in a fraction of a second, never causes.
        self.snapshot()
        self._open_listener()
        self._spawn(self._accept_loop, "sim-accept")

    def stop(self) -> None:
        self._stop.set()
        if self._outage_timer:
            self._outage_timer.cancel()
        self._close_listener()
        with self._sockets_lock:
            for sock in list(self._sockets):
                _cut(sock)
        with self._slot:
            self._slot.notify_all()
        for thread in list(self._threads):
            if thread is not threading.current_thread():
                thread.join(timeout=5)
        self._close_retired_listeners()

    def _spawn(self, target: Callable[..., None], name: str, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()

    def _open_listener(self) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(16)
        listener.settimeout(0.2)
        self.port = listener.getsockname()[1]
        with self._listener_lock:
            self._listener = listener

    def _close_listener(self) -> None:
        """Any thread: stop listening now. The accept loop closes the socket (see :func:`_cut` for why)."""
        with self._listener_lock:
            listener, self._listener = self._listener, None
            if listener is not None:
                self._retired_listeners.append(listener)
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # stop listening now, even while accept() is waiting

    def _close_retired_listeners(self) -> None:
        """The accept loop (or stop, once it has ended): close listeners that are no longer listening."""
        with self._listener_lock:
            retired, self._retired_listeners = self._retired_listeners, []
        for listener in retired:
            with contextlib.suppress(OSError):
                listener.close()

    # -------------------------------------------------------------- outage
    def begin_outage(self, seconds: float) -> None:
        self._close_listener()
        self.log.note("outage begins")
        with self._sockets_lock:
            for sock in list(self._sockets):
                _cut(sock)
        if self._outage_timer:
            self._outage_timer.cancel()
        if self.on_outage is not None:
            self.on_outage(True)
        if seconds > 0:
            self._outage_timer = threading.Timer(seconds, self._outage_over)
            self._outage_timer.daemon = True
            self._outage_timer.start()

    def _outage_over(self) -> None:
        self.faults.set("outage", False, {})
        self.end_outage()

    def end_outage(self) -> None:
        if self._stop.is_set():
            return
        with self._listener_lock:
            if self._listener is not None:
                return
        self._open_listener()
        self.log.note("outage ends")
        if self.on_outage is not None:
            self.on_outage(False)

    def busy_changed(self) -> None:
        with self._slot:
            self._slot.notify_all()

    # -------------------------------------------------------------- accepting
    def _accept_loop(self) -> None:
        try:
            self._accept_until_stopped()
        finally:
            self._close_retired_listeners()

    def _accept_until_stopped(self) -> None:
        while not self._stop.is_set():
            self._close_retired_listeners()
            with self._listener_lock:
                listener = self._listener
            if listener is None:
                self._stop.wait(0.05)
                continue
            try:
                sock, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                self._stop.wait(0.05)  # shut down by an outage or stop (retired above next time), or a passing error
                continue
            sock.setblocking(True)
            self.log.opened()
            with self._sockets_lock:
                self._sockets.add(sock)
            self._spawn(self._connection, "sim-conn", sock)

    def _connection(self, sock: socket.socket) -> None:
        counted = [True]

        def uncount() -> None:
            """The connection stops counting as open just before its FIN goes out (once), so a client that
            reconnects the moment it sees the FIN is never logged as a second concurrent connection."""
            if counted[0]:
                counted[0] = False
                self.log.closed()

        try:
            if self.faults.get("blackhole") is not None:
                self._blackhole(sock)
                return
            if not self._take_slot():
                self.log.note("busy: reset a waiting connection", busy_resets=1)
                uncount()
                _reset(sock)
                return
            try:
                self._serve(sock, uncount)
            finally:
                with self._slot:
                    self._slot_taken = False
                    self._slot.notify_all()
        except Exception as exc:  # a broken peer must never take the server down
            self.log.note(f"connection error: {exc!r}")
        finally:
            with self._sockets_lock:
                self._sockets.discard(sock)
            uncount()
            with contextlib.suppress(OSError):
                sock.close()

    def _take_slot(self) -> bool:
        deadline = time.monotonic() + self.busy_hold
        with self._slot:
            while self._slot_taken or self.faults.get("busy") is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stop.is_set():
                    return False
                self._slot.wait(min(remaining, 0.25))
            self._slot_taken = True
            return True

    def _blackhole(self, sock: socket.socket) -> None:
        self.log.note("blackhole: holding a connection without a handshake")
        sock.settimeout(0.25)
        while not self._stop.is_set():
            try:
                if not sock.recv(4096):
                    return
            except TimeoutError:
                continue
            except OSError:
                return

    # -------------------------------------------------------------- TLS
    def _serve(self, sock: socket.socket, uncount: Callable[[], None]) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # else ~40 ms per kept-alive request
        slow = self.faults.get("slow_handshake")
        if slow is not None and self._stop.wait(float(slow["seconds"])):
            return
        sock.settimeout(HANDSHAKE_TIMEOUT)
        tls = self.registry.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        with self._sockets_lock:
            self._sockets.add(tls)
        try:
            self.registry.hook.begin_handshake()
            try:
                tls.do_handshake()
            except (ssl.SSLError, OSError) as exc:
                verdict = self.registry.hook.verdict
                failing = self.faults.get("handshake_failure")  # its parameters are merged with the defaults
                if failing is not None and float(failing["linger"]) > 0:
                    self._stop.wait(float(failing["linger"]))  # the alert is out; the connection is still ours
                if verdict == tlsverify.X509_V_ERR_CERT_REJECTED or "unknown ca" in str(exc).lower():
                    self.log.note(f"refused a client certificate in the handshake: {exc}", refused_handshakes=1)
                else:
                    self.log.note(f"handshake failed: {exc}", failed_handshakes=1)
                return
            resumed = tls.session_reused
            self.log.note("handshake resumed" if resumed else "handshake", handshakes=1,
                          resumed_handshakes=1 if resumed else 0)
            self._http(tls, uncount)
        finally:
            with self._sockets_lock:
                self._sockets.discard(tls)
            uncount()
            with contextlib.suppress(OSError):
                tls.close()

    # -------------------------------------------------------------- HTTP
    def _http(self, tls: ssl.SSLSocket, uncount: Callable[[], None]) -> None:
        buffer = b""
        while not self._stop.is_set():
            head_end = buffer.find(b"\r\n\r\n")
            if head_end < 0:
                if len(buffer) > MAX_HEAD:
                    self._send(tls, Response(400), "", close=True)
                    return
                tls.settimeout(self.idle_timeout)
                try:
                    data = tls.recv(65536)
                except TimeoutError:
                    self.log.note("idle connection closed", idle_closes=1)
                    return
                except (ssl.SSLError, OSError) as exc:
                    self.log.note(f"connection broke while waiting for a request: {exc!r}")
                    return
                if not data:
                    return
                buffer += data
                continue
            head, buffer = buffer[:head_end].decode("latin-1"), buffer[head_end + 4 :]
            lines = head.split("\r\n")
            parts = lines[0].split()
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            while len(buffer) < length:
                chunk = tls.recv(65536)
                if not chunk:
                    return
                buffer += chunk
            buffer = buffer[length:]
            if len(parts) != 3:
                self._send(tls, Response(400), "", close=True)
                return
            method, target, version = parts
            close = headers.get("connection", "").lower() == "close" or (
                version == "HTTP/1.0" and headers.get("connection", "").lower() != "keep-alive")
            if not self._answer(tls, method, target, close, uncount):
                return
            if close:
                return

    def snapshot(self) -> Snapshot:
        t = self.clock()
        snap = Snapshot.of(self.model, t)
        frozen = self.faults.get("frozen_register")
        if frozen is not None:
            then = Snapshot.of(self.model, float(frozen.get("_at", t)))
            which = frozen["register"]
            if which in ("delivered", "both"):
                snap = snap.with_changes(delivered_wh=then.delivered_wh, tou_delivered=then.tou_delivered)
            if which in ("received", "both"):
                snap = snap.with_changes(received_wh=then.received_wh, tou_received=then.tou_received)
        stuck = self.faults.get("stuck_demand")
        if stuck is not None:
            at = float(stuck.get("_at", t))
            snap = snap.with_changes(demand_w=int(round(self.model.demand_w(at))), demand_at=int(at))
        if self.faults.get("zero_start") is not None:
            snap = snap.with_changes(summation_at=0)
        if self.faults.get("empty_intervals") is not None:
            snap = snap.with_changes(intervals_empty=True)
        spike = self.faults.get("spike")
        if spike is not None:
            amount = float(spike["amount"])
            if spike["target"] == "demand":
                snap = snap.with_changes(demand_w=snap.demand_w + int(amount))
            elif spike["target"] == "delivered":
                snap = snap.with_changes(delivered_wh=snap.delivered_wh + amount)
            else:
                snap = snap.with_changes(received_wh=snap.received_wh + amount)
        return snap

    def _answer(self, tls: ssl.SSLSocket, method: str, target: str, close: bool,
                uncount: Callable[[], None]) -> bool:
        path, _, query = target.partition("?")
        response = Response(405, allow="GET") if method != "GET" else self.resources.get(path, query, self.snapshot())
        if response.status == 200 and self.faults.fires("empty_body", path):
            response = Response(200, b"")
        elif response.status == 200 and self.faults.fires("malformed_xml", path):
            response = Response(200, response.body[: max(1, len(response.body) // 2)])
        self.log.request(target, response.status)
        stall = self.faults.fires("read_stall")
        if stall is not None and self._stop.wait(float(stall["seconds"])):
            return False
        latency = self.faults.get("latency")
        if latency is not None and self._stop.wait(float(latency["seconds"])):
            return False
        flaky = self.faults.fires("flaky_reads")
        if flaky is not None:
            self.log.note(f"flaky read: {target} stalls {float(flaky['seconds']):g} s")
            if self._stop.wait(float(flaky["seconds"])):
                return False
        if self.faults.fires("reset_mid_response"):
            wire = self._wire(response, close)
            with contextlib.suppress(OSError):
                tls.sendall(wire[: len(wire) - max(1, len(response.body) // 2)])
            self.log.note("reset in the middle of a response")
            uncount()  # before the RST: a client that retries the moment it arrives meets a free meter
            _reset(tls)
            return False
        return self._send(tls, response, target, close)

    @staticmethod
    def _wire(response: Response, close: bool) -> bytes:
        lines = [f"HTTP/1.1 {response.status} {REASONS.get(response.status, 'Error')}"]
        if response.content_type:
            lines.append(f"Content-Type: {response.content_type}")
        if response.allow is not None:
            lines.append(f"Allow: {response.allow}")
        lines.append(f"Content-Length: {len(response.body)}")
        if close:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + response.body

    def _send(self, tls: ssl.SSLSocket, response: Response, target: str, close: bool) -> bool:
        try:
            tls.sendall(self._wire(response, close))
            return True
        except (ssl.SSLError, OSError) as exc:
            self.log.note(f"connection broke while answering {target}: {exc!r}")
            return False
