"""Every body of the real meter capture parses; the values come out typed; unsafe XML is refused."""

from __future__ import annotations

import pytest

from tests.client_support import capture_responses
from xcelsior_desktop.meter import resources as res
from xcelsior_desktop.meter.errors import ProtocolError

RESPONSES = capture_responses()
WITH_BODY = sorted(path for path, record in RESPONSES.items() if record["body"])
EMPTY = sorted(path for path, record in RESPONSES.items() if not record["body"])


def body(path: str) -> bytes:
    return RESPONSES[path]["body"].encode()


@pytest.mark.parametrize("path", WITH_BODY)
def test_every_captured_body_parses(path: str) -> None:
    parsed = res.parse_any(body(path))
    assert type(parsed).__name__ in {
        "DeviceCapability", "SelfDevice", "DeviceInformation", "TimeResource", "UsagePointList", "MeterReadingList",
        "ReadingType", "Reading", "ReadingList", "ReadingSetList",
    }


def test_capture_has_the_documented_shape() -> None:
    assert len(RESPONSES) == 145
    assert len(WITH_BODY) > 100 and EMPTY


@pytest.mark.parametrize("path", EMPTY)
def test_empty_bodies_are_a_protocol_error_not_a_crash(path: str) -> None:
    with pytest.raises(ProtocolError):
        res.parse_any(body(path))


def test_device_information_fields() -> None:
    info = res.device_information(body("/sdev/sdi"))
    assert info.lfdi == "F289A6F0493D756E057A2B5B59538112697B5A15"
    assert info.mf_id == 1233 and info.sw_ver == "3.2.50" and info.mf_model == "" and info.primary_power == 1
    sdev = res.self_device(body("/sdev"))
    assert sdev.sfdi == 651057190448 and sdev.device_information_link == res.Link("/sdev/sdi")


def test_links_lists_and_paging_attributes() -> None:
    dcap = res.device_capability(body("/dcap"))
    assert dcap.usage_point_list_link == res.Link("/upt", 1)
    assert dcap.time_link == res.Link("/tm") and dcap.self_device_link == res.Link("/sdev")
    upt = res.usage_point_list(body("/upt?s=0&l=25"))
    assert upt.meta.poll_rate == 900 and upt.items[0].service_category_kind == 0
    assert upt.items[0].meter_reading_list_link == res.Link("/upt/1/mr", 22)
    mr = res.meter_reading_list(body("/upt/1/mr?s=0&l=25"))
    assert mr.meta.all == 22 and len(mr.items) == 22
    demand = [m for m in mr.items if m.href == "/upt/1/mr/1"][0]
    assert demand.reading_link == res.Link("/upt/1/mr/1/r") and demand.reading_set_list_link is None


def test_readings_values_tou_and_local_ids() -> None:
    demand = res.reading(body("/upt/1/mr/1/r"))
    assert demand.value == 2439 and demand.quality_flags == 1
    assert demand.time_period == res.TimePeriod(1791261644, 1)
    empty = res.reading(body("/upt/1/mr/20/r"))
    assert empty == res.Reading(href="/upt/1/mr/20/r")
    tou = res.reading_list(body("/upt/1/mr/8/rs/1/r?s=0&l=25"))
    assert [r.tou_tier for r in tou.items] == list(range(9))
    assert [r.value for r in tou.items][:5] == [8783719, 331157, 1425298, 7027264, None]
    sets = res.reading_set_list(body("/upt/1/mr/8/rs?s=0&l=25"))
    assert sets.items[0].time_period is not None and sets.items[0].time_period.start_utc is None  # start 0 is no date
    intervals = res.reading_list(body("/upt/1/mr/11/rs/123/r?s=0&l=25"))
    assert [r.local_id for r in intervals.items] == list(range(19))
    assert all(r.time_period is None for r in intervals.items)


def test_reading_type_multiplier() -> None:
    pf = res.reading_type(body("/rt/19"))
    assert pf.power_of_ten_multiplier == -3 and pf.uom == 65 and pf.phase == 224


HOSTILE = {
    "doctype": b'<?xml version="1.0"?><!DOCTYPE Reading><Reading xmlns="urn:ieee:std:2030.5:ns"/>',
    "xxe": (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<Reading xmlns="urn:ieee:std:2030.5:ns"><value>&x;</value></Reading>'),
    "billion_laughs": (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
                       b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
                       b'<Reading><value>&c;</value></Reading>'),
    "external_dtd": b'<!DOCTYPE Reading SYSTEM "http://127.0.0.1:9/x.dtd"><Reading/>',
    "lowercase_doctype": b"<!doctype Reading><Reading/>",
    "garbage": b"\x00\xff\xfe garbage",
    "html": b"<html><body>Error opening 'x'</body></html>",
    "truncated": b'<Reading xmlns="urn:ieee:std:2030.5:ns"><value>12',
    "whitespace": b"  \r\n\t ",
    "deep": b"<a>" * 10000 + b"</a>" * 10000,
    "oversized": b"<Reading>" + b" " * (res.MAX_XML_BYTES + 1) + b"</Reading>",
    "undefined_entity": b"<Reading><value>&nope;</value></Reading>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_documents_raise_protocol_error(name: str) -> None:
    with pytest.raises(ProtocolError):
        res.reading(HOSTILE[name])


def test_wrong_root_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="expected Reading"):
        res.reading(body("/tm"))


def test_every_element_optional_and_bad_numbers_count_as_missing() -> None:
    reading = res.reading(b"<Reading><value>twelve</value><localID>zz</localID><timePeriod/></Reading>")
    assert reading.value is None and reading.local_id is None and reading.time_period == res.TimePeriod(None, None)
    assert res.device_information(b"<DeviceInformation/>").mf_id is None
    assert res.reading_type(b"<ReadingType/>") == res.ReadingType()


def test_other_namespace_prefixes_are_found_by_local_name() -> None:
    doc = b'<x:Reading xmlns:x="urn:ieee:std:2030.5:ns"><x:value>-42</x:value></x:Reading>'
    assert res.reading(doc).value == -42


def test_hrefs_that_leave_the_meter_are_ignored() -> None:
    doc = b'<DeviceCapability><TimeLink href="http://evil.example/tm"/><SelfDeviceLink href="//x/y"/></DeviceCapability>'
    dcap = res.device_capability(doc)
    assert dcap.time_link is None and dcap.self_device_link is None
