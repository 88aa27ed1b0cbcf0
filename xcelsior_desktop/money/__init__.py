"""Tariffs as data (TOML files, see docs/tariffs.md) and what energy costs under them. Qt-free.

- :func:`resolve` / :func:`load_tariff` / :func:`parse_tariff` read a tariff (errors name the field and line);
- :func:`period_at`, :func:`period_now` answer "which period, what price, until when";
- :class:`Pricer` / :func:`price_intervals` price intervals, :func:`summarize`, :func:`daily_costs` and
  :func:`cycle_cost` total them; :func:`csv_columns` gives the export's ``period`` and ``cost`` columns.
"""

from __future__ import annotations

from xcelsior_desktop.money.columns import CSV_COLUMNS, CsvPricer, csv_columns
from xcelsior_desktop.money.errors import Problem, TariffError
from xcelsior_desktop.money.holidays import HolidayCalendar, HolidayRule
from xcelsior_desktop.money.loader import load_tariff, parse_tariff
from xcelsior_desktop.money.model import Tariff, TariffVersion, format_money, format_price
from xcelsior_desktop.money.presets import load_preset, preset_names, preset_text, resolve, user_dir
from xcelsior_desktop.money.pricing import (
    CostSummary,
    CycleCost,
    PeriodAt,
    PeriodNow,
    PeriodTotal,
    PricedInterval,
    Pricer,
    Unpriced,
    billing_cycle,
    cycle_cost,
    daily_costs,
    period_at,
    period_now,
    price_intervals,
    segments,
    summarize,
)

__all__ = [
    "CSV_COLUMNS", "CostSummary", "CsvPricer", "CycleCost", "HolidayCalendar", "HolidayRule", "PeriodAt",
    "PeriodNow", "PeriodTotal", "PricedInterval", "Pricer", "Problem", "Tariff", "TariffError", "TariffVersion",
    "Unpriced", "billing_cycle", "csv_columns", "cycle_cost", "daily_costs", "format_money", "format_price",
    "load_preset", "load_tariff", "parse_tariff", "period_at", "period_now", "preset_names", "preset_text",
    "price_intervals", "resolve", "segments", "summarize", "user_dir",
]
