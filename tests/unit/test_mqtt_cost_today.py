"""Today's cost for the "Cost today" sensor: the history store's intervals of the tariff's day, priced."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from xcelsior_desktop.services.history.store import EnergyInterval, HistoryStore
from xcelsior_desktop.services.mqtt.cost_today import cost_today
from xcelsior_desktop.services.tariff import TariffError

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 29, 20, 0, tzinfo=UTC)  # 13:00 in Denver (MST, UTC-7)
DENVER_MIDNIGHT = dt.datetime(2026, 11, 29, 7, 0, tzinfo=UTC)


def slot(start: dt.datetime, imported_wh: float | None, exported_wh: float | None = 0.0) -> EnergyInterval:
    return EnergyInterval(start=start, duration_s=900, imported_wh=imported_wh, exported_wh=exported_wh)


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    with HistoryStore(tmp_path / "history.sqlite3") as history:
        yield history


def test_the_tariffs_day_priced_and_yesterday_left_out(store: HistoryStore) -> None:
    store.add_intervals([slot(DENVER_MIDNIGHT - dt.timedelta(minutes=15), 5000.0)]  # yesterday in Denver
                        + [slot(DENVER_MIDNIGHT + dt.timedelta(minutes=15 * i), 1000.0) for i in range(4)]
                        + [slot(DENVER_MIDNIGHT + dt.timedelta(hours=2), 500.0, 250.0)])  # net: 0.25 kWh
    cost = cost_today(store, "xcel-co-flat", NOW)
    assert cost is not None
    assert cost.currency == "USD" and cost.day_start == DENVER_MIDNIGHT
    assert cost.amount == pytest.approx(4.25 * 0.12)  # the winter flat price, no daily charge in the preset
    assert cost.priced_hours == pytest.approx(1.25)


def test_no_interval_today_is_no_figure_not_zero(store: HistoryStore) -> None:
    store.add_intervals([slot(DENVER_MIDNIGHT - dt.timedelta(hours=1), 800.0)])
    assert cost_today(store, "xcel-co-flat", NOW) is None
    store.add_intervals([slot(DENVER_MIDNIGHT, None, None)])  # a slot without data is a gap, not a zero
    assert cost_today(store, "xcel-co-flat", NOW) is None


def test_no_store_or_no_tariff_is_no_figure(store: HistoryStore) -> None:
    store.add_intervals([slot(DENVER_MIDNIGHT, 1000.0)])
    assert cost_today(None, "xcel-co-flat", NOW) is None
    assert cost_today(store, None, NOW) is None
    assert cost_today(store, "", NOW) is None


def test_an_unknown_tariff_says_what_to_use(store: HistoryStore) -> None:
    with pytest.raises(TariffError) as caught:
        cost_today(store, "no-such-tariff", NOW)
    assert "xcel-co-flat" in caught.value.user_message



def test_a_loaded_tariff_with_other_prices_is_used_as_given(store: HistoryStore) -> None:
    import dataclasses

    from xcelsior_desktop.services.tariff import resolve

    store.add_intervals([slot(DENVER_MIDNIGHT, 1000.0)])
    flat = resolve("xcel-co-flat")
    version = flat.versions[-1]
    dearer = dataclasses.replace(flat, versions=(*flat.versions[:-1], dataclasses.replace(
        version, prices={"flat": {"winter": 0.5, "summer": 0.5}}, daily_charge=0.25)))
    cost = cost_today(store, dearer, NOW)
    assert cost is not None and cost.amount == pytest.approx(0.5 + 0.25)  # a day's fixed charge counts too


def test_cost_is_published_only_for_a_tariff_the_user_chose_with_the_bills_prices():
    from xcelsior_desktop.services.mqtt.cost_today import chosen_tariff
    from xcelsior_desktop.services.tariff.app_settings import CostSettings

    assert chosen_tariff({}) is None  # never chose: no cost sensor
    chosen = CostSettings(tariff="xcel-co-flat")
    extra: dict = {}
    settings_like = type("S", (), {"extra": extra})()
    chosen.store_in(settings_like)
    tariff = chosen_tariff(extra)
    assert tariff is not None and tariff.name == CostSettings(tariff="xcel-co-flat").load_tariff().name
