"""Today's energy so far, read from the history store: the one figure the window, the daily budget alert and
anyone else shows as "today".

Qt-free. The store's slots of today (the meter's 15-minute history, or another source's intervals where the meter
has none) plus the register delta since the newest slot, computed by :func:`services.today.today_so_far` (the
same rules: a gap is never counted as zero, the figure says what it is based on).

:func:`energy_today_by_slot` gives the same day slot by slot (today's stored intervals plus the register tail
after the newest one), for whoever prices each slot (the cost overview): it sums every stored slot, says how many
seconds are missing (``missing_s``) and leaves a gap unfilled; without a register reading on both sides of the
newest slot's end (at most :data:`MAX_BRACKET_S` apart) the tail is left out and ``tail_s`` is 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xcelsior_desktop.meter.values import IntervalEnergy
from xcelsior_desktop.services.history.store import EnergyInterval, HistoryStore, RegisterReading
from xcelsior_desktop.services.today import (
    KEEP_BEFORE_MIDNIGHT_S,
    RegisterSample,
    TodaySoFar,
    local_midnight,
    next_midnight,
    register_at,
    today_so_far,
)

MAX_BRACKET_S = 1800.0  # register readings further apart than this around the slot end do not give its value


def as_interval_energy(interval: EnergyInterval) -> IntervalEnergy:
    """A stored interval in the client's terms (delivered = imported, received = exported)."""
    return IntervalEnergy(start=interval.start, duration_s=interval.duration_s,
                          delivered_wh=interval.imported_wh, received_wh=interval.exported_wh)


def usable_samples(readings: list[RegisterReading]) -> list[RegisterSample]:
    """The readings with both registers, as register samples (same order)."""
    return [RegisterSample(r.at, r.imported_wh, r.exported_wh) for r in readings
            if r.imported_wh is not None and r.exported_wh is not None]


def register_samples(store: HistoryStore, start: dt.datetime, end: dt.datetime) -> list[RegisterSample]:
    return usable_samples(store.register_readings(start, end))


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


@dataclass(frozen=True)
class EnergyToday:
    """Today's energy slot by slot: what :func:`energy_today_by_slot` gives to price each slot."""

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


def energy_today_by_slot(store: HistoryStore, now: dt.datetime, tz: dt.tzinfo | None = None,
                         latest: RegisterReading | None = None) -> EnergyToday:
    """Today's energy as of ``now`` (aware), slot by slot. ``latest``: the newest register reading, if the store
    may lack it."""
    midnight = local_midnight(now, tz)
    day = now.astimezone(tz).date() if tz is not None else now.astimezone().date()
    slots = [s for s in store.intervals(midnight, now) if s.end <= now]
    imported = sum(s.imported_wh or 0.0 for s in slots)
    exported = sum(s.exported_wh or 0.0 for s in slots)
    covered = sum(s.duration_s for s in slots)
    until = max((s.end for s in slots), default=midnight)
    missing = max(0.0, (until - midnight).total_seconds() - covered)
    readings = store.register_readings(until - dt.timedelta(seconds=MAX_BRACKET_S), now + dt.timedelta(seconds=1))
    if latest is not None and latest.at <= now and all(r.at != latest.at for r in readings):
        readings = sorted([*readings, latest], key=lambda r: r.at)
    samples = usable_samples(readings)
    at_until = register_at(samples, [s.at.timestamp() for s in samples], until.timestamp())
    if not samples or at_until is None or at_until[0] > MAX_BRACKET_S or samples[-1].at <= until:
        return EnergyToday(day, midnight, imported, exported, tuple(slots), until, missing_s=missing)
    newest = samples[-1]
    tail_in = max(0.0, newest.delivered_wh - at_until[1][0])
    tail_out = max(0.0, newest.received_wh - at_until[1][1])
    return EnergyToday(day, midnight, imported + tail_in, exported + tail_out, tuple(slots), newest.at,
                       tail_in, tail_out, (newest.at - until).total_seconds(), missing)
