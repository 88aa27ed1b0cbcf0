"""The parts of "Send history to Home Assistant" that need no Home Assistant: the store's hours, the address, the
token in the keyring, the version check, the report's words."""

from __future__ import annotations

import datetime as dt

import keyring
import pytest

from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore
from xcelsior_desktop.home_assistant.ha_api import TooOld, parse_version, require_version
from xcelsior_desktop.home_assistant.ha_settings import (
    TOKEN_SERVICE,
    HomeAssistantSettings,
    delete_token,
    load_token,
    save_token,
)
from xcelsior_desktop.home_assistant.ha_url import HomeAssistantUrlError, parse_ha_url
from xcelsior_desktop.home_assistant.history_upload import SensorReport, UploadReport
from xcelsior_desktop.home_assistant.hourly_energy import hourly_energy
from xcelsior_desktop.home_assistant.statistics_plan import Hole
from xcelsior_desktop.platform.settings import Settings

T0 = dt.datetime(2026, 11, 20, 6, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_hours_from_the_resolved_view_gaps_as_gaps_and_days_never_spread() -> None:
    with HistoryStore.in_memory() as store:
        store.add_intervals([EnergyInterval(at(15 * i), 900, 100.0 * (i + 1), 10.0) for i in range(4)])  # 06:00
        store.add_intervals([EnergyInterval(at(60), 900, 50.0, None), EnergyInterval(at(90), 900, 70.0, None)])
        store.add_intervals([EnergyInterval(at(60 * 3), 86400, 9000.0, 0.0, source="greenbutton")])  # a day
        store.add_intervals([EnergyInterval(at(0), 3600, 7777.0, 7.0, source="greenbutton")])  # the meter wins
        hours = hourly_energy(store)
    assert hours.wh["imported"] == {T0: 1000.0, at(60): 120.0}
    assert hours.wh["exported"] == {T0: 40.0}  # 07:00 has no export value: no hour, not a zero
    assert hours.complete("imported", T0) and not hours.complete("imported", at(60))
    assert len(hours.unsplittable) == 24 and at(60 * 3) in hours.unsplittable


def test_hours_in_a_span_round_down_to_whole_hours() -> None:
    with HistoryStore.in_memory() as store:
        store.add_intervals([EnergyInterval(at(15 * i), 900, 1.0, 1.0) for i in range(12)])
        hours = hourly_energy(store, at(70), at(170))
    assert sorted(hours.wh["imported"]) == [at(60)]  # [07:00, 08:00): 08:00's hour is still open at 08:50


@pytest.mark.parametrize(("text", "normal", "websocket"), [
    ("http://homeassistant.local:8123", "http://homeassistant.local:8123", "ws://homeassistant.local:8123/api/websocket"),
    (" HTTPS://HA.Example.org/ ", "https://ha.example.org", "wss://ha.example.org/api/websocket"),
    ("http://[::1]:8123/api/websocket", "http://[::1]:8123", "ws://[::1]:8123/api/websocket"),
])
def test_addresses(text: str, normal: str, websocket: str) -> None:
    url = parse_ha_url(text)
    assert url.display() == normal and url.websocket() == websocket


@pytest.mark.parametrize(("text", "words"), [
    ("", "is empty"), ("homeassistant.local:8123", "has no scheme"), ("mqtt://ha", "not a Home Assistant address"),
    ("http://user:pw@ha:8123", "no user name or password"), ("http://ha:99999", "not a number from 1 to 65535"),
    ("http://ha:8123/?x=1", "no query"),
])
def test_bad_addresses_in_words(text: str, words: str) -> None:
    with pytest.raises(HomeAssistantUrlError, match=words):
        parse_ha_url(text)


def test_the_token_lives_in_the_keyring_under_the_address_never_in_the_settings() -> None:
    save_token("http://HA.local:8123/", " secret-token \n")
    assert load_token("http://ha.local:8123") == "secret-token"
    assert keyring.get_password(TOKEN_SERVICE, "http://ha.local:8123") == "secret-token"
    settings = Settings()
    HomeAssistantSettings(url="http://ha.local:8123", keep_sending=True).store_in(settings)
    assert "secret-token" not in str(settings.extra)
    assert HomeAssistantSettings.from_app_settings(settings) == HomeAssistantSettings("http://ha.local:8123", True)
    assert HomeAssistantSettings.from_dict({"url": 5, "keep_sending": "yes"}) == HomeAssistantSettings()
    assert HomeAssistantSettings(url="ha.local").check() == [
        "The Home Assistant address 'ha.local' has no scheme. Start it with http:// or https://, like "
        "http://homeassistant.local:8123."]
    delete_token("http://ha.local:8123")
    delete_token("http://ha.local:8123")  # nothing left: no error
    assert load_token("http://ha.local:8123") is None


def test_versions() -> None:
    require_version("2025.4.4", "http://ha:8123")
    require_version("2024.11.0", "http://ha:8123")
    with pytest.raises(TooOld, match=r"^Home Assistant 2024.10.3 at http://ha:8123 is too old: the feed needs "
                                     r"2024.11 or newer. Update Home Assistant, then try again.$"):
        require_version("2024.10.3", "http://ha:8123")
    assert parse_version("2025.4.4") == (2025, 4)
    assert parse_version("2024.11.0b3") == (2024, 11)
    assert parse_version("2026.1.0.dev20251201") == (2026, 1)
    assert parse_version("0.118.5") is None and parse_version("") is None


def test_the_report_in_the_command_lines_words_and_the_pages() -> None:
    first, end = dt.datetime(2026, 10, 22, 6, tzinfo=dt.UTC), dt.datetime(2026, 11, 21, 6, tzinfo=dt.UTC)
    sent = SensorReport("sensor.xcel_energy_meter_1_energy_imported", "imported", 720, first, end)
    hole = Hole(dt.datetime(2026, 11, 1, tzinfo=dt.UTC), dt.datetime(2026, 11, 1, 2, tzinfo=dt.UTC), 5.0, 1.0)
    nothing = SensorReport("sensor.x_energy_exported", "exported", 0, None, None, left_holes=(hole,))
    assert sent.line() == ("sent 720 hours (2026-10-22T06:00:00Z .. 2026-11-21T06:00:00Z) to "
                           "sensor.xcel_energy_meter_1_energy_imported")
    assert nothing.line() == "sent 0 hours to sensor.x_energy_exported"
    assert nothing.notes() == ["sensor.x_energy_exported: 2026-11-01T00:00:00Z .. 2026-11-01T02:00:00Z left as it "
                               "is: the history has 5.000 kWh there, more than Home Assistant's 1.000 kWh across it"]
    report = UploadReport("2025.4.4", (sent, nothing), unsplittable_hours=48)
    assert report.message().startswith("Sent 720 hours (2026-10-22 06:00 to 2026-11-21 06:00 UTC) to Home Assistant "
                                       "2025.4.4: 720 to sensor.xcel_energy_meter_1_energy_imported.")
    assert "48 hours known only as longer stretches (days) were not sent" in report.message()
