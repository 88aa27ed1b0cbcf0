"""What the budget and cost rules of the alert engine look at, from the one energy and cost functions. Qt-free.

:class:`CostFacts` is plain data (so engine tests can give it directly); :class:`CostFactsSource` works it out from
the history store, in the home zone, at most once a minute (pricing a month of slots is not free): today's kWh
(:func:`~xcelsior_desktop.energy.totals.energy`, with or without a tariff), and with a tariff today's cost, the
billing cycle's projection and the next on-peak start (:mod:`xcelsior_desktop.money.overview`). The
figures are the ones the window, the tray and Home Assistant show.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from xcelsior_desktop.energy.days import day_span
from xcelsior_desktop.energy.errors import HistoryError
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.energy.totals import Energy, energy
from xcelsior_desktop.money.model import Tariff, format_money, format_price
from xcelsior_desktop.money.overview import CostOverview, cost_overview
from xcelsior_desktop.money.peak import next_peak_start, on_peak_at

log = logging.getLogger(__name__)

REFRESH_S = 60.0


@dataclass(frozen=True)
class CostFacts:
    at: float  # unix seconds they were computed for
    currency: str
    today_import_kwh: float | None  # the one energy figure of today; None: nothing measured
    today_complete: bool  # every second since midnight is measured
    today_since: float | None  # unix seconds today's figure counts from (midnight, or the first reading)
    today_cost: float | None  # None without a tariff
    cycle_projected: float | None
    cycle_next_first_day: dt.date | None
    on_peak_now: bool
    next_peak_at: float | None  # unix seconds the next on-peak stretch starts
    next_peak_price: float | None

    def money(self, amount: float) -> str:
        return format_money(amount, self.currency)

    def price(self, price: float) -> str:
        return format_price(price, self.currency)


def facts_from(today: Energy | None, overview: CostOverview | None, tariff: Tariff | None,
               now: dt.datetime) -> CostFacts:
    peak = next_peak_start(tariff, now) if tariff is not None else None
    kwh = today.imported_wh / 1000 if today is not None and today.imported_wh is not None else None
    return CostFacts(
        now.timestamp(), tariff.currency if tariff is not None else "USD", kwh,
        today.complete if today is not None else False,
        today.since.timestamp() if today is not None and today.known else None,
        overview.today.total if overview is not None else None,  # what is priced: a lower bound when some is not
        overview.cycle.projection.projected_total if overview is not None else None,
        overview.cycle.projection.next_first_day if overview is not None else None,
        on_peak_at(tariff, now) if tariff is not None else False,
        peak.at.timestamp() if peak else None, peak.price if peak else None,
    )


class CostFactsSource:
    """Callable(now unix s) -> CostFacts | None for :meth:`AlertEngine.set_cost_source`; cached for a minute."""

    def __init__(self, tariff: Tariff | None, store: Callable[[], HistoryStore | None], *, zone: dt.tzinfo,
                 cycle_start_day: int = 1) -> None:
        self.tariff = tariff
        self.zone = zone
        self.cycle_start_day = cycle_start_day
        self._store = store
        self._cached: CostFacts | None = None

    def __call__(self, now: float) -> CostFacts | None:
        if self._cached is not None and 0 <= now - self._cached.at < REFRESH_S:
            return self._cached
        store = self._store()
        when = dt.datetime.fromtimestamp(now, dt.UTC)
        today = overview = None
        try:
            if store is None:
                pass  # no history open yet: only the tariff's hours are known (on-peak soon)
            elif self.tariff is not None:
                overview = cost_overview(self.tariff, store, when, zone=self.zone,
                                         cycle_start_day=self.cycle_start_day)
                today = overview.today.energy
            else:
                today = energy(store, *day_span(when, self.zone), when, zone=self.zone)
        except HistoryError as exc:
            log.warning("alerts: the history store could not be read: %s", exc)
        self._cached = facts_from(today, overview, self.tariff, when)
        return self._cached
