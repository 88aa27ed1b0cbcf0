"""The meter's own TOU tier registers beside the app's per-period energy over the same stretch of time. Qt-free.

The meter keeps cumulative import (delivered) and export (received) energy per TOU tier (1..8; tier 0, the
total, is not among them). Which tier is which period is not published (tiers are labels; see
:class:`~.app_settings.CostSettings.tier_names`). :class:`TierWatch` keeps the first tier reading it saw and the
newest; :func:`compare_tiers` sets the tiers' growth between them beside the app's energy per period (the tariff
applied to the store's intervals that lie between the two readings). When the shares of energy per period
differ by more than :data:`SHARE_TOLERANCE`, the tariff's schedule may not be the one the meter bills by.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.money.model import Tariff
from xcelsior_desktop.money.pricing import summarize

RELATIVE_TOLERANCE = 0.10
ABSOLUTE_TOLERANCE_KWH = 1.0  # two partial 15-minute slots at the ends at 2 kW each
MIN_COMPARE_KWH = 2.0  # below this much energy between the readings, no verdict
MIN_COMPARE_HOURS = 6.0


@dataclass(frozen=True)
class TierReading:
    at: dt.datetime  # UTC
    delivered: dict[int, float]  # tier -> Wh
    received: dict[int, float]


@dataclass
class TierWatch:
    """The first and newest readings of the meter's tier registers (a reading without tiers is skipped)."""

    first: TierReading | None = None
    newest: TierReading | None = None
    resets: int = field(default=0)

    def add(self, at: dt.datetime, delivered: dict[int, float], received: dict[int, float]) -> None:
        if not delivered:
            return
        reading = TierReading(at.astimezone(dt.UTC), dict(delivered), dict(received))
        if self.first is None or any(delivered.get(t, v) < v for t, v in self.first.delivered.items()):
            if self.first is not None:
                self.resets += 1  # a register went backwards (meter replaced): start again
            self.first = reading
        self.newest = reading


@dataclass(frozen=True)
class TierRow:
    tier: int
    name: str | None  # the period it is taken to mean (None: unnamed)
    meter_kwh: float  # growth of the delivered tier register
    exported_kwh: float | None  # growth of the received tier register (None: not reported)
    app_kwh: float | None  # the app's import in the named period over the same intervals


@dataclass(frozen=True)
class TierComparison:
    start: dt.datetime
    end: dt.datetime
    rows: tuple[TierRow, ...]
    app_total_kwh: float
    verdict: str  # "agree", "disagree" or "too-early"
    message: str


def compare_tiers(watch: TierWatch, tariff: Tariff, store: HistoryStore | None,
                  tier_names: dict[int, str]) -> TierComparison | None:
    """The tiers' growth since the first reading beside the app's per-period energy; None before two readings."""
    first, newest = watch.first, watch.newest
    if first is None or newest is None or newest.at <= first.at:
        return None
    intervals = [] if store is None else [i for i in store.intervals(first.at, newest.at) if i.end <= newest.at]
    summary = summarize(tariff, intervals) if intervals else None
    per_period = {name: t.imported_kwh for name, t in summary.periods.items()} if summary else {}
    app_total = sum(per_period.values())
    rows = []
    for tier in sorted(newest.delivered):
        grown = (newest.delivered[tier] - first.delivered.get(tier, newest.delivered[tier])) / 1000
        out = None
        if tier in newest.received and tier in first.received:
            out = (newest.received[tier] - first.received[tier]) / 1000
        name = tier_names.get(tier)
        rows.append(TierRow(tier, name, grown, out, per_period.get(name, 0.0) if name and summary else None))
    hours = (newest.at - first.at).total_seconds() / 3600
    meter_total = sum(r.meter_kwh for r in rows)
    span = f"{_local(first.at, tariff):%a %d %b %H:%M} to {_local(newest.at, tariff):%a %d %b %H:%M}"
    if summary is None or hours < MIN_COMPARE_HOURS or meter_total < MIN_COMPARE_KWH or app_total <= 0:
        message = (f"The meter's tier registers grew {meter_total:.2f} kWh from {span}; too little yet to compare "
                   "with the app's periods (it needs at least 6 hours and 2 kWh with history).")
        return TierComparison(first.at, newest.at, tuple(rows), app_total, "too-early", message)
    worst: tuple[float, TierRow] | None = None
    for row in rows:
        if row.app_kwh is None:
            continue
        gap = abs(row.meter_kwh - row.app_kwh)
        beyond = gap > ABSOLUTE_TOLERANCE_KWH and gap > RELATIVE_TOLERANCE * max(row.meter_kwh, row.app_kwh)
        if beyond and (worst is None or gap > worst[0]):
            worst = (gap, row)
    unnamed = [p for p in per_period if p not in tier_names.values() and per_period[p] > 0.05]
    if worst is not None or unnamed:
        if worst is not None:
            row = worst[1]
            detail = (f"tier {row.tier} ({row.name}) grew {row.meter_kwh:.2f} kWh, the app's {row.name} period "
                      f"holds {row.app_kwh or 0:.2f} kWh")
        else:
            detail = f"the app's period(s) {', '.join(unnamed)} match no tier"
        message = (f"From {span} the meter's tier registers and this tariff's periods disagree ({detail}). "
                   f"The chosen tariff's schedule ({tariff.name}) may not be the one the meter bills by, or the tier "
                   "names in Settings, Cost do not match your meter: check your bill.")
        return TierComparison(first.at, newest.at, tuple(rows), app_total, "disagree", message)
    message = (f"From {span} the meter's tier registers and this tariff's periods agree (each within "
               f"{RELATIVE_TOLERANCE:.0%} or {ABSOLUTE_TOLERANCE_KWH:g} kWh).")
    return TierComparison(first.at, newest.at, tuple(rows), app_total, "agree", message)


def _local(when: dt.datetime, tariff: Tariff) -> dt.datetime:
    return when.astimezone(tariff.zone)
