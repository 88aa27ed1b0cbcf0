"""Numbers as people read them: short tray labels ("850", "1.2k", "-3.4k") and full values; instants as the
command line and the files print them (ISO 8601 UTC)."""

from __future__ import annotations

import datetime as dt
import math

UNITS = ("W", "kW")


def short_watts(watts: float | None) -> str:
    """At most 4 characters (5 with a minus sign) for a tray icon: 850, 1.2k, 12k, 1.2M, -3.4k.

    Rounding happens before choosing the scale so 999.6 W reads "1.0k", never "1000".
    """
    if watts is None or not math.isfinite(watts):
        return "--"
    sign = "-" if watts < 0 and round(abs(watts)) != 0 else ""
    value = abs(watts)
    if round(value) < 1000:
        return f"{sign}{round(value):d}"
    kilo = value / 1000.0
    if round(kilo, 1) < 10:
        return f"{sign}{kilo:.1f}k"
    if round(kilo) < 1000:
        return f"{sign}{round(kilo):d}k"
    mega = kilo / 1000.0
    if round(mega, 1) < 10:
        return f"{sign}{mega:.1f}M"
    return f"{sign}{round(mega):d}M"


def full_power(watts: float | None, units: str = "W") -> str:
    """A full value with its unit: "1,234 W" or "1.234 kW"; "no reading" for None."""
    if watts is None or not math.isfinite(watts):
        return "no reading"
    if units == "kW":
        return f"{watts / 1000.0:,.3f} kW".replace("-", "\u2212")
    return f"{round(watts):,d} W".replace("-", "\u2212")


def energy(wh: float | None) -> str:
    """An energy register: "12,345.6 kWh"; "not available" for None."""
    if wh is None or not math.isfinite(wh):
        return "not available"
    return f"{wh / 1000.0:,.1f} kWh"


def direction(watts: float | None) -> str:
    """Words for the direction of flow."""
    if watts is None:
        return ""
    if watts < 0:
        return "exporting to the grid"
    if watts > 0:
        return "importing from the grid"
    return "balanced"


def clock_time(when: dt.datetime | None) -> str:
    """Local wall-clock time for a UTC datetime ("14:03:27"); "never" for None."""
    if when is None:
        return "never"
    return when.astimezone().strftime("%H:%M:%S")


def next_try(next_retry: float, now: float) -> str:
    """"next try in 12 s", or "retrying now" once it is due: the tray and the window say it the same way."""
    wait = next_retry - now
    return "retrying now" if wait <= 0.5 else f"next try in {ago(wait)}"


def ago(seconds: float) -> str:
    """A rough duration: "12 s", "4 min", "3 h 10 min", "2 days"."""
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{int(seconds)} s"
    minutes = int(seconds // 60)
    if minutes < 90:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"


def iso_utc(instant: dt.datetime) -> str:
    """ISO 8601 UTC with Z, to the second, e.g. 2026-10-06T00:00:00Z."""
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
