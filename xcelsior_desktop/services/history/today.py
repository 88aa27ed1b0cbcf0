"""Today's energy so far, read from the history store: the one figure the window, the daily budget alert and
anyone else shows as "today".

Qt-free. The store's slots of today (the meter's 15-minute history, or another source's intervals where the meter
has none) plus the register delta since the newest slot, computed by :func:`services.today.today_so_far` (the
same rules: a gap is never counted as zero, the figure says what it is based on).
"""

from __future__ import annotations

import datetime as dt

from xcelsior_desktop.meter.values import IntervalEnergy
from xcelsior_desktop.services.history.store import EnergyInterval, HistoryStore
from xcelsior_desktop.services.today import (
    KEEP_BEFORE_MIDNIGHT_S,
    RegisterSample,
    TodaySoFar,
    local_midnight,
    next_midnight,
    today_so_far,
)


def as_interval_energy(interval: EnergyInterval) -> IntervalEnergy:
    """A stored interval in the client's terms (delivered = imported, received = exported)."""
    return IntervalEnergy(start=interval.start, duration_s=interval.duration_s,
                          delivered_wh=interval.imported_wh, received_wh=interval.exported_wh)


def register_samples(store: HistoryStore, start: dt.datetime, end: dt.datetime) -> list[RegisterSample]:
    return [RegisterSample(r.at, r.imported_wh, r.exported_wh) for r in store.register_readings(start, end)
            if r.imported_wh is not None and r.exported_wh is not None]


def energy_today(store: HistoryStore, now: dt.datetime, tz: dt.tzinfo | None = None) -> TodaySoFar | None:
    """Energy of the local day that contains ``now`` (the meter's time), as of the newest register reading stored
    at or before ``now``. None when the store has no register reading of today yet (nothing to say)."""
    midnight = local_midnight(now, tz)
    until = min(now + dt.timedelta(milliseconds=1), next_midnight(midnight, tz))
    samples = register_samples(store, midnight - dt.timedelta(seconds=KEEP_BEFORE_MIDNIGHT_S), until)
    if not any(s.at >= midnight for s in samples):
        return None
    slots = [as_interval_energy(iv) for iv in store.intervals(midnight, until)]
    return today_so_far(slots, samples, tz=tz)
