"""What the cost rules of the alert engine look at, computed from the history store and the tariff. Qt-free.

:class:`CostFacts` is plain data (so engine tests can give it directly); :class:`CostFactsSource` computes it
from the store (today's energy slot by slot plus the register delta since the newest slot, counting the newest
register reading: the window's figure once that reading is stored), the tariff and the billing cycle, at most once
a minute (pricing a month of slots is not free).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from xcelsior_desktop.services.history.errors import HistoryError
from xcelsior_desktop.services.history.store import HistoryStore, RegisterReading
from xcelsior_desktop.services.history.today import energy_today
from xcelsior_desktop.services.tariff.model import Tariff, format_money, format_price
from xcelsior_desktop.services.tariff.overview import CostOverview, cost_overview
from xcelsior_desktop.services.tariff.peak import next_peak_start, on_peak_at

log = logging.getLogger(__name__)

REFRESH_S = 60.0

@dataclass(frozen=True)
class CostFacts:
    at: float  # unix seconds they were computed for
    currency: str
    today_import_kwh: float | None  # from the store (slots + register delta); None: not known
    today_complete: bool  # no slot of today is missing
    today_cost: float | None
    cycle_projected: float | None
    cycle_next_first_day: dt.date | None
    on_peak_now: bool
    next_peak_at: float | None  # unix seconds the next on-peak stretch starts
    next_peak_price: float | None

    def money(self, amount: float) -> str:
        return format_money(amount, self.currency)

    def price(self, price: float) -> str:
        return format_price(price, self.currency)


def facts_from(overview: CostOverview | None, tariff: Tariff, now: dt.datetime) -> CostFacts:
    peak = next_peak_start(tariff, now)
    if overview is None:
        return CostFacts(now.timestamp(), tariff.currency, None, False, None, None, None, on_peak_at(tariff, now),
                         peak.at.timestamp() if peak else None, peak.price if peak else None)
    today = overview.today_energy
    return CostFacts(
        now.timestamp(), tariff.currency, today.imported_wh / 1000, today.complete,
        overview.today.total,  # what is priced: a lower bound when some is unpriced
        overview.cycle.projected_total, overview.cycle.next_first_day, on_peak_at(tariff, now),
        peak.at.timestamp() if peak else None, peak.price if peak else None,
    )


class CostFactsSource:
    """Callable(now unix s) -> CostFacts | None for :meth:`AlertEngine.set_cost_source`; cached for a minute."""

    def __init__(self, tariff: Tariff, store: Callable[[], HistoryStore | None], *, cycle_start_day: int = 1,
                 latest: Callable[[], RegisterReading | None] = lambda: None) -> None:
        self.tariff = tariff
        self.cycle_start_day = cycle_start_day
        self._store = store
        self._latest = latest
        self._cached: CostFacts | None = None

    def __call__(self, now: float) -> CostFacts | None:
        if self._cached is not None and 0 <= now - self._cached.at < REFRESH_S:
            return self._cached
        when = dt.datetime.fromtimestamp(now, dt.UTC)
        store = self._store()
        overview = None
        if store is not None:
            try:
                overview = cost_overview(self.tariff, store, when, cycle_start_day=self.cycle_start_day,
                                         latest=self._latest())
            except HistoryError as exc:
                log.warning("cost alerts: the history store could not be read: %s", exc)
        facts = facts_from(overview, self.tariff, when)
        if store is not None and overview is None:
            # no price for today (e.g. a tariff that starts later): the kWh budget still has the store's figure
            try:
                shown = energy_today(store, when, self.tariff.zone)
            except HistoryError as exc:
                log.warning("cost alerts: today's energy could not be read: %s", exc)
                shown = None
            if shown is not None:
                facts = replace(facts, today_import_kwh=shown.imported_wh / 1000, today_complete=shown.complete)
        self._cached = facts
        return facts
