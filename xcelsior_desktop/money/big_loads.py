"""What a big load cost: its energy (its size for as long as it was on) priced through the tariff, minute by minute
of the periods it ran in. Qt-free.

The load's energy is cut at every quarter hour and priced by the same :class:`~.pricing.Pricer` the one cost
function uses, so an on-peak minute costs the on-peak price. A tiered tariff prices it at the tier the cycle is in
when known; alone it is priced from the first tier (said in :attr:`LoadCost.note`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xcelsior_desktop.energy.steps import BigLoad
from xcelsior_desktop.money.model import Tariff, format_money
from xcelsior_desktop.money.peak import peak_bands
from xcelsior_desktop.money.pricing import Pricer

SLOT_S = 900


@dataclass(frozen=True)
class _Piece:
    start: dt.datetime
    duration_s: int
    imported_wh: float | None
    exported_wh: float | None


@dataclass(frozen=True)
class LoadCost:
    cost: float | None  # None: not priced (``note`` says why)
    currency: str
    periods: str  # "on-peak", "off-peak/on-peak"
    on_peak: bool  # it ran in on-peak hours
    note: str = ""


def pieces(load: BigLoad) -> list[_Piece]:
    """The load's energy over [at, until), cut at each quarter hour."""
    if not load.on or load.until is None or load.until <= load.at:
        return []
    out = []
    cursor = load.at
    while cursor < load.until:
        seconds = cursor.timestamp()
        boundary = dt.datetime.fromtimestamp(seconds - seconds % SLOT_S + SLOT_S, dt.UTC)
        end = min(boundary, load.until)
        length = (end - cursor).total_seconds()
        if length >= 1:
            out.append(_Piece(cursor, int(round(length)), load.watts * length / 3600, 0.0))
        cursor = end
    return out


def load_cost(tariff: Tariff, load: BigLoad, *, cycle_start_day: int = 1) -> LoadCost:
    """What ``load`` cost under ``tariff``; a step down whose start was not seen has no cost."""
    parts = pieces(load)
    if not parts:
        return LoadCost(None, tariff.currency, "", False, "its start was not seen")
    pricer = Pricer(tariff, cycle_start_day=cycle_start_day)
    total = 0.0
    names: list[str] = []
    for piece in parts:
        priced = pricer.price(piece)
        if priced.cost is None:
            return LoadCost(None, tariff.currency, "", False, priced.unpriced_reason or "")
        total += priced.cost
        names.extend(p.period for p in priced.parts)
    assert load.until is not None
    on_peak = bool(peak_bands(tariff, load.at, load.until))
    tiered = any(v.tiered for v in tariff.versions)
    return LoadCost(total, tariff.currency, "/".join(dict.fromkeys(names)), on_peak,
                    "priced from the first tier" if tiered else "")


def short_money(amount: float, currency: str) -> str:
    """'37 ¢' under a dollar, else '$1.24' (other currencies as format_money)."""
    if currency.upper() == "USD" and abs(amount) < 1:
        return f"{round(amount * 100):.0f} \u00a2"
    return format_money(amount, currency)
