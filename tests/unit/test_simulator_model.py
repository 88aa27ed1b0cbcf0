"""The household model: registers are the exact integral of demand, solar makes midday negative, intervals add up."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xcelsior_desktop.simulator.model import SLOT, HouseholdModel
from xcelsior_desktop.simulator.tou import TouSchedule

T0 = 1791261391  # 2026-10-06, the capture's time


@pytest.fixture(scope="module")
def model():
    return HouseholdModel.for_seed(0)


def _integrate(model: HouseholdModel, start: float, seconds: float, step: float = 0.5) -> tuple[float, float]:
    imp = exp = 0.0
    for i in range(int(seconds / step)):
        power = model.demand_w(start + (i + 0.5) * step)
        if power > 0:
            imp += power * step / 3600
        else:
            exp -= power * step / 3600
    return imp, exp


@pytest.mark.parametrize("hours_after", [0, 6, 11, 19])  # night, morning, solar export, evening peak
def test_registers_are_the_integral_of_demand(model, hours_after):
    start = T0 + hours_after * 3600
    a_imp, a_exp = model.energy_wh(start)
    b_imp, b_exp = model.energy_wh(start + 1800)
    imp, exp = _integrate(model, start, 1800)
    assert b_imp - a_imp == pytest.approx(imp, rel=1e-9, abs=1e-6)
    assert b_exp - a_exp == pytest.approx(exp, rel=1e-9, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=T0 - 20 * 86400, max_value=T0 + 5 * 86400), st.floats(min_value=0, max_value=7200))
def test_registers_never_decrease_and_move_only_in_their_direction(t, dt):
    model = HouseholdModel.for_seed(0)
    a_imp, a_exp = model.energy_wh(t)
    b_imp, b_exp = model.energy_wh(t + dt)
    assert b_imp >= a_imp and b_exp >= a_exp
    if model.demand_w(t) > 0:
        assert model.energy_wh(t + 0.5)[1] == a_exp  # importing: received stands still
    elif model.demand_w(t) < 0:
        assert model.energy_wh(t + 0.5)[0] == a_imp


def test_registers_continuous_across_midnight(model):
    midnight = (T0 // 86400 + 1) * 86400
    before, after = model.energy_wh(midnight - 1e-3), model.energy_wh(midnight)
    assert after[0] - before[0] < 0.01 and after[1] - before[1] < 0.01


def test_demand_negative_around_solar_noon_on_sunny_days(model):
    first = model.local_day_of(T0) - 30
    sunny = model.sunny_days(first, 30)
    assert len(sunny) >= 8
    for day in sunny:
        noon = model.solar_noon(day)
        samples = [model.demand_w(noon + k * 60) for k in range(-30, 31)]
        assert sum(1 for w in samples if w < 0) >= 0.8 * len(samples), day


def test_a_realistic_day_shape(model):
    day = model.local_day_of(T0)
    night = [model.demand_w(model.solar_noon(day) - 10 * 3600 + k * 60) for k in range(60)]  # 02:00-03:00
    evening = [model.demand_w(model.solar_noon(day) + 7.5 * 3600 + k * 60) for k in range(60)]  # 19:30-20:30
    assert all(50 < w < 3000 for w in night)
    assert sum(evening) / 60 > sum(night) / 60
    distinct = {round(model.demand_w(T0 + k * 10)) for k in range(30)}
    assert len(distinct) > 10  # the value visibly changes every 10 s


def test_deterministic_for_seed_and_different_between_seeds():
    a, b, c = HouseholdModel(5), HouseholdModel(5), HouseholdModel(6)
    assert [a.demand_w(T0 + k * 97) for k in range(20)] == [b.demand_w(T0 + k * 97) for k in range(20)]
    assert a.energy_wh(T0) == b.energy_wh(T0)
    assert a.energy_wh(T0) != c.energy_wh(T0)


def test_interval_slots_line_up_with_registers(model):
    slot = T0 // SLOT * SLOT - 40 * SLOT
    for k in range(40):
        start = slot + k * SLOT
        interval = model.interval(start)
        a, b = model.energy_wh(start), model.energy_wh(start + SLOT)
        assert interval.delivered_wh == math.floor(b[0]) - math.floor(a[0])
        assert interval.received_wh == math.floor(b[1]) - math.floor(a[1])
        assert interval.delivered_wh >= 0 and interval.received_wh >= 0


def test_tou_tiers_add_up_and_follow_the_schedule(model):
    regs = model.registers(T0)
    assert sum(regs.tou_delivered[1:]) == pytest.approx(regs.tou_delivered[0])
    assert sum(regs.tou_received[1:]) == pytest.approx(regs.tou_received[0])
    assert regs.tou_delivered[0] <= regs.delivered_wh + 1e-6
    # 2026-10-06 is a Tuesday: on-peak 17:00-21:00 local (MDT, UTC-6) = 23:00-03:00 UTC
    on_peak_start = 1791327600  # 2026-10-06 23:00 UTC
    before = model.registers(on_peak_start + 3 * 3600 + 60)
    after = model.registers(on_peak_start + 60)
    added_on_peak = before.tou_delivered[1] - after.tou_delivered[1]
    added_total = before.tou_delivered[0] - after.tou_delivered[0]
    assert added_on_peak == pytest.approx(added_total) and added_total > 0


def test_schedule_is_data_with_the_2025_change():
    schedule = TouSchedule.default()

    def utc(text: str) -> float:
        import datetime as dt

        return dt.datetime.fromisoformat(text).timestamp()

    assert schedule.tier_at(utc("2025-10-14T14:00:00-06:00")) == 2  # old mid-peak 13-15
    assert schedule.tier_at(utc("2025-10-14T16:00:00-06:00")) == 1  # old on-peak 15-19
    assert schedule.tier_at(utc("2025-11-04T16:00:00-07:00")) == 3  # new: 16:00 is off-peak
    assert schedule.tier_at(utc("2025-11-04T18:00:00-07:00")) == 1  # new on-peak 17-21
    assert schedule.tier_at(utc("2025-11-08T18:00:00-07:00")) == 3  # Saturday
    assert schedule.tier_at(utc("2025-11-27T18:00:00-07:00")) == 3  # Thanksgiving


def test_max_demand_and_power_factor(model):
    watts, when = model.max_demand(T0)
    assert watts > 0 and when <= T0
    assert 0.85 <= model.power_factor(T0) <= 1.0


def test_the_request_log_stays_bounded_but_counts_everything() -> None:
    from xcelsior_desktop.simulator.server import SimLog

    log = SimLog()
    for i in range(SimLog.KEEP + 5):
        log.request(f"/upt/1/mr/1/r?{i}", 200)
    assert log.request_count == SimLog.KEEP + 5
    assert len(log.requests) == SimLog.KEEP and log.requests[-1][0].endswith(f"?{SimLog.KEEP + 4}")
