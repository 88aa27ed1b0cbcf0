"""Holidays as Xcel observes them, computed for any year; the simulator's list agrees with the rules."""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

import pytest

from xcelsior_desktop.money import load_preset
from xcelsior_desktop.money.holidays import KNOWN_RULES, HolidayCalendar, observed

D = dt.date


@pytest.fixture(scope="module")
def xcel() -> HolidayCalendar:
    return load_preset("xcel-co-tou").holidays


def test_each_rule_on_its_day(xcel: HolidayCalendar) -> None:
    assert xcel.in_year(2026) == {
        D(2026, 1, 1): "New Year's Day",          # Thursday
        D(2026, 5, 25): "Memorial Day",           # last Monday of May
        D(2026, 7, 3): "Independence Day",        # 4 July is a Saturday: observed Friday 3 July
        D(2026, 9, 7): "Labor Day",               # first Monday of September
        D(2026, 11, 26): "Thanksgiving Day",      # fourth Thursday of November
        D(2026, 12, 25): "Christmas Day",         # Friday
    }


def test_weekend_holidays_move_to_the_nearest_weekday(xcel: HolidayCalendar) -> None:
    # Saturday -> the Friday before
    assert D(2027, 12, 25).weekday() == 5 and xcel.is_holiday(D(2027, 12, 24))
    assert not xcel.is_holiday(D(2027, 12, 25))
    # Sunday -> the Monday after
    assert D(2027, 7, 4).weekday() == 6 and xcel.is_holiday(D(2027, 7, 5))
    assert D(2022, 12, 25).weekday() == 6 and xcel.is_holiday(D(2022, 12, 26))
    # New Year's Day 2028 is a Saturday: observed on Friday 31 December 2027, in the year before
    assert D(2028, 1, 1).weekday() == 5
    assert xcel.name_of(D(2027, 12, 31)) == "New Year's Day"
    assert D(2028, 1, 1) not in xcel.in_year(2028)


def test_any_year_not_a_list_that_runs_out(xcel: HolidayCalendar) -> None:
    holidays_2100 = xcel.in_year(2100)
    # 1 Jan 2101 is a Saturday, so 2100 holds seven: its own six and the next New Year's Day on 31 December
    assert D(2101, 1, 1).weekday() == 5 and holidays_2100[D(2100, 12, 31)] == "New Year's Day"
    assert len(holidays_2100) == 7
    assert D(2100, 11, 25) in holidays_2100  # 1 Nov 2100 is a Monday: fourth Thursday is the 25th
    assert D(2100, 5, 31) in holidays_2100   # 31 May 2100 is a Monday: the last Monday itself
    assert all(d.weekday() < 5 for d in holidays_2100)


def test_observance_policies() -> None:
    saturday, sunday = D(2026, 7, 4), D(2027, 7, 4)
    assert observed(saturday, "nearest-weekday") == D(2026, 7, 3)
    assert observed(sunday, "nearest-weekday") == D(2027, 7, 5)
    assert observed(saturday, "sunday-to-monday") == saturday
    assert observed(sunday, "sunday-to-monday") == D(2027, 7, 5)
    assert observed(sunday, "none") == sunday
    calendar = HolidayCalendar((KNOWN_RULES["independence-day"],), "none", frozenset({D(2026, 12, 24)}))
    assert calendar.between(D(2026, 1, 1), D(2026, 12, 31)) == [(D(2026, 7, 4), "Independence Day"),
                                                                (D(2026, 12, 24), "holiday")]


def test_the_simulators_holiday_list_is_what_the_rules_give(xcel: HolidayCalendar) -> None:
    text = resources.files("xcelsior_desktop.simulator").joinpath("tariff_schedule.json").read_text("utf-8")
    listed = sorted(D.fromisoformat(d) for d in json.loads(text)["holidays"])
    computed = [d for d, _ in xcel.between(listed[0], listed[-1])]
    assert listed == computed
