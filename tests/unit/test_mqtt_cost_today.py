"""Today's cost for the "Cost today" sensor: the one cost function over the home zone's day."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore
from xcelsior_desktop.home_assistant.cost_today import cost_today
from xcelsior_desktop.money import resolve
from xcelsior_desktop.money.cost_settings import CostSettings, chosen_tariff
from xcelsior_desktop.platform.settings import Settings

UTC = dt.UTC
DENVER = ZoneInfo("America/Denver")
NOW = dt.datetime(2026, 11, 29, 20, 0, tzinfo=UTC)  # 13:00 in Denver (MST, UTC-7)
DENVER_MIDNIGHT = dt.datetime(2026, 11, 29, 7, 0, tzinfo=UTC)
MONTHLY_SHARE = 8.17 / 30  # R-OO's monthly charge over the 30 days of November's billing cycle


def slot(start: dt.datetime, imported_wh: float | None, exported_wh: float | None = 0.0) -> EnergyInterval:
    return EnergyInterval(start=start, duration_s=900, imported_wh=imported_wh, exported_wh=exported_wh)


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    with HistoryStore(tmp_path / "history.sqlite3") as history:
        yield history


def test_the_home_zones_day_priced_and_yesterday_left_out(store: HistoryStore) -> None:
    store.add_intervals([slot(DENVER_MIDNIGHT - dt.timedelta(minutes=15), 5000.0)]  # yesterday in Denver
                        + [slot(DENVER_MIDNIGHT + dt.timedelta(minutes=15 * i), 1000.0) for i in range(4)]
                        + [slot(DENVER_MIDNIGHT + dt.timedelta(hours=2), 500.0, 250.0)])  # net: 0.25 kWh
    cost = cost_today(store, resolve("xcel-co-flat"), NOW, zone=DENVER)
    assert cost is not None
    assert cost.currency == "USD" and cost.day_start == DENVER_MIDNIGHT
    assert cost.amount == pytest.approx(4.25 * 0.15612 + MONTHLY_SHARE)  # R-OO winter, and a day of the month


def test_nothing_measured_today_is_no_figure_not_zero(store: HistoryStore) -> None:
    store.add_intervals([slot(DENVER_MIDNIGHT - dt.timedelta(hours=1), 800.0)])
    assert cost_today(store, resolve("xcel-co-flat"), NOW, zone=DENVER) is None


def test_no_store_or_no_tariff_is_no_figure(store: HistoryStore) -> None:
    store.add_intervals([slot(DENVER_MIDNIGHT, 1000.0)])
    assert cost_today(None, resolve("xcel-co-flat"), NOW, zone=DENVER) is None
    assert cost_today(store, None, NOW, zone=DENVER) is None


def test_a_loaded_tariff_with_other_prices_is_used_as_given(store: HistoryStore) -> None:
    store.add_intervals([slot(DENVER_MIDNIGHT, 1000.0)])
    flat = resolve("xcel-co-flat")
    version = flat.versions[-1]
    dearer = dataclasses.replace(flat, versions=(*flat.versions[:-1], dataclasses.replace(
        version, prices={"flat": {"winter": 0.5, "summer": 0.5}}, daily_charge=0.25, monthly_charge=0.0)))
    cost = cost_today(store, dearer, NOW, zone=DENVER)
    assert cost is not None and cost.amount == pytest.approx(0.5 + 0.25)  # a day's fixed charge counts too


def test_one_rule_for_the_chosen_tariff_the_default_when_none_was_saved() -> None:
    default = chosen_tariff(Settings())
    assert default is not None and default.name == "xcel-co-tou"  # what the Cost tab shows: so does MQTT
    settings = Settings()
    CostSettings(tariff="xcel-co-flat", prices={"flat/winter": 0.2}).store_in(settings)
    chosen = chosen_tariff(settings)
    assert chosen is not None and chosen.name == "xcel-co-flat"
    assert chosen.versions[-1].prices["flat"]["winter"] == 0.2  # with the bill's prices, as the Cost tab
