"""What the feed tidies on the broker, from the retained messages it finds there: the hand-over of per-entity
configs to the device message, and a meter this installation no longer publishes."""

from __future__ import annotations

from xcelsior_desktop.home_assistant.entities import Topics
from xcelsior_desktop.home_assistant.housekeeping import scan_subscriptions, tidy_messages

ME = "0123456789abcdef"
OTHER = "fedcba9876543210"
TOPICS = Topics("xcelsior", "homeassistant", 111)


def test_scans_only_the_feeds_own_topics() -> None:
    assert scan_subscriptions(TOPICS) == ["xcelsior/#", "homeassistant/sensor/xcelsior_111/+/config",
                                          "homeassistant/device/xcelsior_111/config"]


def test_per_entity_configs_are_handed_over_then_cleared_before_the_device_message() -> None:
    retained = {"homeassistant/sensor/xcelsior_111/power/config": '{"name": "Power"}',
                "homeassistant/sensor/xcelsior_111/energy_imported/config": '{"name": "Energy imported"}',
                "xcelsior/111/power": "500"}
    tidy = tidy_messages(retained, TOPICS, ME)
    assert tidy.migrated == ["homeassistant/sensor/xcelsior_111/energy_imported/config",
                             "homeassistant/sensor/xcelsior_111/power/config"]
    assert [(m.topic.split("/")[3], m.payload, m.retain, m.qos) for m in tidy.messages] == [
        ("energy_imported", '{"migrate_discovery": true}', False, 1), ("energy_imported", "", True, 1),
        ("power", '{"migrate_discovery": true}', False, 1), ("power", "", True, 1),
    ]
    assert tidy.removed_meters == [] and tidy.device_message is None


def test_a_meter_only_this_installation_claimed_is_removed_with_its_states() -> None:
    retained = {f"xcelsior/222/installations/{ME}": "Xcelsior Desktop 0.1.0", "xcelsior/222/power": "7",
                "xcelsior/222/availability": "offline", "homeassistant/device/xcelsior_111/config": '{"cmps": {}}',
                f"xcelsior/111/installations/{ME}": "Xcelsior Desktop 0.1.0"}
    tidy = tidy_messages(retained, TOPICS, ME)
    assert tidy.removed_meters == [222]
    cleared = [m.topic for m in tidy.messages]
    assert all(m.payload == "" and m.retain for m in tidy.messages)
    assert cleared[0] == "homeassistant/device/xcelsior_222/config"
    assert "homeassistant/sensor/xcelsior_222/energy_exported_tier8/config" in cleared
    assert {"xcelsior/222/power", "xcelsior/222/availability", f"xcelsior/222/installations/{ME}"} <= set(cleared)
    assert not [t for t in cleared if "/111" in t or "xcelsior_111" in t]  # the current meter is kept
    assert tidy.device_message == '{"cmps": {}}'


def test_a_meter_another_computer_still_publishes_loses_only_this_claim() -> None:
    retained = {f"xcelsior/222/installations/{ME}": "x", f"xcelsior/222/installations/{OTHER}": "x",
                "xcelsior/222/power": "7"}
    tidy = tidy_messages(retained, TOPICS, ME)
    assert tidy.removed_meters == []
    assert [(m.topic, m.payload) for m in tidy.messages] == [(f"xcelsior/222/installations/{ME}", "")]


def test_meters_nobody_claimed_and_other_installations_meters_are_left_alone() -> None:
    retained = {"xcelsior/333/power": "1", "homeassistant/device/xcelsior_333/config": "{}",
                f"xcelsior/444/installations/{OTHER}": "x", "xcelsior/notameter/x": "1"}
    assert tidy_messages(retained, TOPICS, ME).messages == []
