"""The meter's other readings beside its energy registers: maximum demand and power factor. Qt-free.

The session polls demand and the energy registers only; these are read now and then by a session
:class:`~xcelsior_desktop.session.commands.Job` (:func:`extras_job`): one GET per channel the meter lists, the
same client call as ``xcelsior-desktop read``. A channel the meter does not list, or lists with an empty reading
(power factor of an unused phase; the received maximum demand on real meters), is reported as such, never as 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xcelsior_desktop.meter.channels import Channel
from xcelsior_desktop.meter.values import Measurement

EXTRA_CHANNELS: tuple[Channel, ...] = (
    Channel.MAX_DEMAND_DELIVERED,
    Channel.MAX_DEMAND_RECEIVED,
    Channel.POWER_FACTOR,
    Channel.POWER_FACTOR_A,
    Channel.POWER_FACTOR_B,
    Channel.POWER_FACTOR_C,
)

MEANING: dict[Channel, tuple[str, str]] = {
    Channel.MAX_DEMAND_DELIVERED: (
        "Maximum demand (from the grid)",
        "the highest power the meter has recorded drawn from the grid, over its own demand interval since its "
        "last reset (the meter does not say when that was); residential Xcel bills do not charge for it",
    ),
    Channel.MAX_DEMAND_RECEIVED: (
        "Maximum demand (to the grid)",
        "the highest power recorded sent to the grid; real meters leave it empty",
    ),
    Channel.POWER_FACTOR: (
        "Power factor",
        "real power / apparent power (1 = all of the current does work; motors and chargers lower it); "
        "residential bills do not charge for it",
    ),
    Channel.POWER_FACTOR_A: ("Power factor, phase A", "as above, for one phase"),
    Channel.POWER_FACTOR_B: ("Power factor, phase B", "as above, for one phase"),
    Channel.POWER_FACTOR_C: ("Power factor, phase C", "as above, for one phase"),
}


@dataclass(frozen=True)
class ExtraReadings:
    values: dict[Channel, Measurement] = field(default_factory=dict)
    listed: frozenset[Channel] = frozenset()  # channels the meter lists (a listed one without value is empty)


def read_extras(client: Any) -> ExtraReadings:
    """One batch on the meter thread: the profile's extra channels and their values."""
    profile = client.ensure_profile()
    listed = frozenset(c for c in EXTRA_CHANNELS if profile.get(c) is not None)
    values = client.read(list(listed)) if listed else {}
    return ExtraReadings(dict(values), listed)


def describe(channel: Channel, extras: ExtraReadings) -> tuple[str, str, str]:
    """(label, value text, meaning) for the window."""
    label, meaning = MEANING[channel]
    measurement = extras.values.get(channel)
    if measurement is not None:
        if channel in (Channel.MAX_DEMAND_DELIVERED, Channel.MAX_DEMAND_RECEIVED):
            value = f"{measurement.value / 1000:.2f} kW" if abs(measurement.value) >= 1000 else \
                f"{measurement.value:.0f} W"
        else:
            value = f"{measurement.value:.3f}"
        return label, value, meaning
    if channel in extras.listed:
        return label, "listed, no value", meaning
    return label, "not offered by this meter", meaning
