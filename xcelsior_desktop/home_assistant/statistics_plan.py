"""Which hours of the history go into a sensor's long-term statistics, with which ``sum`` and ``state``, so that
they join Home Assistant's own with no step and no energy counted twice. Pure: no I/O.

Home Assistant keeps, per hour, ``state`` (the register at the hour's end) and ``sum`` (everything counted since
it first saw the sensor); the Energy dashboard shows an hour as its ``sum`` minus the previous row's, and a first
row as its ``sum`` alone. Its own rows are never changed here; only hours it has no row for are added:

- **Before its first row** (the history from before the feed): the hours' sums count up from 0, so the first
  hour shows its own energy; then every row of Home Assistant's from its first one on is raised by the total
  added (``recorder/adjust_sum_statistics``, which also raises the 5-minute rows the live statistics continue
  from). Each of its hours keeps exactly the energy it showed before: no step at the seam.
- **In a hole between two of its rows** (the app was closed, the meter away, and the backfill filled that time
  later): the sums count on from the row before. Home Assistant had put the whole hole's energy (the register's
  growth across it) into the first row after it; that row now shows what is left: its own hour, plus the hours of
  the hole the history does not know. When the history's hours add up to more than that growth, the two disagree,
  and the hole is left as it is (reported), rather than shown as a negative hour.
- **After its newest row**: nothing. Those hours are Home Assistant's to count while the feed runs.

An hour the history has no energy for is not sent at all: it stays a gap in the Energy dashboard, never a zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

HOUR = dt.timedelta(hours=1)
TOLERANCE_ABS = 0.01  # kWh (in the statistic's unit scaled by the caller): rounding of registers and slots
TOLERANCE_REL = 0.01


class NoStatisticsYet(Exception):
    """Home Assistant has no hourly statistics for the sensor: nothing to join the history to."""


@dataclass(frozen=True)
class Row:
    """One hour of long-term statistics: ``start`` (UTC, whole hour), ``sum``, ``state`` (None: unknown)."""

    start: dt.datetime
    sum: float
    state: float | None = None


@dataclass(frozen=True)
class Hole:
    start: dt.datetime
    end: dt.datetime
    history: float  # the history's energy in it (statistic's unit)
    home_assistant: float  # Home Assistant's growth across it (including the hour after it)


@dataclass(frozen=True)
class StatisticsPlan:
    rows: tuple[Row, ...] = ()  # to import (oldest first), as sums stand before the adjustment
    adjust_from: dt.datetime | None = None  # then every row from here on (its own, and ours after it) gets
    # ``adjustment`` added: import first, adjust after
    adjustment: float = 0.0
    left_holes: tuple[Hole, ...] = ()  # holes left as they are: the history disagrees with Home Assistant
    newest_row: dt.datetime | None = None  # Home Assistant's newest row: later hours are its own
    expected: dict[dt.datetime, float] = field(default_factory=dict)  # every row's sum after the import (checks)

    @property
    def first(self) -> dt.datetime | None:
        return self.rows[0].start if self.rows else None

    @property
    def last_end(self) -> dt.datetime | None:
        return self.rows[-1].start + HOUR if self.rows else None


def plan(existing: Sequence[Row], hours: Mapping[dt.datetime, float], *, scale: float = 1.0) -> StatisticsPlan:
    """``existing``: Home Assistant's rows (any order; one before the history's first hour is enough as a start);
    ``hours``: the history's energy per hour in the statistic's unit; ``scale``: that unit per kWh (tolerances).

    Raises :class:`NoStatisticsYet` when ``existing`` is empty.
    """
    rows = sorted(existing, key=lambda row: row.start)
    if not rows:
        raise NoStatisticsYet("Home Assistant has no hourly statistics for this sensor yet")
    have = {row.start for row in rows}
    wanted = sorted(h for h in hours if h not in have)
    out: list[Row] = []
    left: list[Hole] = []
    expected = {row.start: row.sum for row in rows}

    first = rows[0]
    head = [h for h in wanted if h < first.start]
    adjustment = 0.0
    if head:
        running = 0.0
        for hour in head:
            running += hours[hour]
            out.append(Row(hour, running))
        adjustment = running
        # the registers at each hour's end, from Home Assistant's first row back: its state and sum move together
        offset = None if first.state is None else first.state - (first.sum + adjustment)
        out = [Row(row.start, row.sum, None if offset is None else row.sum + offset) for row in out]
        expected = {start: value + adjustment for start, value in expected.items()}

    for before, after in zip(rows, rows[1:], strict=False):
        gap = [h for h in wanted if before.start < h < after.start]
        if not gap:
            continue
        history = sum(hours[h] for h in gap)
        grown = after.sum - before.sum
        if history > grown + TOLERANCE_ABS * scale + TOLERANCE_REL * history:
            left.append(Hole(before.start + HOUR, after.start, history, grown))
            continue
        running = before.sum  # as Home Assistant has it now: the adjustment, sent after, raises these rows too
        for hour in gap:
            running += hours[hour]
            state = None if before.state is None else before.state + (running - before.sum)
            out.append(Row(hour, running, state))
            expected[hour] = running + adjustment

    out.sort(key=lambda row: row.start)
    expected.update({row.start: row.sum for row in out if row.start < first.start})
    return StatisticsPlan(rows=tuple(out), adjust_from=first.start if head else None, adjustment=adjustment,
                          left_holes=tuple(left), newest_row=rows[-1].start, expected=expected)
