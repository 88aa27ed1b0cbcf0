"""Which stretch of time a history chart shows: a local day, week, month or year, cut into buckets.

Qt-free. The household's calendar is local time (``tz``), storage is UTC; so a day has 92, 96 or 100 quarter
hours (DST), a week starts on Monday, a month has 28 to 31 days, a year 12 months. Buckets are UTC half-open
ranges ``[start, end)``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from dataclasses import dataclass

from xcelsior_desktop.energy.days import local_midnight


class View(enum.StrEnum):
    LIVE = "live"  # the last hour of demand
    DAY = "day"  # 15-minute energy
    WEEK = "week"  # daily energy
    MONTH = "month"  # daily energy
    YEAR = "year"  # monthly energy


SLOT = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Bucket:
    start: dt.datetime  # UTC
    end: dt.datetime  # UTC, exclusive
    label: str  # what the axis and hover say ("14:15", "Mon 3", "Mar")

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class Span:
    view: View
    anchor: dt.date  # the local date the span was made for
    start: dt.datetime  # UTC
    end: dt.datetime  # UTC, exclusive
    title: str  # "Sunday 29 November 2026", "Week of 23 Nov 2026", "November 2026", "2026"
    buckets: tuple[Bucket, ...]


def _month_after(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def span(view: View, anchor: dt.date, tz: dt.tzinfo) -> Span:
    """The span of ``view`` that contains the local date ``anchor``."""
    if view is View.DAY:
        start, end = local_midnight(anchor, tz), local_midnight(anchor + dt.timedelta(days=1), tz)
        slots: list[Bucket] = []
        at = start
        while at < end:
            nxt = min(at + SLOT, end)
            slots.append(Bucket(at, nxt, at.astimezone(tz).strftime("%H:%M")))
            at = nxt
        title = f"{anchor:%A} {anchor.day} {anchor:%B %Y}"
        return Span(view, anchor, start, end, title, tuple(slots))
    days: list[dt.date]
    if view is View.WEEK:
        first = anchor - dt.timedelta(days=anchor.weekday())
        days = [first + dt.timedelta(days=i) for i in range(7)]
        title = f"Week of {first.day} {first:%b %Y}"
    elif view is View.MONTH:
        first = anchor.replace(day=1)
        days = [first + dt.timedelta(days=i) for i in range(calendar.monthrange(first.year, first.month)[1])]
        title = f"{first:%B %Y}"
    elif view is View.YEAR:
        months = [dt.date(anchor.year, m, 1) for m in range(1, 13)]
        year = tuple(Bucket(local_midnight(m, tz), local_midnight(_month_after(m), tz), f"{m:%b}") for m in months)
        return Span(view, anchor, year[0].start, year[-1].end, str(anchor.year), year)
    else:
        raise ValueError(f"{view} has no calendar span")
    buckets = tuple(Bucket(local_midnight(d, tz), local_midnight(d + dt.timedelta(days=1), tz), f"{d:%a} {d.day}")
                    for d in days)
    return Span(view, anchor, buckets[0].start, buckets[-1].end, title, buckets)


def shift(view: View, anchor: dt.date, steps: int) -> dt.date:
    """The anchor ``steps`` spans later (negative: earlier); month and year keep the day in range."""
    if view is View.DAY:
        return anchor + dt.timedelta(days=steps)
    if view is View.WEEK:
        return anchor + dt.timedelta(weeks=steps)
    if view is View.MONTH:
        index = anchor.year * 12 + anchor.month - 1 + steps
        year, month = divmod(index, 12)
        return dt.date(year, month + 1, min(anchor.day, calendar.monthrange(year, month + 1)[1]))
    if view is View.YEAR:
        year = anchor.year + steps
        return dt.date(year, anchor.month, min(anchor.day, calendar.monthrange(year, anchor.month)[1]))
    raise ValueError(f"{view} has no calendar span")
