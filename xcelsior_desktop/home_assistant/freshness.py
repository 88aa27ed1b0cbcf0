"""Whether the meter's readings are current: the state of the feed's ``fresh`` topic. Qt-free, clock injected.

Fresh means a trusted demand reading arrived recently and nothing since says otherwise. Not fresh:

- before the first trusted reading, and after a reading the session did not trust (stale or suspect) until the
  next trusted one;
- while the session's state says the meter is away or refuses us (unreachable, certificate refused, another
  device at its address, no fresh readings, locating, not set up or registered, paused);
- while it is busy or reconnecting for more than one poll interval (a single busy answer is not an outage);
- when no trusted reading has come for :data:`SILENCE_POLLS` poll intervals (at least :data:`MIN_SILENCE_S`),
  whatever the state says: a stalled agent or a hung read is not current either.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from xcelsior_desktop.session.poller import State

NOT_FRESH_STATES = frozenset({State.UNREACHABLE, State.CERT_REFUSED, State.MISMATCH, State.STALE, State.LOCATING,
                              State.NO_IDENTITY, State.WAITING_REGISTRATION, State.PAUSED})
GRACE_STATES = frozenset({State.BUSY, State.CONNECTING})  # fresh for one more poll interval
SILENCE_POLLS = 3
MIN_SILENCE_S = 20.0


class Freshness:
    def __init__(self, poll_interval_s: float = 5.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.poll_interval_s = poll_interval_s
        self._good_at: float | None = None
        self._distrusted = False
        self._state: State | None = None
        self._state_since = 0.0

    @property
    def silence_s(self) -> float:
        return max(SILENCE_POLLS * self.poll_interval_s, MIN_SILENCE_S)

    def reading(self) -> None:
        """A trusted demand reading arrived now."""
        self._good_at = self._clock()
        self._distrusted = False

    def distrusted(self) -> None:
        """The session read demand but did not trust it (stale, suspect)."""
        self._distrusted = True

    def state(self, state: State) -> None:
        if state != self._state:
            self._state = state
            self._state_since = self._clock()

    def fresh(self) -> bool:
        now = self._clock()
        if self._good_at is None or self._distrusted or now - self._good_at > self.silence_s:
            return False
        if self._state in NOT_FRESH_STATES:
            return False
        return not (self._state in GRACE_STATES and now - self._state_since > self.poll_interval_s)

    def recheck_in(self) -> float | None:
        """Seconds until :meth:`fresh` may turn False by itself (None: only an event can change it)."""
        if not self.fresh() or self._good_at is None:
            return None
        now = self._clock()
        waits = [self._good_at + self.silence_s - now]
        if self._state in GRACE_STATES:
            waits.append(self._state_since + self.poll_interval_s - now)
        return max(0.0, min(waits))
