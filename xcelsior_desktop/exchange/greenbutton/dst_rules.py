"""A time zone as ESPI LocalTimeParameters: standard offset, DST offset and the DST start/end rules.

ESPI encodes each rule in 32 bits (espi_usage_v3_3.xsd, DstRuleType): seconds (bits 0-11), hour (12-16), day of
week 1-7 from Monday (17-19), day of month (20-24), operator (25-27), month (28-31). Operators: 0 on the day of the
month, 1 the weekday on or after it, 2-6 the first to fifth such weekday of the month, 7 the last. 0xFFFFFFFF: no
DST. The time is the wall clock just before the change (so the US rules read 02:00 both ways, as utilities write
them: 360E2000 and B40E2000), which is also what Europe's 01:00 UTC gives (02:00 in March, 03:00 in October).

The rules are read off the zone's own transitions in one year (the zone database, or the computer's zone).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

DST_DISABLED = "FFFFFFFF"
OP_DAY_OF_MONTH = 0
OP_ON_OR_AFTER = 1
OP_FIRST = 2  # ... 6 = fifth
OP_LAST = 7


@dataclass(frozen=True)
class DstRule:
    month: int
    operator: int
    day_of_month: int
    day_of_week: int  # 1 = Monday ... 7 = Sunday; 0 = not applicable
    hour: int
    seconds: int  # within the hour

    def encode(self) -> str:
        value = (
            (self.month << 28)
            | (self.operator << 25)
            | (self.day_of_month << 20)
            | (self.day_of_week << 17)
            | (self.hour << 12)
            | self.seconds
        )
        return f"{value:08X}"

    @classmethod
    def decode(cls, text: str) -> DstRule | None:
        """None for the 'no DST' value or a rule that cannot be read."""
        try:
            value = int(text, 16)
        except ValueError:
            return None
        if value == 0xFFFFFFFF:
            return None
        return cls(
            month=(value >> 28) & 0xF,
            operator=(value >> 25) & 0x7,
            day_of_month=(value >> 20) & 0x1F,
            day_of_week=(value >> 17) & 0x7,
            hour=(value >> 12) & 0x1F,
            seconds=value & 0xFFF,
        )

    def local_moment(self, year: int) -> dt.datetime:
        """The naive wall-clock moment the rule names in ``year`` (before the change)."""
        days = calendar.monthrange(year, self.month)[1]
        if self.operator == OP_DAY_OF_MONTH:
            day = self.day_of_month
        elif self.operator == OP_ON_OR_AFTER:
            weekday = dt.date(year, self.month, self.day_of_month).isoweekday()
            day = self.day_of_month + (self.day_of_week - weekday) % 7
        else:
            first_weekday = dt.date(year, self.month, 1).isoweekday()
            first_day = 1 + (self.day_of_week - first_weekday) % 7
            if self.operator == OP_LAST:
                day = first_day + 7 * ((days - first_day) // 7)
            else:
                day = first_day + 7 * (self.operator - OP_FIRST)
        return dt.datetime(year, self.month, day) + dt.timedelta(hours=self.hour, seconds=self.seconds)


@dataclass(frozen=True)
class LocalTimeParameters:
    tz_offset_s: int  # standard time's offset from UTC (negative west of Greenwich)
    dst_offset_s: int  # added during DST (0 without DST)
    dst_start_rule: str  # 8 hex digits
    dst_end_rule: str


def utc_offset_s(epoch_s: int, tz: dt.tzinfo | None) -> int:
    """The zone's offset at an instant; ``tz=None``: the computer's zone (with its DST, unlike a fixed offset)."""
    instant = dt.datetime.fromtimestamp(epoch_s, dt.UTC)
    local = instant.astimezone(tz) if tz is not None else instant.astimezone()
    offset = local.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _transitions(tz: dt.tzinfo | None, year: int) -> list[tuple[int, int, int]]:
    """(instant, offset before, offset after) of each change of offset in the year, to the second."""
    start = int(dt.datetime(year, 1, 1, tzinfo=dt.UTC).timestamp()) - 14 * 3600
    end = int(dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC).timestamp()) + 14 * 3600
    out = []
    step = 3600
    previous = utc_offset_s(start, tz)
    t = start
    while t < end:
        current = utc_offset_s(t + step, tz)
        if current != previous:
            lo, hi = t, t + step  # offset(lo) == previous, offset(hi) == current
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if utc_offset_s(mid, tz) == previous:
                    lo = mid
                else:
                    hi = mid
            out.append((hi, previous, current))
            previous = current
        t += step
    return out


def rule_at(instant_s: int, offset_before_s: int) -> DstRule:
    """The rule naming the wall-clock moment just before a change at ``instant_s``, by weekday of the month."""
    local = dt.datetime.fromtimestamp(instant_s + offset_before_s, dt.UTC).replace(tzinfo=None)
    days = calendar.monthrange(local.year, local.month)[1]
    operator = OP_LAST if local.day + 7 > days else OP_FIRST + (local.day - 1) // 7
    return DstRule(local.month, operator, 0, local.isoweekday(), local.hour, local.minute * 60 + local.second)


def local_time_parameters(tz: dt.tzinfo | None, year: int) -> LocalTimeParameters:
    """The zone's LocalTimeParameters, with the DST rules it follows in ``year``."""
    changes = _transitions(tz, year)
    starts = [c for c in changes if c[2] > c[1]]
    ends = [c for c in changes if c[2] < c[1]]
    if not starts or not ends:
        middle = int(dt.datetime(year, 7, 1, tzinfo=dt.UTC).timestamp())
        return LocalTimeParameters(utc_offset_s(middle, tz), 0, DST_DISABLED, DST_DISABLED)
    start, end = starts[0], ends[0]
    standard, daylight = start[1], start[2]
    return LocalTimeParameters(
        tz_offset_s=standard,
        dst_offset_s=daylight - standard,
        dst_start_rule=rule_at(start[0], start[1]).encode(),
        dst_end_rule=rule_at(end[0], end[1]).encode(),
    )
