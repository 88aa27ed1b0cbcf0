"""On-peak shading and each slot's cost for the history charts.

:class:`CostChartDecorator` has the shape of the history view's chart decorator (``bands(span)``,
``hover_extra(span, bar)``), given to the history view with ``shell.add_chart_decorator``. Only a Day span is
shaded, and only bars up to an hour long get a cost: a day's or a month's bar holds hours of several prices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from xcelsior_desktop.energy.chart_data import Bar
from xcelsior_desktop.energy.periods import Span, View
from xcelsior_desktop.money import Pricer, format_money
from xcelsior_desktop.money.model import Tariff
from xcelsior_desktop.money.peak import peak_bands

SLOT_HOVER_MAX_S = 3600


class CostChartDecorator:
    def __init__(self, tariff: Callable[[], Tariff | None], cycle_start_day: Callable[[], int]) -> None:
        self._tariff = tariff
        self._cycle_start_day = cycle_start_day

    def bands(self, span: Span) -> Sequence[tuple[dt.datetime, dt.datetime]]:
        tariff = self._tariff()
        if tariff is None or span.view is not View.DAY:
            return []
        return peak_bands(tariff, span.start, span.end)

    def hover_extra(self, _span: Span | None, bar: Bar) -> str:
        """The bar's period and cost ("Cost: $0.12 (on-peak)"), for a bar up to an hour long."""
        tariff = self._tariff()
        duration = int((bar.end - bar.start).total_seconds())
        if tariff is None or duration > SLOT_HOVER_MAX_S or bar.imported_wh is None:
            return ""
        priced = Pricer(tariff, cycle_start_day=self._cycle_start_day()).price(_BarInterval(bar))
        if priced.cost is None:
            return f"Cost: not priced ({priced.unpriced_reason})"
        return f"Cost: {format_money(priced.cost, tariff.currency)} ({priced.period})"


class _BarInterval:
    """A chart bar seen as an interval for the pricer."""

    def __init__(self, bar: Bar) -> None:
        self.start = bar.start
        self.duration_s = int((bar.end - bar.start).total_seconds())
        self.imported_wh = bar.imported_wh
        self.exported_wh = bar.exported_wh
