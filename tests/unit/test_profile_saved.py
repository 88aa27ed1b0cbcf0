"""A saved profile is checked where it is read: anything the walk could not have written is refused
(ValueError), so the client walks the meter instead of following garbage."""

from __future__ import annotations

import json

import pytest

from tests.client_support import CaptureGetter
from xcelsior_desktop.meter.channels import Channel
from xcelsior_desktop.meter.profile import MeterProfile, build_profile


@pytest.fixture(scope="module")
def saved() -> dict:
    return json.loads(build_profile(CaptureGetter()).to_json())


def test_a_saved_profile_round_trips(saved: dict) -> None:
    profile = MeterProfile.from_json(json.dumps(saved))
    assert profile.channels[Channel.DEMAND].reading_href == "/upt/1/mr/1/r"
    assert profile.channels[Channel.DEMAND].reading_type.uom == 38


def _demand(data: dict) -> dict:
    return next(item for item in data["channels"] if item["channel"] == Channel.DEMAND.value)


def _with(saved: dict, change) -> str:  # type: ignore[no-untyped-def]
    data = json.loads(json.dumps(saved))
    change(data)
    return json.dumps(data)


@pytest.mark.parametrize("href", [5, "http://evil.example/upt", "//evil/upt", "upt/1", "/upt 1", "/a" * 400, []])
def test_an_href_that_is_not_a_meter_path_is_refused(saved: dict, href: object) -> None:
    text = _with(saved, lambda d: _demand(d).update(reading_href=href))
    with pytest.raises(ValueError, match="unusable"):
        MeterProfile.from_json(text)


@pytest.mark.parametrize("value", ["38", 3.5, True, 2**60, [38]])
def test_a_reading_type_field_that_is_not_a_meter_integer_is_refused(saved: dict, value: object) -> None:
    text = _with(saved, lambda d: _demand(d)["reading_type"].update(uom=value))
    with pytest.raises(ValueError, match="unusable"):
        MeterProfile.from_json(text)


@pytest.mark.parametrize("text", ["[]", "5", '{"version": 1, "channels": 5}', '{"version": 1, "channels": [5]}',
                                  '{"version": 1, "channels": [], "built_at": NaN}',
                                  '{"version": 1, "channels": [], "meter_lfdi": 7}',
                                  '{"version": 1, "channels": [{"channel": "nope"}]}',
                                  '{"version": 1, "channels": [{"reading_type": {"bogus": 1}}]}',
                                  "[" * 100_000 + "]" * 100_000, "\udcff"])
def test_damaged_profiles_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="unusable"):
        MeterProfile.from_json(text)
