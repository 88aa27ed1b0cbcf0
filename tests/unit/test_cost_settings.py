"""The cost settings (Settings.extra["cost"]): a save/load round trip through the validated settings file, bad
values dropped and named, the bill's prices put into the version in force now only."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from xcelsior_desktop.money import TariffError, load_preset, period_at
from xcelsior_desktop.money.cost_settings import DEFAULT_TIER_NAMES, CostSettings, editable_prices, with_bill_prices
from xcelsior_desktop.platform.settings import Settings

UTC = dt.UTC


def test_round_trip_through_the_settings_file(tmp_path):
    path = tmp_path / "settings.json"
    settings = Settings()
    cost = CostSettings(tariff="xcel-co-flat", prices={"flat/winter": 0.131, "daily_charge": 0.25},
                        cycle_start_day=17, tier_names={1: "on-peak", 3: "off-peak"})
    cost.store_in(settings)
    settings.save(path)
    loaded = CostSettings.from_app_settings(Settings.load(path))
    assert loaded == cost
    assert Settings.load_message is None
    assert json.loads(path.read_text())["cost"]["cycle_start_day"] == 17


def test_defaults_when_nothing_is_saved():
    cost = CostSettings.from_app_settings(Settings())
    assert (cost.tariff, cost.prices, cost.cycle_start_day) == ("xcel-co-tou", {}, 1)
    assert cost.tier_names == DEFAULT_TIER_NAMES
    assert cost.dropped == []


def test_bad_values_fall_back_and_are_named():
    cost = CostSettings.from_dict({"tariff": 7, "cycle_start_day": 40, "tier_names": {"9": "x", "2": "mid-peak"},
                                   "prices": {"on-peak/winter": -11, "off-peak/winter": 0.1, "daily_charge": "a"}})
    assert cost.tariff == "xcel-co-tou" and cost.cycle_start_day == 1
    assert cost.prices == {"off-peak/winter": 0.1}
    assert cost.tier_names == {2: "mid-peak"}
    assert set(cost.dropped) == {"tariff", "cycle_start_day", "tier_names.9", "prices.on-peak/winter",
                                 "prices.daily_charge"}
    assert CostSettings.from_dict("junk").dropped == ["the cost settings (not an object)"]


def test_bill_prices_change_the_version_in_force_now_only():
    base = load_preset("xcel-co-tou")
    tariff = with_bill_prices(base, {"on-peak/winter": 0.2, "daily_charge": 0.3})
    weekday_6pm_2026 = dt.datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # Mon 30 Nov 18:00 MST
    weekday_4pm_2024 = dt.datetime(2024, 12, 2, 23, 0, tzinfo=UTC)  # Mon 2 Dec 2024 16:00 MST, the old schedule
    now, old = period_at(tariff, weekday_6pm_2026), period_at(tariff, weekday_4pm_2024)
    assert now is not None and old is not None
    assert (now.period, now.price) == ("on-peak", 0.2)
    assert (old.period, old.price) == ("on-peak", 0.173)  # history before the rate change keeps its price
    assert tariff.versions[-1].daily_charge == 0.3 and tariff.versions[0].daily_charge == 0.0
    assert ("on-peak", "summer", 0.35424) in editable_prices(tariff)


def test_a_price_for_a_period_the_tariff_lacks_is_an_error():
    with pytest.raises(TariffError) as caught:
        with_bill_prices(load_preset("xcel-co-tou"), {"mid-peak/winter": 0.15})
    assert "prices.mid-peak/winter" in caught.value.user_message
    assert "Settings, Cost" in caught.value.user_message


def test_check_names_a_tariff_file_that_cannot_be_read(tmp_path):
    bad = tmp_path / "mine.toml"
    bad.write_text('format = 1\nname = "mine"\ntimezone = "America/Denver"\n[[versions]]\nfrom = 2025-01-01\n'
                   '[versions.prices]\nflat = "cheap"\n')
    problems = CostSettings(tariff=str(bad)).check()
    assert len(problems) == 1 and "mine.toml" in problems[0] and "line" in problems[0]
    assert CostSettings(tariff="no-such-tariff").check()[0].startswith("no-such-tariff")
    assert CostSettings().check() == []
