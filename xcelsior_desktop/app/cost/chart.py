"""On-peak shading and each slot's cost for the history charts.

:class:`CostChartDecorator` has the shape of the history view's chart decorator (``bands(span)``,
``hover_extra(span, bar)``; ``shell.add_chart_decorator`` on the history branch). Where the shell has no such hook
yet, :func:`attach` falls back to :class:`~xcelsior_desktop.app.energy_chart.ChartDecorations`, the minimal hook in
``app/energy_chart.py``. Only a Day span is shaded, and only bars up to an hour long get a cost: a day's or a
month's bar holds hours of several prices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from xcelsior_desktop.app.energy_chart import set_chart_decorations
from xcelsior_desktop.services.chart_data import Bar
from xcelsior_desktop.services.periods import Span, View
from xcelsior_desktop.services.tariff import Pricer, format_money
from xcelsior_desktop.services.tariff.model import Tariff
from xcelsior_desktop.services.tariff.peak import peak_bands

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


def attach(shell: Any, decorator: CostChartDecorator) -> bool:
    """Give the decorator to the history charts: the shell's hook when it has one (True), else the energy chart's
    class-wide decorations (False; :func:`detach` clears them)."""
    add = getattr(shell, "add_chart_decorator", None)
    if callable(add):
        add(decorator)
        return True
    set_chart_decorations(
        lambda start, end: decorator.bands(_day_span(start, end)),
        lambda bar: decorator.hover_extra(None, bar),
    )
    return False


def detach() -> None:
    set_chart_decorations(None, None)


def _day_span(start: dt.datetime, end: dt.datetime) -> Span:
    """The energy chart's fallback hook gives only start and end; it asks for bands only on a day's chart."""
    return Span(View.DAY, start.date(), start, end, "", ())
