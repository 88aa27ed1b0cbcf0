"""The profile walk over the real capture: every channel found by meaning, paging followed, cached as JSON."""

from __future__ import annotations

import re

import pytest

from tests.client_support import CaptureGetter, capture_responses
from xcelsior_desktop.meter.channels import Channel, classify
from xcelsior_desktop.meter.errors import ProtocolError
from xcelsior_desktop.meter.profile import MeterProfile, build_profile, fetch_all_pages
from xcelsior_desktop.meter.resources import ReadingType, meter_reading_list

EXPECTED = {
    1: Channel.DEMAND, 2: Channel.RECEIVED_WH, 3: Channel.DELIVERED_WH, 4: Channel.VAH_RECEIVED,
    5: Channel.VAH_DELIVERED, 6: Channel.VARH_RECEIVED, 7: Channel.VARH_DELIVERED, 8: Channel.TOU_RECEIVED_WH,
    9: Channel.TOU_DELIVERED_WH, 10: Channel.INTERVAL_NET_WH, 11: Channel.INTERVAL_RECEIVED_WH,
    12: Channel.INTERVAL_DELIVERED_WH, 13: Channel.INTERVAL_VAH_RECEIVED, 14: Channel.INTERVAL_VAH_DELIVERED,
    15: Channel.INTERVAL_VARH_RECEIVED, 16: Channel.INTERVAL_VARH_DELIVERED, 17: Channel.MAX_DEMAND_RECEIVED,
    18: Channel.MAX_DEMAND_DELIVERED, 19: Channel.POWER_FACTOR, 20: Channel.POWER_FACTOR_A,
    21: Channel.POWER_FACTOR_B, 22: Channel.POWER_FACTOR_C,
}


def test_walk_classifies_all_22_readings_with_25_gets() -> None:
    getter = CaptureGetter()
    profile = build_profile(getter)
    assert {c: int(i.meter_reading_href.rsplit("/", 1)[1]) for c, i in profile.channels.items()} == {
        c: n for n, c in EXPECTED.items()
    }
    assert getter.calls[:3] == ["/dcap", "/upt?s=0&l=25", "/upt/1/mr?s=0&l=25"]
    assert len(getter.calls) == 25 and not profile.unclassified
    assert profile.channels[Channel.POWER_FACTOR].scale(918) == pytest.approx(0.918)
    assert profile.channels[Channel.DEMAND].unit == "W" and profile.channels[Channel.VARH_RECEIVED].unit == "varh"
    assert profile.channels[Channel.INTERVAL_DELIVERED_WH].interval_length == 900
    assert profile.time_href == "/tm" and profile.self_device_href == "/sdev"


def _renumbered(responses: dict[str, dict]) -> dict[str, dict]:
    """The same meter with different indices (as another agent version would number them)."""
    out = {}
    for path, record in responses.items():
        new_path = re.sub(r"/rt/(\d+)", lambda m: f"/rt/{100 + int(m.group(1))}", path).replace("/upt/1", "/upt/7")
        body = record["body"]
        if body:
            body = re.sub(r'/rt/(\d+)"', lambda m: f'/rt/{100 + int(m.group(1))}"', body).replace("/upt/1", "/upt/7")
        out[new_path] = {**record, "body": body}
    return out


def test_paths_are_followed_not_hard_coded() -> None:
    profile = build_profile(CaptureGetter(_renumbered(capture_responses())))
    assert profile.channels[Channel.DEMAND].reading_href == "/upt/7/mr/1/r"
    assert profile.channels[Channel.DEMAND].reading_type.href == "/rt/101"
    assert len(profile.channels) == 22


def test_short_pages_are_followed_until_all() -> None:
    full = meter_reading_list(capture_responses()["/upt/1/mr?s=0&l=25"]["body"].encode())
    body = capture_responses()["/upt/1/mr?s=0&l=25"]["body"]
    head, _, rest = body.partition("<MeterReading\n")
    items = ["<MeterReading\n" + part for part in rest.split("<MeterReading\n")]
    items[-1] = items[-1].replace("</MeterReadingList>", "")
    pages = {}
    start = 0
    for size in (7, 7, 5, 3):  # short pages of varying size
        chunk = "".join(items[start : start + size])
        pages[f"/upt/1/mr?s={start}&l=25"] = {"status": 200, "content_type": "application/sep+xml", "allow": None,
                                               "body": head.replace('results="22"', f'results="{size}"') + chunk
                                               + "</MeterReadingList>\n"}
        start += size
    getter = CaptureGetter(pages)
    got, total = fetch_all_pages(getter, "/upt/1/mr", meter_reading_list)
    assert total == 22 and [m.href for m in got] == [m.href for m in full.items]
    assert getter.calls == ["/upt/1/mr?s=0&l=25", "/upt/1/mr?s=7&l=25", "/upt/1/mr?s=14&l=25", "/upt/1/mr?s=19&l=25"]


def test_profile_json_round_trip_keeps_everything_needed_for_reads() -> None:
    profile = build_profile(CaptureGetter())
    profile.meter_lfdi = "F289A6F0493D756E057A2B5B59538112697B5A15"
    again = MeterProfile.from_json(profile.to_json())
    assert again.channels == profile.channels and again.meter_lfdi == profile.meter_lfdi
    with pytest.raises(ValueError):
        MeterProfile.from_json("{not json")
    with pytest.raises(ValueError):
        MeterProfile.from_json('{"version": 99}')


def test_meter_without_electricity_usage_point_is_a_protocol_error() -> None:
    responses = dict(capture_responses())
    record = responses["/upt?s=0&l=25"]
    responses["/upt?s=0&l=25"] = {**record, "body": record["body"].replace(
        "<serviceCategoryKind>0<", "<serviceCategoryKind>1<")}
    with pytest.raises(ProtocolError):
        build_profile(CaptureGetter(responses))


def test_older_agents_tou_told_apart_by_description() -> None:
    plain = ReadingType(accumulation_behaviour=9, flow_direction=1, kind=12, uom=72, data_qualifier=2)
    assert classify(plain, "Current Summation Delivered") is Channel.DELIVERED_WH
    assert classify(plain, "TOU WH Delivered") is Channel.TOU_DELIVERED_WH
    assert classify(ReadingType(accumulation_behaviour=9, flow_direction=19, uom=72, number_of_tou_tiers=8)) is (
        Channel.TOU_RECEIVED_WH
    )


def test_classification_by_meaning() -> None:
    assert classify(ReadingType(accumulation_behaviour=12, flow_direction=1, kind=8, uom=38)) is Channel.DEMAND
    assert classify(ReadingType(uom=38, data_qualifier=8, flow_direction=19, accumulation_behaviour=12)) is (
        Channel.MAX_DEMAND_RECEIVED
    )
    assert classify(ReadingType(uom=65, phase=64)) is Channel.POWER_FACTOR_B
    assert classify(ReadingType(accumulation_behaviour=4, flow_direction=4, uom=72, interval_length=900)) is (
        Channel.INTERVAL_NET_WH
    )
    assert classify(ReadingType(uom=42, accumulation_behaviour=9)) is None  # gas volume: not ours
