"""The ``period`` and ``cost`` columns that ``history export --tariff`` adds after start,end,imported_wh,exported_wh.

``cost`` is the slot's money, import at the period's price less the export credit, rounded to 1/10000 of the
currency unit; both columns are empty for a slot that cannot be priced (unknown energy is never priced as 0).
"""

from __future__ import annotations

from collections.abc import Iterable

from xcelsior_desktop.energy.interval_like import IntervalLike
from xcelsior_desktop.money.model import Tariff
from xcelsior_desktop.money.pricing import Pricer

CSV_COLUMNS = ("period", "cost")


class CsvPricer:
    """Gives each row's extra columns; keeps the billing cycle's kWh for tiered tariffs (rows in time order)."""

    def __init__(self, tariff: Tariff, *, cycle_start_day: int = 1) -> None:
        self._pricer = Pricer(tariff, cycle_start_day=cycle_start_day)

    def columns(self, interval: IntervalLike) -> tuple[str, str]:
        priced = self._pricer.price(interval)
        cost = priced.cost
        if cost is None:
            return "", ""
        text = f"{cost:.4f}"
        return priced.period, "0.0000" if text == "-0.0000" else text


    def columns_for(self, intervals: Iterable[IntervalLike]) -> list[tuple[str, str]]:
        """Every row's columns, in the order given (oldest first)."""
        return [self.columns(interval) for interval in intervals]


def csv_columns(tariff: Tariff, interval: IntervalLike) -> tuple[str, str]:
    """One row's (period, cost) on its own: right for flat and time-of-use tariffs; for a tiered tariff use one
    :class:`CsvPricer` for all rows so the cycle's kWh are counted."""
    return CsvPricer(tariff).columns(interval)
