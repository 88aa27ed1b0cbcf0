"""The Overview's figures without Qt: the always-on baseline, big loads (steps), the month's peak, comparisons with
the period before and a usual day, and what the cards say."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from tests.cost_support import fill_store, register_reading, tou_2022
from xcelsior_desktop.energy import baseline as base
from xcelsior_desktop.energy.charts import chart_data
from xcelsior_desktop.energy.compare import compare_previous, outline, usual_day
from xcelsior_desktop.energy.load_labels import LoadLabels
from xcelsior_desktop.energy.peaks import covering_month, month_peak, month_peak_of, quarter_now
from xcelsior_desktop.energy.periods import View
from xcelsior_desktop.energy.steps import Ended, big_loads, find_steps, pair
from xcelsior_desktop.energy.store import DemandSample, EnergyInterval, HistoryStore
from xcelsior_desktop.money import glance
from xcelsior_desktop.money.big_loads import load_cost, short_money
from xcelsior_desktop.money.overview import cost_overview
from xcelsior_desktop.simulator.model import HouseholdModel

UTC = dt.UTC
TOU = tou_2022()  # on-peak 5-9 pm weekdays at 17.3 ¢ in winter, off-peak 9.9 ¢
ZONE = TOU.zone


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZONE).astimezone(UTC)


def samples(start: dt.datetime, seconds: int, watts, every: int = 5) -> list[DemandSample]:  # type: ignore[no-untyped-def]
    return [DemandSample(start + dt.timedelta(seconds=s), watts(s)) for s in range(0, seconds, every)]


@pytest.fixture(scope="module")
def model():
    return HouseholdModel(seed=0)


# -- always on -------------------------------------------------------------------------------------------------


def test_percentile_is_the_nearest_rank():
    assert base.percentile([5.0, 1.0, 3.0], 1) == 1.0
    assert base.percentile(list(range(1, 201)), 1) == 2  # the 2nd of 200
    with pytest.raises(ValueError):
        base.percentile([], 1)


def test_always_on_is_the_low_percentile_of_minute_averages():
    rng = random.Random(1)
    now = local(2026, 11, 18, 12)
    with HistoryStore.in_memory() as store:
        # 48 h: a 180 W floor, a fridge of 150 W cycling 20 min on / 20 min off, evenings of 2 kW
        def watts(s: int) -> float:
            at = (now - dt.timedelta(hours=48) + dt.timedelta(seconds=s)).astimezone(ZONE)
            fridge = 150.0 if (s // 1200) % 2 else 0.0
            evening = 2000.0 if 18 <= at.hour < 22 else 0.0
            return 180.0 + fridge + evening + rng.uniform(-8, 8)

        store.add_demand(samples(now - dt.timedelta(hours=48), 48 * 3600, watts))
        found = base.always_on(store, now, zone=ZONE)
        assert found.watts == pytest.approx(180, abs=6)
        assert found.minutes == 48 * 60 and found.left_out is None
        assert "lowest 1 % of 48 h of minute averages" in found.basis()
        early = base.always_on(store, now - dt.timedelta(hours=43), zone=ZONE)  # only 5 h of readings in it
        assert early.watts is None and early.minutes == 5 * 60


def test_with_solar_the_hours_the_panels_produce_are_left_out():
    now = local(2026, 6, 18, 23)
    day = local(2026, 6, 18)
    slots = [EnergyInterval(day + dt.timedelta(minutes=15 * i), 900, 0.0, 500.0) for i in range(44, 64)]  # 11-16
    with HistoryStore.in_memory() as store:
        store.add_intervals(slots)
        solar = base.solar_hours_of(store, now, ZONE)
        assert solar is not None and solar.words() == "10:00\u201317:00"

        def watts(s: int) -> float:
            at = (now - dt.timedelta(hours=48) + dt.timedelta(seconds=s)).astimezone(ZONE)
            return -3000.0 if 10 <= at.hour < 17 else 250.0  # by day the meter sees the panels' surplus

        store.add_demand(samples(now - dt.timedelta(hours=48), 48 * 3600, watts, every=30))
        assert base.always_on(store, now, zone=ZONE).watts == -3000.0  # what the net demand alone would say
        found = base.always_on(store, now, zone=ZONE, solar=solar)
        assert found.watts == 250.0 and found.hours == pytest.approx(34)
        assert "leaving out 10:00\u201317:00, when your panels may produce" in found.basis()


def test_the_trend_has_a_point_a_day_and_says_the_change():
    now = local(2026, 11, 18, 12)
    with HistoryStore.in_memory() as store:
        start = now - dt.timedelta(days=5)
        # the floor rises 10 W a day; a 2-minute sample rate is plenty for minute averages
        store.add_demand(samples(start, 5 * 86400, lambda s: 200.0 + 10 * (s // 86400), every=120))
        points = base.always_on_trend(store, now, zone=ZONE, days=4)
        assert [p.day for p in points] == [dt.date(2026, 11, d) for d in (15, 16, 17, 18)]
        assert all(p.baseline.watts is not None for p in points)
        assert base.change_over(points, 3) == (points[-1].baseline.watts, points[0].baseline.watts)
        assert points[-1].baseline.watts > points[0].baseline.watts


# -- big loads ------------------------------------------------------------------------------------------------


def test_a_step_that_holds_is_a_load_and_a_burst_is_not():
    rng = random.Random(3)
    start = local(2026, 11, 18, 17, 30)
    on, off = 32 * 60, (32 + 41) * 60  # 18:02 to 18:43

    def watts(s: int) -> float:
        load = 2400.0 if on <= s < off else 0.0
        kettle = 1800.0 if 600 <= s < 620 else 0.0  # 20 s: a burst, not a step
        return (300.0 + load + kettle) * (1 + rng.uniform(-0.05, 0.05))

    scan = find_steps(samples(start, 2 * 3600, watts))
    assert [round(s.watts, -2) for s in scan.steps] == [2400, -2400]
    loads = pair(scan)
    assert len(loads) == 1
    load = loads[0]
    assert load.at == start + dt.timedelta(seconds=on) and load.ended is Ended.OFF
    assert load.duration_s == 41 * 60
    assert load.energy_wh == pytest.approx(2400 * 41 / 60, rel=0.03)
    assert not find_steps(samples(start, 3600, watts), min_w=3000).steps  # the threshold is configurable


def test_a_gap_ends_what_is_known_and_a_step_down_alone_is_said_as_such():
    start = local(2026, 11, 18, 6)
    before_gap = samples(start, 1800, lambda s: 200.0 + (3000.0 if s >= 600 else 0.0))
    after_gap = samples(start + dt.timedelta(hours=2), 1800, lambda s: 3200.0 if s < 900 else 200.0)
    loads = pair(find_steps(before_gap + after_gap))
    assert [(load.watts > 0, load.ended) for load in loads] == [(True, Ended.NO_DATA), (False, Ended.BEFORE)]
    assert loads[0].until == before_gap[-1].at  # "for at least": until the readings stop
    assert loads[1].energy_wh is None


def test_big_loads_are_read_from_the_store_and_follow_a_load_past_midnight():
    start = local(2026, 11, 18, 23)
    with HistoryStore.in_memory() as store:
        store.add_demand(samples(start, 2 * 3600, lambda s: 7200.0 if 1800 <= s < 5400 else 300.0))
        loads = big_loads(store, local(2026, 11, 18), local(2026, 11, 19))
    assert len(loads) == 1 and loads[0].ended is Ended.OFF and loads[0].duration_s == 3600


@pytest.mark.parametrize("gap_hours", [None, (0, 3), (1, 30)], ids=["no gap", "gap after midnight", "day lost"])
def test_following_a_load_past_midnight_finds_what_a_whole_rescan_finds(model, gap_hours):
    """big_loads follows a load still on at midnight a step at a time and rescans only from just before it came
    on; it must find what a scan of the day and the next one whole finds, also when the readings after midnight
    have a gap longer than its first step."""
    start = local(2026, 11, 18)  # the household leaves a 2.4 kW load on at this midnight
    readings = samples(start, 3 * 86400, lambda s: model.demand_w(start.timestamp() + s))
    if gap_hours is not None:
        midnight = local(2026, 11, 19)
        hole = (midnight + dt.timedelta(hours=gap_hours[0]), midnight + dt.timedelta(hours=gap_hours[1]))
        readings = [r for r in readings if not hole[0] <= r.at < hole[1]]
    with HistoryStore.in_memory() as store:
        store.add_demand(readings)
        followed = 0
        for back in range(2):
            day_start, day_end = local(2026, 11, 18 + back), local(2026, 11, 19 + back)
            whole = [load for load in pair(find_steps(store.demand(day_start, day_end + dt.timedelta(days=1))))
                     if day_start <= load.at < day_end]
            once = pair(find_steps(store.demand(day_start, day_end)))
            followed += any(load.ended is Ended.STILL_ON for load in once) and back == 0
            assert big_loads(store, day_start, day_end) == whole
        assert followed, "the first day has a load on at midnight (where the gap is)"


def test_every_step_in_the_simulated_household_is_a_real_change(model):
    start = local(2026, 11, 18)
    day = samples(start, 86400, lambda s: model.demand_w(start.timestamp() + s))
    scan = find_steps(day)
    assert scan.steps, "the household switches kilowatt loads every day"
    for step in scan.steps:
        t = step.at.timestamp()
        before = model.demand_w(t - 40)
        after = model.demand_w(t + 25)
        assert abs(after - before) >= 700, step


def test_a_load_is_priced_by_the_minutes_it_ran_in():
    on = local(2026, 11, 18, 16, 45)  # Wednesday: 15 min off-peak, then 30 min on-peak
    from xcelsior_desktop.energy.steps import BigLoad

    load = BigLoad(on, 2400.0, on + dt.timedelta(minutes=45), Ended.OFF)
    priced = load_cost(TOU, load)
    assert priced.cost == pytest.approx(0.6 * 0.099 + 1.2 * 0.173)
    assert priced.periods == "off-peak/on-peak" and priced.on_peak
    assert glance.load_words(load, priced, ZONE) == "+2.4 kW at 16:45 for 45 min (1.8 kWh, 27 \u00a2, off-peak/on-peak)"
    assert glance.load_words(load, priced, ZONE, "dryer").startswith("dryer: +2.4 kW")
    assert short_money(1.234, "USD") == "$1.23"


def test_labels_are_kept_and_offered_within_ten_percent(tmp_path):
    path = tmp_path / "labels.json"
    labels = LoadLabels(path)
    at = local(2026, 11, 18, 18, 2)
    labels.set(at, 2400.0, " dryer ")
    again = LoadLabels(path)
    assert again.label_of(at, 2400.0) == "dryer"
    assert again.offered(2600.0) == "dryer" and again.offered(2700.0) is None and again.offered(-2400.0) is None
    again.set(at, 2400.0, "")
    assert LoadLabels(path).labels == []


def test_a_damaged_labels_file_is_set_aside():
    from xcelsior_desktop.energy.load_labels import default_path
    from xcelsior_desktop.platform.state_files import take_reset_notices

    path = default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"labels": 3}')
    labels = LoadLabels(path)
    assert labels.labels == [] and path.with_name(path.name + ".bad").exists()
    assert any("big-load labels" in notice for notice in take_reset_notices())


# -- the month's peak -----------------------------------------------------------------------------------------


def test_one_read_for_the_solar_look_back_also_holds_the_whole_month_on_the_31st(model):
    """The Overview reads 30 days once for its solar hours and its month peak: on the 31st that read must still
    start at the 1st, or a peak early on the 1st is missed."""
    now = local(2026, 12, 31, 20)
    with HistoryStore.in_memory() as store:
        fill_store(store, model, local(2026, 11, 25), now)
        store.add_intervals([EnergyInterval(local(2026, 12, 1, 0, 30), 900, 2500.0, 0.0)])  # 10 kW, early on the 1st
        since = covering_month(now - dt.timedelta(days=30), now, ZONE)
        peak = month_peak_of(store.intervals(since, now), now, ZONE)
        assert since == local(2026, 12, 1)
        assert peak == month_peak(store, now, ZONE) and peak.at == local(2026, 12, 1, 0, 30) and peak.watts == 10000


def test_the_months_peak_comes_from_the_meters_slots(model):
    now = local(2026, 11, 18, 12, 7)
    with HistoryStore.in_memory() as store:
        slots = fill_store(store, model, local(2026, 10, 30), local(2026, 11, 18, 12))
        store.add_intervals([EnergyInterval(local(2026, 11, 2), 3600, 9000.0, 0.0, "greenbutton")])  # an hour
        store.add_register_readings([register_reading(model, local(2026, 11, 18, 12) + dt.timedelta(seconds=s))
                                     for s in range(0, 421, 60)])
        peak = month_peak(store, now, ZONE)
        quarter = quarter_now(store, now)
    november = [s for s in slots if s.start >= local(2026, 11, 1)]
    best = max(november, key=lambda s: s.imported_wh)
    assert (peak.at, peak.watts) == (best.start, best.imported_wh * 4)
    assert peak.days_with_data == 18
    assert quarter.start == local(2026, 11, 18, 12) and quarter.elapsed_s == 420
    used = model.registers(now.timestamp() - 7).delivered_wh - model.registers(local(2026, 11, 18, 12).timestamp()).delivered_wh
    assert quarter.watts == pytest.approx(used * 3600 / 420, rel=0.01)


# -- comparisons ----------------------------------------------------------------------------------------------


def test_today_is_compared_with_yesterday_up_to_the_same_time(model):
    now = local(2026, 11, 18, 14, 0)
    with HistoryStore.in_memory() as store:
        slots = fill_store(store, model, local(2026, 11, 17), local(2026, 11, 18, 14))
        found = compare_previous(store, View.DAY, now.astimezone(ZONE).date(), ZONE, now)
        whole = compare_previous(store, View.DAY, dt.date(2026, 11, 17), ZONE, now)
        previous = chart_data(store, View.DAY, dt.date(2026, 11, 17), ZONE, now)
    today = sum(s.imported_wh for s in slots if s.start >= local(2026, 11, 18)) / 1000
    yesterday = sum(s.imported_wh for s in slots if local(2026, 11, 17) <= s.start < local(2026, 11, 17, 14)) / 1000
    words = found.words()
    assert found.same_point == local(2026, 11, 17, 14)
    assert words.startswith(f"Today so far {today:.1f} kWh from the grid; yesterday until 14:00 {yesterday:.1f} kWh")
    assert "Not comparable" not in words
    assert whole.words() == "Nothing to compare: no data for the day before."
    drawn = outline(found.shown, found.previous, previous.bars, ZONE)
    assert drawn[0].start == local(2026, 11, 18) and len(drawn) == 96


def test_a_gap_in_the_period_before_is_said_not_filled(model):
    now = local(2026, 11, 18, 23, 59)
    with HistoryStore.in_memory() as store:
        fill_store(store, model, local(2026, 11, 17), local(2026, 11, 19), skip=frozenset(range(8, 16)))
        found = compare_previous(store, View.DAY, dt.date(2026, 11, 18), ZONE, now)
        previous = chart_data(store, View.DAY, dt.date(2026, 11, 17), ZONE, now)
    assert "yesterday lacks 2.0 h of data" in found.words()
    assert len(outline(found.shown, found.previous, previous.bars, ZONE)) == 88  # the gap has no outline


def test_today_against_a_usual_weekday_leaves_out_a_day_with_a_gap(model):
    now = local(2026, 11, 18, 14, 7)  # a Wednesday
    with HistoryStore.in_memory() as store:
        gap_day = (local(2026, 11, 4) - local(2026, 10, 20)).total_seconds() // 900
        slots = fill_store(store, model, local(2026, 10, 20), local(2026, 11, 18, 14),
                           skip=frozenset(range(int(gap_day) + 20, int(gap_day) + 24)))
        usual = usual_day(store, now, ZONE)
    assert [d for d, _ in usual.days] == [dt.date(2026, 11, 11), dt.date(2026, 10, 28), dt.date(2026, 10, 21)]
    assert usual.left_out == (dt.date(2026, 11, 4),)

    def until_two(day: dt.datetime) -> float:
        return sum(s.imported_wh for s in slots if day <= s.start < day + dt.timedelta(hours=14))

    expected = sum(until_two(local(2026, *md)) for md in ((11, 11), (10, 28), (10, 21))) / 3
    assert usual.average_wh == pytest.approx(expected)
    change = (usual.today.imported_wh - expected) / expected * 100
    assert usual.words() == f"{abs(change):.0f} % {'more' if change > 0 else 'less'} than a usual Wednesday by 14:00 " \
                            "(3 Wednesdays)"


# -- the cards --------------------------------------------------------------------------------------------------


def test_the_cycle_card_gives_a_range_while_young_and_the_last_cycle_by_now(model):
    now = local(2026, 11, 3, 19)  # the cycle began 1 Nov, the day the clocks went back
    with HistoryStore.in_memory() as store:
        fill_store(store, model, local(2026, 10, 1), local(2026, 11, 3, 19))
        overview = cost_overview(TOU, store, now, zone=ZONE)
        found = glance.cycle_glance(TOU, store, overview, last=glance.last_cycle_by_now(TOU, store, overview))
        last = cost_overview(TOU, store, local(2026, 10, 3, 19), zone=ZONE)
    assert found.young and found.range_days == 14
    assert found.low is not None and found.high is not None and found.low <= found.high
    assert found.last is not None and found.last.total == pytest.approx(last.cycle.projection.so_far.total)
    card = glance.cycle_card(found)
    money = glance.format_money
    assert card.figure == f"{money(overview.cycle.projection.so_far.total, 'USD')} so far"
    assert card.line.startswith(f"Projected {money(found.low, 'USD')}\u2013{money(found.high, 'USD')}")
    assert f"last cycle by now {money(last.cycle.projection.so_far.total, 'USD')}" in card.line


def test_the_now_card_says_the_direction_in_words_and_sign():
    from xcelsior_desktop.money.pricing import period_now

    at = local(2026, 11, 18, 18)
    period = period_now(TOU, at)
    card = glance.now_card(-850.0, at, period, zone=ZONE)
    assert card.figure == "\u2212850 W" and card.line.startswith("Exporting to the grid \u00b7 On-peak until 9 pm")
    assert glance.now_card(1240.0, at, period, zone=ZONE).line.startswith("From the grid")


def test_the_always_on_card_prices_a_month_at_the_cheapest_period():
    end = local(2026, 11, 18, 12)
    found = base.Baseline(end - dt.timedelta(hours=48), end, 200.0, 2880)
    card = glance.always_on_card(found, [], TOU, end)
    assert card.figure == "200 W"
    assert card.line == f"${200 * 730 / 1000 * 0.099:,.2f} a month at off-peak"


def _energy(imported: float | None, exported: float | None):  # type: ignore[no-untyped-def]
    from xcelsior_desktop.energy.totals import Energy

    at = dt.datetime(2026, 6, 18, 18, tzinfo=dt.UTC)
    return Energy(at.replace(hour=6), at, at.replace(hour=6), at, imported, exported)


def test_with_a_solar_meter_home_use_and_production_have_their_own_cards():
    from xcelsior_desktop.energy.home import HomeEnergy

    # grid: 4 kWh in, 9 kWh out; the panels made 20 kWh: the home used 15 kWh, 11 of it from the sun
    home = HomeEnergy(_energy(4000, 9000), _energy(20000, 0))
    card = glance.home_card(home)
    assert card.figure == "15.0 kWh today" and card.line == "73 % of it from the sun"
    made = glance.production_card(home, None)
    assert made.figure == "20.0 kWh today" and made.line == "11.0 kWh used at home"
    # a gap on either meter leaves home use unknown: never a figure made of a part
    unknown = HomeEnergy(_energy(4000, 9000), _energy(None, None))
    assert glance.home_card(unknown).figure == "\u2014"
    assert glance.production_card(unknown, None).figure == "\u2014"
