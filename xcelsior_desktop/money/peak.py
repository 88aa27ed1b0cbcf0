"""Which hours are "on-peak" under a tariff: for the tray's mark, the Day chart's shading and the on-peak alert.

A period is on-peak when it is the dearest period of its version in some season and the version has at least two
prices (a flat tariff has no on-peak). Qt-free.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xcelsior_desktop.money.model import Tariff, TariffVersion
from xcelsior_desktop.money.pricing import segments

UTC = dt.UTC
HORIZON_DAYS = 8


def peak_names(version: TariffVersion) -> frozenset[str]:
    """The version's dearest period in each season (empty for a flat or tiered version)."""
    if version.tiered or len(version.period_names) < 2:
        return frozenset()
    names: set[str] = set()
    for season in (s.name for s in version.seasons):
        if any(not version.has_price(p, season) for p in version.period_names):
            # prices still to come from the bill: the period the tariff calls peak is it
            names.update(p for p in version.period_names if p.lower() in ("peak", "on-peak", "on peak"))
            continue
        prices = {p: version.price(p, season) for p in version.period_names}
        top = max(prices.values())
        if len(set(prices.values())) > 1:
            names.update(p for p, v in prices.items() if v == top)
    return frozenset(names)


def peak_bands(tariff: Tariff, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """The on-peak stretches within [start, end) (UTC), joined where they touch."""
    bands: list[tuple[dt.datetime, dt.datetime]] = []
    for segment in segments(tariff, start, end):
        if segment.version is None or segment.period not in peak_names(segment.version):
            continue
        if bands and bands[-1][1] == segment.start:
            bands[-1] = (bands[-1][0], segment.end)
        else:
            bands.append((segment.start, segment.end))
    return bands


def on_peak_at(tariff: Tariff, when: dt.datetime) -> bool:
    return bool(peak_bands(tariff, when, when + dt.timedelta(seconds=1)))


@dataclass(frozen=True)
class PeakStart:
    at: dt.datetime  # UTC
    period: str
    price: float | None


def next_peak_start(tariff: Tariff, now: dt.datetime, horizon_days: int = HORIZON_DAYS) -> PeakStart | None:
    """The next instant after ``now`` an on-peak stretch begins (not the one in progress); None within the horizon."""
    now = now.astimezone(UTC)
    in_peak = on_peak_at(tariff, now)
    for segment in segments(tariff, now, now + dt.timedelta(days=horizon_days)):
        peak = segment.version is not None and segment.period in peak_names(segment.version)
        if not peak:
            in_peak = False
            continue
        if not in_peak and segment.start > now:
            assert segment.version is not None and segment.period is not None and segment.season is not None
            known = not segment.version.tiered and segment.version.has_price(segment.period, segment.season)
            price = segment.version.price(segment.period, segment.season) if known else None
            return PeakStart(segment.start, segment.period, price)
    return None
