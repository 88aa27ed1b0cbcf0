"""Today's energy since local midnight from the 15-minute history + registers (services/today.py).

Real simulator model data (intervals are differences of its integer registers) and hand-made streams with gaps,
the midnight boundary and both DST days in America/Denver.
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import pytest

from xcelsior_desktop.meter.values import IntervalEnergy, Registers
from xcelsior_desktop.services.today import (
    SLOT_S,
    Basis,
    RegisterSample,
    TodayTracker,
    local_midnight,
    next_midnight,
    today_so_far,
)
from xcelsior_desktop.simulator.model import HouseholdModel

DENVER = ZoneInfo("America/Denver")
UTC = dt.UTC


def at(y: int, mo: int, d: int, h: int, mi: int = 0, s: int = 0) -> dt.datetime:
    """A Denver wall-clock time as an aware UTC datetime."""
    return dt.datetime(y, mo, d, h, mi, s, tzinfo=DENVER).astimezone(UTC)


# ---------------------------------------------------------------- the simulator's household


@pytest.fixture(scope="module")
def model() -> HouseholdModel:
    return HouseholdModel.for_seed(7)


def served(model: HouseholdModel, t: dt.datetime) -> RegisterSample:
    """Registers as the simulated meter serves them (integer Wh) at ``t``."""
    imp, exp = model.energy_wh(t.timestamp())
    return RegisterSample(t, float(math.floor(imp)), float(math.floor(exp)))


def history(model: HouseholdModel, first: dt.datetime, until: dt.datetime) -> list[IntervalEnergy]:
    out = []
    start = int(first.timestamp())
    while start + SLOT_S <= until.timestamp():
        iv = model.interval(start)
        out.append(IntervalEnergy(dt.datetime.fromtimestamp(start, UTC), SLOT_S, iv.delivered_wh, iv.received_wh))
        start += SLOT_S
    return out


def truth(model: HouseholdModel, since: dt.datetime, now: dt.datetime) -> tuple[float, float]:
    a, b = served(model, since), served(model, now)
    return b.delivered_wh - a.delivered_wh, b.received_wh - a.received_wh


DAY = (2026, 6, 16)
MIDNIGHT = at(*DAY, 0)
AFTERNOON = at(*DAY, 15, 7, 30)


def test_local_midnight_is_denver_midnight_on_a_15_minute_boundary():
    assert dt.datetime(2026, 6, 16, 6, 0, tzinfo=UTC) == MIDNIGHT  # MDT
    assert local_midnight(AFTERNOON, DENVER) == MIDNIGHT
    assert MIDNIGHT.timestamp() % SLOT_S == 0
    winter = at(2026, 1, 10, 23, 59)
    assert local_midnight(winter, DENVER) == dt.datetime(2026, 1, 10, 7, 0, tzinfo=UTC)  # MST


def test_running_app_matches_the_meter_exactly(model):
    """Readings every minute since 14:00 (one just after each slot boundary): exact to the Wh."""
    samples = [served(model, at(*DAY, 14, 0, 1) + dt.timedelta(minutes=m)) for m in range(68)]
    now = samples[-1].at
    today = today_so_far(history(model, MIDNIGHT, now), samples, tz=DENVER)
    assert today is not None
    imp, exp = truth(model, MIDNIGHT, now)
    assert today.basis is Basis.HISTORY and today.complete
    assert today.since == MIDNIGHT and today.day == dt.date(*DAY)
    assert today.history_slots == 60  # 00:00 .. 15:00 local
    assert today.history_until == at(*DAY, 15, 0)
    assert today.estimated_s == 0
    assert today.imported_wh == pytest.approx(imp, abs=1.0)  # interpolating 1 s back from 15:00:01
    assert today.exported_wh == pytest.approx(exp, abs=1.0)
    assert today.net_wh == pytest.approx(today.imported_wh - today.exported_wh)
    assert today.footnote() == "Today since midnight, from the meter's 15-minute history and its registers."


def test_figure_moves_with_the_registers_between_slots(model):
    samples = [served(model, at(*DAY, 15, 0)), served(model, at(*DAY, 15, 10))]
    hist = history(model, MIDNIGHT, samples[-1].at)
    first = today_so_far(hist, samples[:1], tz=DENVER)
    later = today_so_far(hist, samples, tz=DENVER)
    assert first is not None and later is not None
    moved = samples[1].delivered_wh - samples[0].delivered_wh
    assert later.imported_wh - first.imported_wh == pytest.approx(moved)
    assert later.imported_wh == pytest.approx(truth(model, MIDNIGHT, samples[1].at)[0])


def test_just_launched_estimates_only_the_minutes_before_the_first_reading(model):
    """Launched at 15:07:30 with one reading: 00:00-15:00 from history, 7.5 minutes estimated, then exact."""
    sample = served(model, AFTERNOON)
    today = today_so_far(history(model, MIDNIGHT, AFTERNOON), [sample], tz=DENVER)
    assert today is not None
    assert today.basis is Basis.HISTORY and today.since == MIDNIGHT
    assert today.estimated_s == 450
    assert "7 min after 15:00 are estimated" in today.footnote() or "8 min after 15:00" in today.footnote()
    # estimated at the 14:45-15:00 slot's rate: off by at most that rate plus the peak in the estimated minutes
    peak_w = max(abs(model.demand_w(AFTERNOON.timestamp() - s)) for s in range(0, 451, 10))
    last = model.interval(int(at(*DAY, 14, 45).timestamp()))
    bound = 450 / 3600 * (peak_w + 4 * max(last.delivered_wh, last.received_wh)) + 2
    imp, exp = truth(model, MIDNIGHT, AFTERNOON)
    assert abs(today.imported_wh - imp) <= bound and abs(today.exported_wh - exp) <= bound
    # after the next slot closes (a reading at 15:15:01 and the slot 15:00-15:15 in history) it is exact
    later = served(model, at(*DAY, 15, 15, 1))
    again = today_so_far(history(model, MIDNIGHT, later.at), [sample, later], tz=DENVER)
    assert again is not None and again.estimated_s == 0
    imp2, exp2 = truth(model, MIDNIGHT, later.at)
    assert again.imported_wh == pytest.approx(imp2, abs=2.0)
    assert again.exported_wh == pytest.approx(exp2, abs=2.0)


def test_a_slot_not_filed_yet_is_not_a_gap(model):
    now = at(*DAY, 15, 0, 20)
    hist = history(model, MIDNIGHT, at(*DAY, 14, 45))  # the meter has not filed 14:45-15:00 yet
    samples = [served(model, at(*DAY, 14, 44, 50)), served(model, at(*DAY, 14, 45, 50)), served(model, now)]
    today = today_so_far(hist, samples, tz=DENVER)
    assert today is not None and today.basis is Basis.HISTORY and not today.missing
    assert today.history_until == at(*DAY, 14, 45)
    assert today.imported_wh == pytest.approx(truth(model, MIDNIGHT, now)[0], abs=2.0)


def test_gap_in_history_counts_from_after_the_gap_and_says_so(model):
    now = at(*DAY, 15, 0, 1)
    hist = [iv for iv in history(model, MIDNIGHT, now)
            if not at(*DAY, 9, 0) <= iv.start < at(*DAY, 10, 0)]
    samples = [served(model, at(*DAY, 14, 59, 1)), served(model, now)]
    today = today_so_far(hist, samples, tz=DENVER)
    assert today is not None
    assert today.basis is Basis.PARTIAL_HISTORY and not today.complete
    assert today.since == at(*DAY, 10, 0)
    assert today.missing == tuple(at(*DAY, 9, 15 * k) for k in range(4))
    imp, exp = truth(model, at(*DAY, 10, 0), now)
    assert today.imported_wh == pytest.approx(imp, abs=1.0)  # the gap is not counted as zero, nor filled in
    assert today.exported_wh == pytest.approx(exp, abs=1.0)
    note = today.footnote()
    assert note.startswith("Today since 10:00 only")
    assert "lacks 4 slots (09:00\u201310:00)" in note


def test_gap_with_earlier_register_readings_falls_back_to_registers(model):
    now = at(*DAY, 15, 0, 1)
    hist = [iv for iv in history(model, MIDNIGHT, now) if iv.start != at(*DAY, 12, 30)]
    first = served(model, at(*DAY, 8, 2))
    today = today_so_far(hist, [first, served(model, now)], tz=DENVER)
    assert today is not None and today.basis is Basis.REGISTERS
    assert today.since == first.at
    assert today.imported_wh == pytest.approx(truth(model, first.at, now)[0])
    assert today.footnote().startswith("Today since 08:02, from the meter's registers (")
    assert "lacks 1 slot (12:30)" in today.footnote()


def test_none_values_are_gaps_not_zeros(model):
    now = at(*DAY, 15, 0, 1)
    hist = history(model, MIDNIGHT, now)
    hist[4] = IntervalEnergy(hist[4].start, SLOT_S, hist[4].delivered_wh, None)
    today = today_so_far(hist, [served(model, at(*DAY, 14, 59, 1)), served(model, now)], tz=DENVER)
    assert today is not None and today.missing == (hist[4].start,)
    assert today.since == hist[5].start


def test_without_history_the_old_register_delta_since_first_reading(model):
    first, now = served(model, at(*DAY, 14, 3)), served(model, AFTERNOON)
    today = today_so_far(None, [first, now], tz=DENVER)
    assert today is not None and today.basis is Basis.REGISTERS
    assert today.imported_wh == now.delivered_wh - first.delivered_wh
    assert today.footnote() == ("Today since 14:03, from the meter's registers "
                                "(the 15-minute history is not read yet).")
    empty = today_so_far([], [first, now], tz=DENVER)
    assert empty is not None and empty.basis is Basis.REGISTERS
    assert "nothing for today" in empty.footnote()
    assert today_so_far(None, [], tz=DENVER) is None


# ---------------------------------------------------------------- hand-made streams


def linear_stream(first: dt.datetime, until: dt.datetime, d_wh: float = 100.0, r_wh: float = 10.0,
                  ) -> list[IntervalEnergy]:
    out = []
    t = first
    while t + dt.timedelta(seconds=SLOT_S) <= until:
        out.append(IntervalEnergy(t, SLOT_S, d_wh, r_wh))
        t += dt.timedelta(seconds=SLOT_S)
    return out


def linear_sample(t: dt.datetime, origin: dt.datetime, d_wh: float = 100.0, r_wh: float = 10.0) -> RegisterSample:
    slots = (t - origin).total_seconds() / SLOT_S
    return RegisterSample(t, 5_000_000 + d_wh * slots, 700_000 + r_wh * slots)


@pytest.mark.parametrize(("day", "hours", "slots"), [
    ((2026, 3, 8), 23, 92),  # spring forward: 02:00 -> 03:00
    ((2026, 11, 1), 25, 100),  # fall back: 02:00 -> 01:00, one hour twice
    ((2026, 6, 16), 24, 96),
])
def test_dst_days_count_every_slot_of_the_local_day(day, hours, slots):
    midnight = at(*day, 0)
    end = next_midnight(midnight, DENVER)
    assert (end - midnight) == dt.timedelta(hours=hours)
    origin = midnight - dt.timedelta(days=1)
    late = end - dt.timedelta(seconds=SLOT_S - 1)  # 23:45:01 local, after the last complete slot but one
    stream = linear_stream(origin, late)
    samples = [linear_sample(late - dt.timedelta(minutes=1), origin), linear_sample(late, origin)]
    today = today_so_far(stream, samples, tz=DENVER)
    assert today is not None and today.basis is Basis.HISTORY
    assert today.history_slots == slots - 1
    expected = (late - midnight).total_seconds() / SLOT_S
    assert today.imported_wh == pytest.approx(100.0 * expected)
    assert today.exported_wh == pytest.approx(10.0 * expected)
    assert today.day == dt.date(*day)


def test_right_after_midnight_counts_from_midnight_not_from_yesterday():
    midnight = at(2026, 11, 2, 0)
    origin = midnight - dt.timedelta(hours=3)
    stream = linear_stream(origin, midnight)  # yesterday's slots only
    samples = [linear_sample(midnight - dt.timedelta(seconds=50), origin),
               linear_sample(midnight + dt.timedelta(seconds=10), origin),
               linear_sample(midnight + dt.timedelta(seconds=70), origin)]
    today = today_so_far(stream, samples, tz=DENVER)
    assert today is not None and today.basis is Basis.HISTORY and today.since == midnight
    assert today.history_slots == 0
    assert today.imported_wh == pytest.approx(100.0 * 70 / SLOT_S)
    assert today.day == dt.date(2026, 11, 2)


def test_a_long_pause_uses_an_older_boundary_with_readings_close_around_it():
    midnight = at(2026, 6, 16, 0)
    stream = linear_stream(midnight, at(2026, 6, 16, 15, 0))
    # readings around 12:00, then a pause until 15:00:30 (+50 Wh more than the linear stream): interpolating
    # across 3 hours is avoided
    back = linear_sample(at(2026, 6, 16, 15, 0, 30), midnight)
    samples = [linear_sample(at(2026, 6, 16, 11, 59, 30), midnight),
               linear_sample(at(2026, 6, 16, 12, 0, 30), midnight),
               RegisterSample(back.at, back.delivered_wh + 50, back.received_wh)]
    today = today_so_far(stream, samples, tz=DENVER)
    assert today is not None and today.history_until == at(2026, 6, 16, 12, 0)
    # 48 slots of history + the register delta since 12:00 (which includes the extra 50 Wh)
    assert today.imported_wh == pytest.approx(48 * 100 + (60 * 60 * 3 + 30) / SLOT_S * 100 + 50)


# ---------------------------------------------------------------- the tracker the worker keeps


def registers_at(sample: RegisterSample) -> Registers:
    return Registers(sample.delivered_wh, sample.received_wh, read_at=sample.at, delivered_at=sample.at,
                     received_at=sample.at)


def test_tracker_reads_only_what_it_lacks_and_merges(model):
    tracker = TodayTracker(DENVER)
    now = at(*DAY, 15, 0, 1)
    assert tracker.next_since(now) == MIDNIGHT
    tracker.add_registers(registers_at(served(model, at(*DAY, 14, 59, 1))))
    tracker.add_registers(registers_at(served(model, now)))
    full = history(model, MIDNIGHT, now)
    tracker.add_history(full[:20] + full[21:])  # slot 20 not filed yet
    assert tracker.next_since(now) == full[20].start
    tracker.add_history(full[20:21])
    assert tracker.next_since(now) == at(*DAY, 15, 0)
    today = tracker.compute()
    assert today is not None and today.basis is Basis.HISTORY
    assert today.imported_wh == pytest.approx(truth(model, MIDNIGHT, now)[0], abs=1.0)
    # a failed read later does not throw away what is known
    tracker.history_failed("The meter did not answer.")
    again = tracker.compute()
    assert again is not None and again.basis is Basis.HISTORY


def test_tracker_before_history_and_after_a_failed_first_read(model):
    tracker = TodayTracker(DENVER)
    assert tracker.compute() is None
    tracker.add_registers(registers_at(served(model, AFTERNOON)))
    today = tracker.compute()
    assert today is not None and today.basis is Basis.REGISTERS
    tracker.history_failed("The meter did not answer in time.")
    failed = tracker.compute()
    assert failed is not None
    assert failed.footnote() == ("Today since 15:07, from the meter's registers (the 15-minute history could not "
                                 "be read: The meter did not answer in time).")


def test_tracker_starts_a_new_day_at_local_midnight(model):
    tracker = TodayTracker(DENVER)
    evening = at(*DAY, 23, 59, 30)
    tracker.add_registers(registers_at(served(model, evening)))
    tracker.add_history(history(model, MIDNIGHT, evening))
    tomorrow = at(2026, 6, 17, 0, 0, 30)
    tracker.add_registers(registers_at(served(model, tomorrow)))
    today = tracker.compute()
    assert today is not None and today.day == dt.date(2026, 6, 17) and today.since == at(2026, 6, 17, 0)
    assert today.imported_wh == pytest.approx(truth(model, at(2026, 6, 17, 0), tomorrow)[0], abs=1.0)
    assert tracker.next_since(tomorrow) == at(2026, 6, 17, 0)
