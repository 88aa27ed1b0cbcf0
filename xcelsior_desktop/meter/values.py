"""What the client returns: plain typed values with units and UTC timestamps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from xcelsior_desktop.meter.channels import Channel

MANUFACTURERS = {1233: "Itron"}  # IEEE 2030.5 mfID (IANA private enterprise number)

QUALITY_VALID = 0x01
QUALITY_ESTIMATED = 0x04 | 0x08
QUALITY_QUESTIONABLE = 0x10


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None


@dataclass(frozen=True)
class Measurement:
    """One value in engineering units (``powerOfTenMultiplier`` applied).

    Demand is signed: negative while the home exports. ``timestamp`` is the meter's time of the
    reading (UTC) when it gave one, else the time we read it.
    """

    value: float
    unit: str
    timestamp: dt.datetime
    quality: int | None = None
    channel: Channel | None = None
    raw: int | None = None

    @property
    def estimated(self) -> bool:
        return bool(self.quality and self.quality & QUALITY_ESTIMATED)

    @property
    def questionable(self) -> bool:
        return bool(self.quality and self.quality & QUALITY_QUESTIONABLE)

    def as_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel.value if self.channel else None,
            "value": self.value,
            "unit": self.unit,
            "timestamp": _iso(self.timestamp),
            "quality": self.quality,
        }


@dataclass(frozen=True)
class Registers:
    """Energy registers in Wh: delivered = from the grid (import), received = to the grid (export).

    ``tou_delivered`` / ``tou_received`` map TOU tier (1..8) to Wh, only tiers that have a value;
    tier 0 (the meter's total) is used for ``delivered_wh``/``received_wh`` only if the plain register is missing.
    """

    delivered_wh: float | None
    received_wh: float | None
    tou_delivered: dict[int, float] = field(default_factory=dict)
    tou_received: dict[int, float] = field(default_factory=dict)
    read_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    delivered_at: dt.datetime | None = None
    received_at: dt.datetime | None = None

    @property
    def net_wh(self) -> float | None:
        if self.delivered_wh is None or self.received_wh is None:
            return None
        return self.delivered_wh - self.received_wh


@dataclass(frozen=True)
class DeviceInfo:
    lfdi: str | None
    sfdi: int | None
    sw_version: str | None
    mf_id: int | None
    manufacturer: str | None
    model: str | None = None
    serial_number: str | None = None
    hw_version: str | None = None
    primary_power: int | None = None
    secondary_power: int | None = None
    tls_lfdi: str | None = None  # the LFDI of the certificate the meter presented

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class MeterTime:
    """The meter's clock (UTC: the meter knows no time zone) and its offset from ours (positive = meter ahead)."""

    meter_now: dt.datetime
    skew_s: float
    quality: int | None = None
    tz_offset_s: int | None = None
    dst_offset_s: int | None = None


@dataclass(frozen=True)
class IntervalEnergy:
    """One interval (normally 15 min). None = the meter has no value for it (a gap, kept as a gap)."""

    start: dt.datetime
    duration_s: int
    delivered_wh: float | None
    received_wh: float | None

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=self.duration_s)

    @property
    def net_wh(self) -> float | None:
        if self.delivered_wh is None or self.received_wh is None:
            return None
        return self.delivered_wh - self.received_wh
