"""Set a bill beside the app's own figures for the same days, and take the bill's prices. Qt-free.

The user types the bill's dates and, per period, the kWh and the energy charge (or only the total energy charge).
:func:`compare` works out the app's kWh and energy charge for the same days with the one cost function and says the
differences in words. :func:`bill_prices` turns the bill into prices (charge / kWh per period, for the seasons the
bill's days fall in) that become a version of the tariff from the bill's first day (``CostSettings.bills``), so
older history keeps its prices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xcelsior_desktop.energy.days import local_midnight
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.money import limits
from xcelsior_desktop.money.cost import Cost, cost
from xcelsior_desktop.money.cost_settings import BillPrices, price_key
from xcelsior_desktop.money.model import Tariff, format_money


@dataclass(frozen=True)
class BillLine:
    period: str
    kwh: float | None  # None: not on the bill
    charge: float | None  # the energy charge of this period, in the tariff's currency


@dataclass(frozen=True)
class Bill:
    first_day: dt.date
    last_day: dt.date  # included
    lines: tuple[BillLine, ...] = ()
    total_charge: float | None = None  # the energy charge when the bill gives no periods

    def check(self) -> list[str]:
        """What cannot be right, in sentences (empty: fine)."""
        problems = []
        if self.first_day > self.last_day:
            problems.append(f"The bill's first day ({self.first_day}) is after its last ({self.last_day}).")
        if (self.last_day - self.first_day).days > 62:
            problems.append("A bill covers one billing cycle (about a month): check the dates.")
        for line in self.lines:
            if line.kwh is not None and not 0 <= line.kwh <= 1_000_000:
                problems.append(f"{line.period}: {line.kwh:g} kWh cannot be right.")
            if line.charge is not None and not abs(line.charge) <= limits.MONTHLY_CHARGE.high:
                problems.append(f"{line.period}: a charge of {line.charge:g} cannot be right.")
        if not any(line.kwh is not None for line in self.lines) and self.total_charge is None:
            problems.append("Enter the kWh of at least one period, or the total energy charge.")
        return problems


@dataclass(frozen=True)
class LineCheck:
    period: str
    bill_kwh: float | None
    app_kwh: float
    bill_charge: float | None
    app_charge: float

    @property
    def kwh_difference(self) -> float | None:
        return None if self.bill_kwh is None else self.app_kwh - self.bill_kwh


@dataclass(frozen=True)
class Comparison:
    bill: Bill
    tariff: Tariff
    app: Cost  # the app's figures for the bill's days
    lines: tuple[LineCheck, ...]

    @property
    def app_energy_charge(self) -> float:
        """What the energy taken from the grid costs at the tariff's prices (a bill lists export credits apart)."""
        return sum(line.app_charge for line in self.lines)

    def words(self) -> list[str]:
        """One sentence per difference worth saying ("the app counted 2.1 kWh more on-peak: 1.3 %")."""
        out = []
        for line in self.lines:
            diff = line.kwh_difference
            if diff is None or line.bill_kwh is None:
                continue
            if abs(diff) < 0.05:
                out.append(f"{line.period}: the same kWh as the bill.")
                continue
            share = f": {abs(diff) / line.bill_kwh * 100:.1f} %" if line.bill_kwh > 0 else ""
            out.append(f"The app counted {abs(diff):.1f} kWh {'more' if diff > 0 else 'less'} {line.period}{share}.")
        currency = self.tariff.currency
        billed = self.bill.total_charge if self.bill.total_charge is not None else (
            sum(line.bill_charge for line in self.lines if line.bill_charge is not None)
            if any(line.bill_charge is not None for line in self.lines) else None)
        if billed is not None:
            diff = self.app_energy_charge - billed
            if abs(diff) < 0.005:
                out.append("The energy charge is the same as the bill's.")
            else:
                share = f" ({abs(diff) / abs(billed) * 100:.1f} %)" if billed else ""
                out.append(f"At the tariff's prices the energy costs {format_money(abs(diff), currency)} "
                           f"{'more' if diff > 0 else 'less'} than billed{share}.")
        if not self.app.energy.complete:
            out.append(f"The app's history is incomplete for these days ({self.app.energy.missing_s / 3600:.1f} h "
                       "without data): its figures are lower bounds.")
        if self.app.summary.unpriced.intervals:
            out.append(f"{self.app.summary.unpriced.hours:.1f} h could not be priced.")
        return out


def bill_span(bill: Bill, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    return local_midnight(bill.first_day, zone), local_midnight(bill.last_day + dt.timedelta(days=1), zone)


def compare(bill: Bill, tariff: Tariff, store: HistoryStore, *, zone: dt.tzinfo, now: dt.datetime,
            cycle_start_day: int = 1) -> Comparison:
    """The app's kWh and energy charge for the bill's days (the one cost function), period by period."""
    start, end = bill_span(bill, zone)
    app = cost(tariff, store, start, end, now, zone=zone, cycle_start_day=cycle_start_day)
    periods = app.summary.periods
    names = list(dict.fromkeys([*(line.period for line in bill.lines), *periods]))
    by_name = {line.period: line for line in bill.lines}
    lines = tuple(
        LineCheck(name, by_name[name].kwh if name in by_name else None,
                  periods[name].imported_kwh if name in periods else 0.0,
                  by_name[name].charge if name in by_name else None,
                  periods[name].cost + periods[name].credit if name in periods else 0.0)  # the import charge
        for name in names)
    return Comparison(bill, tariff, app, lines)


def bill_prices(bill: Bill, tariff: Tariff) -> tuple[BillPrices | None, str]:
    """The bill's prices per period (charge / kWh) for the seasons its days fall in, from its first day; or None
    and why not."""
    version = tariff.version_on(bill.first_day)
    if version is None or version.tiered:
        return None, "This tariff has no periods to put the bill's prices in."
    seasons = sorted({version.season_of(bill.first_day + dt.timedelta(days=n))
                      for n in range((bill.last_day - bill.first_day).days + 1)})
    prices: dict[str, float] = {}
    lines = [line for line in bill.lines if line.kwh and line.charge is not None]
    if not lines and bill.total_charge is not None and len(version.period_names) == 1:
        total_kwh = sum(line.kwh or 0.0 for line in bill.lines)
        if total_kwh > 0:
            lines = [BillLine(version.period_names[0], total_kwh, bill.total_charge)]
    for line in lines:
        if line.period not in version.period_names:
            return None, f"The tariff has no period named {line.period!r}."
        assert line.kwh is not None and line.charge is not None
        price = line.charge / line.kwh
        problem = limits.PRICE.problem(price)
        if problem:
            return None, f"{line.period}: {problem}."
        for season in seasons:
            prices[price_key(line.period, season)] = round(price, 6)
    if not prices:
        return None, "Enter the kWh and the energy charge of each period to take the bill's prices."
    return BillPrices(bill.first_day, prices), ""
