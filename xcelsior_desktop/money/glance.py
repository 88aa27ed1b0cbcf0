"""What the Overview's cards say: each a figure and one line, worked out from the one energy and cost functions.
Qt-free, so every sentence is tested without a window.

A card is plain data (:class:`CardText`): the large figure, the one line under it, a longer ``detail`` for its
tooltip (what the figure is based on, what it lacks) and ``spoken`` for a screen reader. The functions take what the
energy and cost rooms work out (an :class:`~xcelsior_desktop.energy.totals.Energy`, a
:class:`~xcelsior_desktop.money.cost.Cost`, a baseline ...), so a later meter (solar production, home use) gets a card
by calling the same ones with its own figures.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from xcelsior_desktop.common import format as fmt
from xcelsior_desktop.energy.baseline import Baseline, TrendPoint, change_over
from xcelsior_desktop.energy.compare import UsualDay, kwh
from xcelsior_desktop.energy.days import local_midnight
from xcelsior_desktop.energy.home import HomeEnergy
from xcelsior_desktop.energy.peaks import MonthPeak
from xcelsior_desktop.energy.steps import BigLoad, Ended
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.energy.totals import Energy
from xcelsior_desktop.money.big_loads import LoadCost, short_money
from xcelsior_desktop.money.cost import Cost, cost
from xcelsior_desktop.money.model import Tariff, format_money, format_price
from xcelsior_desktop.money.overview import CostOverview
from xcelsior_desktop.money.pricing import PeriodNow, billing_cycle, daily_costs

YOUNG_CYCLE_DAYS = 7  # the projection is given as a range until the cycle is this old
RANGE_DAYS = 14  # the range comes from the daily costs of this many whole days before today
HOURS_A_MONTH = 730.0  # 365.25 days / 12 x 24


@dataclass(frozen=True)
class CardText:
    figure: str
    line: str
    detail: str = ""  # the tooltip: what the figure is based on
    spoken: str = ""  # the accessible description: the figure and line in words

    def __post_init__(self) -> None:
        if not self.spoken:
            object.__setattr__(self, "spoken", f"{self.figure}. {self.line}")


def signed_power(watts: float, units: str = "W") -> str:
    """'1.24 kW' importing, '−850 W' exporting: the sign says the direction, not only the colour."""
    text = fmt.full_power(abs(watts), units)
    return f"\u2212{text}" if round(watts) < 0 else text


def kw(watts: float) -> str:
    """'2.4 kW', '850 W': a step's or a peak's size, rounded as people say it."""
    return f"{watts / 1000:.1f} kW" if abs(watts) >= 1000 else f"{watts:.0f} W"


# -- Now -------------------------------------------------------------------------------------------------------


def now_card(watts: float | None, read_at: dt.datetime | None, period: PeriodNow | None, *,
             units: str = "W", zone: dt.tzinfo | None = None) -> CardText:
    if watts is None or read_at is None:
        return CardText("\u2014", "Waiting for the meter's first reading", "The watts appear with the first reading.")
    direction = "Exporting to the grid" if watts < 0 else "From the grid"
    price = period.summary() if period is not None else "no tariff chosen"
    local = read_at.astimezone(zone) if zone else read_at.astimezone()
    return CardText(signed_power(watts, units), f"{direction} \u00b7 {price}",
                    f"Read at {local:%H:%M:%S}. {price[0].upper()}{price[1:]}.",
                    f"{'Exporting' if watts < 0 else 'Importing'} {fmt.full_power(abs(watts), units)}. {price}.")


# -- Today ------------------------------------------------------------------------------------------------------


def today_card(today: Energy, today_cost: Cost | None, usual: UsualDay | None) -> CardText:
    if today.imported_wh is None:
        return CardText("\u2014", "Nothing measured today yet", today.footnote())
    money = f" \u00b7 {format_money(today_cost.total, today_cost.currency)}" if today_cost is not None else ""
    line = usual.words() if usual is not None else "No history to compare with"
    detail = today.footnote()
    if usual is not None and usual.left_out:
        detail += (" Left out of the usual day, for missing data: "
                   f"{', '.join(f'{d:%d %b}' for d in usual.left_out)}.")
    if today_cost is not None and not today_cost.complete:
        detail += " The money counts what could be priced."
    return CardText(f"{kwh(today.imported_wh)}{money}", line, detail)


# -- This bill cycle -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CycleGlance:
    overview: CostOverview
    low: float | None  # the projection's range while the cycle is young (None: no range)
    high: float | None
    range_days: int  # whole days the range is based on
    last: Cost | None  # the last cycle up to the same point (None: not worked out yet)
    last_first_day: dt.date | None

    @property
    def young(self) -> bool:
        return self.overview.cycle.projection.elapsed_hours < YOUNG_CYCLE_DAYS * 24


def last_cycle_by_now(tariff: Tariff, store: HistoryStore, overview: CostOverview, *,
                      cycle_start_day: int = 1) -> tuple[Cost, dt.date]:
    """The last billing cycle's cost up to as far in as this one is (by the calendar: a DST change is no hour more
    or less), and the day it began. Priced by the one cost function over that span."""
    zone, now = overview.zone, overview.at
    first = overview.cycle.projection.first_day
    last_first, _ = billing_cycle(first - dt.timedelta(days=1), cycle_start_day)
    local = now.astimezone(zone)
    point = dt.datetime.combine(last_first + (local.date() - first), local.time(), tzinfo=zone).astimezone(dt.UTC)
    last_start = local_midnight(last_first, zone)
    return cost(tariff, store, last_start, min(point, local_midnight(first, zone)), now, zone=zone,
                cycle_start_day=cycle_start_day), last_first


def cycle_glance(tariff: Tariff, store: HistoryStore, overview: CostOverview, *, cycle_start_day: int = 1,
                 last: tuple[Cost, dt.date] | None = None) -> CycleGlance:
    """The cycle so far and projected (``overview``), a range while it is young, and ``last``
    (:func:`last_cycle_by_now`; None: not worked out yet, the card leaves it out)."""
    zone, now = overview.zone, overview.at
    projection = overview.cycle.projection
    low = high = None
    days = 0
    if projection.elapsed_hours < YOUNG_CYCLE_DAYS * 24 and projection.projected is not None:
        today = now.astimezone(zone).date()
        start = local_midnight(today - dt.timedelta(days=RANGE_DAYS), zone)
        whole = [d for d in daily_costs(tariff, store.intervals(start, local_midnight(today, zone)),
                                        cycle_start_day=cycle_start_day)
                 if d.priced_hours >= 23 and not d.unpriced.intervals]
        days = len(whole)
        if days >= 3:
            totals = sorted(d.total for d in whole)
            quartiles = statistics.quantiles(totals, n=4)
            remaining_days = max(0.0, projection.cycle_hours - projection.elapsed_hours) / 24
            so_far = projection.so_far.total
            projected = projection.projected.total
            low = min(so_far + remaining_days * quartiles[0], projected)
            high = max(so_far + remaining_days * quartiles[2], projected)
    return CycleGlance(overview, low, high, days, last[0] if last else None, last[1] if last else None)


def cycle_card(glance: CycleGlance) -> CardText:
    overview = glance.overview
    money = overview.currency
    projection = overview.cycle.projection
    so_far = format_money(projection.so_far.total, money)
    parts = []
    if projection.projected is not None:
        if glance.low is not None and glance.high is not None and glance.young:
            parts.append(f"Projected {format_money(glance.low, money)}\u2013{format_money(glance.high, money)}")
        else:
            parts.append(f"Projected {format_money(projection.projected.total, money)}")
    last = glance.last
    if last is not None and last.energy.known:
        lacking = "" if last.complete else " (lacks data)"
        parts.append(f"last cycle by now {format_money(last.total, money)}{lacking}")
    elif last is not None:
        parts.append("no last cycle to compare")
    last_day = projection.next_first_day - dt.timedelta(days=1)
    detail = (f"Billing cycle {projection.first_day:%d %b} \u2013 {last_day:%d %b}; projection: {projection.basis}.")
    if glance.young and glance.low is not None:
        detail += (f" While the cycle is young the projection is a range: the rest of the cycle at the quieter and "
                   f"the busier quarter of your last {glance.range_days} whole days.")
    if last is not None and last.energy.known and glance.last_first_day is not None:
        detail += f" The last cycle began {glance.last_first_day:%d %b}; it is counted as far in as this one is."
    return CardText(f"{so_far} so far", " \u00b7 ".join(parts), detail)


# -- Always on -------------------------------------------------------------------------------------------------


def off_peak_price(tariff: Tariff, when: dt.datetime) -> tuple[str, float] | None:
    """The cheapest period and its price in the version and season of ``when`` (None: no price known)."""
    local = tariff.local(when).date()
    version = tariff.version_on(local)
    if version is None:
        return None
    season = version.season_of(local)
    if version.tiered:
        tier = version.tiers[0]
        return tier.name, tier.prices[season]
    prices = [(version.price(p, season), p) for p in version.period_names if version.has_price(p, season)]
    if not prices:
        return None
    price, name = min(prices)
    return name, price


def always_on_card(baseline: Baseline, trend: Sequence[TrendPoint], tariff: Tariff | None,
                   now: dt.datetime) -> CardText:
    if baseline.watts is None:
        return CardText("\u2014", f"Needs 6 h of readings; {baseline.hours:.1f} h so far",
                        "The always-on figure comes from the minute averages of your demand over 48 hours.")
    parts = []
    cheapest = off_peak_price(tariff, now) if tariff is not None else None
    money = ""
    if cheapest is not None and tariff is not None:
        name, price = cheapest
        monthly = baseline.watts * HOURS_A_MONTH / 1000 * price
        money = f"{format_money(monthly, tariff.currency)} a month"
        parts.append(f"{money} at {name}")
    change = change_over(trend, len(trend) - 1) if trend else None
    if change is not None:
        delta = change[0] - change[1]
        sign = "+" if delta >= 0 else "\u2212"
        parts.append(f"{sign}{abs(delta):.0f} W in {len(trend) - 1} days")
    detail = baseline.basis()
    if cheapest is not None and tariff is not None:
        detail += (f" A month of it costs {money} at the {cheapest[0]} price "
                   f"({format_price(cheapest[1], tariff.currency)}), the cheapest hour it can run in.")
    return CardText(f"{baseline.watts:.0f} W", " \u00b7 ".join(parts) or "Your home's lowest steady use", detail)


# -- Peak ------------------------------------------------------------------------------------------------------


def peak_card(peak: MonthPeak, max_demand_w: float | None, zone: dt.tzinfo) -> CardText:
    register = (f"meter's register {kw(max_demand_w)}" if max_demand_w is not None
                else "meter's register not read yet")
    if peak.watts is None or peak.at is None:
        return CardText("\u2014", f"No 15-minute slots this month yet \u00b7 {register}")
    at = peak.at.astimezone(zone)
    return CardText(kw(peak.watts), f"Highest 15 min, {at:%d %b %H:%M} \u00b7 {register}",
                    "The month's highest quarter hour of import (its energy \u00d7 4), from the meter's 15-minute "
                    f"slots of {peak.days_with_data} day{'s' if peak.days_with_data != 1 else ''}. The meter's "
                    "maximum-demand register measures the same over its own interval, since its last reset.")


# -- Solar ------------------------------------------------------------------------------------------------------


def exported(summary_cost: Cost) -> tuple[float, float]:
    """(kWh exported, the credit it earned) of a priced span."""
    periods = summary_cost.summary.periods.values()
    return (summary_cost.energy.exported_wh or 0.0) / 1000, sum(p.credit for p in periods)


def solar_card(today: Cost, cycle: Cost) -> CardText:
    today_kwh, today_credit = exported(today)
    cycle_kwh, cycle_credit = exported(cycle)
    money = today.currency
    return CardText(f"{today_kwh:.1f} kWh today",
                    f"This cycle {cycle_kwh:.0f} kWh \u00b7 credit {format_money(cycle_credit, money)}",
                    f"Sent to the grid today: {today_kwh:.2f} kWh, credit {format_money(today_credit, money)}. "
                    "The credit is what your tariff pays for exported energy.")


def production_card(home: HomeEnergy, today: Cost | None) -> CardText:
    """The Solar card with a solar meter: what the panels made today (its own meter), and of it what went to the
    grid and earned (the net meter's export, priced)."""
    made = home.produced_wh
    figure = f"{made / 1000:.1f} kWh today" if made is not None else "\u2014"
    parts = []
    if home.self_consumed_wh is not None:
        parts.append(f"{home.self_consumed_wh / 1000:.1f} kWh used at home")
    if today is not None:
        sent, credit = exported(today)
        parts.append(f"{sent:.1f} kWh sent \u00b7 {format_money(credit, today.currency)}")
    line = " \u00b7 ".join(parts) or "Not known yet"
    return CardText(figure, line,
                    "Made by your panels since midnight, from the solar meter's own register; what the home did not "
                    "use at once went to the grid (the net meter's export) and earns your tariff's credit."
                    if made is not None else "The solar meter's figures for today are not known yet.")


def home_card(home: HomeEnergy) -> CardText:
    """The Home use card: what the home used today wherever it came from (grid import + solar made - export)."""
    use, share = home.home_use_wh, home.self_sufficiency
    if use is None:
        return CardText("\u2014", "Not known yet", "Home use needs both meters' figures for the same span; one of "
                        "them has none yet (a gap stays a gap).")
    line = f"{share * 100:.0f} % of it from the sun" if share is not None else "Share from the sun not known"
    return CardText(f"{use / 1000:.1f} kWh today", line,
                    "What your home used since midnight, from the grid and from your panels: the net meter's import "
                    "plus what the solar meter made, less what went back to the grid.")


# -- Big loads --------------------------------------------------------------------------------------------------


def load_words(load: BigLoad, priced: LoadCost | None, zone: dt.tzinfo, label: str | None = None) -> str:
    """'+2.4 kW at 18:02 for 41 min (1.6 kWh, 37 ¢, on-peak)'; a label, when the user gave one, first."""
    at = load.at.astimezone(zone)
    size = kw(abs(load.watts))
    head = f"{label}: " if label else ""
    if not load.on:
        return f"{head}\u2212{size} at {at:%H:%M} (it came on before the readings)"
    minutes = (load.duration_s or 0) / 60
    length = f"{minutes:.0f} min" if minutes < 120 else f"{minutes / 60:.1f} h"
    how = {Ended.OFF: f"for {length}", Ended.STILL_ON: f"on for {length} so far",
           Ended.NO_DATA: f"for at least {length}"}.get(load.ended, "")
    extras = []
    if load.energy_wh is not None:
        extras.append(kwh(load.energy_wh))
    if priced is not None and priced.cost is not None:
        extras.append(short_money(priced.cost, priced.currency))
        if priced.periods:
            extras.append(priced.periods)
    tail = f" ({', '.join(extras)})" if extras else ""
    return f"{head}+{size} at {at:%H:%M} {how}{tail}"


def loads_card(loads: Sequence[BigLoad], zone: dt.tzinfo) -> CardText:
    on = [load for load in loads if load.on]
    if not on:
        return CardText("None today", "Steps of 1 kW or more that last show here",
                        "A big load is a step in your demand that holds for 30 s or more.")
    largest = max(on, key=lambda load: load.watts)
    at = largest.at.astimezone(zone)
    return CardText(f"{len(on)} today", f"Largest +{kw(largest.watts)} at {at:%H:%M}",
                    "Steps in your demand that held for 30 s or more; the Big loads tab lists them.")
