"""Compare with my bill: the app's figures for the bill's days beside the bill's, the differences in words, and the
bill's prices taken as a version of the tariff from the bill's first day (older history keeps its prices)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.cost_support import fill_store
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.money import load_preset, period_at
from xcelsior_desktop.money.bill_check import Bill, BillLine, bill_prices, compare
from xcelsior_desktop.money.cost_settings import CostSettings
from xcelsior_desktop.simulator.model import HouseholdModel

UTC = dt.UTC
TOU = load_preset("xcel-co-tou")
DENVER = TOU.zone
FIRST, LAST = dt.date(2026, 10, 15), dt.date(2026, 11, 13)


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=DENVER).astimezone(UTC)


@pytest.fixture(scope="module")
def store():
    with HistoryStore.in_memory() as opened:
        fill_store(opened, HouseholdModel(seed=0), local(2026, 10, 10), local(2026, 11, 20))
        yield opened


def app_figures(store: HistoryStore) -> dict[str, tuple[float, float]]:
    comparison = compare(Bill(FIRST, LAST, (BillLine("on-peak", 1.0, None),)), TOU, store, zone=DENVER,
                         now=local(2026, 12, 1), cycle_start_day=15)
    return {line.period: (line.app_kwh, line.app_charge) for line in comparison.lines}


def test_the_app_counts_the_bills_days_and_says_the_differences(store) -> None:
    mine = app_figures(store)
    on_kwh, on_charge = mine["on-peak"]
    off_kwh, off_charge = mine["off-peak"]
    bill = Bill(FIRST, LAST, (BillLine("on-peak", round(on_kwh - 2.1, 2), round(on_charge, 2)),
                              BillLine("off-peak", round(off_kwh, 2), round(off_charge + 1.00, 2))))
    assert bill.check() == []
    comparison = compare(bill, TOU, store, zone=DENVER, now=local(2026, 12, 1), cycle_start_day=15)
    words = comparison.words()
    share = 2.1 / (on_kwh - 2.1) * 100
    assert f"The app counted 2.1 kWh more on-peak: {share:.1f} %." in words
    assert "off-peak: the same kWh as the bill." in words
    billed = round(on_charge, 2) + round(off_charge + 1.00, 2)
    less = billed - comparison.app_energy_charge  # about $1, the bill's cents rounded
    assert less == pytest.approx(1.0, abs=0.011)
    assert f"At the tariff's prices the energy costs ${less:,.2f} less than billed ({less / billed * 100:.1f} %)." \
        in words
    assert comparison.app.energy.complete  # every slot of those days is in the store


def test_the_bills_prices_become_a_version_from_its_first_day(store) -> None:
    mine = app_figures(store)
    bill = Bill(FIRST, LAST, (BillLine("on-peak", 100.0, 25.00), BillLine("off-peak", 400.0, 60.00)))
    prices, why = bill_prices(bill, TOU)
    assert prices is not None and why == ""
    assert prices.valid_from == FIRST  # 15 Oct .. 13 Nov: all winter
    assert prices.prices == {"on-peak/winter": 0.25, "off-peak/winter": 0.15}
    tariff = CostSettings(tariff="xcel-co-tou", bills=[prices]).load_tariff()
    on = period_at(tariff, local(2026, 10, 20, 18))
    before = period_at(tariff, local(2026, 10, 13, 18))
    assert on is not None and on.price == 0.25 and on.version_from == FIRST
    assert before is not None and before.price == 0.22996  # older history keeps the prices of its time
    again = compare(bill, tariff, store, zone=DENVER, now=local(2026, 12, 1), cycle_start_day=15)
    assert {line.period: round(line.app_charge, 6) for line in again.lines} == {
        "on-peak": round(mine["on-peak"][0] * 0.25, 6), "off-peak": round(mine["off-peak"][0] * 0.15, 6)}


def test_a_bill_over_two_seasons_prices_both_and_saved_bills_survive_a_restart() -> None:
    bill = Bill(dt.date(2026, 9, 15), dt.date(2026, 10, 14), (BillLine("on-peak", 50.0, 15.0),))
    prices, _ = bill_prices(bill, TOU)
    assert prices is not None and prices.prices == {"on-peak/summer": 0.3, "on-peak/winter": 0.3}
    saved = CostSettings(tariff="xcel-co-tou", bills=[prices]).as_dict()
    assert CostSettings.from_dict(saved).bills == [prices]
    assert CostSettings.from_dict({**saved, "bills": [{"from": "2026-13-01", "prices": {}}]}).dropped == ["bills[0]"]


@pytest.mark.parametrize(("bill", "problem"), [
    (Bill(LAST, FIRST), "after its last"),
    (Bill(FIRST, FIRST + dt.timedelta(days=90), (BillLine("on-peak", 1.0, 1.0),)), "one billing cycle"),
    (Bill(FIRST, LAST), "at least one period"),
    (Bill(FIRST, LAST, (BillLine("on-peak", -5.0, 1.0),)), "cannot be right"),
])
def test_a_bill_that_cannot_be_right_is_said(bill: Bill, problem: str) -> None:
    assert any(problem in p for p in bill.check())


def test_only_a_total_gives_prices_only_for_a_single_period_tariff() -> None:
    total_only = Bill(FIRST, LAST, (BillLine("on-peak", 100.0, None), BillLine("off-peak", 400.0, None)), 90.0)
    prices, why = bill_prices(total_only, TOU)
    assert prices is None and "kWh and the energy charge of each period" in why
    flat = load_preset("xcel-co-flat")
    prices, _ = bill_prices(Bill(FIRST, LAST, (BillLine("flat", 500.0, None),), 80.0), flat)
    assert prices is not None and prices.prices == {"flat/winter": 0.16}
