"""Waiting for something another thread or process does: the one helper every test uses."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout: float = 10.0, what: str = "condition", *,
               every: float = 0.02, pause: Callable[[float], object] = time.sleep,
               gave_up: Callable[[], bool] = lambda: False) -> T:
    """Return ``condition()``'s first true value as soon as there is one; AssertionError naming ``what`` after ``timeout`` seconds, or at
    once when ``gave_up()`` says the thing being waited for has ended. ``pause`` waits between looks (a Qt test
    passes one that runs the event loop)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline or gave_up():
            raise AssertionError(f"timed out waiting for {what}")
        pause(every)
    return value
