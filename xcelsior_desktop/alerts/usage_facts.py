"""What the usage rules of the alert engine look at: the month's 15-minute peak beside the quarter hour in progress,
and the always-on baseline now beside a week ago. Qt-free; from the store through the same functions the Overview
shows (energy/peaks.py, energy/baseline.py), in the home zone.

:class:`UsageFacts` is plain data (engine tests give it directly); :class:`UsageFactsSource` works it out, the
peak once a minute, the always-on (two 48-hour windows of minute averages) every 15 minutes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from xcelsior_desktop.energy.baseline import always_on, solar_hours_of
from xcelsior_desktop.energy.errors import HistoryError
from xcelsior_desktop.energy.peaks import month_peak, quarter_now
from xcelsior_desktop.energy.store import HistoryStore

log = logging.getLogger(__name__)

PEAK_EVERY_S = 60.0
ALWAYS_ON_EVERY_S = 15 * 60.0
WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class UsageFacts:
    at: float  # unix seconds
    month_peak_w: float | None  # the month's highest 15-minute import (W)
    month_peak_at: float | None
    month_days: int  # days of the month with slots
    quarter_w: float | None  # the quarter hour in progress, its average import so far
    quarter_elapsed_s: float
    always_on_w: float | None  # the baseline of the last 48 hours
    always_on_week_ago_w: float | None  # ... of the 48 hours that ended a week ago


class UsageFactsSource:
    """Callable(now unix s) -> UsageFacts | None for :meth:`AlertEngine.set_usage_source`."""

    def __init__(self, store: Callable[[], HistoryStore | None], *, zone: dt.tzinfo) -> None:
        self._store = store
        self.zone = zone
        self._peak: tuple[float, tuple[float | None, float | None, int, float | None, float]] | None = None
        self._always_on: tuple[float, tuple[float | None, float | None]] | None = None

    def __call__(self, now: float) -> UsageFacts | None:
        store = self._store()
        if store is None:
            return None
        when = dt.datetime.fromtimestamp(now, dt.UTC)
        try:
            if self._peak is None or not 0 <= now - self._peak[0] < PEAK_EVERY_S:
                peak = month_peak(store, when, self.zone)
                quarter = quarter_now(store, when)
                self._peak = (now, (peak.watts, peak.at.timestamp() if peak.at else None, peak.days_with_data,
                                    quarter.watts, quarter.elapsed_s))
            if self._always_on is None or not 0 <= now - self._always_on[0] < ALWAYS_ON_EVERY_S:
                solar = solar_hours_of(store, when, self.zone)
                self._always_on = (now, (always_on(store, when, zone=self.zone, solar=solar).watts,
                                         always_on(store, when - WEEK, zone=self.zone, solar=solar).watts))
        except HistoryError as exc:
            log.warning("alerts: the history store could not be read: %s", exc)
            return None
        peak_w, peak_at, days, quarter_w, elapsed = self._peak[1]
        return UsageFacts(now, peak_w, peak_at, days, quarter_w, elapsed, *self._always_on[1])
