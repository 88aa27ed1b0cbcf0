"""Cost today and this billing cycle from the store; on-peak hours; the meter's tiers beside the app's periods."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.cost_support import fill_store, register_reading, tou_2022
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.money import load_preset, parse_tariff, price_intervals
from xcelsior_desktop.money.meter_tiers import TierWatch, compare_tiers
from xcelsior_desktop.money.overview import cost_overview
from xcelsior_desktop.money.peak import next_peak_start, on_peak_at, peak_bands
from xcelsior_desktop.simulator.model import HouseholdModel
from xcelsior_desktop.simulator.tou import TouSchedule

UTC = dt.UTC
TOU = tou_2022()  # the 2022 prices: the figures below are worked out by hand from them
ZONE = TOU.zone
NAMES = {1: "on-peak", 2: "mid-peak", 3: "off-peak"}


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZONE).astimezone(UTC)


@pytest.fixture(scope="module")
def model():
    return HouseholdModel(seed=0)


def test_today_and_the_cycle_by_period(model):
    now = local(2026, 11, 18, 19, 30)  # Wednesday, during on-peak (5-9 pm)
    with HistoryStore.in_memory() as store:
        slots = fill_store(store, model, local(2026, 11, 1), local(2026, 11, 18, 19, 30))
        overview = cost_overview(TOU, store, now, zone=ZONE, cycle_start_day=10)
    today_slots = [s for s in slots if s.start >= local(2026, 11, 18)]
    by_hand = {"on-peak": 0.0, "off-peak": 0.0}
    for priced in price_intervals(TOU, today_slots):
        by_hand[priced.period] += priced.cost or 0.0
    today = overview.today.summary
    assert today.periods["on-peak"].cost == pytest.approx(by_hand["on-peak"])
    assert today.periods["off-peak"].cost == pytest.approx(by_hand["off-peak"])
    on_peak_kwh = sum(s.imported_wh for s in today_slots if s.start >= local(2026, 11, 18, 17)) / 1000
    assert today.periods["on-peak"].imported_kwh == pytest.approx(on_peak_kwh)
    assert overview.today.energy.imported_wh == pytest.approx(sum(s.imported_wh for s in today_slots))
    cycle = overview.cycle.projection
    assert (cycle.first_day, cycle.next_first_day) == (dt.date(2026, 11, 10), dt.date(2026, 12, 10))
    cycle_slots = [s for s in slots if s.start >= local(2026, 11, 10)]
    assert cycle.so_far.imported_kwh == pytest.approx(sum(s.imported_wh for s in cycle_slots) / 1000)
    assert cycle.projected is not None and cycle.projected_total is not None
    assert cycle.projected_total > cycle.so_far.total  # 8.8 days so far of a 30-day cycle
    assert cycle.projected_total == pytest.approx(cycle.so_far.total * 720 / cycle.so_far.priced_hours, rel=1e-6)


def test_today_includes_the_register_tail(model):
    now = local(2026, 11, 18, 17, 10)
    with HistoryStore.in_memory() as store:
        fill_store(store, model, local(2026, 11, 18), local(2026, 11, 18, 17))
        store.add_register_readings([register_reading(model, local(2026, 11, 18, 16, 59)),
                                     register_reading(model, now)])
        overview = cost_overview(TOU, store, now, zone=ZONE)
    tail = overview.today.energy.tail
    assert tail is not None and tail.imported_wh is not None and tail.imported_wh > 0
    assert overview.today.summary.periods["on-peak"].imported_kwh == pytest.approx(tail.imported_wh / 1000)


def test_on_peak_hours_and_the_next_start():
    monday = dt.date(2026, 11, 30)
    bands = peak_bands(TOU, local(2026, 11, 30), local(2026, 12, 7))
    assert bands == [(local(2026, 11, 30 + d, 17) if d == 0 else local(2026, 12, d, 17),
                      local(2026, 11, 30, 21) if d == 0 else local(2026, 12, d, 21)) for d in range(5)]
    assert monday.weekday() == 0
    assert on_peak_at(TOU, local(2026, 11, 30, 17)) and not on_peak_at(TOU, local(2026, 11, 30, 21))
    friday_evening = next_peak_start(TOU, local(2026, 12, 4, 18))  # during Friday's on-peak: next is Monday
    assert friday_evening is not None and friday_evening.at == local(2026, 12, 7, 17)
    assert friday_evening.price == 0.173
    christmas_eve = next_peak_start(TOU, local(2026, 12, 24, 22))  # Christmas (Friday) is a holiday
    assert christmas_eve is not None and christmas_eve.at == local(2026, 12, 28, 17)
    assert peak_bands(load_preset("xcel-co-flat"), local(2026, 11, 30), local(2026, 12, 1)) == []


def _tiers(model: HouseholdModel, at: dt.datetime) -> tuple[dict[int, float], dict[int, float]]:
    reg = model.registers(at.timestamp())
    return ({t: v for t, v in enumerate(reg.tou_delivered) if t > 0},
            {t: v for t, v in enumerate(reg.tou_received) if t > 0})


def test_the_meters_tiers_agree_with_the_matching_tariff(model):
    first, last = local(2026, 11, 16), local(2026, 11, 23)
    watch = TierWatch()
    for at in (first, last):
        watch.add(at, *_tiers(model, at))
    with HistoryStore.in_memory() as store:
        fill_store(store, model, first, last)
        comparison = compare_tiers(watch, TOU, store, TouSchedule.default().tier_names)
    assert comparison is not None and comparison.verdict == "agree", comparison
    on_peak = next(r for r in comparison.rows if r.name == "on-peak")
    assert on_peak.app_kwh == pytest.approx(on_peak.meter_kwh, abs=0.05)


OLD_SCHEDULE = """
format = 1
name = "three-to-seven"
timezone = "America/Denver"
[[versions]]
from = 2020-01-01
default_period = "off-peak"
  [[versions.periods]]
  name = "on-peak"
  start = "15:00"
  end = "19:00"
  [versions.prices]
  off-peak = 0.099
  on-peak = 0.173
"""


def test_a_tariff_with_another_schedule_is_said_to_disagree(model):
    first, last = local(2026, 11, 16), local(2026, 11, 23)
    watch = TierWatch()
    for at in (first, last):
        watch.add(at, *_tiers(model, at))
    other = parse_tariff(OLD_SCHEDULE, "test")
    with HistoryStore.in_memory() as store:
        fill_store(store, model, first, last)
        comparison = compare_tiers(watch, other, store, NAMES)
    assert comparison is not None and comparison.verdict == "disagree"
    assert "may not be the one the meter bills by" in comparison.message


def test_too_early_to_compare_and_no_readings(model):
    assert compare_tiers(TierWatch(), TOU, None, NAMES) is None
    watch = TierWatch()
    for at in (local(2026, 11, 16, 10), local(2026, 11, 16, 11)):
        watch.add(at, *_tiers(model, at))
    comparison = compare_tiers(watch, TOU, None, NAMES)
    assert comparison is not None and comparison.verdict == "too-early"
    assert all(row.app_kwh is None for row in comparison.rows)
