"""Topics and state payloads for one meter: what the feed publishes besides its discovery message (discovery.py).

Pure functions of the typed values (no I/O), so the payloads are unit-tested as data. ``total_increasing`` (Home
Assistant's state class of the energy sensors) treats any decrease as a new meter cycle, so an energy state is never
sent as 0 or empty for a failed read, and never below the last one sent (docs/meter-protocol.md,
section 5: never store a register that goes backwards).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any

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
    label: str = "meter"  # what the household calls it: "meter", or "solar meter" for a production meter

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
            "name": f"Xcel Energy {self.label} {self.sfdi}",
            "manufacturer": self.manufacturer,
        }
        for key, value in (("model", self.model), ("sw_version", self.sw_version), ("hw_version", self.hw_version),
                           ("serial_number", self.serial_number)):
            if value:
                block[key] = value
        return block


class Topics:
    """The topic names for one meter: states under ``<base>/<SFDI>/``, its one discovery message under the prefix.

    The device message's topic reuses the per-entity configs' node id (``xcelsior_<SFDI>``) and each component
    keeps the per-entity object id, so Home Assistant's discovery id of every entity is the same in both forms:
    that is what lets it hand an entity over from the old form to the new one without a new entity id.
    """

    def __init__(self, topic_base: str, discovery_prefix: str, sfdi: int) -> None:
        self.topic_base = topic_base
        self.sfdi = sfdi
        self.base = f"{topic_base}/{sfdi}"
        self.discovery_prefix = discovery_prefix
        self.node_id = f"xcelsior_{sfdi}"
        self.availability = f"{self.base}/availability"  # the app: online, or offline (its last will)
        self.fresh = f"{self.base}/fresh"  # the meter's readings: online while they are current
        self.power = f"{self.base}/power"
        self.cost_today = f"{self.base}/cost_today"
        self.meter_state = f"{self.base}/meter_state"
        self.last_reading = f"{self.base}/last_reading"
        self.sync = f"{self.base}/sync"  # a private echo that says the broker's retained messages have all arrived
        self.device_config = f"{discovery_prefix}/device/{self.node_id}/config"

    def energy(self, direction: Direction, tier: int | None = None) -> str:
        return f"{self.base}/{energy_object_id(direction, tier)}"

    def state(self, key: str) -> str:
        """The state topic of a component by its key (the extras: ``power_factor``, ``max_demand_imported`` ...)."""
        return f"{self.base}/{key}"

    def claim(self, installation_id: str) -> str:
        """Retained by each installation that publishes this meter: who may clean up after the meter is replaced."""
        return f"{self.base}/installations/{installation_id}"

    def legacy_config(self, object_id: str, component: str = "sensor") -> str:
        """A per-entity discovery config topic, as versions before the device message published them."""
        return f"{self.discovery_prefix}/{component}/{self.node_id}/{object_id}/config"

    def legacy_configs(self) -> list[str]:
        """Every per-entity config topic an earlier version could have published for this meter."""
        return [self.legacy_config(object_id) for object_id in LEGACY_OBJECT_IDS]


def energy_object_id(direction: Direction, tier: int | None = None) -> str:
    return f"energy_{direction}" if tier is None else f"energy_{direction}_tier{tier}"


TIERS = range(1, 9)  # the meter's TOU tiers (tier 0, its total, is the plain register)
LEGACY_OBJECT_IDS: tuple[str, ...] = (
    "power", "energy_imported", "energy_exported", "meter_state", "cost_today",
    *(energy_object_id(direction, tier) for direction in ("imported", "exported") for tier in TIERS),
)


def format_number(value: float, places: int) -> str:
    """``value`` rounded to ``places`` decimals, without trailing zeros ("1234", "-56.5", "12345.678")."""
    text = f"{round(value, places):.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# -- states ---------------------------------------------------------------------------------------------------

def _finite(value: float | None) -> bool:
    return value is not None and isinstance(value, int | float) and math.isfinite(value)


def power_message(topics: Topics, demand: Measurement, *, key: str | None = None) -> Message | None:
    """Demand in W, signed (negative while exporting); None for a value that is not a number of watts. ``key``:
    another power sensor's state topic than the meter's own (the home's use on the solar meter's device)."""
    if not _finite(demand.value):
        return None
    factor = {"W": 1.0, "kW": 1000.0}.get(demand.unit)
    if factor is None:
        return None
    return Message(topics.state(key) if key else topics.power, format_number(demand.value * factor, 1))


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


def fresh_message(topics: Topics, fresh: bool) -> Message:
    """The meter's readings are current (``online``) or not (``offline``): the second availability of every
    reading's sensor, and the state of the connectivity sensor."""
    return Message(topics.fresh, ONLINE if fresh else OFFLINE)


def last_reading_message(topics: Topics, demand: Measurement) -> Message | None:
    """When the meter took the newest trusted demand reading (its own timestamp), for the "Last reading" sensor."""
    at = demand.timestamp
    if not isinstance(at, dt.datetime) or at.tzinfo is None or at.year < 2000:  # never a 1970 placeholder
        return None
    return Message(topics.last_reading, at.astimezone(dt.UTC).isoformat(timespec="seconds"))
