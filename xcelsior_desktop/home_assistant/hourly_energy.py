"""The history store's energy, hour by hour (UTC hours, as Home Assistant's long-term statistics keep them).

From the store's resolved view (the meter's 15-minute slots, and imported files where the meter has none). An
hour's figure in a direction is the sum of the intervals inside it that have a value in that direction; an hour
with no such interval is not in the result at all (a gap stays a gap, never a zero). An interval longer than an
hour (a Green Button file's days) or across an hour's edge cannot be told hour by hour: its hours are left out and
counted in :attr:`HourlyEnergy.unsplittable`, never spread into made-up hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from xcelsior_desktop.energy.store import HistoryStore, from_seconds, utc_seconds

HOUR_S = 3600
IMPORTED = "imported"
EXPORTED = "exported"


@dataclass
class HourlyEnergy:
    """Wh per UTC hour start, per direction; and the hours that only long intervals cover."""

    wh: dict[str, dict[dt.datetime, float]] = field(default_factory=lambda: {IMPORTED: {}, EXPORTED: {}})
    covered_s: dict[str, dict[dt.datetime, int]] = field(default_factory=lambda: {IMPORTED: {}, EXPORTED: {}})
    unsplittable: set[dt.datetime] = field(default_factory=set)

    def complete(self, direction: str, hour: dt.datetime) -> bool:
        return self.covered_s[direction].get(hour, 0) >= HOUR_S


def hour_start(instant: dt.datetime) -> dt.datetime:
    return from_seconds(utc_seconds(instant) // HOUR_S * HOUR_S)


def hourly_energy(store: HistoryStore, start: dt.datetime | None = None, end: dt.datetime | None = None) -> HourlyEnergy:
    """The whole hours in [start, end) (both rounded down to an hour; None: from the first, to the last)."""
    lo = hour_start(start) if start is not None else None
    hi = hour_start(end) if end is not None else None
    out = HourlyEnergy()
    for interval in store.intervals(lo, hi):
        first = utc_seconds(interval.start)
        hour = first // HOUR_S * HOUR_S
        if first + interval.duration_s > hour + HOUR_S:
            for spanned in range(hour, first + interval.duration_s, HOUR_S):
                out.unsplittable.add(from_seconds(spanned))
            continue
        key = from_seconds(hour)
        for direction, value in ((IMPORTED, interval.imported_wh), (EXPORTED, interval.exported_wh)):
            if value is None:
                continue
            out.wh[direction][key] = out.wh[direction].get(key, 0.0) + value
            out.covered_s[direction][key] = out.covered_s[direction].get(key, 0) + interval.duration_s
    for direction in (IMPORTED, EXPORTED):  # an hour one long interval touches cannot be told apart either
        for hour_key in out.unsplittable:
            out.wh[direction].pop(hour_key, None)
            out.covered_s[direction].pop(hour_key, None)
    return out
