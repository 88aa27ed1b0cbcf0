"""Topics and payloads: the Home Assistant discovery configs and the state messages for one meter.

Pure functions of the typed values (no I/O), so the payloads are unit-tested as data. Facts from Home Assistant's
MQTT discovery: a config is published (retained) at ``<prefix>/<component>/<node_id>/<object_id>/config`` with
``unique_id``, ``state_topic``, ``device_class``, ``state_class``, ``unit_of_measurement``, the availability topic
and a ``device`` block that groups the entities; ``total_increasing`` treats any decrease as a new meter cycle,
so an energy state is never sent as 0 or empty for a failed read, and never below the last one sent (docs/meter-protocol.md, section 5:
never store a register that goes backwards). A ``total`` sensor with ``last_reset`` suits a figure that restarts
at midnight (today's cost).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from xcelsior_desktop import __version__
from xcelsior_desktop.meter.identity import normalize_lfdi, sfdi_from_lfdi
from xcelsior_desktop.meter.values import DeviceInfo, Measurement, Registers
from xcelsior_desktop.session.poller import State, Status

ONLINE = "online"
OFFLINE = "offline"
IMPORTED = "imported"  # the meter's "delivered" register: energy taken from the grid
EXPORTED = "exported"  # "received": energy sent to the grid
Direction = str


@dataclass(frozen=True)
class Message:
    topic: str
    payload: str
    retain: bool = True
    qos: int = 0


@dataclass(frozen=True)
class MeterIdentity:
    """Who the meter is, once its DeviceInfo has named it: SFDI for the topics, LFDI for Home Assistant's device."""

    sfdi: int
    lfdi: str
    manufacturer: str
    model: str | None
    sw_version: str | None
    hw_version: str | None
    serial_number: str | None

    @classmethod
    def from_device_info(cls, info: DeviceInfo) -> MeterIdentity | None:
        """None while the meter has not told its LFDI (nothing is published for an unnamed meter)."""
        raw_lfdi = info.lfdi or info.tls_lfdi
        if not raw_lfdi:
            return None
        try:
            lfdi = normalize_lfdi(raw_lfdi)
        except ValueError:
            return None
        sfdi = info.sfdi if isinstance(info.sfdi, int) and info.sfdi > 0 else sfdi_from_lfdi(lfdi)
        return cls(sfdi=sfdi, lfdi=lfdi, manufacturer=info.manufacturer or "Itron", model=info.model or None,
                   sw_version=info.sw_version or None, hw_version=info.hw_version or None,
                   serial_number=info.serial_number or None)

    def device_block(self) -> dict[str, Any]:
        block: dict[str, Any] = {
            "identifiers": [self.lfdi],  # the bare LFDI, as other bridges for this meter name it: one device in HA
            "name": f"Xcel Energy meter {self.sfdi}",
            "manufacturer": self.manufacturer,
        }
        for key, value in (("model", self.model), ("sw_version", self.sw_version), ("hw_version", self.hw_version),
                           ("serial_number", self.serial_number)):
            if value:
                block[key] = value
        return block


class Topics:
    """The topic names for one meter: states under ``<base>/<SFDI>/``, configs under the discovery prefix."""

    def __init__(self, topic_base: str, discovery_prefix: str, sfdi: int) -> None:
        self.base = f"{topic_base}/{sfdi}"
        self.discovery_prefix = discovery_prefix
        self.node_id = f"xcelsior_{sfdi}"
        self.availability = f"{self.base}/availability"
        self.power = f"{self.base}/power"
        self.cost_today = f"{self.base}/cost_today"
        self.meter_state = f"{self.base}/meter_state"

    def energy(self, direction: Direction, tier: int | None = None) -> str:
        return f"{self.base}/{energy_object_id(direction, tier)}"

    def config(self, object_id: str, component: str = "sensor") -> str:
        return f"{self.discovery_prefix}/{component}/{self.node_id}/{object_id}/config"


def energy_object_id(direction: Direction, tier: int | None = None) -> str:
    return f"energy_{direction}" if tier is None else f"energy_{direction}_tier{tier}"


def format_number(value: float, places: int) -> str:
    """``value`` rounded to ``places`` decimals, without trailing zeros ("1234", "-56.5", "12345.678")."""
    text = f"{round(value, places):.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# -- discovery ------------------------------------------------------------------------------------------------

def _sensor(meter: MeterIdentity, topics: Topics, object_id: str, name: str, state_topic: str,
            **fields: Any) -> tuple[str, str]:
    config: dict[str, Any] = {
        "name": name,
        "unique_id": f"xcelsior_{meter.sfdi}_{object_id}",
        "state_topic": state_topic,
        "availability_topic": topics.availability,
        "payload_available": ONLINE,
        "payload_not_available": OFFLINE,
        **fields,
        "device": meter.device_block(),
        "origin": {"name": "Xcelsior Desktop", "sw_version": __version__},
    }
    return topics.config(object_id), json.dumps(config, sort_keys=True)


def discovery_configs(meter: MeterIdentity, topics: Topics, tiers: Iterable[tuple[Direction, int]] = (),
                      currency: str | None = None) -> dict[str, str]:
    """Config topic -> retained JSON payload, for every entity this meter has now.

    ``tiers``: the (direction, tier) pairs the registers have shown; ``currency``: set once a cost has been
    published (a tariff is set), which adds the cost sensor.
    """
    energy = {"device_class": "energy", "state_class": "total_increasing", "unit_of_measurement": "kWh",
              "suggested_display_precision": 3}
    configs = dict([
        _sensor(meter, topics, "power", "Power", topics.power, device_class="power", state_class="measurement",
                unit_of_measurement="W", suggested_display_precision=0),
        _sensor(meter, topics, energy_object_id(IMPORTED), "Energy imported", topics.energy(IMPORTED), **energy),
        _sensor(meter, topics, energy_object_id(EXPORTED), "Energy exported", topics.energy(EXPORTED), **energy),
        _sensor(meter, topics, "meter_state", "Meter connection", topics.meter_state, device_class="enum",
                options=[state.value for state in State], entity_category="diagnostic"),
    ])
    for direction, tier in sorted(set(tiers)):
        object_id = energy_object_id(direction, tier)
        configs.update([_sensor(meter, topics, object_id, f"Energy {direction} tier {tier}",
                                topics.energy(direction, tier), **energy)])
    if currency:
        configs.update([_sensor(meter, topics, "cost_today", "Cost today", topics.cost_today,
                                device_class="monetary", state_class="total", unit_of_measurement=currency,
                                value_template="{{ value_json.amount }}",
                                last_reset_value_template="{{ value_json.last_reset }}")])
    return configs


# -- states ---------------------------------------------------------------------------------------------------

def _finite(value: float | None) -> bool:
    return value is not None and isinstance(value, int | float) and math.isfinite(value)


def power_message(topics: Topics, demand: Measurement) -> Message | None:
    """Demand in W, signed (negative while exporting); None for a value that is not a number of watts."""
    if not _finite(demand.value):
        return None
    factor = {"W": 1.0, "kW": 1000.0}.get(demand.unit)
    if factor is None:
        return None
    return Message(topics.power, format_number(demand.value * factor, 1))


def energy_values(registers: Registers) -> dict[tuple[Direction, int | None], float]:
    """(direction, tier or None) -> kWh, only for registers the meter gave as a finite, non-negative number."""
    values: dict[tuple[Direction, int | None], float] = {}
    for direction, total, tiers in ((IMPORTED, registers.delivered_wh, registers.tou_delivered),
                                    (EXPORTED, registers.received_wh, registers.tou_received)):
        if _finite(total) and total is not None and total >= 0:
            values[(direction, None)] = total / 1000.0
        for tier, wh in tiers.items():
            if _finite(wh) and wh >= 0 and tier > 0:
                values[(direction, tier)] = wh / 1000.0
    return values


def cost_message(topics: Topics, amount: float, currency: str, day_start: dt.datetime) -> Message | None:
    if not _finite(amount) or not currency:
        return None
    payload = {"amount": round(amount, 2), "currency": currency,
               "last_reset": day_start.astimezone(dt.UTC).isoformat()}
    return Message(topics.cost_today, json.dumps(payload, sort_keys=True))


def meter_state_message(topics: Topics, status: Status) -> Message:
    return Message(topics.meter_state, State(status.state).value)
