"""Read a Green Button file (any utility's) into the history's intervals, and say what was left out and why."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from xcelsior_desktop.energy.store import EnergyInterval
from xcelsior_desktop.exchange.greenbutton import espi
from xcelsior_desktop.exchange.greenbutton.entries import MAX_BYTES, iter_entries
from xcelsior_desktop.exchange.greenbutton.errors import NotGreenButton, NothingToImport
from xcelsior_desktop.exchange.greenbutton.intervals import build_intervals
from xcelsior_desktop.exchange.greenbutton.linking import link
from xcelsior_desktop.exchange.greenbutton.readings import ElectricityReadings, electricity_readings
from xcelsior_desktop.exchange.greenbutton.resources import read_resources

_USAGE_RESOURCES = {espi.USAGE_POINT, espi.METER_READING, espi.READING_TYPE, espi.INTERVAL_BLOCK}


def describe_skipped(skipped: Counter[str] | dict[str, int]) -> str:
    """``"22 readings of billing periods ...; 5 readings of a gas usage point ..."``, largest first."""
    parts = sorted(skipped.items(), key=lambda item: (-item[1], item[0]))
    return "; ".join(f"{n} reading{'' if n == 1 else 's'} {reason}" for reason, n in parts if n)


@dataclass(frozen=True)
class GreenButtonImport:
    """What a Green Button file gives the history: intervals (sorted, none overlapping) and what was left out."""

    intervals: list[EnergyInterval]
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> readings

    @property
    def skipped_count(self) -> int:
        return sum(self.skipped.values())

    @property
    def skipped_text(self) -> str:
        return describe_skipped(self.skipped)

    @property
    def first(self) -> dt.datetime | None:
        return self.intervals[0].start if self.intervals else None

    @property
    def last(self) -> dt.datetime | None:
        return max(iv.end for iv in self.intervals) if self.intervals else None


def read_readings(path: Path | str, *, max_bytes: int = MAX_BYTES) -> ElectricityReadings:
    """The file's electricity readings in Wh per direction (any length, duplicates once) and what was left out."""
    resources = list(read_resources(iter_entries(path, max_bytes=max_bytes)))
    if not any(r.kind in _USAGE_RESOURCES for r in resources):
        name = Path(path).name
        raise NotGreenButton(f"{path}: an Atom feed without ESPI usage resources", user_message=(
            f"{name} is an Atom feed but holds no Green Button usage data (no UsagePoint, MeterReading or "
            "IntervalBlock). On your utility's website choose 'Green Button: Download My Data' and pick the XML "
            "format."))
    return electricity_readings(link(resources))


def read_green_button(path: Path | str, *, max_bytes: int = MAX_BYTES) -> GreenButtonImport:
    """Everything importable from the file, checked in full before anything is stored.

    Raises a :class:`~xcelsior_desktop.exchange.greenbutton.errors.GreenButtonError` (with ``user_message``)
    for a file that is unreadable, too large, hostile, damaged or not Green Button, or that holds no
    electricity interval data (:class:`NothingToImport`, its message says what it held instead).
    """
    readings = read_readings(path, max_bytes=max_bytes)
    intervals, more = build_intervals(readings)
    skipped = readings.skipped + more
    if not intervals:
        name = Path(path).name
        held = f": {describe_skipped(skipped)}" if skipped else " (it has no readings at all)"
        raise NothingToImport(f"{path}: no electricity intervals", user_message=(
            f"{name} holds no electricity usage to import{held}. Download the electricity usage (interval data, "
            "not bills) from your utility's Green Button page."))
    return GreenButtonImport(intervals, dict(skipped))
