"""The Green Button writer: schema-valid ESPI, one block per local day, DST rules of the zone, and a round trip."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from tests.greenbutton_support import sample, schema
from xcelsior_desktop.energy.store import EnergyInterval
from xcelsior_desktop.exchange.greenbutton import read_green_button
from xcelsior_desktop.exchange.greenbutton.dst_rules import DST_DISABLED, DstRule, local_time_parameters
from xcelsior_desktop.exchange.greenbutton.writer import power_of_ten, write_green_button

DENVER = ZoneInfo("America/Denver")
ESPI = "{http://naesb.org/espi}"
NOW = dt.datetime(2026, 11, 29, 8, tzinfo=dt.UTC)


def _quarter_hours(start: dt.datetime, count: int) -> list[EnergyInterval]:
    return [
        EnergyInterval(start + dt.timedelta(minutes=15 * i), 900, float(50 + i % 40), float(i % 7) if i % 5 else None)
        for i in range(count)
    ]


def _export(intervals: list[EnergyInterval], tz: dt.tzinfo | None = DENVER) -> bytes:
    out = io.BytesIO()
    assert write_green_button(intervals, out, tz=tz, now=NOW, feed_id=uuid.UUID(int=1)) == len(intervals)
    return out.getvalue()


def _values(intervals: list[EnergyInterval]) -> list[tuple[dt.datetime, int, float | None, float | None]]:
    return [(iv.start, iv.duration_s, iv.imported_wh, iv.exported_wh) for iv in intervals]


def test_the_export_validates_against_the_espi_and_atom_schemas() -> None:
    document = etree.fromstring(_export(_quarter_hours(dt.datetime(2026, 3, 6, 7, tzinfo=dt.UTC), 96 * 4)))
    validator = schema()
    assert validator.validate(document), validator.error_log.last_error


def test_an_empty_export_still_validates() -> None:
    validator = schema()
    assert validator.validate(etree.fromstring(_export([]))), validator.error_log.last_error


def test_export_then_import_gives_the_same_intervals(tmp_path: Path) -> None:
    intervals = _quarter_hours(dt.datetime(2026, 3, 1, 7, tzinfo=dt.UTC), 96 * 40)  # across the March DST change
    intervals += [
        EnergyInterval(dt.datetime(2026, 5, 1, 6, tzinfo=dt.UTC), 3600, 1234.567, None, "greenbutton"),
        EnergyInterval(dt.datetime(2026, 5, 2, 6, tzinfo=dt.UTC), 86_400, 20_500.0, 3.25, "greenbutton"),
    ]
    path = tmp_path / "export.xml"
    path.write_bytes(_export(intervals))
    assert _values(read_green_button(path).intervals) == _values(intervals)


def test_a_sample_survives_import_export_import(tmp_path: Path) -> None:
    first = read_green_button(sample("gba-daily-one-year-with-cost.xml")).intervals
    path = tmp_path / "again.xml"
    path.write_bytes(_export(first, ZoneInfo("America/New_York")))
    assert read_green_button(path).intervals == first


def test_one_block_per_local_day_with_the_days_real_length() -> None:
    start = dt.datetime(2026, 3, 7, 7, tzinfo=dt.UTC)  # local midnight in Denver; DST starts on the 8th
    document = etree.fromstring(_export(_quarter_hours(start, 96 + 92 + 96)))
    blocks = [b for b in document.iter(f"{ESPI}IntervalBlock")]
    delivered = blocks[: len(blocks) // 2]
    assert [int(b.findtext(f"{ESPI}interval/{ESPI}duration")) for b in delivered] == [86_400, 82_800, 86_400]
    assert [len(b.findall(f"{ESPI}IntervalReading")) for b in delivered] == [96, 92, 96]
    midnights = [int(b.findtext(f"{ESPI}interval/{ESPI}start")) for b in delivered]
    assert [dt.datetime.fromtimestamp(m, DENVER).strftime("%d %H:%M") for m in midnights] == ["07 00:00", "08 00:00", "09 00:00"]


def test_a_gap_is_no_reading_never_a_zero() -> None:
    intervals = [
        EnergyInterval(dt.datetime(2026, 6, 1, 6, tzinfo=dt.UTC), 900, 10.0, None),
        EnergyInterval(dt.datetime(2026, 6, 1, 6, 30, tzinfo=dt.UTC), 900, None, 4.0),
    ]
    document = etree.fromstring(_export(intervals))
    readings = {}
    for reading_type in document.iter(f"{ESPI}ReadingType"):
        readings[reading_type.findtext(f"{ESPI}flowDirection")] = reading_type
    assert set(readings) == {"1", "19"}
    values = [r.findtext(f"{ESPI}value") for r in document.iter(f"{ESPI}IntervalReading")]
    assert values == ["10", "4"]


def test_the_local_time_parameters_are_the_users_zone() -> None:
    document = etree.fromstring(_export(_quarter_hours(dt.datetime(2026, 6, 1, 6, tzinfo=dt.UTC), 4)))
    parameters = next(document.iter(f"{ESPI}LocalTimeParameters"))
    assert {c.tag.removeprefix(ESPI): c.text for c in parameters} == {
        "dstEndRule": "B40E2000", "dstOffset": "3600", "dstStartRule": "360E2000", "tzOffset": "-25200"}


@pytest.mark.parametrize(
    ("zone", "tz_offset", "dst_offset", "start_rule", "end_rule"),
    [
        ("America/Denver", -25_200, 3600, "360E2000", "B40E2000"),  # second Sunday of March, first of November
        ("Europe/Berlin", 3600, 3600, "3E0E2000", "AE0E3000"),  # last Sundays, 02:00 CET and 03:00 CEST
        ("Australia/Sydney", 36_000, 3600, "A40E2000", "440E3000"),  # southern: starts in October
        ("America/Phoenix", -25_200, 0, DST_DISABLED, DST_DISABLED),
    ],
)
def test_dst_rules_of_a_zone(zone: str, tz_offset: int, dst_offset: int, start_rule: str, end_rule: str) -> None:
    parameters = local_time_parameters(ZoneInfo(zone), 2026)
    assert (parameters.tz_offset_s, parameters.dst_offset_s) == (tz_offset, dst_offset)
    assert (parameters.dst_start_rule, parameters.dst_end_rule) == (start_rule, end_rule)


@pytest.mark.parametrize("zone", ["America/Denver", "America/Chicago", "Europe/London", "Australia/Sydney"])
def test_the_rules_name_the_zones_real_changes_in_other_years(zone: str) -> None:
    tz = ZoneInfo(zone)
    parameters = local_time_parameters(tz, 2026)
    for year in range(2020, 2031):
        for rule_text, offset_before in ((parameters.dst_start_rule, parameters.tz_offset_s),
                                         (parameters.dst_end_rule, parameters.tz_offset_s + parameters.dst_offset_s)):
            rule = DstRule.decode(rule_text)
            assert rule is not None
            moment = rule.local_moment(year) - dt.timedelta(seconds=offset_before)  # the change, in UTC
            instant = moment.replace(tzinfo=dt.UTC)
            before = (instant - dt.timedelta(seconds=1)).astimezone(tz).utcoffset()
            after = instant.astimezone(tz).utcoffset()
            assert before is not None and after is not None and before != after, (year, rule)


def test_rules_decode_the_schemas_own_example() -> None:
    """espi_usage_v3_3.xsd: 'third Friday in March at 1:45 AM' is operator 4, weekday 5, hour 1, 2700 s."""
    rule = DstRule(month=3, operator=4, day_of_month=0, day_of_week=5, hour=1, seconds=2700)
    assert DstRule.decode(rule.encode()) == rule
    assert rule.local_moment(2026) == dt.datetime(2026, 3, 20, 1, 45)


@pytest.mark.parametrize(
    ("values", "power"), [([1.0, 200.0], 0), ([1.5, 2.0], -1), ([0.25], -2), ([1.234, 5.0], -3), ([1 / 3], -3), ([], 0)]
)
def test_the_multiplier_states_values_exactly_where_it_can(values: list[float], power: int) -> None:
    assert power_of_ten(values) == power
