"""The presets at the prices on the bill: Public Service Company of Colorado's Electric Rates Summary of April 1,
2025 (totals per kWh with riders), its $8.17 monthly Service and Facility charge prorated over the billing cycle,
the two-period design from 1 November 2025, older versions kept for older history, and Minnesota's hours with
the prices left to the bill."""

from __future__ import annotations

import datetime as dt

import pytest

from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore
from xcelsior_desktop.money import load_preset, period_at
from xcelsior_desktop.money.cost import cost
from xcelsior_desktop.money.cost_settings import CostSettings
from xcelsior_desktop.money.pricing import NO_PRICE, billing_cycle, charges_by_kind, summarize

UTC = dt.UTC
TOU = load_preset("xcel-co-tou")
DENVER = TOU.zone


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=DENVER).astimezone(UTC)


def price(tariff_name: str, when: str) -> tuple[str, float | None]:
    found = period_at(load_preset(tariff_name), local(when))
    assert found is not None
    return found.period, found.price


@pytest.mark.parametrize(("when", "expected"), [
    # RE-TOU, April 2025: three periods until 31 October 2025
    ("2025-04-02T16:00", ("on-peak", 0.22996)),     # a winter Wednesday, 3-7 pm
    ("2025-04-02T14:00", ("mid-peak", 0.18646)),    # shoulder, 1-3 pm
    ("2025-04-02T10:00", ("off-peak", 0.14296)),
    ("2025-07-09T16:00", ("on-peak", 0.35424)),     # summer
    ("2025-07-09T14:00", ("mid-peak", 0.24860)),
    ("2025-07-09T10:00", ("off-peak", 0.14022)),
    # two periods from 1 November 2025, the April 2025 on- and off-peak totals carried forward
    ("2026-12-07T17:00", ("on-peak", 0.22996)),     # Monday 5 pm
    ("2026-12-07T14:00", ("off-peak", 0.14296)),    # no mid-peak any more
    ("2026-07-06T20:59", ("on-peak", 0.35424)),
    # older history keeps the 2022 energy prices
    ("2024-12-02T16:00", ("on-peak", 0.173)),
])
def test_re_tou_at_the_rates_summary(when: str, expected: tuple[str, float]) -> None:
    assert price("xcel-co-tou", when) == expected


def test_flat_schedules_and_the_monthly_charge() -> None:
    assert price("xcel-co-flat", "2026-01-15T12:00") == ("flat", 0.15612)     # R-OO winter
    assert price("xcel-co-flat", "2026-07-15T12:00") == ("flat", 0.18517)     # R-OO summer
    assert price("xcel-co-flat", "2024-07-15T12:00") == ("flat", 0.14)        # the 2022 opt-out price, before
    assert price("xcel-co-residential", "2026-01-15T12:00") == ("flat", 0.14295)  # R winter
    assert price("xcel-co-residential", "2026-07-15T12:00") == ("flat", 0.15952)  # R summer
    assert period_at(load_preset("xcel-co-residential"), local("2024-07-15T12:00")) is None  # not in our sources
    for name in ("xcel-co-tou", "xcel-co-flat", "xcel-co-residential"):
        tariff = load_preset(name)
        assert tariff.versions[-1].monthly_charge == 8.17 and tariff.versions[-1].daily_charge == 0
        assert tariff.versions[-1].export_credit.kind == "net"


@pytest.mark.parametrize(("start_day", "day"), [(5, dt.date(2027, 2, 10)), (1, dt.date(2026, 7, 3)),
                                                (31, dt.date(2026, 3, 10)), (30, dt.date(2026, 2, 3))])
def test_a_cycle_of_any_length_owes_one_monthly_charge(start_day: int, day: dt.date) -> None:
    first, nxt = billing_cycle(day, start_day)
    daily, monthly = charges_by_kind(TOU, first, nxt - dt.timedelta(days=1), cycle_start_day=start_day)
    assert daily == 0 and monthly == pytest.approx(8.17)
    # a single day owes its share: 1/29 in a 29-day cycle, 1/32 in a 32-day one
    share = charges_by_kind(TOU, day, day, cycle_start_day=start_day)[1]
    assert share == pytest.approx(8.17 / (nxt - first).days)


def test_fixed_charges_follow_the_version_of_each_day() -> None:
    """A cycle that straddles 1 April 2025: the 2022 version owes no monthly charge, the April one its share."""
    daily, monthly = charges_by_kind(TOU, dt.date(2025, 3, 15), dt.date(2025, 4, 14), cycle_start_day=15)
    assert monthly == pytest.approx(8.17 * 14 / 31)


def test_minnesota_has_hours_but_no_made_up_prices() -> None:
    mn = load_preset("xcel-mn-tou")
    assert mn.timezone == "America/Chicago"
    chicago = mn.zone

    def at(text: str) -> dt.datetime:
        return dt.datetime.fromisoformat(text).replace(tzinfo=chicago).astimezone(UTC)

    periods = {text: period_at(mn, at(text)) for text in ("2026-12-07T18:00", "2026-12-07T20:59", "2026-12-07T21:00",
                                                          "2026-12-07T05:59", "2026-12-05T19:00", "2026-12-25T19:00",
                                                          "2026-12-05T03:00")}
    assert {k: (v.period if v else None) for k, v in periods.items()} == {
        "2026-12-07T18:00": "peak", "2026-12-07T20:59": "peak", "2026-12-07T21:00": "base",
        "2026-12-07T05:59": "off-peak", "2026-12-05T19:00": "base",  # Saturday evening: no peak
        "2026-12-25T19:00": "base",  # Christmas (a Friday): a holiday, no peak
        "2026-12-05T03:00": "off-peak"}
    assert all(found is not None and found.price is None for found in periods.values())
    assert [s.name for s in mn.versions[0].seasons] == ["winter", "summer"]
    assert mn.versions[0].seasons[1].start == (6, 1) and mn.versions[0].seasons[1].end == (9, 30)
    slot = EnergyInterval(at("2026-12-07T18:00"), 900, 1000.0, 0.0)
    summary = summarize(mn, [slot])
    assert summary is not None and summary.periods == {} and summary.unpriced.reasons == {NO_PRICE: 1}


def test_choosing_minnesota_asks_for_the_three_prices_of_the_season_on_the_bill() -> None:
    winter = dt.date(2026, 12, 7)
    cost_settings = CostSettings(tariff="xcel-mn-tou")
    assert cost_settings.missing_prices(winter) == [("peak", "winter"), ("off-peak", "winter"), ("base", "winter")]
    entered = CostSettings(tariff="xcel-mn-tou", prices={"peak/winter": 0.30, "off-peak/winter": 0.08,
                                                         "base/winter": 0.12})
    assert entered.missing_prices(winter) == []
    tariff = entered.load_tariff()
    with HistoryStore.in_memory() as store:
        chicago = tariff.zone
        six_pm = dt.datetime(2026, 12, 7, 18, tzinfo=chicago).astimezone(UTC)
        store.add_intervals([EnergyInterval(six_pm, 900, 1000.0, 0.0)])
        figures = cost(tariff, store, six_pm, six_pm + dt.timedelta(minutes=15), six_pm + dt.timedelta(hours=1),
                       zone=chicago)
    assert figures.summary.periods["peak"].cost == pytest.approx(0.30)
    # summer prices were not on a winter bill: summer hours stay unpriced, never guessed
    summer = tariff.versions[-1]
    assert not summer.has_price("peak", "summer")
