"""The meter's profile: where each channel lives, learned once by following links from /dcap.

Walk: /dcap -> UsagePointList (every page) -> the electricity UsagePoint (serviceCategoryKind 0)
-> every page of its MeterReadingList -> each ReadingType. Paths are never hard-coded: indices differ
between agent versions. The profile is cached by the client and can be saved as JSON, so that a later
read costs one GET per channel.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

from xcelsior_desktop.meter import resources as res
from xcelsior_desktop.meter.channels import Channel, classify, unit_of
from xcelsior_desktop.meter.errors import ProtocolError, ResourceMissing
from xcelsior_desktop.meter.transport import HttpResult

Getter = Callable[[str], HttpResult]
PAGE_LIMIT = 25  # always accepted by the meter; without `l` it returns one item
MAX_PAGES = 40
PROFILE_VERSION = 1
SERVICE_ELECTRICITY = 0

T = TypeVar("T")


def body_of(result: HttpResult) -> bytes:
    """The body of a successful answer; 404 -> ResourceMissing, other statuses -> ProtocolError."""
    if result.status == 404:
        raise ResourceMissing(f"{result.path} does not exist on this meter (404)")
    if result.status != 200:
        raise ProtocolError(f"GET {result.path} answered HTTP {result.status}")
    return result.body


def fetch(get: Getter, path: str, parser: Callable[[bytes | None], T]) -> T:
    return parser(body_of(get(path)))


def paged(href: str, start: int, limit: int = PAGE_LIMIT) -> str:
    separator = "&" if "?" in href else "?"
    return f"{href}{separator}s={start}&l={limit}"


def fetch_all_pages(get: Getter, href: str, parser: Callable[[bytes | None], Any], *,
                    stop: Callable[[list[Any]], bool] | None = None) -> tuple[list[Any], int | None]:
    """Every item of a list resource, page by page (pages may be short); items de-duplicated by href.

    ``stop(page_items)`` may end the walk early (e.g. once older sets are not needed).
    """
    items: list[Any] = []
    seen: set[str] = set()
    start = 0
    total: int | None = None
    for _ in range(MAX_PAGES):
        page = parser(body_of(get(paged(href, start))))
        if page.meta.all is not None:
            total = page.meta.all
        page_items = list(page.items)
        for item in page_items:
            key = item.href or f"#{len(items)}"
            if key not in seen:
                seen.add(key)
                items.append(item)
        if not page_items or (stop is not None and stop(page_items)):
            break
        start += len(page_items)
        if total is None or start >= total:
            break
    return items, total


def _saved_href(data: dict[str, Any], key: str) -> str | None:
    """An href from a saved profile: a path on the meter as the walk keeps them (see resources), or None."""
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith("/") or "//" in value or any(c.isspace() for c in value) \
            or len(value) > 512:
        raise ValueError(f"{key} {value!r} is not a path on the meter")
    return value


@dataclass
class ChannelInfo:
    """Where one channel lives and how to scale it."""

    channel: Channel | None  # None: a reading this program does not use (kept for the record)
    description: str | None
    meter_reading_href: str | None
    reading_href: str | None
    reading_set_list_href: str | None
    reading_type: res.ReadingType
    tou_reading_list_href: str | None = None  # learned on the first TOU read, then reused

    @property
    def multiplier(self) -> float:
        return 10.0 ** (self.reading_type.power_of_ten_multiplier or 0)

    @property
    def unit(self) -> str:
        return unit_of(self.reading_type.uom)

    @property
    def interval_length(self) -> int | None:
        return self.reading_type.interval_length

    def scale(self, raw: int) -> float:
        exponent = self.reading_type.power_of_ten_multiplier or 0
        return float(raw) if exponent == 0 else raw * 10.0**exponent

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["channel"] = self.channel.value if self.channel else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChannelInfo:
        """From a saved profile; raises ValueError (or TypeError) for anything the walk could not have written."""
        if not isinstance(data, dict):
            raise TypeError(f"a channel entry is {type(data).__name__}, not an object")
        reading_type = data.get("reading_type", {})
        if not isinstance(reading_type, dict):
            raise TypeError("reading_type is not an object")
        for name, value in reading_type.items():
            if name != "href" and value is not None and (type(value) is not int or abs(value) > 2**47):
                raise ValueError(f"reading_type {name} is {value!r}, not a meter integer")
        description = data.get("description")
        if description is not None and not isinstance(description, str):
            raise TypeError("description is not text")
        return cls(
            channel=Channel(data["channel"]) if data.get("channel") else None,
            description=description,
            meter_reading_href=_saved_href(data, "meter_reading_href"),
            reading_href=_saved_href(data, "reading_href"),
            reading_set_list_href=_saved_href(data, "reading_set_list_href"),
            reading_type=res.ReadingType(**{**reading_type, "href": _saved_href(reading_type, "href")}),
            tou_reading_list_href=_saved_href(data, "tou_reading_list_href"),
        )


@dataclass
class MeterProfile:
    """The result of the walk. ``channels`` maps each meaning to the first reading that has it."""

    dcap_path: str = "/dcap"
    meter_lfdi: str | None = None
    time_href: str | None = None
    self_device_href: str | None = None
    device_information_href: str | None = None
    usage_point_href: str | None = None
    poll_rate: int | None = None
    channels: dict[Channel, ChannelInfo] = field(default_factory=dict)
    unclassified: list[ChannelInfo] = field(default_factory=list)
    built_at: float = 0.0

    def get(self, channel: Channel) -> ChannelInfo | None:
        return self.channels.get(channel)

    def to_json(self) -> str:
        data = {
            "version": PROFILE_VERSION,
            "dcap_path": self.dcap_path,
            "meter_lfdi": self.meter_lfdi,
            "time_href": self.time_href,
            "self_device_href": self.self_device_href,
            "device_information_href": self.device_information_href,
            "usage_point_href": self.usage_point_href,
            "poll_rate": self.poll_rate,
            "channels": [info.to_dict() for info in self.channels.values()],
            "built_at": self.built_at,
        }
        return json.dumps(data, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> MeterProfile:
        """Load a saved profile; raises ValueError when it is unusable (then build a new one)."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise TypeError(f"the profile is {type(data).__name__}, not an object")
            if data.get("version") != PROFILE_VERSION:
                raise ValueError(f"profile version {data.get('version')!r} is not {PROFILE_VERSION}")
            entries = data.get("channels", [])
            if not isinstance(entries, list):
                raise TypeError("channels is not a list")
            channels = [ChannelInfo.from_dict(item) for item in entries]
            lfdi = data.get("meter_lfdi")
            if lfdi is not None and not isinstance(lfdi, str):
                raise TypeError("meter_lfdi is not text")
            poll_rate = data.get("poll_rate")
            if poll_rate is not None and type(poll_rate) is not int:
                raise TypeError("poll_rate is not an integer")
            built_at = float(data.get("built_at") or 0.0)
            if not math.isfinite(built_at):
                raise ValueError("built_at is not a finite number")
            return cls(
                dcap_path=_saved_href(data, "dcap_path") or "/dcap",
                meter_lfdi=lfdi,
                time_href=_saved_href(data, "time_href"),
                self_device_href=_saved_href(data, "self_device_href"),
                device_information_href=_saved_href(data, "device_information_href"),
                usage_point_href=_saved_href(data, "usage_point_href"),
                poll_rate=poll_rate,
                channels={info.channel: info for info in channels if info.channel is not None},
                built_at=built_at,
            )
        except ValueError as exc:  # json.JSONDecodeError and a bad Channel value included
            raise ValueError(f"saved meter profile is unusable: {exc}") from exc
        except (KeyError, TypeError, AttributeError, RecursionError, OverflowError) as exc:
            raise ValueError(f"saved meter profile is unusable: {exc}") from exc


def _pick_usage_point(points: list[res.UsagePoint]) -> res.UsagePoint:
    with_readings = [p for p in points if p.meter_reading_list_link is not None]
    for point in with_readings:
        if point.service_category_kind == SERVICE_ELECTRICITY:
            return point
    for point in with_readings:
        if point.service_category_kind is None:
            return point
    raise ProtocolError("the meter lists no electricity usage point with readings")


def build_profile(get: Getter, dcap_path: str = "/dcap", *, meter_lfdi: str | None = None) -> MeterProfile:
    """Walk the meter's links and classify every reading by its ReadingType."""
    dcap = fetch(get, dcap_path, res.device_capability)
    profile = MeterProfile(dcap_path=dcap_path, meter_lfdi=meter_lfdi, built_at=time.time())
    profile.time_href = dcap.time_link.href if dcap.time_link else None
    if dcap.self_device_link:
        profile.self_device_href = dcap.self_device_link.href
    if dcap.usage_point_list_link is None:
        raise ProtocolError("the meter's DeviceCapability has no UsagePointListLink")
    points, _ = fetch_all_pages(get, dcap.usage_point_list_link.href, res.usage_point_list)
    point = _pick_usage_point(points)
    profile.usage_point_href = point.href
    assert point.meter_reading_list_link is not None
    readings, _ = fetch_all_pages(get, point.meter_reading_list_link.href, res.meter_reading_list)
    types: dict[str, res.ReadingType] = {}
    # the meter lists highest number first; classify in ascending href order so "first" is stable
    for mr in sorted(readings, key=_href_sort_key):
        if mr.reading_type_link is None:
            continue
        rt_href = mr.reading_type_link.href
        if rt_href not in types:
            try:
                types[rt_href] = fetch(get, rt_href, res.reading_type)
            except ResourceMissing:
                continue
        channel = classify(types[rt_href], mr.description)
        info = ChannelInfo(
            channel=channel,
            description=mr.description,
            meter_reading_href=mr.href,
            reading_href=mr.reading_link.href if mr.reading_link else None,
            reading_set_list_href=mr.reading_set_list_link.href if mr.reading_set_list_link else None,
            reading_type=types[rt_href],
        )
        if channel is None or channel in profile.channels:
            profile.unclassified.append(info)
        else:
            profile.channels[channel] = info
    if not profile.channels:
        raise ProtocolError("the meter lists no readings this program understands")
    return profile


def _href_sort_key(mr: res.MeterReading) -> tuple[int, str]:
    href = mr.href or ""
    tail = href.rstrip("/").rsplit("/", 1)[-1]
    return (int(tail), href) if tail.isdigit() else (1 << 30, href)


def fetch_device_pointers(get: Getter, profile: MeterProfile) -> None:
    """Fill in /sdev's DeviceInformationLink when the profile does not have it yet."""
    if profile.device_information_href or not profile.self_device_href:
        return
    sdev = fetch(get, profile.self_device_href, res.self_device)
    if sdev.device_information_link:
        profile.device_information_href = sdev.device_information_link.href
