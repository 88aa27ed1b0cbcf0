"""IEEE 2030.5 resources the meter serves, parsed safely into typed dataclasses.

The parser is the project's one hardened parser (``xcelsior_desktop/common/safe_xml.py``: a DTD is refused before
parsing, no entity resolution, no network, no huge trees), with a size limit here. Elements are found by local name (namespace prefixes differ between
agents), every element is optional, and numbers that do not parse count as missing. Anything that is
not a usable document raises :class:`ProtocolError` and nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from xcelsior_desktop.common import safe_xml
from xcelsior_desktop.meter.errors import ProtocolError

MAX_XML_BYTES = 512 * 1024  # real bodies are at most ~10 kB
NAMESPACE = "urn:ieee:std:2030.5:ns"

Element = etree._Element


# ---------------------------------------------------------------------------------------------- parsing
def parse_xml(body: bytes | str | None, expected: str | Iterable[str] | None = None) -> Element:
    """Parse a body into its root element, refusing anything unsafe or unexpected."""
    if body is None:
        raise ProtocolError("the meter sent no body where a document was expected")
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not body.strip():
        raise ProtocolError("the meter sent an empty body where a document was expected")
    if len(body) > MAX_XML_BYTES:
        raise ProtocolError(f"document of {len(body)} bytes is over the {MAX_XML_BYTES}-byte limit")
    try:
        root = safe_xml.parse_bytes(body)
    except safe_xml.DeclaresDtd as exc:
        raise ProtocolError(f"document carries a DTD ({exc}), which IEEE 2030.5 never uses") from None
    except (etree.LxmlError, ValueError, TypeError) as exc:
        raise ProtocolError(f"not well-formed XML: {exc}") from exc
    if root is None or not isinstance(root.tag, str):
        raise ProtocolError("document has no root element")
    docinfo = root.getroottree().docinfo
    if getattr(docinfo, "doctype", "") or getattr(docinfo, "internalDTD", None) is not None:
        raise ProtocolError("document carries a DTD, which IEEE 2030.5 never uses")
    if expected is not None:
        names = {expected} if isinstance(expected, str) else set(expected)
        if local_name(root) not in names:
            raise ProtocolError(f"expected {' or '.join(sorted(names))}, got {local_name(root)}")
    return root


local_name = safe_xml.local_name


def children(element: Element, name: str) -> list[Element]:
    return [child for child in element if isinstance(child.tag, str) and local_name(child) == name]


def child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    for item in element:
        if isinstance(item.tag, str) and local_name(item) == name:
            return item
    return None


def text(element: Element | None, name: str) -> str | None:
    found = child(element, name)
    if found is None:
        return None
    value = found.text if isinstance(found.text, str) else ""
    return value.strip()


def integer(element: Element | None, name: str) -> int | None:
    raw = text(element, name)
    return _to_int(raw, 10)


def hex_integer(element: Element | None, name: str) -> int | None:
    return _to_int(text(element, name), 16)


def _to_int(raw: str | None, base: int) -> int | None:
    if raw is None or raw == "" or len(raw) > 40:
        return None
    try:
        return int(raw, base)
    except ValueError:
        return None


def _attr_int(element: Element | None, name: str) -> int | None:
    if element is None:
        return None
    value = element.get(name)
    return _to_int(value.strip(), 10) if isinstance(value, str) else None


def _href(element: Element | None) -> str | None:
    if element is None:
        return None
    value = element.get("href")
    if not isinstance(value, str):
        return None
    value = value.strip()
    # hrefs are paths on the meter; anything else (absolute URLs, schemes) is not followed
    return value if value.startswith("/") and "//" not in value and " " not in value else None


def utc(seconds: int | None) -> dt.datetime | None:
    """A UTC datetime from meter seconds; 0 (1970, used by TOU sets) and absurd values give None."""
    if seconds is None or seconds <= 0 or seconds > 253402300799:
        return None
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


# ---------------------------------------------------------------------------------------------- types
@dataclass(frozen=True)
class Link:
    href: str
    all: int | None = None


def _link(element: Element | None, name: str) -> Link | None:
    found = child(element, name)
    href = _href(found)
    return Link(href, _attr_int(found, "all")) if href else None


@dataclass(frozen=True)
class ListMeta:
    href: str | None
    all: int | None
    results: int | None
    poll_rate: int | None = None


def _list_meta(root: Element) -> ListMeta:
    return ListMeta(_href(root), _attr_int(root, "all"), _attr_int(root, "results"), _attr_int(root, "pollRate"))


@dataclass(frozen=True)
class DeviceCapability:
    href: str | None
    time_link: Link | None
    usage_point_list_link: Link | None
    self_device_link: Link | None
    end_device_list_link: Link | None = None
    mirror_usage_point_list_link: Link | None = None
    poll_rate: int | None = None


@dataclass(frozen=True)
class SelfDevice:
    href: str | None
    sfdi: int | None
    lfdi: str | None
    device_information_link: Link | None


@dataclass(frozen=True)
class DeviceInformation:
    href: str | None
    lfdi: str | None
    mf_date: int | None
    mf_hw_ver: str | None
    mf_id: int | None
    mf_model: str | None
    mf_ser_num: str | None
    primary_power: int | None
    secondary_power: int | None
    sw_act_time: int | None
    sw_ver: str | None


@dataclass(frozen=True)
class TimeResource:
    href: str | None
    current_time: int | None
    dst_end_time: int | None
    dst_offset: int | None
    dst_start_time: int | None
    local_time: int | None
    quality: int | None
    tz_offset: int | None


@dataclass(frozen=True)
class UsagePoint:
    href: str | None
    mrid: str | None
    description: str | None
    role_flags: int | None
    service_category_kind: int | None
    status: int | None
    meter_reading_list_link: Link | None


@dataclass(frozen=True)
class UsagePointList:
    meta: ListMeta
    items: list[UsagePoint]


@dataclass(frozen=True)
class MeterReading:
    href: str | None
    mrid: str | None
    description: str | None
    reading_link: Link | None
    reading_set_list_link: Link | None
    reading_type_link: Link | None


@dataclass(frozen=True)
class MeterReadingList:
    meta: ListMeta
    items: list[MeterReading]


@dataclass(frozen=True)
class ReadingType:
    href: str | None = None
    accumulation_behaviour: int | None = None
    commodity: int | None = None
    data_qualifier: int | None = None
    flow_direction: int | None = None
    interval_length: int | None = None
    kind: int | None = None
    max_number_of_intervals: int | None = None
    number_of_tou_tiers: int | None = None
    phase: int | None = None
    power_of_ten_multiplier: int | None = None
    uom: int | None = None


@dataclass(frozen=True)
class TimePeriod:
    start: int | None
    duration: int | None

    @property
    def start_utc(self) -> dt.datetime | None:
        return utc(self.start)


@dataclass(frozen=True)
class Reading:
    href: str | None = None
    quality_flags: int | None = None
    time_period: TimePeriod | None = None
    value: int | None = None
    tou_tier: int | None = None
    local_id: int | None = None
    consumption_block: int | None = None


@dataclass(frozen=True)
class ReadingList:
    meta: ListMeta
    items: list[Reading] = field(default_factory=list)


@dataclass(frozen=True)
class ReadingSet:
    href: str | None
    mrid: str | None
    description: str | None
    time_period: TimePeriod | None
    reading_list_link: Link | None


@dataclass(frozen=True)
class ReadingSetList:
    meta: ListMeta
    items: list[ReadingSet]


# ---------------------------------------------------------------------------------------------- builders
def _time_period(element: Element | None) -> TimePeriod | None:
    found = child(element, "timePeriod")
    if found is None:
        return None
    return TimePeriod(integer(found, "start"), integer(found, "duration"))


def device_capability(body: bytes | None) -> DeviceCapability:
    root = parse_xml(body, "DeviceCapability")
    return DeviceCapability(
        href=_href(root),
        time_link=_link(root, "TimeLink"),
        usage_point_list_link=_link(root, "UsagePointListLink"),
        self_device_link=_link(root, "SelfDeviceLink"),
        end_device_list_link=_link(root, "EndDeviceListLink"),
        mirror_usage_point_list_link=_link(root, "MirrorUsagePointListLink"),
        poll_rate=_attr_int(root, "pollRate"),
    )


def self_device(body: bytes | None) -> SelfDevice:
    root = parse_xml(body, "SelfDevice")
    return SelfDevice(
        href=_href(root),
        sfdi=integer(root, "sFDI"),
        lfdi=_lfdi_text(text(root, "lFDI")),
        device_information_link=_link(root, "DeviceInformationLink"),
    )


def _lfdi_text(raw: str | None) -> str | None:
    if not raw:
        return None
    cleaned = raw.strip().upper()
    return cleaned if re.fullmatch(r"[0-9A-F]{1,64}", cleaned) else None


def device_information(body: bytes | None) -> DeviceInformation:
    root = parse_xml(body, "DeviceInformation")
    return DeviceInformation(
        href=_href(root),
        lfdi=_lfdi_text(text(root, "lFDI")),
        mf_date=integer(root, "mfDate"),
        mf_hw_ver=text(root, "mfHwVer"),
        mf_id=integer(root, "mfID"),
        mf_model=text(root, "mfModel"),
        mf_ser_num=text(root, "mfSerNum"),
        primary_power=integer(root, "primaryPower"),
        secondary_power=integer(root, "secondaryPower"),
        sw_act_time=integer(root, "swActTime"),
        sw_ver=text(root, "swVer"),
    )


def time_resource(body: bytes | None) -> TimeResource:
    root = parse_xml(body, "Time")
    return TimeResource(
        href=_href(root),
        current_time=integer(root, "currentTime"),
        dst_end_time=integer(root, "dstEndTime"),
        dst_offset=integer(root, "dstOffset"),
        dst_start_time=integer(root, "dstStartTime"),
        local_time=integer(root, "localTime"),
        quality=integer(root, "quality"),
        tz_offset=integer(root, "tzOffset"),
    )


def _usage_point(element: Element) -> UsagePoint:
    return UsagePoint(
        href=_href(element),
        mrid=text(element, "mRID"),
        description=text(element, "description"),
        role_flags=hex_integer(element, "roleFlags"),
        service_category_kind=integer(element, "serviceCategoryKind"),
        status=integer(element, "status"),
        meter_reading_list_link=_link(element, "MeterReadingListLink"),
    )


def usage_point(body: bytes | None) -> UsagePoint:
    return _usage_point(parse_xml(body, "UsagePoint"))


def usage_point_list(body: bytes | None) -> UsagePointList:
    root = parse_xml(body, "UsagePointList")
    return UsagePointList(_list_meta(root), [_usage_point(item) for item in children(root, "UsagePoint")])


def _meter_reading(element: Element) -> MeterReading:
    return MeterReading(
        href=_href(element),
        mrid=text(element, "mRID"),
        description=text(element, "description"),
        reading_link=_link(element, "ReadingLink"),
        reading_set_list_link=_link(element, "ReadingSetListLink"),
        reading_type_link=_link(element, "ReadingTypeLink"),
    )


def meter_reading_list(body: bytes | None) -> MeterReadingList:
    root = parse_xml(body, "MeterReadingList")
    return MeterReadingList(_list_meta(root), [_meter_reading(item) for item in children(root, "MeterReading")])


def reading_type(body: bytes | None) -> ReadingType:
    root = parse_xml(body, "ReadingType")
    return ReadingType(
        href=_href(root),
        accumulation_behaviour=integer(root, "accumulationBehaviour"),
        commodity=integer(root, "commodity"),
        data_qualifier=integer(root, "dataQualifier"),
        flow_direction=integer(root, "flowDirection"),
        interval_length=integer(root, "intervalLength"),
        kind=integer(root, "kind"),
        max_number_of_intervals=integer(root, "maxNumberOfIntervals"),
        number_of_tou_tiers=integer(root, "numberOfTouTiers"),
        phase=integer(root, "phase"),
        power_of_ten_multiplier=integer(root, "powerOfTenMultiplier"),
        uom=integer(root, "uom"),
    )


def _reading(element: Element) -> Reading:
    return Reading(
        href=_href(element),
        quality_flags=hex_integer(element, "qualityFlags"),
        time_period=_time_period(element),
        value=integer(element, "value"),
        tou_tier=integer(element, "touTier"),
        local_id=hex_integer(element, "localID"),
        consumption_block=integer(element, "consumptionBlock"),
    )


def reading(body: bytes | None) -> Reading:
    return _reading(parse_xml(body, "Reading"))


def reading_list(body: bytes | None) -> ReadingList:
    root = parse_xml(body, "ReadingList")
    return ReadingList(_list_meta(root), [_reading(item) for item in children(root, "Reading")])


def _reading_set(element: Element) -> ReadingSet:
    return ReadingSet(
        href=_href(element),
        mrid=text(element, "mRID"),
        description=text(element, "description"),
        time_period=_time_period(element),
        reading_list_link=_link(element, "ReadingListLink"),
    )


def reading_set_list(body: bytes | None) -> ReadingSetList:
    root = parse_xml(body, "ReadingSetList")
    return ReadingSetList(_list_meta(root), [_reading_set(item) for item in children(root, "ReadingSet")])


# Every resource the meter serves, by root element name (used by tests and the profile walker).
PARSERS = {
    "DeviceCapability": device_capability,
    "SelfDevice": self_device,
    "DeviceInformation": device_information,
    "Time": time_resource,
    "UsagePoint": usage_point,
    "UsagePointList": usage_point_list,
    "MeterReadingList": meter_reading_list,
    "ReadingType": reading_type,
    "Reading": reading,
    "ReadingList": reading_list,
    "ReadingSetList": reading_set_list,
}


def parse_any(body: bytes | None) -> object:
    """Parse any known resource by its root element."""
    root = parse_xml(body)
    name = local_name(root)
    parser = PARSERS.get(name)
    if parser is None:
        raise ProtocolError(f"unknown resource {name!r}")
    return parser(body)
