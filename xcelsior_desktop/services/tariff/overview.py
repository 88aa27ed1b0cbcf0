"""What the household's energy costs today and this billing cycle, from the history store. Qt-free.

The one computation behind the cost panel, the tray and the cost alerts:

- today: today's stored intervals priced by the tariff, plus the register delta since the newest slot
  (:func:`~xcelsior_desktop.services.history.today.energy_today_by_slot`) priced as one interval ending now;
- the billing cycle so far and its projection (:func:`~.pricing.cycle_cost`) over the stored intervals of the
  cycle, the tail included.

Intervals the tariff cannot price are said (``unpriced``), never counted as zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xcelsior_desktop.services.history.store import EnergyInterval, HistoryStore, RegisterReading
from xcelsior_desktop.services.history.today import EnergyToday, energy_today_by_slot
from xcelsior_desktop.services.tariff.model import Tariff
from xcelsior_desktop.services.tariff.pricing import (
    CostSummary,
    CycleCost,
    billing_cycle,
    cycle_cost,
    summarize,
)

UTC = dt.UTC


@dataclass(frozen=True)
class CostOverview:
    at: dt.datetime  # UTC
    tariff: Tariff
    today_energy: EnergyToday
    today: CostSummary
    cycle: CycleCost

    @property
    def currency(self) -> str:
        return self.tariff.currency


def _tail(today: EnergyToday) -> list[EnergyInterval]:
    if today.tail_s < 1:
        return []
    return [EnergyInterval(today.tail_start, max(1, round(today.tail_s)), today.tail_imported_wh,
                           today.tail_exported_wh, "registers")]


def cost_overview(tariff: Tariff, store: HistoryStore, now: dt.datetime, *, cycle_start_day: int = 1,
                  latest: RegisterReading | None = None) -> CostOverview:
    """Today's and the billing cycle's cost as of ``now`` (aware), in the tariff's time zone."""
    now = now.astimezone(UTC)
    zone = tariff.zone
    today_energy = energy_today_by_slot(store, now, zone, latest)
    tail = _tail(today_energy)
    local_today = now.astimezone(zone).date()
    first, _ = billing_cycle(local_today, cycle_start_day)
    cycle_start = dt.datetime.combine(first, dt.time(), zone).astimezone(UTC)
    cycle_intervals = [i for i in store.intervals(cycle_start, now) if i.end <= now] + tail
    today_intervals = [*today_energy.slots, *tail]
    today = summarize(tariff, today_intervals, first_day=local_today, last_day=local_today,
                      cycle_start_day=cycle_start_day)
    assert today is not None
    cycle = cycle_cost(tariff, cycle_intervals, now=now, cycle_start_day=cycle_start_day)
    return CostOverview(now, tariff, today_energy, today, cycle)
