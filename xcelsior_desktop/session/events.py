"""What a meter session tells its listeners, and the one typed path that carries it.

Qt-free. The session publishes each event on its :class:`EventBus`, on the thread that steps the session (the app's
meter thread). Listeners subscribe by event class and receive that class, so a listener's type says what it gets:
``bus.on(DemandRead, store_demand)``. The history recorder listens here directly (on the meter thread); the app's
GUI side (app/session_events.py) listens once for everything and replays each event, still typed, on the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from xcelsior_desktop.meter.values import DeviceInfo, Measurement, Registers
from xcelsior_desktop.session.poller import Status
from xcelsior_desktop.session.target import MeterTarget

if TYPE_CHECKING:
    from xcelsior_desktop.energy.totals import Energy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemandRead:
    """A trusted demand reading (an untrusted one is a :class:`ReadingFlagged`)."""

    measurement: Measurement


@dataclass(frozen=True)
class RegistersRead:
    """The energy registers; a register that failed the plausibility check is None (a gap), never a guess."""

    registers: Registers


@dataclass(frozen=True)
class TodayChanged:
    """Today so far, from the history store (the one energy function, energy/totals.py)."""

    today: Energy


@dataclass(frozen=True)
class DeviceInfoRead:
    info: DeviceInfo


@dataclass(frozen=True)
class StateChanged:
    """The connection's state changed (connected, unreachable, busy, paused ...), with what to tell the user."""

    status: Status


@dataclass(frozen=True)
class ReadingFlagged:
    """A reading the meter served that cannot be trusted (session/plausibility.py): never fed to alerts or the
    history. ``what`` is "demand" or "registers"; ``label`` is what the window shows, ``reason`` the sentence."""

    what: str
    label: str
    reason: str


@dataclass(frozen=True)
class TargetChanged:
    """The target changed (setup, renewal, the meter pinned, discovery found it, Settings): save it, show it."""

    target: MeterTarget
    previous: MeterTarget


@dataclass(frozen=True)
class MeterPinned:
    """First contact with a meter: its LFDI is now the pin (follows the :class:`TargetChanged` that carries it)."""

    lfdi: str


@dataclass(frozen=True)
class LocateRequested:
    """Run discovery for ``sfdi`` (None: any meter) and answer with a ``Located`` command."""

    sfdi: int | None


@dataclass(frozen=True)
class RequestFailed:
    """A request to the meter failed: ``task`` (demand, registers ...) and the technical detail for the log."""

    task: str
    detail: str


Event = (DemandRead | RegistersRead | TodayChanged | DeviceInfoRead | StateChanged | TargetChanged | MeterPinned
         | LocateRequested | RequestFailed | ReadingFlagged)
E = TypeVar("E", bound=Event)
Unsubscribe = Callable[[], None]


class EventBus:
    """Listeners by event class, called in the order they subscribed, on the publishing thread.

    Subscribing and unsubscribing are safe from any thread. A listener that raises is logged and the others still
    run: one plug-in's bug must not stop the meter.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_kind: dict[type[Any], list[Callable[[Any], None]]] = {}
        self._every: list[Callable[[Event], None]] = []

    def on(self, kind: type[E], listener: Callable[[E], None]) -> Unsubscribe:
        """``listener(event)`` for each event of class ``kind``; returns the call that unsubscribes it."""
        with self._lock:
            self._by_kind.setdefault(kind, []).append(listener)
        return lambda: self._remove(self._by_kind.get(kind, []), listener)

    def on_any(self, listener: Callable[[Event], None]) -> Unsubscribe:
        """``listener(event)`` for every event, after the listeners of its class (logs, bridges to other threads)."""
        with self._lock:
            self._every.append(listener)
        return lambda: self._remove(self._every, listener)

    def publish(self, event: Event) -> None:
        with self._lock:
            listeners = [*self._by_kind.get(type(event), ()), *self._every]
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # noqa: BLE001 - one listener's bug must not stop the others or the meter
                log.exception("a listener failed on %s", type(event).__name__)

    def _remove(self, listeners: list[Any], listener: Any) -> None:
        with self._lock:
            if listener in listeners:
                listeners.remove(listener)


def all_of(*subscriptions: Unsubscribe) -> Unsubscribe:
    """One call that undoes several subscriptions (a listener that attached to several event classes)."""

    def undo() -> None:
        for unsubscribe in subscriptions:
            unsubscribe()

    return undo
