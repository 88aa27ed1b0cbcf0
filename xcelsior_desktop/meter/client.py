"""The meter client: device information, time, live demand, registers and interval history.

All methods are blocking and meant for one thread (the app's meter worker). Every request goes over
the transport's single kept-alive connection; a batch holds it for several requests in a row. The
profile (where each channel lives) is learned once and reused, so a later read costs one GET per
channel. Errors are the classes of :mod:`xcelsior_desktop.meter.errors`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from xcelsior_desktop.meter import resources as res
from xcelsior_desktop.meter.address import DEFAULT_PORT
from xcelsior_desktop.meter.channels import INTERVAL_CHANNELS, Channel
from xcelsior_desktop.meter.errors import ProtocolError, ResourceMissing
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.meter.profile import (
    ChannelInfo,
    MeterProfile,
    body_of,
    build_profile,
    fetch,
    fetch_all_pages,
)
from xcelsior_desktop.meter.transport import MeterTransport, ProbeResult, TransportStats
from xcelsior_desktop.meter.values import (
    MANUFACTURERS,
    DeviceInfo,
    IntervalEnergy,
    Measurement,
    MeterTime,
    Registers,
)

__all__ = [
    "Channel",
    "DeviceInfo",
    "IntervalEnergy",
    "Measurement",
    "MeterClient",
    "MeterTime",
    "ProbeResult",
    "Registers",
]

T = TypeVar("T")
DEFAULT_INTERVAL_S = 900
REWALK_AFTER_S = 600.0  # a profile this client walked itself is walked again on a 404 at most this often


def _reading_list_or_gap(body: bytes | None) -> res.ReadingList:
    """A page of interval readings; an empty answer counts as no readings (its slots stay gaps)."""
    if not body or not body.strip():
        return res.ReadingList(res.ListMeta(None, None, 0))
    return res.reading_list(body)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class MeterClient:
    """A client for one meter. ``meter_lfdi`` pins the meter; when None it is learned on first contact."""

    def __init__(
        self,
        host: str,
        port: int = DEFAULT_PORT,
        identity: Identity | None = None,
        meter_lfdi: str | None = None,
        connect_timeout: float = 5.0,
        handshake_timeout: float = 15.0,
        read_timeout: float = 10.0,
        *,
        profile: MeterProfile | None = None,
        dcap_path: str = "/dcap",
    ) -> None:
        if identity is None:
            raise ValueError("MeterClient needs the client identity (certificate and key)")
        self.transport = MeterTransport(
            host,
            port,
            identity=identity,
            meter_lfdi=meter_lfdi,
            connect_timeout=connect_timeout,
            handshake_timeout=handshake_timeout,
            read_timeout=read_timeout,
        )
        self.dcap_path = dcap_path
        self._dcap: res.DeviceCapability | None = None
        self._profile = profile
        # A profile handed in (saved from an earlier run) is not trusted until a read has worked with it.
        self._profile_trusted = False
        self._walked_at: float | None = None  # monotonic time of this client's last walk
        self.profile_relearned = 0  # times a failing profile was dropped and the meter walked again
        self.profile_drop_reason: str | None = None  # why, the last time (for the log)

    # ---------------------------------------------------------------- plumbing
    @property
    def host(self) -> str:
        return self.transport.host

    @property
    def port(self) -> int:
        return self.transport.port

    @property
    def meter_lfdi(self) -> str | None:
        return self.transport.meter_lfdi

    @property
    def stats(self) -> TransportStats:
        return self.transport.stats

    @property
    def cached_profile(self) -> MeterProfile | None:
        """The profile learned so far (save ``to_json()`` and pass it back as ``profile=`` next time).

        When :attr:`profile_relearned` has grown since the last look, the saved copy failed: clear it, and save
        this one once it is there (None while the walk itself fails)."""
        return self._profile

    def probe(self) -> ProbeResult:
        """Handshake only: learn the meter's LFDI and whether it accepts our certificate."""
        return self.transport.probe()

    def port_answers(self, timeout: float | None = None) -> bool:
        """A plain TCP connect to the meter's port (no handshake): is it worth trying a handshake again?"""
        return self.transport.port_answers(timeout)

    def disconnect(self) -> None:
        """Drop the kept-alive connection (the next request opens a new one, resuming the TLS session)."""
        self.transport.disconnect()

    @contextmanager
    def batch(self) -> Iterator[MeterClient]:
        """Several calls back to back on the one connection, with no other request in between."""
        with self.transport.batch():
            yield self

    def abort(self) -> None:
        """Any thread: make a blocked request fail now (quitting)."""
        self.transport.abort()

    def release(self) -> None:
        """Before closing: let the meter close its side first, so the next connection never overlaps this one."""
        self.transport.release()

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> MeterClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _device_capability(self) -> res.DeviceCapability:
        if self._dcap is None:
            self._dcap = fetch(self.transport.get, self.dcap_path, res.device_capability)
        return self._dcap

    def ensure_profile(self, refresh: bool = False) -> MeterProfile:
        """The meter's profile, walked from /dcap on first use (about 25 GETs) and cached."""
        profile = self._profile
        stale = profile is not None and profile.meter_lfdi and self.meter_lfdi and profile.meter_lfdi != self.meter_lfdi
        if profile is None or refresh or stale:
            with self.transport.batch():
                profile = build_profile(self.transport.get, self.dcap_path)
                profile.meter_lfdi = self.meter_lfdi  # pinned by the first connection of the walk
            self._profile = profile
            self._profile_trusted = True  # learned from the meter just now
            self._walked_at = time.monotonic()
        return profile

    def _with_profile(self, action: Callable[[MeterProfile], T]) -> T:
        """Run ``action`` with the profile. When it fails in a way a wrong profile explains, drop the profile,
        walk the meter again once and retry (see :meth:`_profile_to_blame`); never twice in a row."""
        with self.transport.batch():
            profile = self.ensure_profile()
            try:
                result = action(profile)
            except ProtocolError as exc:
                if not self._profile_to_blame(exc):
                    raise
                self._drop_profile(exc)
                result = action(self.ensure_profile(refresh=True))
            self._profile_trusted = True
            return result

    def _profile_to_blame(self, exc: ProtocolError) -> bool:
        """A saved profile not yet proven is blamed for any answer that does not fit (404, another resource,
        garbage); a profile walked by this client only for a 404, and at most every ``REWALK_AFTER_S``
        (a firmware update may move resources), so a meter that lacks something is not walked in a loop."""
        if not self._profile_trusted:
            return True
        if not isinstance(exc, ResourceMissing):
            return False
        return self._walked_at is None or time.monotonic() - self._walked_at >= REWALK_AFTER_S

    def _drop_profile(self, exc: ProtocolError) -> None:
        self._profile = None
        self._dcap = None
        self.profile_relearned += 1
        self.profile_drop_reason = str(exc)

    # ---------------------------------------------------------------- device and time
    def device_info(self) -> DeviceInfo:
        """DeviceInformation and the SFDI (/dcap -> /sdev -> /sdev/sdi)."""
        with self.transport.batch():
            dcap = self._device_capability()
            if dcap.self_device_link is None:
                raise ProtocolError("the meter's DeviceCapability has no SelfDeviceLink")
            sdev = fetch(self.transport.get, dcap.self_device_link.href, res.self_device)
            info = None
            if sdev.device_information_link is not None:
                info = fetch(self.transport.get, sdev.device_information_link.href, res.device_information)
        mf_id = info.mf_id if info else None
        return DeviceInfo(
            lfdi=(info.lfdi if info else None) or sdev.lfdi,
            sfdi=sdev.sfdi,
            sw_version=info.sw_ver if info else None,
            mf_id=mf_id,
            manufacturer=MANUFACTURERS.get(mf_id, f"manufacturer #{mf_id}") if mf_id is not None else None,
            model=(info.mf_model or None) if info else None,
            serial_number=(info.mf_ser_num or None) if info else None,
            hw_version=(info.mf_hw_ver or None) if info else None,
            primary_power=info.primary_power if info else None,
            secondary_power=info.secondary_power if info else None,
            tls_lfdi=self.meter_lfdi,
        )

    def meter_time(self) -> MeterTime:
        """The meter's clock and how far it is from ours (positive: the meter is ahead)."""
        with self.transport.batch():
            dcap = self._device_capability()
            if dcap.time_link is None:
                raise ProtocolError("the meter's DeviceCapability has no TimeLink")
            before = time.time()
            tm = fetch(self.transport.get, dcap.time_link.href, res.time_resource)
            after = time.time()
        if tm.current_time is None or res.utc(tm.current_time) is None:
            raise ProtocolError("the meter's Time resource has no currentTime")
        meter_now = res.utc(tm.current_time)
        assert meter_now is not None
        return MeterTime(
            meter_now=meter_now,
            skew_s=tm.current_time - (before + after) / 2.0,
            quality=tm.quality,
            tz_offset_s=tm.tz_offset,
            dst_offset_s=tm.dst_offset,
        )

    # ---------------------------------------------------------------- instantaneous values and registers
    def _reading_at(self, href: str, *, allow_empty: bool) -> res.Reading | None:
        body = body_of(self.transport.get(href))
        if allow_empty and not body.strip():
            return None  # the meter sometimes answers a reading with an empty body
        return res.reading(body)

    @staticmethod
    def _measurement(info: ChannelInfo, reading: res.Reading | None, read_at: dt.datetime) -> Measurement | None:
        if reading is None or reading.value is None or info.channel is None:
            return None
        when = reading.time_period.start_utc if reading.time_period else None
        return Measurement(
            value=info.scale(reading.value),
            unit=info.unit,
            timestamp=when or read_at,
            quality=reading.quality_flags,
            channel=info.channel,
            raw=reading.value,
        )

    def read(self, channels: Iterable[Channel] | None = None) -> dict[Channel, Measurement]:
        """Current values of channels that have a latest-value link, in one batch (one GET each).

        Default: every such channel the meter has. Channels the meter lacks, or that have no value
        right now (e.g. power factor of an unused phase), are left out of the result.
        """
        wanted = list(channels) if channels is not None else None

        def action(profile: MeterProfile) -> dict[Channel, Measurement]:
            read_at = _now()
            out: dict[Channel, Measurement] = {}
            selected = wanted if wanted is not None else [c for c in profile.channels if c not in INTERVAL_CHANNELS]
            for channel in selected:
                info = profile.get(Channel(channel))
                if info is None or info.reading_href is None:
                    continue
                measurement = self._measurement(info, self._reading_at(info.reading_href, allow_empty=True), read_at)
                if measurement is not None:
                    out[Channel(channel)] = measurement
            return out

        return self._with_profile(action)

    def read_demand(self) -> Measurement:
        """Instantaneous demand in W, signed (negative while exporting). One GET once the profile is known."""

        def action(profile: MeterProfile) -> Measurement:
            info = profile.get(Channel.DEMAND)
            if info is None or info.reading_href is None:
                raise ProtocolError("the meter lists no instantaneous demand reading")
            read_at = _now()
            measurement = self._measurement(info, self._reading_at(info.reading_href, allow_empty=False), read_at)
            if measurement is None:
                raise ProtocolError("the meter's demand reading carries no value")
            return measurement

        return self._with_profile(action)

    def _tou_tiers(self, info: ChannelInfo | None) -> dict[int, float]:
        """TOU tier -> Wh from the newest ReadingSet of a TOU channel (tier 0 = total included)."""
        if info is None or info.reading_set_list_href is None:
            return {}
        if info.tou_reading_list_href is None:
            sets, _ = fetch_all_pages(self.transport.get, info.reading_set_list_href, res.reading_set_list)
            newest = max(sets, key=lambda s: (s.time_period.start or 0) if s.time_period else 0, default=None)
            if newest is None:
                return {}
            info.tou_reading_list_href = (
                newest.reading_list_link.href if newest.reading_list_link else f"{newest.href}/r"
            )
        try:
            readings, _ = fetch_all_pages(self.transport.get, info.tou_reading_list_href, res.reading_list)
        except ResourceMissing:
            info.tou_reading_list_href = None
            raise
        return {r.tou_tier: info.scale(r.value) for r in readings if r.tou_tier is not None and r.value is not None}

    def read_registers(self, *, include_tou: bool = True) -> Registers:
        """Delivered (import) and received (export) energy in Wh, plus TOU tiers when the meter has them."""

        def action(profile: MeterProfile) -> Registers:
            read_at = _now()
            values: dict[Channel, Measurement | None] = {}
            for channel in (Channel.DELIVERED_WH, Channel.RECEIVED_WH):
                info = profile.get(channel)
                reading = (
                    self._reading_at(info.reading_href, allow_empty=True) if info and info.reading_href else None
                )
                values[channel] = self._measurement(info, reading, read_at) if info else None
            tou_d: dict[int, float] = {}
            tou_r: dict[int, float] = {}
            if include_tou:
                tou_d = self._tou_tiers(profile.get(Channel.TOU_DELIVERED_WH))
                tou_r = self._tou_tiers(profile.get(Channel.TOU_RECEIVED_WH))
            delivered, received = values[Channel.DELIVERED_WH], values[Channel.RECEIVED_WH]
            return Registers(
                delivered_wh=delivered.value if delivered else tou_d.get(0),
                received_wh=received.value if received else tou_r.get(0),
                tou_delivered={tier: v for tier, v in sorted(tou_d.items()) if tier > 0},
                tou_received={tier: v for tier, v in sorted(tou_r.items()) if tier > 0},
                read_at=read_at,
                delivered_at=delivered.timestamp if delivered else None,
                received_at=received.timestamp if received else None,
            )

        return self._with_profile(action)

    # ---------------------------------------------------------------- interval history
    def intervals(self, since: dt.datetime, *, max_sets: int = 64) -> list[IntervalEnergy]:
        """15-minute energy since ``since`` (interval start >= since), oldest first, gaps kept as None.

        Reads the two newest ReadingSets (so the interval at a 12-hour set boundary is never missed)
        plus older sets that overlap ``since``. Slot start = set start + int(localID, 16) x intervalLength.
        """
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware (UTC)")
        since_s = int(since.timestamp())

        def action(profile: MeterProfile) -> list[IntervalEnergy]:
            flows: dict[str, dict[int, tuple[int, float | None]]] = {}
            for name, channel in (("delivered", Channel.INTERVAL_DELIVERED_WH), ("received", Channel.INTERVAL_RECEIVED_WH)):
                info = profile.get(channel)
                flows[name] = self._interval_slots(info, since_s, max_sets) if info else {}
            starts = sorted(set(flows["delivered"]) | set(flows["received"]))
            out = []
            for start in starts:
                d = flows["delivered"].get(start)
                r = flows["received"].get(start)
                duration = (d or r or (DEFAULT_INTERVAL_S, None))[0]
                out.append(
                    IntervalEnergy(
                        start=dt.datetime.fromtimestamp(start, dt.UTC),
                        duration_s=duration,
                        delivered_wh=d[1] if d else None,
                        received_wh=r[1] if r else None,
                    )
                )
            return out

        return self._with_profile(action)

    def _interval_slots(self, info: ChannelInfo, since_s: int, max_sets: int) -> dict[int, tuple[int, float | None]]:
        """start (unix s) -> (duration, Wh or None) for one interval channel."""
        if info.reading_set_list_href is None:
            return {}
        length = info.interval_length or DEFAULT_INTERVAL_S

        def old_enough(page: list[res.ReadingSet]) -> bool:
            # The list is newest first: once a page holds a set that ends before `since`, every later page is older.
            ends = [
                (s.time_period.start or 0) + (s.time_period.duration or 0) for s in page if s.time_period is not None
            ]
            return bool(ends) and min(ends) <= since_s

        sets, _ = fetch_all_pages(self.transport.get, info.reading_set_list_href, res.reading_set_list, stop=old_enough)
        dated = [s for s in sets if s.time_period is not None and res.utc(s.time_period.start) is not None]
        dated.sort(key=lambda s: s.time_period.start or 0 if s.time_period else 0, reverse=True)
        chosen = []
        for index, rs in enumerate(dated[:max_sets]):
            assert rs.time_period is not None
            end = (rs.time_period.start or 0) + (rs.time_period.duration or 0)
            if index < 2 or end > since_s:
                chosen.append(rs)
        slots: dict[int, tuple[int, float | None]] = {}
        for rs in chosen:
            assert rs.time_period is not None and rs.time_period.start is not None
            set_start = rs.time_period.start
            href = rs.reading_list_link.href if rs.reading_list_link else (f"{rs.href}/r" if rs.href else None)
            if href is None:
                continue
            try:
                readings, _ = fetch_all_pages(self.transport.get, href, _reading_list_or_gap)
            except ResourceMissing:
                continue  # the set rolled away between listing and reading
            by_id = {r.local_id: r for r in readings if r.local_id is not None}
            count = max([*by_id, -1]) + 1
            if rs.time_period.duration:
                count = max(count, min(rs.time_period.duration // length, 4 * 24 * 3600 // length))
            for local_id in range(count):
                start = set_start + local_id * length
                if start < since_s:
                    continue
                found = by_id.get(local_id)
                value = info.scale(found.value) if found is not None and found.value is not None else None
                if start not in slots or slots[start][1] is None:
                    slots[start] = (length, value)
        return slots
