"""Plausibility of readings: what a 200 A, 240 V home cannot produce, and readings that stopped moving."""

from __future__ import annotations

import datetime as dt

import pytest

from xcelsior_desktop.meter.channels import Channel
from xcelsior_desktop.meter.values import Measurement, Registers
from xcelsior_desktop.session.plausibility import MAX_POWER_W, PlausibilityChecker, Verdict

T0 = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.mono = 500.0

    def __call__(self) -> float:
        return self.mono


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def checker(clock):
    return PlausibilityChecker(monotonic=clock)


def demand(watts: float, at: dt.datetime) -> Measurement:
    return Measurement(value=watts, unit="W", timestamp=at, channel=Channel.DEMAND, raw=int(watts))


def registers(delivered: float | None, received: float | None, at: dt.datetime) -> Registers:
    return Registers(delivered_wh=delivered, received_wh=received, tou_delivered={1: 5.0}, tou_received={1: 2.0},
                     read_at=at, delivered_at=at, received_at=at)


def test_service_limit_is_200_amps_at_240_volts():
    assert MAX_POWER_W == 48_000


@pytest.mark.parametrize("watts", [48_001, -48_001, 148_000])
def test_demand_beyond_the_service_is_suspect(checker, watts):
    check = checker.check_demand(demand(watts, T0))
    assert check.verdict is Verdict.SUSPECT and not check.trusted
    assert "200 A" in check.reason and "48.0 kW" in check.reason


@pytest.mark.parametrize("watts", [0, 850, 47_999, -6_200])
def test_ordinary_demand_is_trusted(checker, watts):
    assert checker.check_demand(demand(watts, T0)).trusted


def test_demand_repeated_with_the_same_meter_timestamp_goes_stale(checker, clock):
    assert checker.check_demand(demand(1234, T0)).trusted
    clock.mono += 30
    assert checker.check_demand(demand(1234, T0)).trusted  # not yet "a while"
    clock.mono += 31
    check = checker.check_demand(demand(1234, T0))
    assert check.verdict is Verdict.STALE
    assert "1234 W" in check.reason and "03:00:00 UTC" in check.reason
    clock.mono += 5
    assert checker.check_demand(demand(1234, T0 + dt.timedelta(seconds=66))).trusted  # the meter moved on


def test_same_value_with_a_moving_timestamp_is_not_stale(checker, clock):
    for second in range(0, 600, 5):
        clock.mono += 5
        assert checker.check_demand(demand(400, T0 + dt.timedelta(seconds=second))).trusted


def test_first_register_reading_is_the_baseline(checker):
    check = checker.check_registers(registers(30e6, 7e6, T0))
    assert check.trusted and check.reasons == []


def test_register_step_within_the_service_limit_is_trusted(checker):
    checker.check_registers(registers(30e6, 7e6, T0))
    # 48 kW for 60 s is 800 Wh: 800 (plus one Wh of rounding) is possible
    assert checker.check_registers(registers(30e6 + 801, 7e6, T0 + dt.timedelta(seconds=60))).trusted


def test_register_jump_is_suspect_and_left_out(checker):
    checker.check_registers(registers(30e6, 7e6, T0))
    spiked = registers(30e6 + 1e9, 7e6 + 3, T0 + dt.timedelta(seconds=60))
    check = checker.check_registers(spiked)
    assert check.delivered.verdict is Verdict.SUSPECT and check.received.trusted
    assert "import register rose by 1000000.0 kWh in 60 s" in check.delivered.reason
    trusted = check.trusted_part(spiked)
    assert trusted.delivered_wh is None and trusted.tou_delivered == {} and trusted.delivered_at is None
    assert trusted.received_wh == 7e6 + 3 and trusted.tou_received == {1: 2.0}
    # the jump did not become the baseline: the next normal reading is judged against the last trusted one
    assert checker.check_registers(registers(30e6 + 900, 7e6 + 5, T0 + dt.timedelta(seconds=120))).trusted


def test_register_going_backwards_is_suspect(checker):
    checker.check_registers(registers(30e6, 7e6, T0))
    check = checker.check_registers(registers(30e6, 7e6 - 10, T0 + dt.timedelta(seconds=60)))
    assert check.received.verdict is Verdict.SUSPECT and check.delivered.trusted
    assert "export register went backwards by 10 Wh" in check.received.reason


def test_a_step_at_the_same_meter_timestamp_is_suspect(checker):
    checker.check_registers(registers(30e6, 7e6, T0))
    assert checker.check_registers(registers(30e6 + 1, 7e6, T0)).trusted  # rounding
    assert not checker.check_registers(registers(30e6 + 50, 7e6, T0)).trusted


def _feed(checker, clock, watts, seconds, start):
    at = start
    for _ in range(seconds // 5):
        clock.mono += 5
        at += dt.timedelta(seconds=5)
        assert checker.check_demand(demand(watts, at)).trusted
    return at


def test_import_register_frozen_while_demand_moves_is_flagged(checker, clock):
    checker.check_registers(registers(30e6, 7e6, T0))
    at = _feed(checker, clock, 1500, 60, T0)  # 1.5 kW for a minute: 25 Wh
    assert checker.check_registers(registers(30e6, 7e6, at)).trusted  # not enough evidence yet
    at = _feed(checker, clock, 1500, 120, at)  # 75 Wh in all, but only for 3 minutes: it may lag
    assert checker.check_registers(registers(30e6, 7e6, at)).trusted
    at = _feed(checker, clock, 1500, 120, at)  # 125 Wh over 5 minutes
    check = checker.check_registers(registers(30e6, 7e6, at))
    assert check.delivered.verdict is Verdict.FROZEN and check.received.trusted  # not exporting: fine
    assert "import register has not moved for 5 min" in check.delivered.reason
    assert check.trusted_part(registers(30e6, 7e6, at)).delivered_wh is None  # never a made-up zero
    at = _feed(checker, clock, 1500, 60, at)
    assert checker.check_registers(registers(30e6 + 120, 7e6, at)).trusted  # it moves again


def test_export_register_frozen_while_exporting(checker, clock):
    checker.check_registers(registers(30e6, 7e6, T0))
    at = _feed(checker, clock, -4000, 300, T0)
    check = checker.check_registers(registers(30e6, 7e6, at))
    assert check.received.verdict is Verdict.FROZEN and check.delivered.trusted


def test_a_register_that_is_slow_at_low_power_is_not_frozen(checker, clock):
    checker.check_registers(registers(30e6, 7e6, T0))
    at = T0
    for _ in range(30):  # 100 W for 30 minutes: 50 Wh, and the register follows
        at = _feed(checker, clock, 100, 60, at)
        assert checker.check_registers(registers(30e6 + (at - T0).total_seconds() / 36, 7e6, at)).trusted


def test_stale_demand_is_no_evidence_of_a_frozen_register(checker, clock):
    checker.check_registers(registers(30e6, 7e6, T0))
    for _ in range(40):  # the same reading for 200 s (a grid outage): nothing flowed as far as we know
        clock.mono += 5
        checker.check_demand(demand(3000, T0))
    assert checker.check_registers(registers(30e6, 7e6, T0 + dt.timedelta(seconds=200))).trusted


def test_gaps_between_demand_readings_are_not_integrated(checker, clock):
    checker.check_registers(registers(30e6, 7e6, T0))
    checker.check_demand(demand(5000, T0))
    clock.mono += 3600  # the computer slept
    checker.check_demand(demand(5000, T0 + dt.timedelta(hours=1)))
    assert checker.check_registers(registers(30e6, 7e6, T0 + dt.timedelta(hours=1))).trusted


def test_missing_registers_are_not_judged(checker):
    assert checker.check_registers(registers(None, None, T0)).trusted


def test_reset_forgets_the_baselines(checker):
    checker.check_registers(registers(30e6, 7e6, T0))
    checker.reset()
    assert checker.check_registers(registers(10e6, 1e6, T0 + dt.timedelta(seconds=60))).trusted


def test_each_verdict_has_a_short_label_for_the_window(checker):
    check = checker.check_demand(demand(100_000, T0))
    assert check.label == "Suspect reading: ignored"
    assert checker.check_demand(demand(100, T0)).label == ""
