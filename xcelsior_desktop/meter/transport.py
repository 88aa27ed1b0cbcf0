"""HTTPS to the meter on ``requests``: one pinned, kept-alive, resumable TLS connection at a time.

Why it looks like this (docs/meter-protocol.md, sections 2 and 3):

* The meter serves one TLS connection at a time, so the pool holds exactly one connection
  (``maxsize=1, block=True``) and every request goes through one lock.
* A full ECDHE-ECDSA handshake costs the meter ~330 ms of CPU, a resumed one far less, and the meter
  closes idle connections after 30 s: each new connection offers the last ``SSLSession``.
* The TLS handshake is done here, not by urllib3, so that no CA bundle ever enters the context and
  so that failures can be told apart: a TLS alert after our certificate went out means the meter
  refused it; a reset before the meter sent any TLS byte means another client holds the meter.
  ``SSLContext._msg_callback`` (CPython's TLS message tracer) tells us which messages went each way.
* The meter's LFDI (SHA-256 of its certificate) is pinned on first contact and checked on every
  new connection, because a DHCP change can put another device at the old address.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.util.retry import Retry

from xcelsior_desktop.meter.address import DEFAULT_PORT
from xcelsior_desktop.meter.errors import (
    AnswerCutOff,
    CertificateRefused,
    ConnectionDropped,
    HandshakeTimeout,
    IdentityMismatch,
    MeterBusy,
    MeterError,
    ProtocolError,
    ReadTimeout,
    Unreachable,
)
from xcelsior_desktop.meter.identity import Identity, lfdi_from_der, normalize_lfdi
from xcelsior_desktop.meter.socket_tracker import SocketTracker
from xcelsior_desktop.meter.tls import client_context

MAX_BODY_BYTES = 1_000_000  # the largest real body is ~10 kB
ACCEPT = "application/sep+xml"

# TLS alert descriptions that mean "your certificate is not welcome here"
_REFUSAL_ALERTS = {
    42: "bad_certificate",
    43: "unsupported_certificate",
    44: "certificate_revoked",
    45: "certificate_expired",
    46: "certificate_unknown",
    48: "unknown_ca",
    49: "access_denied",
}
_CONTENT_ALERT = 21
_CONTENT_HANDSHAKE = 22
_HS_CERTIFICATE = 11
_RECORD_HEADER = 256  # CPython reports raw record headers with this pseudo content type


@dataclass
class TransportStats:
    """Counters for the status view and the benchmark."""

    connections: int = 0  # TCP connections that completed a TLS handshake
    tcp_connects: int = 0  # TCP connections attempted for a handshake (refused and timed out included)
    probes: int = 0  # plain TCP probes (port_answers), no TLS
    handshakes: int = 0
    resumed_handshakes: int = 0
    failed_handshakes: int = 0
    handshake_retries: int = 0
    requests: int = 0
    reconnects: int = 0  # new connections after the first one
    request_retries: int = 0  # requests repeated once after the connection dropped

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class ProbeResult:
    """What one TLS handshake taught us, before any HTTP request."""

    meter_lfdi: str | None
    accepted: bool
    error: MeterError | None = None
    resumed: bool = False


@dataclass
class HttpResult:
    status: int
    body: bytes
    content_type: str | None
    path: str


@dataclass
class _HandshakeTrace:
    """What went over the wire during one handshake (filled by the context's message callback)."""

    received_any: bool = False
    sent_certificate: bool = False
    alert_received: int | None = None
    server_cert_der: bytes | None = None
    messages: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def server_lfdi(self) -> str | None:
        return lfdi_from_der(self.server_cert_der) if self.server_cert_der else None


def _first_cert_from_handshake(data: bytes) -> bytes | None:
    """The leaf certificate from a TLS 1.2 Certificate handshake message (type, len24, list len24, len24, DER)."""
    if len(data) < 10 or data[0] != _HS_CERTIFICATE:
        return None
    cert_len = int.from_bytes(data[7:10], "big")
    der = data[10 : 10 + cert_len]
    return der if len(der) == cert_len and cert_len > 0 else None


class _RetryableHandshake(Exception):
    def __init__(self, error: MeterError) -> None:
        super().__init__(str(error))
        self.error = error


class MeterConnection(HTTPConnection):
    """An urllib3 connection whose socket is a TLS socket opened (and checked) by the transport."""

    def __init__(self, *args: Any, transport: MeterTransport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._transport = transport

    def connect(self) -> None:
        self.sock = self._transport._open_tls()
        self._has_connected_to_proxy = False


class _MeterPool(HTTPConnectionPool):
    """A pool of exactly one connection that blocks instead of opening a second one."""

    scheme = "https"
    ConnectionCls = MeterConnection

    def __init__(self, host: str, port: int, transport: MeterTransport, **kwargs: Any) -> None:
        super().__init__(host, port, maxsize=1, block=True, **kwargs)
        self._transport = transport

    def _new_conn(self) -> MeterConnection:
        self.num_connections += 1
        return MeterConnection(
            host=self.host, port=self.port, timeout=self.timeout.connect_timeout, transport=self._transport
        )

    def _validate_conn(self, conn: Any) -> None:
        # Connect here, not lazily inside http.client's send(), so our errors come out unchanged.
        if conn.sock is None:
            conn.connect()


class _MeterAdapter(HTTPAdapter):
    """A requests adapter that always hands out the transport's single-connection pool."""

    def __init__(self, pool: _MeterPool) -> None:
        super().__init__(pool_connections=1, pool_maxsize=1, max_retries=Retry(total=False), pool_block=True)
        self._meter_pool = pool

    def get_connection_with_tls_context(self, request: Any, verify: Any, proxies: Any = None, cert: Any = None) -> Any:
        return self._meter_pool

    def get_connection(self, url: Any, proxies: Any = None) -> Any:  # older requests
        return self._meter_pool

    def cert_verify(self, conn: Any, url: Any, verify: Any, cert: Any) -> None:
        """Nothing to do: no CA bundle is ever loaded; the meter is identified by its pinned LFDI."""

    def close(self) -> None:
        super().close()
        self._meter_pool.close()


def _root_causes(exc: BaseException) -> Iterator[BaseException]:
    """Walk an exception and what it wraps (requests -> urllib3 -> http.client/socket)."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        for nested in (item.__cause__, item.__context__, getattr(item, "reason", None), *getattr(item, "args", ())):
            if isinstance(nested, BaseException):
                stack.append(nested)


def _is_drop(exc: BaseException) -> bool:
    dropped = (
        ConnectionResetError,
        ConnectionAbortedError,
        BrokenPipeError,
        http.client.RemoteDisconnected,
        http.client.IncompleteRead,
        urllib3.exceptions.IncompleteRead,
        ssl.SSLEOFError,
        ssl.SSLZeroReturnError,
    )
    return any(isinstance(item, dropped) for item in _root_causes(exc))


def _is_timeout(exc: BaseException) -> bool:
    return any(
        isinstance(item, TimeoutError | socket.timeout | urllib3.exceptions.TimeoutError | requests.Timeout)
        for item in _root_causes(exc)
    )


class MeterTransport:
    """GET requests to one meter over one kept-alive, resumable, LFDI-pinned mutual-TLS connection.

    Thread-safe (one lock), but meant to be owned by one worker thread.
    """

    def __init__(
        self,
        host: str,
        port: int = DEFAULT_PORT,
        *,
        identity: Identity,
        meter_lfdi: str | None = None,
        connect_timeout: float = 5.0,
        handshake_timeout: float = 15.0,
        read_timeout: float = 10.0,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self.host = host
        self.port = int(port)
        self.identity = identity
        self.connect_timeout = connect_timeout
        self.handshake_timeout = handshake_timeout
        self.read_timeout = read_timeout
        self.max_body = max_body
        self.stats = TransportStats()
        self._meter_lfdi = normalize_lfdi(meter_lfdi) if meter_lfdi else None
        self._context = client_context(identity)
        self._tracing = hasattr(self._context, "_msg_callback")
        if self._tracing:
            # CPython's own TLS message hook (private, so looked for above): it sees the alert a refusing meter
            # sends, which the exception alone does not say; typeshed does not list it
            self._context._msg_callback = self._on_tls_message  # type: ignore[attr-defined]
        self._trace = _HandshakeTrace()
        self.sockets = SocketTracker()  # abort() from another thread; release() before a reconnect
        self.sockets.install(self._context)
        self._session: ssl.SSLSession | None = None
        self._last_resumed = False
        self._lock = threading.RLock()
        self._connected_now = False
        self._pool = _MeterPool(host, self.port, self)
        self._http = requests.Session()
        self._http.trust_env = False  # no proxies or .netrc: the meter is on the LAN
        self._http.headers.clear()
        self._http.headers.update(
            {"Accept": ACCEPT, "Accept-Encoding": "identity", "User-Agent": "xcelsior-desktop", "Connection": "keep-alive"}
        )
        adapter = _MeterAdapter(self._pool)
        self._http.mount("https://", adapter)
        self._base = f"https://{self._host_for_url(host)}:{self.port}"

    @staticmethod
    def _host_for_url(host: str) -> str:
        return f"[{host}]" if ":" in host and not host.startswith("[") else host

    # ------------------------------------------------------------------ identity pin
    @property
    def meter_lfdi(self) -> str | None:
        """The pinned LFDI of the meter (learned on first contact when not given)."""
        return self._meter_lfdi

    @meter_lfdi.setter
    def meter_lfdi(self, value: str | None) -> None:
        with self._lock:
            self._meter_lfdi = normalize_lfdi(value) if value else None

    @property
    def context(self) -> ssl.SSLContext:
        """The TLS context (exposed so tests can check that no CA was ever loaded into it)."""
        return self._context

    @property
    def last_handshake_resumed(self) -> bool:
        return self._last_resumed

    # ------------------------------------------------------------------ TLS
    def _on_tls_message(self, conn: Any, direction: str, version: Any, content_type: Any, msg_type: Any,
                        data: bytes) -> None:
        trace = self._trace
        ctype = int(content_type)
        if ctype == _RECORD_HEADER:
            if direction == "read":
                trace.received_any = True
            return
        if direction == "read":
            trace.received_any = True
            if ctype == _CONTENT_ALERT and len(data) >= 2:
                trace.alert_received = data[1]
            elif ctype == _CONTENT_HANDSHAKE and int(msg_type) == _HS_CERTIFICATE:
                trace.server_cert_der = _first_cert_from_handshake(data)
        elif ctype == _CONTENT_HANDSHAKE and int(msg_type) == _HS_CERTIFICATE:
            trace.sent_certificate = True

    def _open_tls(self) -> ssl.SSLSocket:
        """Open TCP, handshake (resuming when we can), check the pin. One retry after a handshake glitch."""
        try:
            return self._handshake_once()
        except _RetryableHandshake:
            self.stats.handshake_retries += 1
        try:
            return self._handshake_once()
        except _RetryableHandshake as again:
            raise again.error from None

    def _handshake_once(self) -> ssl.SSLSocket:
        self._trace = trace = _HandshakeTrace()
        where = f"{self.host}:{self.port}"
        if self.sockets.aborted.is_set():  # quitting: never knock on the meter again, not even with a TCP connect
            raise Unreachable(f"not connecting to {where}: this client was stopped")
        self.stats.tcp_connects += 1
        try:
            raw = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except TimeoutError as exc:
            raise Unreachable(f"TCP connect to {where} timed out after {self.connect_timeout:g} s") from exc
        except ConnectionRefusedError as exc:
            raise Unreachable(
                f"TCP connection to {where} refused",
                user_message=(
                    f"The meter at {where} refused the connection. If you registered it recently, Xcel may still "
                    "be activating it (this can take days); otherwise check the address, then try again."
                ),
            ) from exc
        except OSError as exc:
            raise Unreachable(f"cannot connect to {where}: {exc.strerror or exc}") from exc
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        raw.settimeout(self.handshake_timeout)
        offered = self._session
        tls: ssl.SSLSocket | None = None
        try:
            tls = self._context.wrap_socket(raw, session=offered, do_handshake_on_connect=False)
            tls.do_handshake()
        except BaseException as exc:
            if tls is not None:
                if trace.alert_received is not None or (isinstance(exc, ssl.SSLError) and not self._tracing):
                    self.sockets.await_close(tls)  # the meter ended it: it closes before we knock again (a retry)
                tls.close()
            raw.close()
            self._session = None
            self.stats.failed_handshakes += 1
            raise self._handshake_error(exc, trace, where) from exc
        try:
            self._check_pin(tls, trace)
        except MeterError:
            tls.close()
            raise
        self.stats.connections += 1
        if self.stats.connections > 1:
            self.stats.reconnects += 1
        self.stats.handshakes += 1
        self._last_resumed = bool(tls.session_reused)
        if self._last_resumed:
            self.stats.resumed_handshakes += 1
        self._session = tls.session
        self._connected_now = True
        tls.settimeout(self.read_timeout)
        return tls

    def _check_pin(self, tls: ssl.SSLSocket, trace: _HandshakeTrace) -> None:
        der = tls.getpeercert(binary_form=True) or trace.server_cert_der
        if not der:
            raise ProtocolError("the meter presented no certificate")
        found = lfdi_from_der(der)
        if self._meter_lfdi is None:
            self._meter_lfdi = found
        elif found != self._meter_lfdi:
            self._session = None
            raise IdentityMismatch(
                f"expected meter LFDI {self._meter_lfdi}, found {found} at {self.host}:{self.port}",
                expected=self._meter_lfdi,
                found=found,
            )

    def _handshake_error(self, exc: BaseException, trace: _HandshakeTrace, where: str) -> BaseException:
        """Turn a failed handshake into the error that says what to do (or a retry marker)."""
        if not isinstance(exc, Exception):
            return exc  # KeyboardInterrupt and friends pass through untouched
        found = trace.server_lfdi
        if found and self._meter_lfdi and found != self._meter_lfdi:
            return IdentityMismatch(
                f"expected meter LFDI {self._meter_lfdi}, found {found} at {where}", expected=self._meter_lfdi,
                found=found,
            )
        if isinstance(exc, TimeoutError):
            return HandshakeTimeout(
                f"TLS handshake with {where} timed out after {self.handshake_timeout:g} s",
                user_message=(
                    "The meter accepted the connection but did not complete the secure handshake in time. It may be "
                    "overloaded or stuck: try again in a minute. If this lasts for hours, reconnect the meter to "
                    "Wi-Fi from Xcel's Launchpad."
                ),
            )
        alert = trace.alert_received
        if alert in _REFUSAL_ALERTS and (trace.sent_certificate or not self._tracing):
            return CertificateRefused(
                f"{where} refused our certificate (TLS alert {_REFUSAL_ALERTS[alert]}); "
                f"our LFDI is {self.identity.lfdi}"
            )
        if not self._tracing and isinstance(exc, ssl.SSLError) and any(
            name.upper() in str(exc).upper() for name in _REFUSAL_ALERTS.values()
        ):
            return CertificateRefused(f"{where} refused our certificate: {exc}")
        dropped = isinstance(exc, ConnectionError | ssl.SSLEOFError | ssl.SSLZeroReturnError) or (
            isinstance(exc, OSError) and not isinstance(exc, ssl.SSLError)
        )
        if dropped and not trace.received_any:
            return MeterBusy(f"{where} accepted TCP, then closed it before any TLS byte ({exc!r})")
        # Anything else (BAD_SIGNATURE, decrypt_error, a reset mid-handshake): the meter glitches; retry once.
        return _RetryableHandshake(
            ProtocolError(
                f"TLS handshake with {where} failed: {exc!r}",
                user_message=(
                    "The secure connection to the meter failed twice in a row. This is usually a passing glitch of "
                    "the meter: try again. If it keeps happening, check that the address belongs to your meter."
                ),
            )
        )

    # ------------------------------------------------------------------ public API
    def probe(self) -> ProbeResult:
        """One handshake (or the open connection): who is the meter, and does it accept our certificate?"""
        with self._lock:
            conn = self._pool._get_conn(timeout=self.handshake_timeout)
            try:
                if getattr(conn, "sock", None) is None:
                    conn.connect()
                    resumed = self._last_resumed
                else:
                    resumed = False
                return ProbeResult(self._meter_lfdi, True, None, resumed)
            except IdentityMismatch as exc:
                return ProbeResult(exc.found or self._trace.server_lfdi, False, exc)
            except MeterError as exc:
                return ProbeResult(self._trace.server_lfdi, False, exc)
            finally:
                self._pool._put_conn(conn)

    def abort(self) -> None:
        """Any thread: fail a blocked connect/handshake/read now, and every later one (used when quitting)."""
        self.sockets.abort()

    def release(self) -> None:
        """Say we are done (FIN) and wait briefly until the meter closed its side (see SocketTracker.release)."""
        self.sockets.release()

    def port_answers(self, timeout: float | None = None) -> bool:
        """A plain TCP connect to the meter's port, closed at once: no TLS, no handshake, nearly free for the
        meter. Used while it is unreachable, to know when a handshake is worth trying again. True when our own
        connection is open (the meter is answering) or the port accepted."""
        with self._lock:
            conn = self._pool._get_conn(timeout=self.handshake_timeout)
            try:
                if getattr(conn, "sock", None) is not None:
                    return True
            finally:
                self._pool._put_conn(conn)
            if self.sockets.aborted.is_set():  # quitting
                return False
            self.stats.probes += 1
            limit = self.connect_timeout if timeout is None else timeout
            try:
                sock = socket.create_connection((self.host, self.port), timeout=limit)
            except OSError:
                return False
            # Say goodbye (FIN) and wait, briefly, for the meter to close its side: it serves one connection at a
            # time, and the handshake that follows must not meet this one still open there.
            try:
                sock.shutdown(socket.SHUT_WR)
                sock.settimeout(min(limit, 1.0))
                while sock.recv(4096):
                    pass
            except OSError:
                pass
            finally:
                sock.close()
            return True

    def disconnect(self) -> None:
        """Close the open connection (if any); the next request opens a new one, resuming the TLS session."""
        with self._lock:
            conn = self._pool._get_conn(timeout=self.handshake_timeout)
            try:
                conn.close()
            finally:
                self._pool._put_conn(conn)

    @contextmanager
    def batch(self) -> Iterator[MeterTransport]:
        """Hold the lock for a batch of requests: they all go over the one connection, back to back."""
        with self._lock:
            yield self

    def get(self, path: str) -> HttpResult:
        """GET a path; returns status and body (empty bodies included). Retries once if the connection drops."""
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        with self._lock:
            try:
                return self._get_once(path)
            except _Dropped as dropped:
                if self._connected_now:  # not the idle-close race: a fresh connection broke, so would another
                    raise dropped.error from None
                self.stats.request_retries += 1
            try:
                return self._get_once(path)
            except _Dropped as again:
                raise again.error from None

    def _get_once(self, path: str) -> HttpResult:
        self._connected_now = False
        self.stats.requests += 1
        where = f"{self.host}:{self.port}"
        try:
            response = self._http.get(
                self._base + path,
                timeout=(self.connect_timeout, self.read_timeout),
                stream=True,
                allow_redirects=False,
            )
        except MeterError:
            raise
        except Exception as exc:
            if _is_timeout(exc):  # connect and handshake failures come out as MeterErrors above: this is a read
                raise ReadTimeout(f"no answer from {where} to GET {path} within {self.read_timeout:g} s") from exc
            if _is_drop(exc):
                raise _Dropped(ConnectionDropped(f"{where} closed the connection before answering GET {path}")) from exc
            if any(isinstance(item, http.client.HTTPException) for item in _root_causes(exc)):
                raise ProtocolError(f"{where} sent something that is not HTTP for GET {path}: {exc}") from exc
            raise Unreachable(f"GET {path} from {where} failed: {exc}") from exc
        return self._read_body(response, path, where)

    def _read_body(self, response: requests.Response, path: str, where: str) -> HttpResult:
        raw = response.raw
        declared = response.headers.get("Content-Length")
        try:
            if declared is not None and int(declared) > self.max_body:
                raw.close()
                raise ProtocolError(f"{where} announced a {declared}-byte body for GET {path}; limit {self.max_body}")
        except ValueError as exc:
            raw.close()
            raise ProtocolError(f"{where} sent a bad Content-Length {declared!r} for GET {path}") from exc
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                chunk = raw.read(65536, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_body:
                    raw.close()
                    raise ProtocolError(f"{where} sent more than {self.max_body} bytes for GET {path}")
                chunks.append(chunk)
        except MeterError:
            raise
        except Exception as exc:
            raw.close()
            if _is_timeout(exc):
                raise ReadTimeout(f"{where} stopped sending the answer to GET {path}") from exc
            raise _Dropped(AnswerCutOff(f"{where} broke off its answer to GET {path}: {exc}")) from exc
        finally:
            raw.release_conn()
        return HttpResult(response.status_code, b"".join(chunks), response.headers.get("Content-Type"), path)

    def close(self) -> None:
        with self._lock:
            self._http.close()
            self._pool.close()

    def __enter__(self) -> MeterTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Dropped(Exception):
    """The connection dropped before a complete answer. On a kept-alive connection (the meter's idle close racing
    our request) the GET is repeated once on a new one; on a connection just opened ``error`` is raised at once
    (the meter struggles: the caller pauses rather than reconnecting)."""

    def __init__(self, error: MeterError) -> None:
        super().__init__(str(error))
        self.error = error
