"""This computer's time zone as a ``tzinfo`` that follows its DST rules (``astimezone()`` gives only the offset
of one instant, which is wrong for the other half of a year's chart)."""

from __future__ import annotations

import datetime as dt
import time

_EPOCH = dt.datetime(1970, 1, 1)


class SystemZone(dt.tzinfo):
    """The zone the C library uses (TZ, /etc/localtime, Windows settings), asked per instant."""

    def utcoffset(self, when: dt.datetime | None) -> dt.timedelta:
        if when is None:
            return dt.timedelta(seconds=time.localtime().tm_gmtoff)
        fields = (when.year, when.month, when.day, when.hour, when.minute, when.second, 0, 0, -1)
        stamp = time.mktime(fields)  # a local wall time -> the instant (a skipped hour: moved forward)
        return dt.timedelta(seconds=time.localtime(stamp).tm_gmtoff)

    def dst(self, when: dt.datetime | None) -> dt.timedelta:
        if when is None:
            return dt.timedelta(0)
        stamp = time.mktime((when.year, when.month, when.day, when.hour, when.minute, when.second, 0, 0, -1))
        return dt.timedelta(hours=1) if time.localtime(stamp).tm_isdst > 0 else dt.timedelta(0)

    def tzname(self, when: dt.datetime | None) -> str:
        return time.strftime("%Z", time.localtime(None if when is None else self._stamp(when)))

    def fromutc(self, when: dt.datetime) -> dt.datetime:
        stamp = (when.replace(tzinfo=None) - _EPOCH).total_seconds()
        return when + dt.timedelta(seconds=time.localtime(stamp).tm_gmtoff)

    @staticmethod
    def _stamp(when: dt.datetime) -> float:
        return time.mktime((when.year, when.month, when.day, when.hour, when.minute, when.second, 0, 0, -1))

    def __repr__(self) -> str:
        return "SystemZone()"
