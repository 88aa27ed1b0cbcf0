"""Today's cost so far, for the "Cost today" sensor: the one cost function over today, in the home zone.

Qt-free. No store, no tariff, or nothing measured today means no figure (None), never a 0 (a gap stays a gap).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xcelsior_desktop.energy.store import HistoryStore
    from xcelsior_desktop.money import Tariff


@dataclass(frozen=True)
class CostToday:
    amount: float  # energy charges of today plus today's fixed charges (what the Cost tab shows)
    currency: str
    day_start: dt.datetime  # the home zone's midnight, UTC


def cost_today(store: HistoryStore | None, tariff: Tariff | None, now: dt.datetime, *, zone: dt.tzinfo,
               cycle_start_day: int = 1) -> CostToday | None:
    """Today's cost until ``now`` (aware), or None without a store, a tariff or a measured second today."""
    if store is None or tariff is None:
        return None
    from xcelsior_desktop.money.cost import today_cost

    today = today_cost(tariff, store, now, zone=zone, cycle_start_day=cycle_start_day)
    if not today.energy.known:
        return None
    return CostToday(amount=today.total, currency=today.currency, day_start=today.energy.start)
