"""What the household's energy costs today and this billing cycle: the Cost tab's figures. Qt-free.

Both come from the one cost function (:mod:`.cost`), in the home zone: today is :func:`~.cost.today_cost`, the
cycle :func:`~.cost.billing_cycle_cost` (so far, and projected). The tray, the alerts and Home Assistant use the
same functions, so they show the same kWh and money.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.money.cost import BillingCycle, Cost, billing_cycle_cost, today_cost
from xcelsior_desktop.money.model import Tariff


@dataclass(frozen=True)
class CostOverview:
    at: dt.datetime  # UTC
    tariff: Tariff
    zone: dt.tzinfo  # the home zone the days and the cycle are counted in
    today: Cost
    cycle: BillingCycle

    @property
    def currency(self) -> str:
        return self.tariff.currency


def cost_overview(tariff: Tariff, store: HistoryStore, now: dt.datetime, *, zone: dt.tzinfo,
                  cycle_start_day: int = 1) -> CostOverview:
    """Today's and the billing cycle's cost as of ``now`` (aware; the meter's clock)."""
    now = now.astimezone(dt.UTC)
    return CostOverview(now, tariff, zone, today_cost(tariff, store, now, zone=zone, cycle_start_day=cycle_start_day),
                        billing_cycle_cost(tariff, store, now, zone=zone, cycle_start_day=cycle_start_day))
