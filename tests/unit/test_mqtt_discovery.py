"""The one device message, as data: its device and origin, availability that follows freshness, the sensors that
appear only with a first valid value, and the sensors an earlier run listed."""

from __future__ import annotations

import json

from xcelsior_desktop import __version__
from xcelsior_desktop.home_assistant import discovery
from xcelsior_desktop.home_assistant.discovery import FeedContent
from xcelsior_desktop.home_assistant.entities import LEGACY_OBJECT_IDS, MeterIdentity, Topics
from xcelsior_desktop.home_assistant.feed_extras import Extra
from xcelsior_desktop.meter.values import DeviceInfo

LFDI = "3E4F45AB31EDFE5B67E343E5E4562E31984E23E5"
SFDI = 167261211391
METER = MeterIdentity.from_device_info(DeviceInfo(lfdi=LFDI, sfdi=SFDI, sw_version="3.2.50", mf_id=1233,
                                                  manufacturer="Itron"))
TOPICS = Topics("xcelsior", "homeassistant", SFDI)
APP = {"topic": f"xcelsior/{SFDI}/availability", "payload_available": "online", "payload_not_available": "offline"}
FRESH = {"topic": f"xcelsior/{SFDI}/fresh", "payload_available": "online", "payload_not_available": "offline"}


def message(content: FeedContent | None = None) -> dict:
    assert METER is not None
    return json.loads(discovery.device_message(METER, TOPICS, content or FeedContent()))


def test_one_message_with_device_origin_and_every_sensor_a_meter_has() -> None:
    payload = message()
    assert payload["dev"] == {"identifiers": [LFDI], "name": f"Xcel Energy meter {SFDI}", "manufacturer": "Itron",
                              "sw_version": "3.2.50"}
    assert payload["o"] == {"name": "Xcelsior Desktop", "sw_version": __version__,
                            "support_url": discovery.SUPPORT_URL}
    assert set(payload["cmps"]) == {"power", "energy_imported", "energy_exported", "meter_state", "connectivity",
                                    "last_reading"}
    for key, config in payload["cmps"].items():
        assert config["unique_id"] == f"xcelsior_{SFDI}_{key}"
        assert "object_id" not in config  # deprecated: entity ids come from the device and the name
    power = payload["cmps"]["power"]
    assert (power["platform"], power["device_class"], power["state_class"], power["unit_of_measurement"]) == \
        ("sensor", "power", "measurement", "W")
    for key in ("energy_imported", "energy_exported"):
        energy = payload["cmps"][key]
        assert (energy["device_class"], energy["state_class"], energy["unit_of_measurement"]) == \
            ("energy", "total_increasing", "kWh")


def test_readings_need_the_app_and_fresh_readings_the_rest_only_the_app() -> None:
    payload = message(FeedContent(currency="USD", extras=frozenset(Extra)))
    assert payload["availability"] == [APP, FRESH] and payload["availability_mode"] == "all"
    own = {key for key, config in payload["cmps"].items() if "availability" in config}
    assert own == {"meter_state", "connectivity", "last_reading", "cost_today"}
    for key in own:
        assert payload["cmps"][key]["availability"] == [APP]
    connectivity = payload["cmps"]["connectivity"]
    assert connectivity["platform"] == "binary_sensor" and connectivity["device_class"] == "connectivity"
    assert (connectivity["state_topic"], connectivity["payload_on"], connectivity["payload_off"]) == \
        (f"xcelsior/{SFDI}/fresh", "online", "offline")
    last = payload["cmps"]["last_reading"]
    assert (last["device_class"], last["entity_category"]) == ("timestamp", "diagnostic")


def test_components_keep_the_per_entity_object_ids_so_home_assistant_can_hand_them_over() -> None:
    content = FeedContent(tiers=frozenset({("imported", 1), ("exported", 3)}), currency="USD")
    keys = set(message(content)["cmps"])
    assert {"power", "energy_imported", "energy_exported", "meter_state", "cost_today", "energy_imported_tier1",
            "energy_exported_tier3"} <= keys
    assert keys - set(LEGACY_OBJECT_IDS) == {"connectivity", "last_reading"}
    assert TOPICS.device_config == f"homeassistant/device/xcelsior_{SFDI}/config"  # node id = the old node id


def test_tiers_are_named_by_their_meaning_when_cost_settings_give_one() -> None:
    content = FeedContent(tiers=frozenset({("imported", 1), ("imported", 4)}), tier_names={1: "on-peak"})
    components = message(content)["cmps"]
    assert components["energy_imported_tier1"]["name"] == "Energy imported on-peak (tier 1)"
    assert components["energy_imported_tier4"]["name"] == "Energy imported tier 4"
    assert components["energy_imported_tier1"]["state_topic"] == f"xcelsior/{SFDI}/energy_imported_tier1"


def test_extras_with_their_classes_and_units() -> None:
    components = message(FeedContent(extras=frozenset(Extra)))["cmps"]
    factor = components["power_factor"]
    assert (factor["device_class"], factor["state_class"]) == ("power_factor", "measurement")
    assert "unit_of_measurement" not in factor  # a plain ratio, as the meter gives it
    peak = components["max_demand_imported"]
    assert (peak["device_class"], peak["unit_of_measurement"], peak["state_class"]) == ("power", "W", "measurement")
    for key, unit in (("apparent_energy_imported", "kVAh"), ("reactive_energy_exported", "kvarh")):
        assert components[key]["unit_of_measurement"] == unit
        assert components[key]["state_class"] == "total_increasing"
        assert "device_class" not in components[key]


def test_a_new_run_keeps_the_sensors_an_earlier_one_listed() -> None:
    earlier = discovery.device_message(METER, TOPICS, FeedContent(  # type: ignore[arg-type]
        tiers=frozenset({("exported", 2)}), currency="EUR", extras=frozenset({Extra.POWER_FACTOR})))
    kept = discovery.content_of(earlier)
    assert kept.tiers == {("exported", 2)} and kept.currency == "EUR" and kept.extras == {Extra.POWER_FACTOR}
    merged = FeedContent(tiers=frozenset({("imported", 1)})).merged(kept)
    assert merged.tiers == {("imported", 1), ("exported", 2)}
    assert discovery.content_of("not json") == FeedContent()
    assert discovery.content_of('{"cmps": {"energy_imported_tier99": {}, "cost_today": {"unit_of_measurement": 5}}}') \
        == FeedContent()


def test_a_solar_meters_device_is_named_so_and_keeps_its_home_use_sensor() -> None:
    import dataclasses

    solar = dataclasses.replace(METER, label="solar meter")
    payload = discovery.device_message(solar, TOPICS, FeedContent(home_use=True))
    data = json.loads(payload)
    assert data["dev"]["name"] == f"Xcel Energy solar meter {SFDI}"
    home = data["cmps"]["home_power"]
    assert (home["state_topic"], home["unit_of_measurement"], home["unique_id"]) == \
        (f"xcelsior/{SFDI}/home_power", "W", f"xcelsior_{SFDI}_home_power")
    assert discovery.content_of(payload).home_use  # a later run keeps it
    assert "home_power" not in message()["cmps"]  # a net meter's device has no such sensor
