"""The bars a history chart draws for a span, and the span's totals, from the store's intervals.

Qt-free. A gap stays a gap: a bucket with no interval has no bar (``None``), never a zero; a bucket only partly
covered says how much (``covered_s``) so the chart can draw it lighter and the totals can say "incomplete".
On the Day view each interval is its own bar at its own length (the meter's 15 minutes, an imported hour);
Week, Month and Year sum the intervals that start in each bucket.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from xcelsior_desktop.energy.interval_like import IntervalLike
from xcelsior_desktop.energy.periods import Bucket, Span, View


@dataclass(frozen=True)
class Bar:
    start: dt.datetime  # UTC
    end: dt.datetime  # UTC, exclusive
    label: str
    imported_wh: float | None  # None: no data (a gap)
    exported_wh: float | None
    covered_s: float  # how much of the bar's time has data
    estimate: bool = False  # the time after the newest slot, from the registers (drawn hatched)

    @property
    def complete(self) -> bool:
        return self.covered_s >= (self.end - self.start).total_seconds() - 1

    @property
    def empty(self) -> bool:
        return self.imported_wh is None and self.exported_wh is None


@dataclass(frozen=True)
class Totals:
    imported_wh: float
    exported_wh: float
    covered_s: float
    span_s: float  # the part of the span that has passed (the future is not "missing")

    @property
    def net_wh(self) -> float:
        return self.imported_wh - self.exported_wh

    @property
    def complete(self) -> bool:
        return self.covered_s >= self.span_s - 1


def add_known(total: float | None, value: float | None) -> float | None:
    """``total + value`` where an unknown (None) adds nothing, and two unknowns stay unknown (never 0)."""
    if value is None:
        return total
    return value if total is None else total + value


def bars(span: Span, intervals: Iterable[IntervalLike], *, estimate: IntervalLike | None = None) -> list[Bar]:
    """The bars of ``span`` (oldest first). ``estimate``: the open slot, drawn as an estimate on the Day view."""
    rows = sorted(intervals, key=lambda i: i.start)
    if span.view is View.DAY:
        out = [Bar(i.start, i.start + dt.timedelta(seconds=i.duration_s), _label(span.buckets, i.start),
                   i.imported_wh, i.exported_wh, float(i.duration_s))
               for i in rows if span.start <= i.start < span.end]
        if estimate is not None and span.start <= estimate.start < span.end and not any(
                b.start == estimate.start for b in out):
            out.append(Bar(estimate.start, estimate.start + dt.timedelta(seconds=estimate.duration_s),
                           _label(span.buckets, estimate.start), estimate.imported_wh, estimate.exported_wh,
                           float(estimate.duration_s), estimate=True))
        return out
    out = []
    index = 0
    for bucket in span.buckets:
        imported: float | None = None
        exported: float | None = None
        covered = 0.0
        while index < len(rows) and rows[index].start < bucket.start:
            index += 1
        scan = index
        while scan < len(rows) and rows[scan].start < bucket.end:
            row = rows[scan]
            imported = add_known(imported, row.imported_wh)
            exported = add_known(exported, row.exported_wh)
            if row.imported_wh is not None or row.exported_wh is not None:
                covered += row.duration_s
            scan += 1
        index = scan
        out.append(Bar(bucket.start, bucket.end, bucket.label, imported, exported, covered))
    return out


def totals(span: Span, shown: Sequence[Bar], now: dt.datetime) -> Totals:
    """kWh in and out over the bars shown (estimates excluded), and how much of the elapsed span they cover."""
    imported = sum(b.imported_wh or 0.0 for b in shown if not b.estimate)
    exported = sum(b.exported_wh or 0.0 for b in shown if not b.estimate)
    covered = sum(b.covered_s for b in shown if not b.estimate and not b.empty)
    elapsed = (min(now, span.end) - span.start).total_seconds()
    return Totals(imported, exported, covered, max(0.0, elapsed))


def _label(buckets: Sequence[Bucket], at: dt.datetime) -> str:
    for bucket in buckets:
        if bucket.start <= at < bucket.end:
            return bucket.label
    return ""


class TotalLike(Protocol):
    """A period's sums (energy.store.PeriodTotal): None = no data in that direction."""

    @property
    def start(self) -> dt.datetime: ...
    @property
    def imported_wh(self) -> float | None: ...
    @property
    def exported_wh(self) -> float | None: ...
    @property
    def imported_s(self) -> int: ...
    @property
    def exported_s(self) -> int: ...


def bars_from_totals(span: Span, period_totals: Iterable[TotalLike]) -> list[Bar]:
    """Week, Month and Year bars from the store's per-period sums (one per bucket; a bucket without a sum is a
    gap). A bar covers what both directions cover (only one direction known: what that one covers)."""
    by_start = {t.start: t for t in period_totals}
    out = []
    for bucket in span.buckets:
        total = by_start.get(bucket.start)
        if total is None:
            out.append(Bar(bucket.start, bucket.end, bucket.label, None, None, 0.0))
            continue
        covered = [s for s, v in ((total.imported_s, total.imported_wh), (total.exported_s, total.exported_wh))
                   if v is not None]
        out.append(Bar(bucket.start, bucket.end, bucket.label, total.imported_wh, total.exported_wh,
                       float(min(covered, default=0))))
    return out


class ChartDecorator(Protocol):
    """What another plug-in adds to the history charts (e.g. the cost plug-in: on-peak hours and cost)."""

    def bands(self, span: Span) -> Sequence[tuple[dt.datetime, dt.datetime]]:
        """Stretches to shade behind the bars of ``span`` (UTC)."""
        ...

    def hover_extra(self, span: Span, bar: Bar) -> str:
        """A line added to the hover text of ``bar`` ("" for none)."""
        ...


@dataclass(frozen=True)
class Mark:
    """A moment marked on a chart (a big load coming on or going off): a small triangle above the bars."""

    at: dt.datetime  # UTC
    up: bool  # on (pointing up) or off
    text: str  # for the hover text and a screen reader


@runtime_checkable
class ChartMarker(Protocol):
    """A chart decorator that also marks moments (e.g. the Overview plug-in's big loads on the Day chart)."""

    def marks(self, span: Span) -> Sequence[Mark]:
        ...


GAP_POLLS = 3  # a line is broken where readings are further apart than this many poll intervals


def line_runs(points: Sequence[tuple[float, float]], max_gap_s: float) -> list[list[tuple[float, float]]]:
    """``(time, value)`` points (oldest first) cut into runs wherever two neighbours are more than ``max_gap_s``
    apart: a chart draws each run as its own line, so a stretch with no readings stays empty, never a straight line
    across time nobody measured."""
    runs: list[list[tuple[float, float]]] = []
    for point in points:
        if runs and point[0] - runs[-1][-1][0] <= max_gap_s:
            runs[-1].append(point)
        else:
            runs.append([point])
    return runs
