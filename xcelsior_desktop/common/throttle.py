"""Say a thing once, then again only after a while: the log's defence against a warning at every poll."""

from __future__ import annotations

import time
from collections.abc import Callable

REPEAT_EVERY_S = 3600.0


class Throttle:
    """``due(key)``: True the first time for ``key``, then again only ``every_s`` after the last True."""

    def __init__(self, every_s: float = REPEAT_EVERY_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.every_s = every_s
        self._clock = clock
        self._last: dict[str, float] = {}

    def due(self, key: str) -> bool:
        now = self._clock()
        last = self._last.get(key)
        if last is not None and now - last < self.every_s:
            return False
        self._last[key] = now
        return True
