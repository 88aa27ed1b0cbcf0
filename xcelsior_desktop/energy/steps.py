"""Big loads: steps in the 5-second demand that are big and last, and how long each load stayed on.

Qt-free. A *step* is a change of the demand's level by at least ``min_w`` (1 kW by default) that holds for at least
``hold_s`` (30 s): a kettle's 20-second burst is no step, a dryer starting is. The level is followed as the median
of the recent readings, so the meter's jitter and a slow drift (the sun rising on the panels) are no steps either.
A step up is paired with the first later step down of about the same size (:data:`PAIR_TOLERANCE`): that is when
the load went off. Nothing is named: the data says "+2.4 kW at 18:02 for 41 min", never "the dryer"
(a user may label it; see :mod:`.load_labels`).

The demand is the net demand the meter sees: while solar panels produce, a cloud passing makes steps too.

Readings further apart than ``max_gap_s`` are a gap: no step is found across it, and a load still on when the
readings stop is said to be on "for at least" that long. Only the 5-second samples (the store's last 7 days) are
fine enough for this; older days are kept as minute roll-ups and give no steps.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import statistics
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from xcelsior_desktop.energy.store import DemandSample, HistoryStore

MIN_STEP_W = 1000.0
HOLD_S = 30.0
MAX_GAP_S = 30.0  # a 5-second poll missed five times: the readings have a gap
LEVEL_READINGS = 7  # the level is the median of this many recent readings (about 35 s at 5 s)
PAIR_TOLERANCE = 0.2  # a step down within 20 % of a step up's size ends it
FULL_RESOLUTION_DAYS = 7
# how far past a span a load still on is followed, a step at a time: most go off within two hours, none is
# followed for more than a day
FOLLOW_S = (2 * 3600, 4 * 3600, 8 * 3600, 16 * 3600, 24 * 3600)
LEAD_S = 5 * 60  # a load still on is scanned again from this long before it came on (its level comes back first)


@dataclass(frozen=True)
class Step:
    at: dt.datetime  # UTC: the first reading at the new level
    watts: float  # the change: positive up, negative down
    before_w: float
    after_w: float


@dataclass(frozen=True)
class Scan:
    """What one stretch of readings holds: its steps, where it has no readings, where the readings start and end."""

    steps: tuple[Step, ...]
    gaps: tuple[tuple[dt.datetime, dt.datetime], ...]
    first: dt.datetime | None
    last: dt.datetime | None


def find_steps(samples: Sequence[DemandSample], *, min_w: float = MIN_STEP_W, hold_s: float = HOLD_S,
               max_gap_s: float = MAX_GAP_S) -> Scan:
    """The steps in ``samples`` (oldest first). O(n): one pass, a short window for the level."""
    steps: list[Step] = []
    gaps: list[tuple[dt.datetime, dt.datetime]] = []
    tolerance = min_w / 2
    recent: deque[float] = deque(maxlen=LEVEL_READINGS)
    level: float | None = None
    candidate: list[DemandSample] = []
    previous: DemandSample | None = None
    max_gap, hold = dt.timedelta(seconds=max_gap_s), dt.timedelta(seconds=hold_s)  # compared as they are: per reading
    for sample in samples:
        if previous is not None and sample.at - previous.at > max_gap:
            gaps.append((previous.at, sample.at))
            level, candidate = None, []
            recent.clear()
        previous = sample
        if level is None:
            recent.append(sample.watts)
            level = _median(recent)
            continue
        if abs(sample.watts - level) < tolerance:
            if candidate:
                candidate = []  # back at the level before it held: a short burst, no step
            recent.append(sample.watts)
            level = _median(recent)
            continue
        candidate.append(sample)
        if sample.at - candidate[0].at < hold:
            continue
        new = statistics.median(s.watts for s in candidate)
        if abs(new - level) >= min_w:
            steps.append(Step(candidate[0].at, new - level, level, new))
        recent.clear()
        recent.extend(s.watts for s in candidate[-LEVEL_READINGS:])
        level = _median(recent)
        candidate = []
    first = samples[0].at if samples else None
    return Scan(tuple(steps), tuple(gaps), first, previous.at if previous is not None else None)


def _median(values: deque[float]) -> float:
    """The (upper) median of a few values: the level (cheaper than statistics.median, called every reading)."""
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


class Ended(enum.StrEnum):
    OFF = "off"  # a matching step down was seen
    STILL_ON = "still on"  # on at the newest reading
    NO_DATA = "no data"  # the readings stop (a gap) while it is on
    BEFORE = "before"  # a step down whose step up came before the readings


@dataclass(frozen=True)
class BigLoad:
    """One load: its step up and how long it stayed on; or a step down whose start was not seen."""

    at: dt.datetime  # UTC: the step
    watts: float  # positive: the load's size when it came on; negative: a step down with no step up seen
    until: dt.datetime | None  # when it went off, or the last reading it was seen on at (None for BEFORE)
    ended: Ended

    @property
    def on(self) -> bool:
        return self.watts > 0

    @property
    def duration_s(self) -> float | None:
        return None if self.until is None else (self.until - self.at).total_seconds()

    @property
    def energy_wh(self) -> float | None:
        """The load's own energy: its size for as long as it was on (an estimate: the step, not a meter)."""
        duration = self.duration_s
        return None if duration is None or not self.on else self.watts * duration / 3600


def pair(scan: Scan) -> list[BigLoad]:
    """The scan's steps as loads, oldest first: each step up with the first later step down of about its size
    (before any gap), the steps down left over as loads whose start was not seen."""
    ups = [s for s in scan.steps if s.watts > 0]
    downs = [s for s in scan.steps if s.watts < 0]
    used: set[int] = set()
    gap_starts = [a for a, _ in scan.gaps]
    loads: list[BigLoad] = []
    for up in ups:
        next_gap = bisect.bisect_right(gap_starts, up.at)
        limit = gap_starts[next_gap] if next_gap < len(gap_starts) else None
        match = None
        for index, down in enumerate(downs):
            if index in used or down.at <= up.at or (limit is not None and down.at > limit):
                continue
            if abs(-down.watts - up.watts) <= PAIR_TOLERANCE * up.watts:
                match = index
                break
        if match is not None:
            used.add(match)
            loads.append(BigLoad(up.at, up.watts, downs[match].at, Ended.OFF))
        elif limit is not None:
            loads.append(BigLoad(up.at, up.watts, limit, Ended.NO_DATA))
        else:
            loads.append(BigLoad(up.at, up.watts, scan.last, Ended.STILL_ON))
    loads.extend(BigLoad(d.at, d.watts, None, Ended.BEFORE) for i, d in enumerate(downs) if i not in used)
    loads.sort(key=lambda load: load.at)
    return loads


def big_loads(store: HistoryStore, start: dt.datetime, end: dt.datetime, *, min_w: float = MIN_STEP_W,
              hold_s: float = HOLD_S) -> list[BigLoad]:
    """The big loads that came on (or went off) in [start, end), read from the store's 5-second samples. A load
    that came on in the span is followed past its end (up to a day) to see when it went off."""
    samples = store.demand(start, end)
    loads = pair(find_steps(samples, min_w=min_w, hold_s=hold_s))
    after: list[DemandSample] = []
    read_to = end
    for follow_s in FOLLOW_S:  # on at the span's end: read on, a little more each time, to see it go off
        still_on = [load for load in loads if load.ended is Ended.STILL_ON]
        if not still_on:
            break
        more = store.demand(read_to, end + dt.timedelta(seconds=follow_s))
        read_to = end + dt.timedelta(seconds=follow_s)
        if not more:  # nothing read yet: a gap, which ends the load once readings come back
            continue
        after += more
        # only the stretch from just before the first load still on is scanned again, with what follows (the
        # loads before it are settled; its level is found again from the readings before the step)
        cut = still_on[0].at - dt.timedelta(seconds=LEAD_S)
        index = bisect.bisect_left(samples, cut, key=lambda sample: sample.at)
        again = pair(find_steps(samples[index:] + after, min_w=min_w, hold_s=hold_s))
        settled = [load for load in loads if load.at < cut]
        went_off = {load.until for load in settled if load.ended is Ended.OFF}  # not a step down with no start
        loads = sorted(settled + [load for load in again if load.at >= cut and
                                  not (load.ended is Ended.BEFORE and load.at in went_off)],
                       key=lambda load: load.at)
    return [load for load in loads if start <= load.at < end]
