"""Energy of today (local day) from the history store: its slots, plus the register delta since the newest slot.

Qt-free; one source of truth for "today" outside the Live tab (the daily budget alert, the cost panel). The
figure is the sum of today's stored intervals (the meter's 15-minute slots, or any source the resolved view
keeps) plus what the import/export registers moved since the end of the newest one; the register value at that
end is interpolated between the two register readings around it (the store's, plus the newest one given).
Nothing is invented: missing slots are counted in ``missing_s`` and not filled; without a register reading on
both sides of the newest slot's end the tail is left out and ``tail_s`` is 0 (the figure then stops at
``counted_until``).
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from xcelsior_desktop.services.history import periods
from xcelsior_desktop.services.history.store import EnergyInterval, HistoryStore, RegisterReading

MAX_BRACKET_S = 1800.0  # register readings further apart than this around the slot end do not give its value


@dataclass(frozen=True)
class EnergyToday:
    day: dt.date
    midnight: dt.datetime  # UTC
    imported_wh: float
    exported_wh: float
    slots: tuple[EnergyInterval, ...]  # today's stored intervals, oldest first
    counted_until: dt.datetime  # UTC: the figure covers [midnight, counted_until)
    tail_imported_wh: float = 0.0  # the part from the registers after the newest slot
    tail_exported_wh: float = 0.0
    tail_s: float = 0.0
    missing_s: float = 0.0  # seconds between midnight and the newest slot's end with no interval

    @property
    def complete(self) -> bool:
        return self.missing_s < 1

    @property
    def tail_start(self) -> dt.datetime:
        return self.counted_until - dt.timedelta(seconds=self.tail_s)


def _value_at(readings: list[RegisterReading], when: dt.datetime) -> tuple[float, float] | None:
    """(imported, exported) Wh at ``when``, interpolated between the readings around it (None if none close)."""
    usable = [r for r in readings if r.imported_wh is not None and r.exported_wh is not None]
    times = [r.at.timestamp() for r in usable]
    t = when.timestamp()
    i = bisect.bisect_left(times, t)
    if i < len(times) and times[i] == t:
        r = usable[i]
        assert r.imported_wh is not None and r.exported_wh is not None
        return r.imported_wh, r.exported_wh
    if i == 0 or i >= len(times) or times[i] - times[i - 1] > MAX_BRACKET_S:
        return None
    a, b = usable[i - 1], usable[i]
    assert a.imported_wh is not None and a.exported_wh is not None
    assert b.imported_wh is not None and b.exported_wh is not None
    f = (t - times[i - 1]) / (times[i] - times[i - 1])
    return a.imported_wh + f * (b.imported_wh - a.imported_wh), a.exported_wh + f * (b.exported_wh - a.exported_wh)


def energy_today(store: HistoryStore, now: dt.datetime, tz: dt.tzinfo | None = None,
                 latest: RegisterReading | None = None) -> EnergyToday:
    """Today's energy as of ``now`` (aware). ``latest``: the newest register reading, if the store may lack it."""
    local = now.astimezone(tz) if tz is not None else now.astimezone()
    day = local.date()
    midnight = periods.local_midnight(day, tz)
    slots = [s for s in store.intervals(midnight, now) if s.end <= now]
    imported = sum(s.imported_wh or 0.0 for s in slots)
    exported = sum(s.exported_wh or 0.0 for s in slots)
    covered = sum(s.duration_s for s in slots)
    until = max((s.end for s in slots), default=midnight)
    missing = max(0.0, (until - midnight).total_seconds() - covered)
    readings = store.register_readings(until - dt.timedelta(seconds=MAX_BRACKET_S), now + dt.timedelta(seconds=1))
    if latest is not None and latest.at <= now and all(r.at != latest.at for r in readings):
        readings = sorted([*readings, latest], key=lambda r: r.at)
    newest = next((r for r in reversed(readings) if r.imported_wh is not None and r.exported_wh is not None), None)
    at_until = _value_at(readings, until)
    if newest is None or at_until is None or newest.at <= until:
        return EnergyToday(day, midnight, imported, exported, tuple(slots), until, missing_s=missing)
    assert newest.imported_wh is not None and newest.exported_wh is not None
    tail_in = max(0.0, newest.imported_wh - at_until[0])
    tail_out = max(0.0, newest.exported_wh - at_until[1])
    return EnergyToday(day, midnight, imported + tail_in, exported + tail_out, tuple(slots), newest.at,
                       tail_in, tail_out, (newest.at - until).total_seconds(), missing)
