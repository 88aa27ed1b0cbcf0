"""The extra readings the feed publishes: only trusted values, in the sensors' units, never a 0 for a missing one."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.clocks import FixedClock
from xcelsior_desktop.home_assistant.feed_extras import Extra, ExtrasSchedule, FeedExtras, sensor_value
from xcelsior_desktop.meter.channels import Channel
from xcelsior_desktop.meter.values import QUALITY_QUESTIONABLE, QUALITY_VALID, Measurement

AT = dt.datetime(2026, 11, 29, 15, 0, tzinfo=dt.UTC)


def reading(value: float, unit: str, quality: int | None = QUALITY_VALID) -> Measurement:
    return Measurement(value, unit, AT, quality)


@pytest.mark.parametrize(("extra", "measurement", "expected"), [
    (Extra.POWER_FACTOR, reading(0.918, ""), 0.918),
    (Extra.POWER_FACTOR, reading(1.2, ""), None),  # not a power factor
    (Extra.MAX_DEMAND_IMPORTED, reading(7450.0, "W"), 7450.0),
    (Extra.MAX_DEMAND_IMPORTED, reading(90_000.0, "W"), None),  # beyond what the service can carry
    (Extra.MAX_DEMAND_IMPORTED, reading(7450.0, "Wh"), None),  # not a power
    (Extra.APPARENT_ENERGY_IMPORTED, reading(12_345_678.0, "VAh"), 12_345.678),
    (Extra.REACTIVE_ENERGY_EXPORTED, reading(2_000.0, "varh"), 2.0),
    (Extra.REACTIVE_ENERGY_EXPORTED, reading(-5.0, "varh"), None),
    (Extra.APPARENT_ENERGY_EXPORTED, reading(float("nan"), "VAh"), None),
    (Extra.POWER_FACTOR, reading(0.9, "", QUALITY_QUESTIONABLE), None),
])
def test_sensor_values(extra: Extra, measurement: Measurement, expected: float | None) -> None:
    value = sensor_value(extra, measurement)
    assert value == pytest.approx(expected) if expected is not None else value is None


def test_a_read_gives_only_what_the_meter_had() -> None:
    extras = FeedExtras({Channel.POWER_FACTOR: reading(0.95, ""), Channel.VAH_DELIVERED: reading(-1.0, "VAh")},
                        frozenset({Channel.POWER_FACTOR, Channel.VAH_DELIVERED, Channel.MAX_DEMAND_RECEIVED}))
    assert extras.sensor_values() == {Extra.POWER_FACTOR: 0.95}


def test_the_schedule_reads_at_once_then_every_few_minutes_one_at_a_time() -> None:
    clock = FixedClock(0.0)
    schedule = ExtrasSchedule(every_s=300.0)
    assert schedule.due(clock())
    schedule.started(clock())
    assert not schedule.due(clock.t + 1000)  # still running
    schedule.finished()
    assert not schedule.due(clock.t + 299)
    assert schedule.due(clock.t + 300)
