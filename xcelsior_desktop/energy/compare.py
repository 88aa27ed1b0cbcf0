"""Is this more than last time? A period beside the one before it, and today beside a usual day of its weekday.

Qt-free; every figure is the one energy function's (energy/totals.py) over the spans compared, in the home zone.

- :func:`compare_previous`: the History chart's period (a day, week, month or year) and the one before it. A
  period still in progress is set beside the one before *up to the same point* (today until 14:00 against
  yesterday until 14:00); the outline of the whole period before is drawn all the same.
- :func:`usual_day`: today so far beside the average of the same weekday, up to the same time, over the last four
  weeks. A past day with data missing up to that time is left out and the words say how many days remain.

A gap stays a gap: the words say when a figure lacks data, and no figure is made up to fill it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from xcelsior_desktop.energy.chart_data import Bar
from xcelsior_desktop.energy.days import local_midnight
from xcelsior_desktop.energy.periods import Span, View, shift, span
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.energy.totals import Energy, energy

BEFORE = {View.DAY: "the day before", View.WEEK: "the week before", View.MONTH: "the month before",
          View.YEAR: "the year before"}
LAST = {View.DAY: "yesterday", View.WEEK: "last week", View.MONTH: "last month", View.YEAR: "last year"}
THIS = {View.DAY: "today", View.WEEK: "this week", View.MONTH: "this month", View.YEAR: "this year"}
SAME = 0.5  # percent: closer than this is "about the same"
SLOT_S = 900


def kwh(wh: float) -> str:
    return f"{wh / 1000:.1f} kWh" if abs(wh) >= 100 else f"{wh / 1000:.2f} kWh"


def _lacks(counted: Energy) -> float:
    """Seconds of the span up to ``as_of`` that nothing measured (before ``since`` and the gaps)."""
    if not counted.known:
        return max(0.0, (min(counted.end, counted.as_of) - counted.start).total_seconds())
    return (counted.since - counted.start).total_seconds() + counted.missing_s


def _hours(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.0f} days"


def difference(now_wh: float, then_wh: float) -> str:
    """'1.8 kWh (13 %) less', '0.4 kWh (3 %) more', 'about the same'."""
    change = now_wh - then_wh
    if then_wh > 0 and abs(change) / then_wh * 100 < SAME:
        return "about the same"
    more = "more" if change > 0 else "less"
    percent = f" ({abs(change) / then_wh * 100:.0f} %)" if then_wh > 0 else ""
    return f"{kwh(abs(change))}{percent} {more}"


@dataclass(frozen=True)
class Comparison:
    view: View
    shown: Span
    previous: Span
    now: Energy  # the shown period up to now (or whole, when over)
    then: Energy  # the period before, up to the same point (or whole)
    same_point: dt.datetime | None  # UTC: where the period before was cut (None: compared whole)
    current: bool  # the shown period holds today

    def words(self) -> str:
        """Both totals from the grid and the difference, with what each lacks; two short sentences."""
        this = THIS[self.view] if self.current else "This period"
        before = LAST[self.view] if self.current else BEFORE[self.view]
        cut = ""
        if self.same_point is not None:
            cut = " to the same point" if self.view is not View.DAY else \
                f" until {self.same_point.astimezone(self.now.zone).strftime('%H:%M')}" if self.now.zone else ""
        if self.now.imported_wh is None or self.then.imported_wh is None:
            missing = before if self.then.imported_wh is None else this.lower()
            return f"Nothing to compare: no data for {missing}."
        so_far = " so far" if self.same_point is not None else ""
        text = (f"{this[0].upper()}{this[1:]}{so_far} {kwh(self.now.imported_wh)} from the grid; {before}{cut} "
                f"{kwh(self.then.imported_wh)}: {difference(self.now.imported_wh, self.then.imported_wh)}.")
        lacks = [(name, _lacks(e)) for name, e in ((this.lower(), self.now), (before, self.then))]
        said = [f"{name} lacks {_hours(s)} of data" for name, s in lacks if s >= 900]
        if said:
            text += f" Not comparable in full: {' and '.join(said)}."
        return text


def compare_previous(store: HistoryStore, view: View, anchor: dt.date, tz: dt.tzinfo,
                     now: dt.datetime) -> Comparison:
    """The ``view`` period holding ``anchor`` beside the one before it (see the module docstring)."""
    shown = span(view, anchor, tz)
    previous = span(view, shift(view, anchor, -1), tz)
    current = shown.start <= now < shown.end
    counted = energy(store, shown.start, shown.end, now, zone=tz)
    same: dt.datetime | None = None
    if current:
        same = _same_point(view, shown, previous, now, tz)
        then = energy(store, previous.start, same, now, zone=tz)
    else:
        then = energy(store, previous.start, previous.end, now, zone=tz)
    return Comparison(view, shown, previous, counted, then, same, current)


def _same_point(view: View, shown: Span, previous: Span, now: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """The instant in ``previous`` as far into it as ``now`` is into ``shown``, by the local calendar."""
    local = now.astimezone(tz)
    if view is View.DAY:
        day = previous.anchor
    elif view is View.WEEK:
        day = previous.buckets[0].start.astimezone(tz).date() + (local.date() - shown.buckets[0].start.astimezone(
            tz).date())
    else:  # month, year: the same day of the month (or month of the year), clamped to the period before
        index = next(i for i, b in enumerate(shown.buckets) if b.start <= now < b.end)
        bucket = previous.buckets[min(index, len(previous.buckets) - 1)]
        day = bucket.start.astimezone(tz).date()
        if view is View.YEAR:
            day = day.replace(day=min(local.day, _days_in(day)))
    instant = local_midnight(day, tz) + (now - local_midnight(local.date(), tz))
    return min(max(instant, previous.start), previous.end)


def _days_in(day: dt.date) -> int:
    nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return (nxt - day.replace(day=1)).days


def outline(shown: Span, previous: Span, bars: Sequence[Bar], tz: dt.tzinfo) -> list[Bar]:
    """The previous period's bars moved onto the shown period's time axis, to draw behind its bars: a Day's slot at
    the same time of day, a Week's, Month's or Year's bucket at the same place (a 31st with no 31st is left out).
    Bars without data are left out: a gap stays a gap."""
    out: list[Bar] = []
    if shown.view is View.DAY:
        for bar in bars:
            if bar.empty or bar.estimate:
                continue
            local = bar.start.astimezone(tz)
            start = local_midnight(shown.anchor, tz) + (bar.start - local_midnight(local.date(), tz))
            end = start + (bar.end - bar.start)
            if shown.start <= start < shown.end:
                out.append(Bar(start, end, bar.label, bar.imported_wh, bar.exported_wh, bar.covered_s))
        return out
    for index, bar in enumerate(bars):
        if bar.empty or index >= len(shown.buckets):
            continue
        bucket = shown.buckets[index]
        out.append(Bar(bucket.start, bucket.end, bucket.label, bar.imported_wh, bar.exported_wh, bar.covered_s))
    return out


@dataclass(frozen=True)
class UsualDay:
    today: Energy  # today up to ``until``
    until: dt.time | None  # local: the last whole quarter hour both are counted to; None: too early today
    weekday: str  # "Sunday"
    days: tuple[tuple[dt.date, Energy], ...]  # the past days counted, up to the same time
    left_out: tuple[dt.date, ...]  # past days with data missing up to that time

    @property
    def average_wh(self) -> float | None:
        values = [e.imported_wh for _, e in self.days if e.imported_wh is not None]
        return sum(values) / len(values) if values else None

    def words(self) -> str:
        """'18 % less than a usual Sunday by 14:00 (4 Sundays)'; what is left out is said."""
        if self.until is None:
            return "Too early today to compare with a usual day."
        average = self.average_wh
        if average is None or self.today.imported_wh is None:
            return f"No complete {self.weekday} in the last four weeks to compare with."
        change = self.today.imported_wh - average
        counted = f"{len(self.days)} {self.weekday}{'s' if len(self.days) != 1 else ''}"
        if average > 0 and abs(change) / average * 100 < SAME:
            head = f"About as much as a usual {self.weekday}"
        elif average > 0:
            head = f"{abs(change) / average * 100:.0f} % {'more' if change > 0 else 'less'} than a usual {self.weekday}"
        else:
            head = f"{kwh(abs(change))} {'more' if change > 0 else 'less'} than a usual {self.weekday}"
        return f"{head} by {self.until:%H:%M} ({counted})"


def usual_day(store: HistoryStore, now: dt.datetime, zone: dt.tzinfo, weeks: int = 4) -> UsualDay:
    """Today beside the same weekday of the last ``weeks`` weeks, both up to the last whole quarter hour (the past
    days are known in 15-minute slots, so that is where both can be cut alike)."""
    local = now.astimezone(zone)
    today = local.date()
    midnight = local_midnight(today, zone)
    quarters = int((now - midnight).total_seconds() // SLOT_S)
    weekday = f"{today:%A}"
    if quarters < 1:
        return UsualDay(energy(store, midnight, midnight, now, zone=zone), None, weekday, (), ())
    cut = midnight + dt.timedelta(seconds=quarters * SLOT_S)
    until = cut.astimezone(zone).time()
    counted = energy(store, midnight, cut, now, zone=zone)
    days: list[tuple[dt.date, Energy]] = []
    left_out: list[dt.date] = []
    for back in range(1, weeks + 1):
        day = today - dt.timedelta(weeks=back)
        start = local_midnight(day, zone)
        end = dt.datetime.combine(day, until, tzinfo=zone).astimezone(dt.UTC) if until != dt.time() else \
            local_midnight(day + dt.timedelta(days=1), zone)
        past = energy(store, start, end, now, zone=zone)
        if past.imported_wh is not None and past.complete and past.as_of >= end:
            days.append((day, past))
        else:
            left_out.append(day)
    return UsualDay(counted, until, weekday, tuple(days), tuple(left_out))
