"""The one discovery message per meter (Home Assistant's device-based MQTT discovery), as data.

Published retained at ``<prefix>/device/xcelsior_<SFDI>/config``: ``dev`` (the meter), ``o`` (this app: name,
sw_version, support_url) and ``cmps`` (every sensor, keyed by the object id the per-entity configs of earlier
versions used, so each keeps its entity id). Device-based discovery arrived in Home Assistant 2024.11.

Availability: every reading's sensor needs both the app's ``availability`` topic (online, or its last will) and
the meter's ``fresh`` topic (online while the readings are current), ``availability_mode: all``: so a power
sensor goes unavailable while the meter is away or its readings are stale, instead of showing the last watts as
current (``expire_after`` cannot do this for retained states). The meter's state, the connectivity and
last-reading sensors and today's cost follow the app's topic only, since they stay true while the meter is away.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from xcelsior_desktop import __version__
from xcelsior_desktop.home_assistant.entities import (
    EXPORTED,
    IMPORTED,
    OFFLINE,
    ONLINE,
    Direction,
    MeterIdentity,
    Topics,
    energy_object_id,
)
from xcelsior_desktop.home_assistant.feed_extras import Extra
from xcelsior_desktop.session.poller import State

ORIGIN_NAME = "Xcelsior Desktop"
SUPPORT_URL = "https://github.com/xcelsior-desktop/xcelsior-desktop/blob/main/docs/mqtt.md"
MIGRATE_PAYLOAD = json.dumps({"migrate_discovery": True})  # Home Assistant: hand this entity to the device message

HOME_POWER = "home_power"  # the solar meter's device: what the home draws (net demand + the panels')
_ENERGY = {"device_class": "energy", "state_class": "total_increasing", "unit_of_measurement": "kWh",
           "suggested_display_precision": 3}


@dataclass(frozen=True)
class FeedContent:
    """Which sensors the device message lists besides the ones every meter has: the tiers the registers showed,
    the extras the meter gave a valid value for, the cost once a tariff priced something."""

    tiers: frozenset[tuple[Direction, int]] = frozenset()
    tier_names: Mapping[int, str] = field(default_factory=dict)  # tier -> its meaning ("on-peak"), from Cost
    currency: str | None = None
    extras: frozenset[Extra] = frozenset()
    home_use: bool = False  # a solar meter's device: the home's power, once the app worked one out

    def merged(self, other: FeedContent) -> FeedContent:
        """Both sets of sensors (``self``'s names and currency win): the message never loses a sensor."""
        return FeedContent(tiers=self.tiers | other.tiers, tier_names=self.tier_names or other.tier_names,
                           currency=self.currency or other.currency, extras=self.extras | other.extras,
                           home_use=self.home_use or other.home_use)


def origin() -> dict[str, str]:
    return {"name": ORIGIN_NAME, "sw_version": __version__, "support_url": SUPPORT_URL}


def _availability(topics: Topics, *, readings: bool) -> list[dict[str, str]]:
    first = [{"topic": topics.availability, "payload_available": ONLINE, "payload_not_available": OFFLINE}]
    if not readings:
        return first
    return first + [{"topic": topics.fresh, "payload_available": ONLINE, "payload_not_available": OFFLINE}]


def tier_name(direction: Direction, tier: int, names: Mapping[int, str]) -> str:
    meaning = names.get(tier)
    return f"Energy {direction} {meaning} (tier {tier})" if meaning else f"Energy {direction} tier {tier}"


def components(meter: MeterIdentity, topics: Topics, content: FeedContent) -> dict[str, dict[str, Any]]:
    """Component key -> its config (Home Assistant's full option names)."""
    app_only = {"availability": _availability(topics, readings=False)}

    def sensor(key: str, name: str, state_topic: str, **options: Any) -> tuple[str, dict[str, Any]]:
        return key, {"platform": "sensor", "name": name, "unique_id": f"xcelsior_{meter.sfdi}_{key}",
                     "state_topic": state_topic, **options}

    found = dict([
        sensor("power", "Power", topics.power, device_class="power", state_class="measurement",
               unit_of_measurement="W", suggested_display_precision=0),
        sensor(energy_object_id(IMPORTED), "Energy imported", topics.energy(IMPORTED), **_ENERGY),
        sensor(energy_object_id(EXPORTED), "Energy exported", topics.energy(EXPORTED), **_ENERGY),
        sensor("meter_state", "Meter connection", topics.meter_state, device_class="enum",
               options=[state.value for state in State], entity_category="diagnostic", **app_only),
        sensor("last_reading", "Last reading", topics.last_reading, device_class="timestamp",
               entity_category="diagnostic", **app_only),
    ])
    found["connectivity"] = {
        "platform": "binary_sensor", "name": "Connectivity", "unique_id": f"xcelsior_{meter.sfdi}_connectivity",
        "state_topic": topics.fresh, "payload_on": ONLINE, "payload_off": OFFLINE, "device_class": "connectivity",
        "entity_category": "diagnostic", **app_only,
    }
    for direction, tier in sorted(content.tiers):
        key = energy_object_id(direction, tier)
        found.update([sensor(key, tier_name(direction, tier, content.tier_names), topics.energy(direction, tier),
                             **_ENERGY)])
    for extra in sorted(content.extras, key=lambda e: e.kind.key):
        kind = extra.kind
        options: dict[str, Any] = {"state_class": kind.state_class, "suggested_display_precision": kind.precision}
        if kind.device_class:
            options["device_class"] = kind.device_class
        if kind.unit:
            options["unit_of_measurement"] = kind.unit
        found.update([sensor(kind.key, kind.name, topics.state(kind.key), **options)])
    if content.home_use:
        found.update([sensor(HOME_POWER, "Home use", topics.state(HOME_POWER), device_class="power",
                             state_class="measurement", unit_of_measurement="W", suggested_display_precision=0)])
    if content.currency:
        found.update([sensor("cost_today", "Cost today", topics.cost_today, device_class="monetary",
                             state_class="total", unit_of_measurement=content.currency,
                             value_template="{{ value_json.amount }}",
                             last_reset_value_template="{{ value_json.last_reset }}", **app_only)])
    return found


def device_message(meter: MeterIdentity, topics: Topics, content: FeedContent) -> str:
    """The retained payload of ``topics.device_config``."""
    payload = {
        "dev": meter.device_block(),
        "o": origin(),
        "availability": _availability(topics, readings=True),
        "availability_mode": "all",
        "cmps": components(meter, topics, content),
    }
    return json.dumps(payload, sort_keys=True)


def content_of(payload: str) -> FeedContent:
    """The sensors a retained device message of ours lists (an earlier run's), so a new run keeps them all."""
    try:
        data = json.loads(payload)
        listed = data.get("cmps") if isinstance(data, dict) else None
    except ValueError:
        return FeedContent()
    if not isinstance(listed, dict):
        return FeedContent()
    tiers: set[tuple[Direction, int]] = set()
    extras: set[Extra] = set()
    currency: str | None = None
    home_use = HOME_POWER in listed
    for key, config in listed.items():
        if not isinstance(key, str):
            continue
        for direction in (IMPORTED, EXPORTED):
            prefix = f"{energy_object_id(direction)}_tier"
            if key.startswith(prefix) and key[len(prefix):].isdigit() and 1 <= int(key[len(prefix):]) <= 8:
                tiers.add((direction, int(key[len(prefix):])))
        extra = Extra.by_key(key)
        if extra is not None:
            extras.add(extra)
        if key == "cost_today" and isinstance(config, dict):
            unit = config.get("unit_of_measurement")
            currency = unit if isinstance(unit, str) and unit.isalpha() and len(unit) == 3 else None
    return FeedContent(tiers=frozenset(tiers), currency=currency, extras=frozenset(extras), home_use=home_use)
