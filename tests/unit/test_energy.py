"""The one energy function (energy/totals.py): the store's intervals, the register tail after the newest one, the
estimate of the minutes before the first reading after launch, and the registers alone when there is no interval.
Real simulator model data (intervals are differences of its integer registers) and hand-made streams with gaps,
midnight and both DST days in America/Denver."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import pytest

from tests.cost_support import fill_store
from xcelsior_desktop.energy.days import day_span, local_midnight
from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore, RegisterReading
from xcelsior_desktop.energy.totals import Energy, energy
from xcelsior_desktop.simulator.model import HouseholdModel

DENVER = ZoneInfo("America/Denver")
UTC = dt.UTC
SLOT = dt.timedelta(minutes=15)


def at(y: int, mo: int, d: int, h: int, mi: int = 0, s: int = 0) -> dt.datetime:
    """A Denver wall-clock time as an aware UTC datetime."""
    return dt.datetime(y, mo, d, h, mi, s, tzinfo=DENVER).astimezone(UTC)


DAY = (2026, 6, 16)
MIDNIGHT = at(*DAY, 0)
AFTERNOON = at(*DAY, 15, 7, 30)


@pytest.fixture(scope="module")
def model() -> HouseholdModel:
    return HouseholdModel.for_seed(7)


@pytest.fixture
def store():
    with HistoryStore.in_memory() as opened:
        yield opened


def served(model: HouseholdModel, t: dt.datetime) -> RegisterReading:
    """Registers as the simulated meter serves them (integer Wh) at ``t``."""
    imp, exp = model.energy_wh(t.timestamp())
    return RegisterReading(t, float(math.floor(imp)), float(math.floor(exp)))


def truth(model: HouseholdModel, since: dt.datetime, now: dt.datetime) -> tuple[float, float]:
    a, b = served(model, since), served(model, now)
    assert a.imported_wh is not None and b.imported_wh is not None
    assert a.exported_wh is not None and b.exported_wh is not None
    return b.imported_wh - a.imported_wh, b.exported_wh - a.exported_wh


def today(store: HistoryStore, now: dt.datetime) -> Energy:
    return energy(store, *day_span(now, DENVER), now, zone=DENVER)


def test_the_day_is_denvers_on_a_15_minute_boundary() -> None:
    assert dt.datetime(2026, 6, 16, 6, 0, tzinfo=UTC) == MIDNIGHT  # MDT
    assert day_span(AFTERNOON, DENVER) == (MIDNIGHT, at(2026, 6, 17, 0))
    assert day_span(at(2026, 1, 10, 23, 59), DENVER)[0] == dt.datetime(2026, 1, 10, 7, 0, tzinfo=UTC)  # MST


def test_a_running_app_matches_the_meter_to_the_wh(model, store) -> None:
    """Readings every minute since 14:00 (one just after each slot boundary): exact to the Wh."""
    readings = [served(model, at(*DAY, 14, 0, 1) + dt.timedelta(minutes=m)) for m in range(68)]
    now = readings[-1].at
    fill_store(store, model, MIDNIGHT, at(*DAY, 15, 0))
    store.add_register_readings(readings)
    figure = today(store, now)
    imp, exp = truth(model, MIDNIGHT, now)
    assert figure.complete and figure.since == MIDNIGHT and figure.day == dt.date(*DAY)
    assert figure.intervals_s == 60 * 900 and figure.tail is not None and figure.tail.start == at(*DAY, 15, 0)
    assert figure.estimated_s == 0 and figure.as_of == now
    assert figure.imported_wh == pytest.approx(imp, abs=1.0)  # interpolating 1 s back to 15:00:00
    assert figure.exported_wh == pytest.approx(exp, abs=1.0)
    assert figure.footnote() == "Today since midnight, from the meter's 15-minute history and its registers."


def test_the_figure_follows_the_registers_between_slots(model, store) -> None:
    fill_store(store, model, MIDNIGHT, at(*DAY, 15, 0))
    store.add_register_readings([served(model, at(*DAY, 15, 0))])
    first = today(store, at(*DAY, 15, 0, 30))
    store.add_register_readings([served(model, at(*DAY, 15, 10))])
    later = today(store, at(*DAY, 15, 10, 30))
    assert first.imported_wh is not None and later.imported_wh is not None
    assert later.imported_wh == pytest.approx(truth(model, MIDNIGHT, at(*DAY, 15, 10))[0], abs=1.0)
    assert later.imported_wh - first.imported_wh == pytest.approx(truth(model, at(*DAY, 15, 0), at(*DAY, 15, 10))[0])


def test_just_launched_only_the_minutes_before_the_first_reading_are_estimated(model, store) -> None:
    """Launched at 15:07:30 with one reading: 00:00-15:00 from the history, 7.5 minutes estimated, then exact."""
    fill_store(store, model, MIDNIGHT, at(*DAY, 15, 0))
    store.add_register_readings([served(model, AFTERNOON)])
    figure = today(store, AFTERNOON)
    assert figure.estimated_s == 450
    assert "7 min after 15:00 are estimated" in figure.footnote() or "8 min after 15:00" in figure.footnote()
    peak_w = max(abs(model.demand_w(AFTERNOON.timestamp() - s)) for s in range(0, 451, 10))
    last = model.interval(int(at(*DAY, 14, 45).timestamp()))
    bound = 450 / 3600 * (peak_w + 4 * max(last.delivered_wh, last.received_wh)) + 2
    imp, exp = truth(model, MIDNIGHT, AFTERNOON)
    assert figure.imported_wh is not None and figure.exported_wh is not None
    assert abs(figure.imported_wh - imp) <= bound and abs(figure.exported_wh - exp) <= bound
    # the meter files 15:00-15:15 and a reading comes at 15:15:01: exact again, nothing estimated
    fill_store(store, model, at(*DAY, 15, 0), at(*DAY, 15, 15))
    later = served(model, at(*DAY, 15, 15, 1))
    store.add_register_readings([served(model, at(*DAY, 15, 14, 1)), later])
    again = today(store, later.at)
    assert again.estimated_s == 0
    assert again.imported_wh == pytest.approx(truth(model, MIDNIGHT, later.at)[0], abs=2.0)


def test_a_slot_not_filed_yet_is_not_a_gap(model, store) -> None:
    now = at(*DAY, 15, 0, 20)
    fill_store(store, model, MIDNIGHT, at(*DAY, 14, 45))  # the meter has not filed 14:45-15:00 yet
    store.add_register_readings([served(model, at(*DAY, 14, 44, 50)), served(model, at(*DAY, 14, 45, 50)),
                                 served(model, now)])
    figure = today(store, now)
    assert figure.complete and not figure.missing
    assert figure.tail is not None and figure.tail.start == at(*DAY, 14, 45)
    assert figure.imported_wh == pytest.approx(truth(model, MIDNIGHT, now)[0], abs=2.0)


def test_a_gap_is_said_and_never_counted_nor_filled(model, store) -> None:
    now = at(*DAY, 15, 4)
    slots = fill_store(store, model, MIDNIGHT, at(*DAY, 15, 0), skip=frozenset(range(36, 40)))  # 09:00-10:00
    store.add_register_readings([served(model, at(*DAY, 14, 59, 1)), served(model, now)])
    figure = today(store, now)
    assert not figure.complete and figure.missing == ((at(*DAY, 9, 0), at(*DAY, 10, 0)),)
    gap = truth(model, at(*DAY, 9, 0), at(*DAY, 10, 0))
    whole = truth(model, MIDNIGHT, now)
    assert figure.imported_wh == pytest.approx(whole[0] - gap[0], abs=2.0)  # the gap is not a zero, nor guessed
    tail = figure.tail
    assert tail is not None and tail.start == at(*DAY, 15, 0) and (tail.imported_wh or 0) + (tail.exported_wh or 0) > 0
    assert figure.exported_wh == pytest.approx(sum(s.exported_wh or 0 for s in slots) + (tail.exported_wh or 0))
    assert "Not counted: 1.0 h without data (09:00\u201310:00)" in figure.footnote()


def test_a_direction_nobody_measured_stays_unknown(store) -> None:
    store.add_intervals([EnergyInterval(MIDNIGHT, 900, 100.0, None)])
    figure = energy(store, MIDNIGHT, MIDNIGHT + SLOT, MIDNIGHT + SLOT, zone=DENVER)
    assert figure.imported_wh == 100.0 and figure.exported_wh is None


def test_without_intervals_the_registers_count_from_the_first_reading(model, store) -> None:
    first, now = served(model, at(*DAY, 14, 3)), served(model, AFTERNOON)
    store.add_register_readings([first, now])
    figure = today(store, AFTERNOON)
    assert figure.since == first.at and figure.intervals_s == 0 and figure.missing == ()
    assert figure.imported_wh == (now.imported_wh or 0) - (first.imported_wh or 0)
    assert figure.footnote() == "Today since 14:03, from the meter's registers."
    nothing = today(HistoryStore.in_memory(), AFTERNOON)
    assert not nothing.known and nothing.imported_wh is None and nothing.footnote() == "Today: nothing measured yet."


def test_an_empty_day_counts_from_midnight_when_readings_bracket_it(model, store) -> None:
    now = MIDNIGHT + dt.timedelta(minutes=20)
    store.add_register_readings([served(model, MIDNIGHT - dt.timedelta(minutes=2)), served(model, now)])
    figure = today(store, now)
    assert figure.since == MIDNIGHT and figure.complete
    assert figure.imported_wh == pytest.approx(truth(model, MIDNIGHT, now)[0], abs=2.0)


def linear(store: HistoryStore, first: dt.datetime, until: dt.datetime) -> None:
    """100 Wh in, 10 Wh out every 15 minutes from ``first``; registers that agree."""
    slots, t = [], first
    while t + SLOT <= until:
        slots.append(EnergyInterval(t, 900, 100.0, 10.0))
        t += SLOT
    store.add_intervals(slots)


def reading(at_: dt.datetime, origin: dt.datetime) -> RegisterReading:
    slots = (at_ - origin).total_seconds() / 900
    return RegisterReading(at_, 5_000_000 + 100.0 * slots, 700_000 + 10.0 * slots)


@pytest.mark.parametrize(("day", "hours"), [((2026, 3, 8), 23), ((2026, 11, 1), 25), ((2026, 6, 16), 24)])
def test_dst_days_count_every_slot_of_the_local_day(store, day, hours) -> None:
    midnight = local_midnight(dt.date(*day), DENVER)
    start, end = day_span(midnight, DENVER)
    assert end - start == dt.timedelta(hours=hours)
    origin = midnight - dt.timedelta(days=1)
    late = end - dt.timedelta(seconds=899)  # 23:45:01 local: after the last complete slot but one
    linear(store, origin, late)
    store.add_register_readings([reading(late - dt.timedelta(minutes=1), origin), reading(late, origin)])
    figure = energy(store, start, end, late, zone=DENVER)
    assert figure.intervals_s == (hours * 4 - 1) * 900
    expected = (late - midnight).total_seconds() / 900
    assert figure.imported_wh == pytest.approx(100.0 * expected)
    assert figure.exported_wh == pytest.approx(10.0 * expected)


def test_right_after_midnight_counts_from_midnight_not_from_yesterday(store) -> None:
    midnight = at(2026, 11, 2, 0)
    origin = midnight - dt.timedelta(hours=3)
    linear(store, origin, midnight)  # yesterday's slots only
    store.add_register_readings([reading(midnight + dt.timedelta(seconds=s), origin) for s in (-50, 10, 70)])
    figure = today(store, midnight + dt.timedelta(seconds=70))
    assert figure.since == midnight and figure.intervals_s == 0
    assert figure.imported_wh == pytest.approx(100.0 * 70 / 900)
    assert figure.day == dt.date(2026, 11, 2)


def test_any_span_is_the_sum_of_its_days(model, store) -> None:
    """The week is what its days add up to: one function, whatever the span."""
    first = at(2026, 6, 15, 0)
    fill_store(store, model, first - dt.timedelta(hours=1), first + dt.timedelta(days=3, hours=5))
    now = first + dt.timedelta(days=3, hours=5, minutes=6)
    store.add_register_readings([served(model, first + dt.timedelta(days=3, hours=5, minutes=m)) for m in (-1, 6)])
    week = energy(store, first, first + dt.timedelta(days=7), now, zone=DENVER)
    days = [energy(store, *day_span(first + dt.timedelta(days=d, hours=12), DENVER), now, zone=DENVER)
            for d in range(4)]
    assert week.imported_wh == pytest.approx(sum(d.imported_wh or 0 for d in days))
    assert week.tail is not None and week.tail == days[-1].tail
