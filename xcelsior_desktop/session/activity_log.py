"""What the meter session did, in the log: one line per change of state, a summary every hour, and readings the app
did not trust said once (then once an hour while they go on), never at every poll.

Qt-free: a session listener (it runs on the meter thread). The log is where a user or a developer looks when the
tray showed something odd hours ago; it should say that polling went on, not repeat the same warning 700 times an
hour.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from xcelsior_desktop.common.throttle import REPEAT_EVERY_S, Throttle
from xcelsior_desktop.session.events import (
    DemandRead,
    EventBus,
    ReadingFlagged,
    RequestFailed,
    StateChanged,
    Unsubscribe,
    all_of,
)

log = logging.getLogger("xcelsior_desktop.activity")

SUMMARY_EVERY_S = 3600.0


def activity_logger(role: str) -> logging.Logger:
    """The log's name for a meter's lines: the net meter's as ever, the solar meter's beside it."""
    return log if role == "net" else logging.getLogger(f"{log.name}.{role}")


class ActivityLog:
    """Listens to a session's events: ``ActivityLog().attach(session.events)``."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, summary_every_s: float = SUMMARY_EVERY_S,
                 logger: logging.Logger = log) -> None:
        self._clock = clock
        self._log = logger
        self._every = summary_every_s
        self._flags = Throttle(REPEAT_EVERY_S, clock)
        self._since = clock()
        self._state: str | None = None
        self._reads = 0
        self._failures = 0
        self._flagged = 0
        self._last_reading: tuple[float, dt.datetime] | None = None

    def attach(self, events: EventBus) -> Unsubscribe:
        return all_of(
            events.on(StateChanged, self._state_changed),
            events.on(DemandRead, self._demand),
            events.on(RequestFailed, self._failed),
            events.on(ReadingFlagged, self._flagged_reading),
            events.on_any(lambda _event: self._maybe_summarise()),
        )

    def _state_changed(self, event: StateChanged) -> None:
        status = event.status
        if status.state.value != self._state:
            self._state = status.state.value
            detail = f": {status.detail}" if status.detail else ""
            self._log.info("meter %s%s", status.state.value, detail)

    def _demand(self, event: DemandRead) -> None:
        self._reads += 1
        self._last_reading = (float(event.measurement.value), event.measurement.timestamp)

    def _failed(self, _event: RequestFailed) -> None:
        self._failures += 1

    def _flagged_reading(self, event: ReadingFlagged) -> None:
        self._flagged += 1
        if self._flags.due(f"{event.what}:{event.label}"):
            self._log.warning("%s reading not used (%s): %s; said again in an hour if it goes on", event.what,
                              event.label, event.reason)

    def _maybe_summarise(self) -> None:
        now = self._clock()
        if now - self._since < self._every:
            return
        minutes = (now - self._since) / 60
        last = "none"
        if self._last_reading is not None:
            watts, at = self._last_reading
            last = f"{watts:.0f} W at {at.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}"
        self._log.info("polling in the last %.0f min: %d readings, %d failed requests, %d readings not used; "
                       "last reading %s; meter %s", minutes, self._reads, self._failures, self._flagged, last,
                       self._state or "not contacted yet")
        self._since = now
        self._reads = self._failures = self._flagged = 0
