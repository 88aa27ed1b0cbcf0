"""Clocks the tests inject and move by hand: a meter's (or checker's) wall clock that stands still, and the pair of
monotonic and wall clocks a loop stepped by the test runs on. No test waits on real time through them."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable


class FixedClock:
    """Unix seconds ``t``, unchanged until the test moves it (``clock.t += 60``); call it to read it."""

    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def utc(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.t, dt.UTC)


class SteppedClock:
    """Monotonic and wall seconds for a loop stepped by the test; :meth:`advance` moves both.

    ``wall=None`` starts at the real time (for a simulator whose clock is this wall clock)."""

    def __init__(self, mono: float = 1000.0, wall: float | None = None) -> None:
        self.mono = mono
        self.wall = time.time() if wall is None else wall

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += seconds

    def step_until(self, step: Callable[[], float | None], done: Callable[[], bool], steps: int = 50) -> None:
        """Drive a loop stepped on these clocks the way the app's meter thread drives its session: ``step()`` runs
        what is due and says how long until the next due time (None: nothing due, so a second), then both clocks
        jump there; until ``done()``, or AssertionError after ``steps`` steps."""
        for _ in range(steps):
            wait = step()
            if done():
                return
            self.advance(wait if wait is not None else 1.0)
        raise AssertionError(f"the stepped loop did not get there in {steps} steps")
