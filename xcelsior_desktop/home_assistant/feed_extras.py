"""The meter's readings beside demand and the energy registers that the feed also publishes: power factor, maximum
demand, apparent and reactive energy. Qt-free.

The session polls demand and the Wh registers only; these are read now and then by a session
:class:`~xcelsior_desktop.session.session.Job` (:func:`feed_extras_job`), one GET per channel the meter lists, on
the session's one connection. A channel the meter does not list, an empty reading (the received maximum demand
and the per-phase power factors on real meters), a value that is not a finite number in its range or that the
meter flags as questionable gives no value at all: the feed never publishes a 0 for a reading it does not have.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from xcelsior_desktop.meter.channels import Channel
from xcelsior_desktop.meter.values import Measurement
from xcelsior_desktop.session.commands import Job
from xcelsior_desktop.session.connection import MeterClientLike

EXTRAS_EVERY_S = 5 * 60.0  # 7 GETs every 5 minutes: about 1.4 a minute beside demand's 12
MAX_DEMAND_W = 48_000.0  # what a 200 A, 240 V service can carry (session/plausibility.py's bound)


@dataclass(frozen=True)
class ExtraKind:
    """How one extra reading becomes a sensor: its component key (also its state topic's last level), its name,
    the meter channel, and the factor from the meter's unit to the sensor's."""

    key: str
    name: str
    channel: Channel
    unit: str | None
    factor: float
    device_class: str | None
    state_class: str
    precision: int
    cumulative: bool  # a register: never published below the last value sent


class Extra(enum.Enum):
    POWER_FACTOR = ExtraKind("power_factor", "Power factor", Channel.POWER_FACTOR, None, 1.0, "power_factor",
                             "measurement", 3, False)
    MAX_DEMAND_IMPORTED = ExtraKind("max_demand_imported", "Maximum demand imported", Channel.MAX_DEMAND_DELIVERED,
                                    "W", 1.0, "power", "measurement", 0, False)
    MAX_DEMAND_EXPORTED = ExtraKind("max_demand_exported", "Maximum demand exported", Channel.MAX_DEMAND_RECEIVED,
                                    "W", 1.0, "power", "measurement", 0, False)
    # Home Assistant has no device class for apparent or reactive energy: plain total_increasing sensors
    APPARENT_ENERGY_IMPORTED = ExtraKind("apparent_energy_imported", "Apparent energy imported",
                                         Channel.VAH_DELIVERED, "kVAh", 0.001, None, "total_increasing", 3, True)
    APPARENT_ENERGY_EXPORTED = ExtraKind("apparent_energy_exported", "Apparent energy exported",
                                         Channel.VAH_RECEIVED, "kVAh", 0.001, None, "total_increasing", 3, True)
    REACTIVE_ENERGY_IMPORTED = ExtraKind("reactive_energy_imported", "Reactive energy imported",
                                         Channel.VARH_DELIVERED, "kvarh", 0.001, None, "total_increasing", 3, True)
    REACTIVE_ENERGY_EXPORTED = ExtraKind("reactive_energy_exported", "Reactive energy exported",
                                         Channel.VARH_RECEIVED, "kvarh", 0.001, None, "total_increasing", 3, True)

    @property
    def kind(self) -> ExtraKind:
        value: ExtraKind = self.value
        return value

    @classmethod
    def by_key(cls, key: str) -> Extra | None:
        return next((extra for extra in cls if extra.kind.key == key), None)


_UNIT_FROM_METER = {Channel.POWER_FACTOR: ("",), Channel.MAX_DEMAND_DELIVERED: ("W",),
                    Channel.MAX_DEMAND_RECEIVED: ("W",), Channel.VAH_DELIVERED: ("VAh",),
                    Channel.VAH_RECEIVED: ("VAh",), Channel.VARH_DELIVERED: ("varh",),
                    Channel.VARH_RECEIVED: ("varh",)}


def sensor_value(extra: Extra, measurement: Measurement) -> float | None:
    """The sensor's value for a meter reading, or None when the reading cannot be trusted as that quantity."""
    kind = extra.kind
    value = measurement.value
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return None
    if measurement.unit not in _UNIT_FROM_METER[kind.channel] or measurement.questionable:
        return None
    if extra is Extra.POWER_FACTOR and not -1.0 <= value <= 1.0:
        return None
    if kind.channel in (Channel.MAX_DEMAND_DELIVERED, Channel.MAX_DEMAND_RECEIVED) and not 0 <= value <= MAX_DEMAND_W:
        return None
    if kind.cumulative and value < 0:
        return None
    return float(value) * kind.factor


@dataclass(frozen=True)
class FeedExtras:
    """One read of the extra channels: the values the meter gave (meter units), and which channels it lists."""

    values: dict[Channel, Measurement] = field(default_factory=dict)
    listed: frozenset[Channel] = frozenset()

    def sensor_values(self) -> dict[Extra, float]:
        """Extra -> the sensor's value, only for readings that are trusted (see :func:`sensor_value`)."""
        out: dict[Extra, float] = {}
        for extra in Extra:
            measurement = self.values.get(extra.kind.channel)
            if measurement is None:
                continue
            value = sensor_value(extra, measurement)
            if value is not None:
                out[extra] = value
        return out


def read_feed_extras(client: MeterClientLike) -> FeedExtras:
    """One batch on the meter thread: the extra channels the meter's profile lists, and their values."""
    profile = client.ensure_profile()
    listed = frozenset(extra.kind.channel for extra in Extra if profile.get(extra.kind.channel) is not None)
    reader: Any = client  # the session's client is a MeterClient, whose read() takes channels
    values = reader.read(sorted(listed)) if listed else {}
    return FeedExtras(dict(values), listed)


def feed_extras_job(on_read: Callable[[FeedExtras], None]) -> Job:
    """A session job that reads the extras once and hands them to ``on_read`` (on the meter thread)."""

    def step(client: MeterClientLike) -> bool:
        on_read(read_feed_extras(client))
        return False

    return Job("home assistant: meter extras", step)


class ExtrasSchedule:
    """When the next extras read is due: at the first register reading, then every :data:`EXTRAS_EVERY_S`, never
    two jobs at once."""

    def __init__(self, every_s: float = EXTRAS_EVERY_S) -> None:
        self.every_s = every_s
        self._last: float | None = None
        self._running = False

    def due(self, now: float) -> bool:
        return not self._running and (self._last is None or now - self._last >= self.every_s)

    def started(self, now: float) -> None:
        self._last = now
        self._running = True

    def finished(self) -> None:
        self._running = False
