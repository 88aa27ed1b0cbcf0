"""Local-time chart periods (a day, the days of a week or month, the months of a year) as UTC boundaries.

The household's day is local time: a DST day is 23 or 25 hours (92 or 100 slots). ``tz=None`` means the
computer's zone.
"""

from __future__ import annotations

import datetime as dt


def local_midnight(day: dt.date, tz: dt.tzinfo | None = None) -> dt.datetime:
    """The instant (UTC) the local day ``day`` starts."""
    naive = dt.datetime.combine(day, dt.time())
    local = naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()
    return local.astimezone(dt.UTC)


def day_bounds(day: dt.date, tz: dt.tzinfo | None = None) -> tuple[dt.datetime, dt.datetime]:
    return local_midnight(day, tz), local_midnight(day + dt.timedelta(days=1), tz)


def day_of(instant: dt.datetime, tz: dt.tzinfo | None = None) -> dt.date:
    """The local date of an aware instant."""
    return (instant.astimezone(tz) if tz is not None else instant.astimezone()).date()


def day_span(instant: dt.datetime, tz: dt.tzinfo | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The local day holding ``instant``, as UTC [start, end) (23, 24 or 25 hours)."""
    return day_bounds(day_of(instant, tz), tz)


def days(first: dt.date, last: dt.date, tz: dt.tzinfo | None = None) -> list[dt.datetime]:
    """Boundaries of the local days ``first`` .. ``last`` (inclusive): one more boundary than days."""
    count = (last - first).days + 1
    return [local_midnight(first + dt.timedelta(days=i), tz) for i in range(max(count, 0) + 1)] if count > 0 else []


def months(year: int, tz: dt.tzinfo | None = None) -> list[dt.datetime]:
    """Boundaries of the 12 local months of ``year`` (13 instants)."""
    return [local_midnight(dt.date(year + (m // 12), m % 12 + 1, 1), tz) for m in range(13)]
