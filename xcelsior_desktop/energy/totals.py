"""The one way energy over any stretch of time is worked out: what "today", a chart's totals, a bill's kWh, an
alert's budget and Home Assistant's figures all call.

Qt-free. Energy by direction in [start, end), as of ``now``, from the history store (the one owner of energy):

1. the store's intervals that start in the span (its resolved view: the meter's 15-minute slots win over
   imported files), summed;
2. the register tail: after the newest of those intervals, the meter's registers as they moved up to the newest
   reading in the span, so the figure follows the meter between slots. Its start value is interpolated between
   the readings around the slot's end (at most :data:`MAX_BRACKET_S` apart). Right after launch there is no
   reading before it: up to :data:`MAX_ESTIMATE_S` before the first reading is then estimated at the newest slot's
   average rate (``estimated_s`` says how long), until the meter files that slot;
3. with no interval in the span at all, the registers alone: from the span's start when readings bracket it,
   else from the first reading in the span (``since`` says from when).

Nothing is invented: a stretch with no interval and no register reading is a gap (``missing``), never a zero, and
a direction nobody measured is None.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from xcelsior_desktop.energy.chart_data import add_known
from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore

SLOT_S = 900
MAX_BRACKET_S = 1800.0  # register readings further apart than this around an instant do not give its value
MAX_ESTIMATE_S = SLOT_S + 120  # never estimate more than about one slot before the first reading
TAIL_SOURCE = "registers"


@dataclass(frozen=True)
class Energy:
    """Energy in [start, end) as far as it is known at ``as_of``."""

    start: dt.datetime  # UTC: the span asked for
    end: dt.datetime
    since: dt.datetime  # UTC: the figures count from here (``start`` unless only registers from later were there)
    as_of: dt.datetime  # UTC: ... up to here (the newest register reading, or the newest interval's end)
    imported_wh: float | None  # None: nothing known in that direction (a gap, never a zero)
    exported_wh: float | None
    intervals_s: float = 0.0  # seconds covered by stored intervals
    tail: EnergyInterval | None = None  # the registers after the newest interval (source "registers")
    estimated_s: float = 0.0  # seconds of the tail estimated at the newest slot's rate
    missing: tuple[tuple[dt.datetime, dt.datetime], ...] = ()  # stretches in [since, as_of) nothing measured
    zone: dt.tzinfo | None = field(default=None, compare=False)  # for the words: local times

    @property
    def net_wh(self) -> float | None:
        if self.imported_wh is None and self.exported_wh is None:
            return None
        return (self.imported_wh or 0.0) - (self.exported_wh or 0.0)

    @property
    def missing_s(self) -> float:
        return sum((b - a).total_seconds() for a, b in self.missing)

    @property
    def complete(self) -> bool:
        """Every second from the span's start to ``as_of`` is measured."""
        return self.since == self.start and self.missing_s < 1

    @property
    def known(self) -> bool:
        return self.imported_wh is not None or self.exported_wh is not None

    @property
    def day(self) -> dt.date:
        """The local date the span starts on (for "today": today)."""
        return self.start.astimezone(self.zone).date() if self.zone else self.start.astimezone().date()

    def footnote(self, what: str = "Today") -> str:
        """One sentence: what the figure is based on."""
        if not self.known:
            return f"{what}: nothing measured yet."
        if self.intervals_s <= 0:
            return f"{what} since {_hm(self.since, self.zone)}, from the meter's registers."
        text = f"{what} since {'midnight' if self.since == self.start else _hm(self.since, self.zone)}, " \
               "from the meter's 15-minute history and its registers."
        if self.missing:
            text += f" Not counted: {missing_text(self.missing, self.zone)}."
        if self.estimated_s >= 60 and self.tail is not None:
            text += (f" The {round(self.estimated_s / 60)} min after {_hm(self.tail.start, self.zone)} are "
                     "estimated until the meter's next 15-minute value.")
        return text


def _hm(instant: dt.datetime, zone: dt.tzinfo | None) -> str:
    return (instant.astimezone(zone) if zone else instant.astimezone()).strftime("%H:%M")


def missing_text(missing: Sequence[tuple[dt.datetime, dt.datetime]], zone: dt.tzinfo | None = None) -> str:
    """'2.0 h without data (09:00–11:00)', local times, the first three stretches named."""
    hours = sum((b - a).total_seconds() for a, b in missing) / 3600
    shown = [f"{_hm(a, zone)}\u2013{_hm(b, zone)}" for a, b in missing[:3]]
    more = ", \u2026" if len(missing) > 3 else ""
    length = f"{hours:.1f} h" if hours >= 1 else f"{round(hours * 60)} min"
    return f"{length} without data ({', '.join(shown)}{more})"


@dataclass(frozen=True)
class _Both:
    """A register reading with both directions read."""

    at: dt.datetime
    imported_wh: float
    exported_wh: float


def _value_at(readings: Sequence[_Both], when: dt.datetime) -> tuple[float, float] | None:
    """Both registers at ``when``, interpolated between the readings around it (at most MAX_BRACKET_S apart)."""
    times = [r.at.timestamp() for r in readings]
    t = when.timestamp()
    i = bisect.bisect_left(times, t)
    if i < len(times) and times[i] == t:
        r = readings[i]
        return r.imported_wh, r.exported_wh
    if i == 0 or i >= len(times) or times[i] - times[i - 1] > MAX_BRACKET_S:
        return None
    a, b = readings[i - 1], readings[i]
    f = (t - times[i - 1]) / (times[i] - times[i - 1])
    return (a.imported_wh + f * (b.imported_wh - a.imported_wh), a.exported_wh + f * (b.exported_wh - a.exported_wh))


def _readings(store: HistoryStore, start: dt.datetime, until: dt.datetime) -> list[_Both]:
    """Register readings with both values in [start, until] (inclusive of until: a reading at ``now`` counts)."""
    return [_Both(r.at, r.imported_wh, r.exported_wh)
            for r in store.register_readings(start, until + dt.timedelta(milliseconds=1))
            if r.imported_wh is not None and r.exported_wh is not None]


def _tail(store: HistoryStore, boundary: dt.datetime, until: dt.datetime,
          newest: EnergyInterval | None) -> tuple[EnergyInterval | None, float, dt.datetime]:
    """(the registers from ``boundary`` to the newest reading up to ``until``, seconds of it estimated, where the
    registers' count starts). None when no reading gives its start value."""
    readings = _readings(store, boundary - dt.timedelta(seconds=MAX_BRACKET_S), until)
    after = [r for r in readings if r.at > boundary]
    if not after:
        return None, 0.0, boundary
    latest = after[-1]
    start_value = _value_at(readings, boundary)
    estimated = 0.0
    begins = boundary
    if start_value is None:
        first = after[0]
        hole = (first.at - boundary).total_seconds()
        if newest is not None and newest.end == boundary and hole <= MAX_ESTIMATE_S and \
                newest.imported_wh is not None and newest.exported_wh is not None:
            scale = hole / newest.duration_s  # the minutes before the first reading, at the newest slot's rate
            start_value = (first.imported_wh - newest.imported_wh * scale,
                           first.exported_wh - newest.exported_wh * scale)
            estimated = hole
        elif newest is None:  # registers alone: from the first reading in the span
            start_value = (first.imported_wh, first.exported_wh)
            begins = first.at
        else:
            return None, 0.0, boundary
    seconds = (latest.at - begins).total_seconds()
    if seconds <= 0:
        return None, 0.0, begins
    tail = EnergyInterval(begins, max(1, round(seconds)), max(0.0, latest.imported_wh - start_value[0]),
                          max(0.0, latest.exported_wh - start_value[1]), TAIL_SOURCE)
    return tail, estimated, begins


def energy(store: HistoryStore, start: dt.datetime, end: dt.datetime, now: dt.datetime, *,
           zone: dt.tzinfo | None = None, find_gaps: bool = True) -> Energy:
    """Energy in [start, end) as of ``now`` (aware datetimes; ``now`` on the meter's clock). ``zone``: the home
    zone, for the figure's words only. ``find_gaps=False`` skips the scan for ``missing`` (every slot's start,
    most of a year chart's time) for a caller that uses only the amounts: ``missing`` is then empty, unknown."""
    start, end, now = (t.astimezone(dt.UTC) for t in (start, end, now))
    until = min(end, now)
    if until <= start:
        return Energy(start, end, start, start, None, None, zone=zone)
    totals = store.period_totals([start, until])
    imported = totals[0].imported_wh if totals else None
    exported = totals[0].exported_wh if totals else None
    covered = float(max(totals[0].imported_s, totals[0].exported_s)) if totals else 0.0
    newest = store.newest_interval(start, until)
    boundary = newest.end if newest is not None else start
    missing = tuple(store.gaps(start, boundary)) if newest is not None and find_gaps else ()
    tail, estimated, since = _tail(store, boundary, until, newest) if boundary < until else (None, 0.0, boundary)
    if newest is None and tail is not None and since > start:
        missing = ()  # registers alone from their first reading: the figure says "since"
    as_of = tail.end if tail is not None else boundary
    if tail is not None:
        imported, exported = add_known(imported, tail.imported_wh), add_known(exported, tail.exported_wh)
    if newest is None and tail is None:
        since = start
    return Energy(start, end, since if newest is None else start, as_of, imported, exported, covered, tail,
                  estimated, missing, zone)
