"""Clocks the tests inject and move by hand: a meter's (or checker's) wall clock that stands still, and the pair of
monotonic and wall clocks a loop stepped by the test runs on. No test waits on real time through them."""

from __future__ import annotations

import datetime as dt
import time


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
