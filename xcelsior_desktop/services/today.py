"""Today's imported and exported energy since LOCAL midnight, from the meter's 15-minute history.

Qt-free. The figure is: the complete 15-minute slots of today from the meter's interval history, plus the register
delta since the end of the newest slot used (so it moves between slots). The register value at that slot boundary
is interpolated between the two register readings around it; right after launch there is no reading before the
boundary, so the minutes between the boundary and the first reading are estimated at the newest slot's average rate
(:attr:`TodaySoFar.estimated_s` says how long; the next slot replaces the estimate with the meter's own figure).

Missing slots are never counted as zero: with a gap in today's history the figure counts from the end of the last
gap, or from the app's first register reading today when that is earlier, and says so ("since HH:MM").
Slots are UTC-aligned; local midnight comes from the time zone (``tz=None``: the computer's), so 23- and 25-hour
DST days have 92 and 100 slots.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from xcelsior_desktop.meter.values import IntervalEnergy

SLOT_S = 900
MAX_ESTIMATE_S = SLOT_S + 120  # never estimate more than about one slot before the first reading
TIGHT_BRACKET_S = 180.0  # register readings this close around a slot boundary give its value well enough
KEEP_BEFORE_MIDNIGHT_S = 3600  # register readings kept from before midnight (to interpolate at 00:00)


def local_midnight(instant: dt.datetime, tz: dt.tzinfo | None = None) -> dt.datetime:
    """The local midnight that starts the day of ``instant`` (aware, in UTC). ``tz=None``: the computer's zone."""
    local = instant.astimezone(tz) if tz is not None else instant.astimezone()
    naive = dt.datetime.combine(local.date(), dt.time())
    start = naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()
    return start.astimezone(dt.UTC)


def next_midnight(midnight: dt.datetime, tz: dt.tzinfo | None = None) -> dt.datetime:
    """The midnight after ``midnight`` (23, 24 or 25 hours later on DST days)."""
    return local_midnight(midnight + dt.timedelta(hours=26), tz)


def _local(instant: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    return instant.astimezone(tz) if tz is not None else instant.astimezone()


def _hm(instant: dt.datetime, tz: dt.tzinfo | None) -> str:
    return _local(instant, tz).strftime("%H:%M")


class Basis(enum.StrEnum):
    HISTORY = "history"  # since local midnight: today's history is complete
    PARTIAL_HISTORY = "partial_history"  # since the end of the last gap in today's history
    REGISTERS = "registers"  # since the app's first register reading today (no usable history)


@dataclass(frozen=True)
class RegisterSample:
    """Register values at the meter's time of reading (the meter's clock, so the day follows the meter)."""

    at: dt.datetime
    delivered_wh: float
    received_wh: float

    @classmethod
    def of(cls, registers: Any) -> RegisterSample | None:
        """From a :class:`~xcelsior_desktop.meter.values.Registers`; None when a register is missing."""
        if registers.delivered_wh is None or registers.received_wh is None:
            return None
        at = registers.delivered_at or registers.received_at or registers.read_at
        return cls(at.astimezone(dt.UTC), float(registers.delivered_wh), float(registers.received_wh))


@dataclass(frozen=True)
class TodaySoFar:
    """Energy of today so far and what it is based on."""

    day: dt.date  # the local date
    basis: Basis
    since: dt.datetime  # UTC instant the figures count from (local midnight for HISTORY)
    as_of: dt.datetime  # UTC meter time of the newest register reading
    imported_wh: float
    exported_wh: float
    history_slots: int = 0  # complete slots of today taken from the meter's history
    missing: tuple[dt.datetime, ...] = ()  # starts (UTC) of today's slots the history lacks
    history_until: dt.datetime | None = None  # end of the newest slot used
    estimated_s: float = 0.0  # seconds whose energy is estimated (the first minutes after launch)
    reason: str = ""  # why the figure does not start at midnight
    tz: dt.tzinfo | None = field(default=None, compare=False)

    @property
    def net_wh(self) -> float:
        return self.imported_wh - self.exported_wh

    @property
    def complete(self) -> bool:
        """True when the figures cover the whole day since local midnight."""
        return self.basis is Basis.HISTORY

    def footnote(self) -> str:
        """One sentence for the window: what "today" is based on."""
        since = _hm(self.since, self.tz)
        if self.basis is Basis.HISTORY:
            text = "Today since midnight, from the meter's 15-minute history and its registers."
            if self.estimated_s >= 60 and self.history_until is not None:
                text += (f" The {round(self.estimated_s / 60)} min after {_hm(self.history_until, self.tz)} are "
                         "estimated until the meter's next 15-minute value.")
            return text
        if self.basis is Basis.PARTIAL_HISTORY:
            return (f"Today since {since} only: {missing_text(self.missing, self.tz)}, so earlier energy is not "
                    "counted.")
        return f"Today since {since}, from the meter's registers ({self.reason})."


def missing_text(missing: Sequence[dt.datetime], tz: dt.tzinfo | None = None) -> str:
    """'the meter's 15-minute history lacks 3 slots (09:00–09:45)' with local times, consecutive slots grouped."""
    ranges: list[tuple[dt.datetime, dt.datetime]] = []
    for start in sorted(missing):
        if ranges and (start - ranges[-1][1]).total_seconds() <= SLOT_S:
            ranges[-1] = (ranges[-1][0], start)
        else:
            ranges.append((start, start))
    shown = [_hm(a, tz) if a == b else f"{_hm(a, tz)}\u2013{_hm(b + dt.timedelta(seconds=SLOT_S), tz)}"
             for a, b in ranges[:3]]
    more = ", \u2026" if len(ranges) > 3 else ""
    n = len(missing)
    return f"the meter's 15-minute history lacks {n} slot{'s' if n != 1 else ''} ({', '.join(shown)}{more})"


def register_at(samples: Sequence[RegisterSample], times: Sequence[float],
                 when: float) -> tuple[float, tuple[float, float]] | None:
    """(width of the bracket in s, registers at ``when``) interpolated between the readings around it.

    None when there is no reading on both sides.
    """
    i = bisect.bisect_left(times, when)
    if i < len(times) and times[i] == when:
        return 0.0, (samples[i].delivered_wh, samples[i].received_wh)
    if i == 0 or i >= len(times):
        return None
    a, b = samples[i - 1], samples[i]
    f = (when - times[i - 1]) / (times[i] - times[i - 1])
    return times[i] - times[i - 1], (a.delivered_wh + f * (b.delivered_wh - a.delivered_wh),
                                     a.received_wh + f * (b.received_wh - a.received_wh))


def today_so_far(
    history: Iterable[IntervalEnergy] | None,
    samples: Iterable[RegisterSample],
    *,
    tz: dt.tzinfo | None = None,
    history_error: str | None = None,
) -> TodaySoFar | None:
    """Today's energy as of the newest register sample (None without any).

    ``history``: interval slots as read from the meter (None: not read, or the read failed: ``history_error``).
    """
    ordered = sorted(samples, key=lambda s: s.at)
    if not ordered:
        return None
    latest = ordered[-1]
    now = latest.at
    midnight = local_midnight(now, tz)
    end_of_day = next_midnight(midnight, tz)
    day = _local(now, tz).date()
    times = [s.at.timestamp() for s in ordered]
    first = next(s for s in ordered if s.at >= midnight)

    def from_registers(reason: str, missing: tuple[dt.datetime, ...] = ()) -> TodaySoFar:
        return TodaySoFar(day, Basis.REGISTERS, first.at, now,
                          max(0.0, latest.delivered_wh - first.delivered_wh),
                          max(0.0, latest.received_wh - first.received_wh),
                          missing=missing, reason=reason, tz=tz)

    if history is None:
        return from_registers(history_error or "the 15-minute history is not read yet")

    mid_s, now_s, eod_s = midnight.timestamp(), now.timestamp(), end_of_day.timestamp()
    slots: dict[float, IntervalEnergy] = {}
    for iv in history:
        start = iv.start.timestamp()
        inside = start >= mid_s and start + iv.duration_s <= min(now_s, eod_s) and iv.duration_s > 0
        if inside and iv.delivered_wh is not None and iv.received_wh is not None:
            slots[start] = iv
    newest_end = max((s + iv.duration_s for s, iv in slots.items()), default=mid_s)
    missing: list[float] = []
    run: list[IntervalEnergy] = []  # the complete slots after the last gap, oldest first
    t = mid_s
    while t < newest_end:
        found = slots.get(t)
        if found is None:
            missing.append(t)
            run = []
            t += SLOT_S
        else:
            run.append(found)
            t += found.duration_s
    missing_at = tuple(dt.datetime.fromtimestamp(m, dt.UTC) for m in missing)
    run_start = missing[-1] + SLOT_S if missing else mid_s
    if not slots and now_s - mid_s > 2 * SLOT_S:
        return from_registers("the meter's 15-minute history has nothing for today")

    # the boundary B to switch from history to registers: the newest one with readings close around it
    # (interpolation over a long pause would be poor; an older boundary with a tight bracket is exact enough)
    bounds = [run_start] + [iv.start.timestamp() + iv.duration_s for iv in run]
    chosen: tuple[int, tuple[float, float], float] | None = None
    best_width = float("inf")
    for k in range(len(bounds) - 1, -1, -1):
        at_b = register_at(ordered, times, bounds[k])
        if at_b is not None and at_b[0] < best_width:
            best_width, chosen = at_b[0], (k, at_b[1], 0.0)
            if best_width <= TIGHT_BRACKET_S:
                break
    if chosen is None and run:
        # after launch: no reading before the newest boundary; estimate back to it at the newest slot's rate
        b = bounds[-1]
        after = ordered[bisect.bisect_left(times, b)]
        hole = after.at.timestamp() - b
        if hole <= MAX_ESTIMATE_S:
            rate = run[-1]
            assert rate.delivered_wh is not None and rate.received_wh is not None
            scale = hole / rate.duration_s
            chosen = (len(run), (after.delivered_wh - rate.delivered_wh * scale,
                                 after.received_wh - rate.received_wh * scale), hole)
    if chosen is None:
        if missing:
            return from_registers(missing_text(missing_at, tz), missing_at)
        return from_registers("the meter's 15-minute history is out of date")
    k, (reg_d, reg_r), estimated = chosen
    used = run[:k]
    imported = sum(iv.delivered_wh or 0.0 for iv in used) + max(0.0, latest.delivered_wh - reg_d)
    exported = sum(iv.received_wh or 0.0 for iv in used) + max(0.0, latest.received_wh - reg_r)
    until = dt.datetime.fromtimestamp(bounds[k], dt.UTC)
    since = dt.datetime.fromtimestamp(run_start, dt.UTC)
    if missing and first.at <= since:
        return from_registers(missing_text(missing_at, tz), missing_at)
    basis = Basis.PARTIAL_HISTORY if missing else Basis.HISTORY
    return TodaySoFar(day, basis, since, now, imported, exported, history_slots=len(used), missing=missing_at,
                      history_until=until, estimated_s=estimated,
                      reason=missing_text(missing_at, tz) if missing else "", tz=tz)


class TodayTracker:
    """Keeps today's register readings and interval slots; :meth:`compute` gives the figure (not thread-safe)."""

    def __init__(self, tz: dt.tzinfo | None = None) -> None:
        self.tz = tz
        self._samples: list[RegisterSample] = []
        self._slots: dict[dt.datetime, IntervalEnergy] = {}
        self._history_read = False
        self._error: str | None = None

    def add_registers(self, registers: Any) -> None:
        sample = RegisterSample.of(registers)
        if sample is None:
            return
        if self._samples and sample.at < self._samples[-1].at:
            return  # the meter's clock went back: keep the readings in order
        self._samples.append(sample)
        keep_from = local_midnight(sample.at, self.tz) - dt.timedelta(seconds=KEEP_BEFORE_MIDNIGHT_S)
        if self._samples[0].at < keep_from:
            self._samples = [s for s in self._samples if s.at >= keep_from]
            self._slots = {k: v for k, v in self._slots.items() if k >= keep_from}

    def add_history(self, intervals: Iterable[IntervalEnergy]) -> None:
        for iv in intervals:
            known = self._slots.get(iv.start)
            if known is None or known.delivered_wh is None or known.received_wh is None:
                self._slots[iv.start] = iv
        self._history_read = True
        self._error = None

    def history_failed(self, message: str) -> None:
        if not self._history_read:
            self._error = f"the 15-minute history could not be read: {message.rstrip('.')}"

    def now(self) -> dt.datetime | None:
        """The meter's time of the newest register reading."""
        return self._samples[-1].at if self._samples else None

    def next_since(self, now: dt.datetime) -> dt.datetime:
        """Where the next history read should start: the first slot of today not known yet."""
        midnight = local_midnight(now, self.tz)
        t = midnight
        while True:
            known = self._slots.get(t)
            if known is None or known.delivered_wh is None or known.received_wh is None:
                return t
            t = known.end

    def compute(self) -> TodaySoFar | None:
        history = list(self._slots.values()) if self._history_read else None
        return today_so_far(history, self._samples, tz=self.tz, history_error=self._error)
