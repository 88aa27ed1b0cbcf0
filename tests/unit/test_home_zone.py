"""The home zone: the setting, else the chosen tariff's zone, else the computer's; the window says once when the
computer's clock shows another midnight."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest

from xcelsior_desktop.energy.system_zone import SystemZone
from xcelsior_desktop.money import load_preset
from xcelsior_desktop.money.cost_settings import CostSettings
from xcelsior_desktop.money.home_zone import home_zone, resolve_home_zone
from xcelsior_desktop.platform.settings import Settings


@pytest.fixture
def utc_computer(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_setting_then_the_tariff_then_the_computer() -> None:
    assert resolve_home_zone("America/Chicago", load_preset("xcel-co-tou")).name == "America/Chicago"
    by_tariff = resolve_home_zone(None, load_preset("xcel-mn-tou"))
    assert (by_tariff.name, by_tariff.source) == ("America/Chicago", "tariff")
    assert isinstance(resolve_home_zone(None, None).zone, SystemZone)
    assert resolve_home_zone("Mars/Olympus_Mons", None).source == "computer"  # unknown here: automatic


def test_the_settings_choose_through_the_one_tariff_rule() -> None:
    assert home_zone(Settings()).zone == ZoneInfo("America/Denver")  # the default tariff is Colorado's
    settings = Settings()
    CostSettings(tariff="xcel-mn-tou").store_in(settings)
    assert home_zone(settings).name == "America/Chicago"
    settings.home_timezone = "UTC"
    assert home_zone(settings).name == "UTC"


def test_a_computer_in_another_zone_is_told_once(utc_computer) -> None:
    at = dt.datetime(2026, 12, 6, 16, 12, tzinfo=dt.UTC)  # a Sunday morning in Denver
    denver = resolve_home_zone(None, load_preset("xcel-co-tou"))
    notice = denver.notice(at)
    assert notice is not None
    assert notice.startswith("Days and billing cycles are counted in America/Denver (your tariff's zone)")
    assert "midnight there is 07:00 here" in notice
    assert resolve_home_zone("UTC", None).notice(at) is None  # the same clock: nothing to say


def test_a_zone_name_in_the_settings_file_is_checked() -> None:
    assert Settings.from_dict({"home_timezone": "America/Denver"}).home_timezone == "America/Denver"
