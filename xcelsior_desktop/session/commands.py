"""What anyone may ask of a meter session: typed commands, queued from any thread and run on the session's own.

Qt-free. Send them with ``MeterSession.post`` (the app: ``shell.send``). Probes and jobs carry a Future that
resolves when the session has run them.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from xcelsior_desktop.meter.errors import MeterError, Unreachable
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.meter.transport import ProbeResult
from xcelsior_desktop.session.target import MeterTarget

if TYPE_CHECKING:
    from xcelsior_desktop.energy.totals import Energy
    from xcelsior_desktop.session.connection import MeterClientLike
    from xcelsior_desktop.session.events import EventBus, Unsubscribe


@dataclass(frozen=True)
class SetTarget:
    """Use this target from the next request (setup finished, activation accepted, renewal switched)."""

    target: MeterTarget


@dataclass(frozen=True)
class SetIdentity:
    """A new certificate (or none); the meter stays the same. ``registered``: the meter already accepted it."""

    identity: Identity | None
    registered: bool = False


@dataclass(frozen=True)
class SetAddress:
    """The address changed in Settings: ``host`` None with ``automatic`` = find it by discovery."""

    host: str | None
    port: int
    automatic: bool


@dataclass(frozen=True)
class Located:
    """Discovery's answer: the meter's (host, port), or None when nothing answered."""

    address: tuple[str, int] | None


@dataclass(frozen=True)
class Pause:
    paused: bool


@dataclass(frozen=True)
class SetInterval:
    seconds: float


@dataclass(frozen=True)
class Refresh:
    """Read demand now (the window opened); still subject to back-off."""


@dataclass(frozen=True)
class RetryNow:
    """The user asked to try again now: back-off forgotten."""


@dataclass(eq=False)
class Probe:
    """Handshake with another identity through the session's one connection; ``result`` resolves to a
    ProbeResult or the error. ``meter_lfdi`` pins the meter (a renewal); None while learning it."""

    identity: Identity
    host: str
    port: int
    meter_lfdi: str | None = None
    result: concurrent.futures.Future[ProbeResult] = field(default_factory=concurrent.futures.Future)


@dataclass(eq=False)
class Job:
    """Work that needs the meter connection but is not live polling (backfill, interval reads).

    ``step(client)`` does a small slice (a GET or two) and returns True while there is more to do; the session
    runs one slice whenever no live task is due, so the tray's watts are never late because of a job.
    ``result`` resolves when the job ends (True) or fails (the error).
    """

    name: str
    step: Callable[[MeterClientLike], bool]
    result: concurrent.futures.Future[bool] = field(default_factory=concurrent.futures.Future)
    requests: int = 0  # GETs its slices sent so far (counted by the session)


class HistoryReader(Protocol):
    """Who keeps the meter's 15-minute history (session/history_recorder.py): it listens to the session's events,
    is asked for a job whenever the INTERVALS task is due, and says what today is so far (the one energy function
    over the store, energy/totals.py)."""

    def attach(self, events: EventBus) -> Unsubscribe: ...
    def recent(self) -> Job | None: ...
    def today(self) -> Energy | None: ...


@dataclass(frozen=True)
class UseHistory:
    """From now on ``reader`` reads the 15-minute history (through Jobs on this session's connection) and says
    what today is; nothing else reads the meter's history. ``None``: no history is read."""

    reader: HistoryReader | None


Command = (SetTarget | SetIdentity | SetAddress | Located | Pause | SetInterval | Refresh | RetryNow | Probe | Job
           | UseHistory)


def quitting_error() -> MeterError:
    return Unreachable("the session is stopping", user_message="The app is quitting.")


def fail(command: Probe | Job, error: BaseException) -> None:
    """Resolve a waiting probe's or job's Future with ``error`` (unless it already ended)."""
    future: concurrent.futures.Future[Any] = command.result
    if not future.done():
        future.set_exception(error)
