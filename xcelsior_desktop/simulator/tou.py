"""Time-of-use tier lookup for the simulated meter, driven by ``tariff_schedule.json`` (data, not code)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class _Period:
    tier: int
    start_min: int
    end_min: int
    weekdays: frozenset[int]
    on_holidays: bool


@dataclass(frozen=True)
class _Schedule:
    name: str
    valid_from: dt.date
    default_tier: int
    periods: tuple[_Period, ...]


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


class TouSchedule:
    """Answers "which tier is this UTC instant in" from a schedule document (see the JSON file for its shape)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.tier_names: dict[int, str] = {int(k): v for k, v in document.get("tiers", {}).items()}
        self.holidays = frozenset(dt.date.fromisoformat(d) for d in document.get("holidays", []))
        schedules = []
        for item in document["schedules"]:
            periods = tuple(
                _Period(int(p["tier"]), _minutes(p["start"]), _minutes(p["end"]),
                        frozenset(int(w) for w in p.get("weekdays", range(7))), bool(p.get("holidays", True)))
                for p in item.get("periods", [])
            )
            schedules.append(_Schedule(item.get("name", ""), dt.date.fromisoformat(item["from"]),
                                       int(item.get("default_tier", 1)), periods))
        self.schedules = tuple(sorted(schedules, key=lambda s: s.valid_from))
        self._zone: dt.tzinfo
        try:
            from zoneinfo import ZoneInfo

            self._zone = ZoneInfo(document.get("timezone", "UTC"))
        except Exception:  # no tz database (e.g. Windows without tzdata): standard time all year
            hours = float(document.get("fallback_utc_offset_hours", 0))
            self._zone = dt.timezone(dt.timedelta(hours=hours))

    @classmethod
    def default(cls) -> TouSchedule:
        text = resources.files("xcelsior_desktop.simulator").joinpath("tariff_schedule.json").read_text("utf-8")
        return cls(json.loads(text))

    def local(self, unix: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(unix, self._zone)

    def tier_at(self, unix: float) -> int:
        when = self.local(unix)
        day = when.date()
        schedule = None
        for candidate in self.schedules:
            if candidate.valid_from <= day:
                schedule = candidate
        if schedule is None:
            return 1
        holiday = day in self.holidays
        minute = when.hour * 60 + when.minute
        for period in schedule.periods:
            if when.weekday() not in period.weekdays or (holiday and not period.on_holidays):
                continue
            if period.start_min <= minute < period.end_min:
                return period.tier
        return schedule.default_tier
