"""The one way money is worked out: the cost of any stretch of time, built on the one energy function.

Qt-free. :func:`cost` prices what :func:`~xcelsior_desktop.energy.totals.energy` counts in [start, end): the
store's intervals and the register tail after the newest one, slot by slot through the tariff (its periods in the
tariff's own zone), plus the fixed charges of the span's days in the home zone (the daily charge, and each day's
share of the monthly charge). :func:`billing_cycle_cost` does the same for the billing cycle so far and projects
the rest. Today's cost in the Cost tab, the tray, the alerts and Home Assistant is ``cost`` over today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xcelsior_desktop.energy.days import day_of, day_span, local_midnight
from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore
from xcelsior_desktop.energy.totals import Energy, energy
from xcelsior_desktop.money.model import Tariff
from xcelsior_desktop.money.pricing import CostSummary, CycleCost, billing_cycle, cycle_cost, summarize


@dataclass(frozen=True)
class Cost:
    """Money and energy of one span: the same kWh every surface shows, and what they cost."""

    energy: Energy
    summary: CostSummary

    @property
    def total(self) -> float:
        """Energy charges (what could be priced) plus the fixed charges of the span's days."""
        return self.summary.total

    @property
    def currency(self) -> str:
        return self.summary.currency

    @property
    def complete(self) -> bool:
        """Every measured second is priced and nothing is missing."""
        return self.energy.complete and self.summary.unpriced.intervals == 0


def _intervals(store: HistoryStore, counted: Energy) -> list[EnergyInterval]:
    until = min(counted.end, counted.as_of) if counted.tail is None else counted.tail.start
    stored = [i for i in store.intervals(counted.start, until) if i.end <= until] if until > counted.start else []
    return stored + ([counted.tail] if counted.tail is not None else [])


def cost(tariff: Tariff, store: HistoryStore, start: dt.datetime, end: dt.datetime, now: dt.datetime, *,
         zone: dt.tzinfo, cycle_start_day: int = 1) -> Cost:
    """The cost of [start, end) as of ``now``; days (fixed charges) are counted in ``zone``, the home zone, up to
    today's (a day not begun owes nothing yet)."""
    counted = energy(store, start, end, now, zone=zone)
    first_day = day_of(start, zone)
    last_day = max(first_day, day_of(min(end, now) - dt.timedelta(microseconds=1), zone))
    summary = summarize(tariff, _intervals(store, counted), first_day=first_day, last_day=last_day,
                        cycle_start_day=cycle_start_day, zone=zone)
    assert summary is not None  # days are given
    return Cost(counted, summary)


def today_cost(tariff: Tariff, store: HistoryStore, now: dt.datetime, *, zone: dt.tzinfo,
               cycle_start_day: int = 1) -> Cost:
    """Today (the home zone's day holding ``now``) so far."""
    start, end = day_span(now, zone)
    return cost(tariff, store, start, end, now, zone=zone, cycle_start_day=cycle_start_day)


@dataclass(frozen=True)
class BillingCycle:
    cost: Cost  # the cycle so far
    projection: CycleCost  # the projection for the whole cycle (pricing.cycle_cost over the same intervals)


def billing_cycle_cost(tariff: Tariff, store: HistoryStore, now: dt.datetime, *, zone: dt.tzinfo,
                       cycle_start_day: int = 1) -> BillingCycle:
    """The billing cycle holding ``now`` (its days in the home zone): so far, and projected."""
    first, next_first = billing_cycle(day_of(now, zone), cycle_start_day)
    counted = energy(store, local_midnight(first, zone), local_midnight(next_first, zone), now, zone=zone)
    projection = cycle_cost(tariff, _intervals(store, counted), now=now, cycle_start_day=cycle_start_day,
                            zone=zone)
    return BillingCycle(Cost(counted, projection.so_far), projection)  # priced once: the projection's own so far
