"""The session's one client to the meter: made on demand, closed so the meter is ready for the next one, aborted
from any thread when the app quits.

Qt-free. The meter serves one TLS connection at a time and closes an idle one after about 30 s; a second
connection while the first is still open on the meter's side is refused as busy. So whoever needs the meter (live
polling, a job, a probe with another identity) goes through this one object, and a client is always released
(the meter has closed its side) before the next one connects.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from xcelsior_desktop.meter.profile import MeterProfile
from xcelsior_desktop.meter.transport import ProbeResult, TransportStats
from xcelsior_desktop.meter.values import DeviceInfo, IntervalEnergy, Measurement, Registers
from xcelsior_desktop.session.target import MeterTarget

log = logging.getLogger(__name__)
T = TypeVar("T")


class MeterClientLike(Protocol):
    """What the session needs of :class:`~xcelsior_desktop.meter.client.MeterClient` (tests may pass others)."""

    @property
    def meter_lfdi(self) -> str | None: ...
    @property
    def stats(self) -> TransportStats: ...
    @property
    def cached_profile(self) -> MeterProfile | None: ...
    def probe(self) -> ProbeResult: ...
    def read_demand(self) -> Measurement: ...
    def read_registers(self, *, include_tou: bool = True) -> Registers: ...
    def intervals(self, since: dt.datetime, *, max_sets: int = 64) -> list[IntervalEnergy]: ...
    def device_info(self) -> DeviceInfo: ...
    def ensure_profile(self, refresh: bool = False) -> MeterProfile: ...
    def port_answers(self, timeout: float | None = None) -> bool: ...
    @property
    def profile_relearned(self) -> int: ...
    def abort(self) -> None: ...
    def release(self) -> None: ...
    def close(self) -> None: ...


class ProfileStore(Protocol):
    """Where a learned meter profile is kept between runs (session/profile_cache.py ProfileCache)."""

    def load(self, meter_lfdi: str | None) -> MeterProfile | None: ...
    def firmware(self, meter_lfdi: str | None) -> str | None: ...
    def save(self, profile: MeterProfile, firmware: str | None) -> None: ...
    def clear(self) -> None: ...


@dataclass(frozen=True)
class SessionOptions:
    """How the session talks to the meter (not which meter: that is the target)."""

    interval_s: float = 5.0
    register_interval_s: float = 60.0
    connect_timeout: float = 5.0
    handshake_timeout: float = 15.0
    read_timeout: float = 10.0
    read_history: bool = True  # the 15-minute history (read by the history reader, when one is installed)
    live: bool = True  # False: no polling, only the jobs it is given (a command-line read)


ClientFactory = Callable[[MeterTarget, SessionOptions, "ProfileStore | None"], MeterClientLike]


def default_client_factory(target: MeterTarget, options: SessionOptions,
                           profiles: ProfileStore | None) -> MeterClientLike:
    from xcelsior_desktop.meter.client import MeterClient

    assert target.identity is not None and target.host is not None
    return MeterClient(
        target.host,
        target.port,
        identity=target.identity,
        meter_lfdi=target.meter_lfdi,
        connect_timeout=options.connect_timeout,
        handshake_timeout=options.handshake_timeout,
        read_timeout=options.read_timeout,
        profile=profiles.load(target.meter_lfdi) if profiles is not None else None,
    )


class MeterConnection:
    """The one client of a session. Used from the stepping thread, except :meth:`abort` (any thread)."""

    def __init__(self, factory: ClientFactory = default_client_factory, profiles: ProfileStore | None = None) -> None:
        self._factory = factory
        self._profiles = profiles
        self._client: MeterClientLike | None = None
        self._in_flight: MeterClientLike | None = None  # the client a blocked request may be waiting on
        self._lock = threading.Lock()
        self._aborted = threading.Event()
        self.requests_sent = 0  # GETs sent by the clients made here (bench)

    @property
    def client(self) -> MeterClientLike | None:
        return self._client

    def ensure(self, target: MeterTarget, options: SessionOptions) -> MeterClientLike:
        """The open client, or a new one for ``target`` (it connects at its first request)."""
        if self._client is None:
            self._client = self._factory(target, options, self._profiles)
            self.set_in_flight(self._client)
            if self._aborted.is_set():
                self._client.abort()
        return self._client

    def use(self, target: MeterTarget, options: SessionOptions, work: Callable[[MeterClientLike], T], *,
            sent: Callable[[int], None] | None = None) -> T:
        """Run ``work`` with the client. The GETs it sent are counted (into :attr:`requests_sent`, and given to
        ``sent``) even when it raises."""
        client = self.ensure(target, options)
        before = client.stats.requests
        try:
            return work(client)
        finally:
            gets = client.stats.requests - before
            self.requests_sent += gets
            if sent is not None:
                sent(gets)

    def drop(self) -> None:
        """Close the client (the next request makes a new one)."""
        client, self._client = self._client, None
        self.set_in_flight(None)
        self.close(client)

    def set_in_flight(self, client: MeterClientLike | None) -> None:
        with self._lock:
            self._in_flight = client

    def close(self, client: MeterClientLike | None) -> None:
        """Close a client's connection; unless quitting, wait for the meter to close its side first, so that
        the next connection (ours, a probe's) never meets the old one still open on the meter."""
        if client is None:
            return
        try:
            if not self._aborted.is_set():
                client.release()
        except Exception:  # noqa: BLE001 - a broken connection has nothing to release
            log.debug("releasing the meter connection failed", exc_info=True)
        try:
            client.close()
        except Exception:  # noqa: BLE001 - closing a broken connection must not break the session
            log.debug("closing the meter client failed", exc_info=True)

    def abort(self) -> None:
        """Any thread: make a blocked request fail now, and every later one (quitting)."""
        self._aborted.set()
        with self._lock:
            client = self._in_flight
        if client is not None:
            client.abort()
