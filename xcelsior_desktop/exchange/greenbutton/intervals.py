"""From one usage point's readings per direction to the history's intervals, each kept at its own length.

The history store keeps one source's intervals without overlaps, and one interval carries both directions, so:
- lengths from a minute to a day are kept (23- and 25-hour days included); longer ones are billing periods;
- within a direction, where readings overlap the finer ones are kept (a file with both hourly and daily data);
- net readings (flowDirection 4) are used only where neither delivered nor received is given: a positive net is
  imported energy, a negative one exported (what crossed the meter on balance);
- delivered and received readings of the same interval become one interval; where their lengths differ and the
  finer ones tile the coarser exactly they are summed to it, otherwise the direction with more readings is kept.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence

from xcelsior_desktop.energy.store import EnergyInterval
from xcelsior_desktop.exchange.greenbutton import SOURCE
from xcelsior_desktop.exchange.greenbutton.readings import ElectricityReadings, Reading

MIN_INTERVAL_S = 60
MAX_INTERVAL_S = 25 * 3600  # the day DST ends
FIRST_START = int(dt.datetime(1970, 1, 1, tzinfo=dt.UTC).timestamp())
LAST_START = int(dt.datetime(2100, 1, 1, tzinfo=dt.UTC).timestamp())


class Coverage:
    """Disjoint, sorted [start, end) spans, to ask whether a reading overlaps any of them."""

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [s for s, _ in merged]
        self._ends = [e for _, e in merged]

    def overlaps(self, start: int, end: int) -> bool:
        position = bisect.bisect_right(self._starts, start)
        if position > 0 and self._ends[position - 1] > start:
            return True
        return position < len(self._starts) and self._starts[position] < end


def _usable(readings: Sequence[Reading], skipped: Counter[str]) -> list[Reading]:
    out = []
    for reading in readings:
        start, duration, _ = reading
        if duration > MAX_INTERVAL_S:
            skipped["of billing periods longer than a day (not usage intervals)"] += 1
        elif duration < MIN_INTERVAL_S:
            skipped["shorter than a minute"] += 1
        elif not FIRST_START <= start < LAST_START:
            skipped["dated before 1970 or after 2100"] += 1
        else:
            out.append(reading)
    return out


def without_overlaps(readings: Sequence[Reading], skipped: Counter[str], reason: str) -> list[Reading]:
    """The readings with the finer ones kept where they overlap (ties: the earlier in the file), sorted by start."""
    by_length: dict[int, list[Reading]] = {}
    for reading in readings:
        by_length.setdefault(reading[1], []).append(reading)
    kept: list[Reading] = []
    covered = Coverage()
    for length in sorted(by_length):
        added = []
        last_end = None
        for reading in sorted(by_length[length], key=lambda r: r[0]):
            start = reading[0]
            end = start + length
            if (last_end is not None and start < last_end) or covered.overlaps(start, end):
                skipped[reason] += 1
                continue
            added.append(reading)
            last_end = end
        kept += added
        covered = Coverage([(s, s + d) for s, d, _ in kept])
    kept.sort()
    return kept


def _net_split(net: Sequence[Reading], given: Coverage, skipped: Counter[str]) -> tuple[list[Reading], list[Reading]]:
    imported: list[Reading] = []
    exported: list[Reading] = []
    for start, duration, wh in net:
        if given.overlaps(start, start + duration):
            skipped["of net energy where delivered or received is given"] += 1
            continue
        imported.append((start, duration, max(wh, 0.0)))
        exported.append((start, duration, max(-wh, 0.0)))
    return imported, exported


def _tiles(readings: Sequence[Reading], start: int, end: int) -> bool:
    position = start
    for s, d, _ in readings:
        if s != position:
            return False
        position = s + d
    return position == end


def _combine(
    imported: Sequence[Reading], exported: Sequence[Reading], skipped: Counter[str]
) -> list[tuple[int, int, float | None, float | None]]:
    tagged = sorted([(s, d, wh, 0) for s, d, wh in imported] + [(s, d, wh, 1) for s, d, wh in exported])
    out: list[tuple[int, int, float | None, float | None]] = []
    position = 0
    while position < len(tagged):
        cluster = [tagged[position]]
        end = tagged[position][0] + tagged[position][1]
        position += 1
        while position < len(tagged) and tagged[position][0] < end:
            cluster.append(tagged[position])
            end = max(end, tagged[position][0] + tagged[position][1])
            position += 1
        imp = [(s, d, wh) for s, d, wh, side in cluster if side == 0]
        exp = [(s, d, wh) for s, d, wh, side in cluster if side == 1]
        start = cluster[0][0]
        if len(imp) + len(exp) == 1 or (len(imp) == len(exp) == 1 and imp[0][:2] == exp[0][:2]):
            out.append((start, end - start, imp[0][2] if imp else None, exp[0][2] if exp else None))
        elif end - start <= MAX_INTERVAL_S and _tiles(imp, start, end) and _tiles(exp, start, end):
            out.append((start, end - start, sum(r[2] for r in imp), sum(r[2] for r in exp)))
        else:
            keep_imported = len(imp) >= len(exp)
            kept, dropped = (imp, exp) if keep_imported else (exp, imp)
            skipped[
                f"{'received' if keep_imported else 'delivered'} whose intervals do not line up with the "
                f"{'delivered' if keep_imported else 'received'} ones"
            ] += len(dropped)
            for s, d, wh in kept:
                out.append((s, d, wh, None) if keep_imported else (s, d, None, wh))
    return out


def build_intervals(readings: ElectricityReadings) -> tuple[list[EnergyInterval], Counter[str]]:
    """The intervals to store (sorted by start, none overlapping) and the readings left out, by reason."""
    skipped: Counter[str] = Counter()
    same = "overlapping finer readings of the same direction"
    delivered = without_overlaps(_usable(readings.delivered, skipped), skipped, same)
    received = without_overlaps(_usable(readings.received, skipped), skipped, same)
    net = without_overlaps(_usable(readings.net, skipped), skipped, same)
    if net:
        given = Coverage([(s, s + d) for s, d, _ in delivered + received])
        net_imported, net_exported = _net_split(net, given, skipped)
        delivered = sorted(delivered + net_imported)
        received = sorted(received + net_exported)
    rows = _combine(delivered, received, skipped)
    intervals = [
        EnergyInterval(dt.datetime.fromtimestamp(s, dt.UTC), d, imp, exp, SOURCE) for s, d, imp, exp in rows
    ]
    return intervals, skipped
