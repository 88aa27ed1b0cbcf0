"""What the charts and the tariff pricing need of an energy interval. Qt-free.

A read-only :class:`typing.Protocol`, so the history store's ``EnergyInterval``, the client's slots adapted to it
and test doubles built from the simulator all fit without a common base class. None = unknown (a gap), never 0.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class IntervalLike(Protocol):
    @property
    def start(self) -> dt.datetime: ...
    @property
    def duration_s(self) -> int: ...
    @property
    def imported_wh(self) -> float | None: ...
    @property
    def exported_wh(self) -> float | None: ...
