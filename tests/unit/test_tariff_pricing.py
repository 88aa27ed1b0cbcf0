"""Periods, prices and costs under the Xcel Colorado presets and small hand-made tariffs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests.cost_support import tou_2022
from xcelsior_desktop.money import (
    billing_cycle,
    csv_columns,
    cycle_cost,
    daily_costs,
    load_preset,
    parse_tariff,
    period_at,
    period_now,
    price_intervals,
    segments,
    summarize,
)
from xcelsior_desktop.money.columns import CsvPricer

UTC = dt.UTC
TOU = tou_2022()  # the 2022 prices: the figures below are worked out by hand from them
DENVER = TOU.zone


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    duration_s: int
    imported_wh: float | None
    exported_wh: float | None = 0.0


def local(text: str) -> dt.datetime:
    """A Denver wall-clock time as an aware UTC instant."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=DENVER).astimezone(UTC)


def period(text: str) -> str:
    found = period_at(TOU, local(text))
    assert found is not None
    return found.period


def price(text: str) -> float | None:
    found = period_at(TOU, local(text))
    assert found is not None
    return found.price


# -- periods ------------------------------------------------------------------------------------------------------


def test_on_peak_edges_on_a_weekday() -> None:
    assert dt.date(2026, 11, 30).weekday() == 0  # Monday
    assert period("2026-11-30T16:59") == "off-peak"
    assert period("2026-11-30T17:00") == "on-peak"
    assert period("2026-11-30T20:59") == "on-peak"
    assert period("2026-11-30T21:00") == "off-peak"
    assert period("2026-11-30T20:59:59") == "on-peak"


def test_weekends_are_off_peak() -> None:
    assert period("2026-11-28T18:00") == "off-peak"  # Saturday
    assert period("2026-11-29T18:00") == "off-peak"  # Sunday
    assert period("2025-10-25T16:00") == "off-peak"  # a Saturday under the 2022 periods


@pytest.mark.parametrize("holiday, rule", [
    ("2026-01-01", "New Year's Day (Thursday)"),
    ("2026-05-25", "Memorial Day: last Monday of May"),
    ("2026-07-03", "Independence Day on a Saturday: the Friday before"),
    ("2027-07-05", "Independence Day on a Sunday: the Monday after"),
    ("2026-09-07", "Labor Day: first Monday of September"),
    ("2026-11-26", "Thanksgiving: fourth Thursday of November"),
    ("2026-12-25", "Christmas Day (Friday)"),
    ("2027-12-24", "Christmas on a Saturday: the Friday before"),
    ("2027-12-31", "New Year's Day 2028 on a Saturday: Friday 31 December 2027"),
])
def test_holidays_are_off_peak_and_the_same_weekday_a_week_away_is_not(holiday: str, rule: str) -> None:
    day = dt.date.fromisoformat(holiday)
    assert day.weekday() < 5, rule
    assert period(f"{holiday}T18:00") == "off-peak", rule
    ordinary = next(d for d in (day - dt.timedelta(days=7), day + dt.timedelta(days=7))
                    if not TOU.holidays.is_holiday(d))
    assert period(f"{ordinary}T18:00") == "on-peak", rule


def test_the_weekend_day_of_a_moved_holiday_is_a_plain_weekend() -> None:
    assert period("2026-07-04T18:00") == "off-peak"  # Saturday (the holiday itself moved to Friday)
    assert TOU.day_type(dt.date(2026, 7, 4)) == "sat" and TOU.day_type(dt.date(2026, 7, 3)) == "holidays"


def test_season_edges() -> None:
    assert price("2026-05-29T18:00") == 0.173   # Friday 29 May: winter
    assert price("2026-06-01T17:00") == 0.279   # Monday 1 June: summer from the first minute of on-peak
    assert price("2026-09-30T20:59") == 0.279   # Wednesday 30 September: summer
    assert price("2026-10-01T17:00") == 0.173   # Thursday 1 October: winter
    assert price("2026-06-01T16:59") == 0.099   # off-peak is the same in both seasons
    assert price("2024-05-31T15:00") == 0.173 and price("2024-06-03T15:00") == 0.279  # the 2022 periods too


def test_the_2025_11_01_switch() -> None:
    # Friday 31 October 2025: the 2022 periods, for the last time
    assert period("2025-10-31T12:59") == "off-peak"
    assert period("2025-10-31T13:00") == "mid-peak" and price("2025-10-31T13:00") == 0.136
    assert period("2025-10-31T15:00") == "on-peak" and period("2025-10-31T18:59") == "on-peak"
    assert period("2025-10-31T19:00") == "off-peak" and period("2025-10-31T20:00") == "off-peak"
    # Monday 3 November 2025: 5-9 pm only, no mid-peak
    assert period("2025-11-03T14:00") == "off-peak" and period("2025-11-03T16:59") == "off-peak"
    assert period("2025-11-03T17:00") == "on-peak" and period("2025-11-03T20:59") == "on-peak"
    assert period("2025-11-03T21:00") == "off-peak"
    # summer uses 5-9 pm too (what the PUC adopted; see the preset's notes)
    assert period("2026-07-01T16:59") == "off-peak" and period("2026-07-01T17:00") == "on-peak"


def test_dst_change_days() -> None:
    # Sunday 8 March 2026: 02:00 MST jumps to 03:00 MDT, a 23-hour day; Sunday 1 November: a 25-hour day
    for day, hours in (("2026-03-08", 23), ("2026-11-01", 25)):
        start = dt.datetime.fromisoformat(day).replace(tzinfo=DENVER)
        end = start + dt.timedelta(days=1)
        pieces = list(segments(TOU, start, end.replace(tzinfo=DENVER)))
        assert sum(p.seconds for p in pieces) == hours * 3600
        assert {p.period for p in pieces} == {"off-peak"}
    # the weekdays next to them: on-peak at 17:00 local whatever the offset
    assert local("2026-03-06T17:00") == dt.datetime(2026, 3, 7, 0, 0, tzinfo=UTC)  # MST, UTC-7
    assert period("2026-03-06T17:00") == "on-peak" and period("2026-03-06T16:59") == "off-peak"
    assert local("2026-03-09T17:00") == dt.datetime(2026, 3, 9, 23, 0, tzinfo=UTC)  # MDT, UTC-6
    assert period("2026-03-09T17:00") == "on-peak" and period("2026-03-09T21:00") == "off-peak"
    assert period("2026-11-02T17:00") == "on-peak" and period("2026-11-02T16:59") == "off-peak"


def test_a_period_across_the_dst_change_follows_the_wall_clock() -> None:
    night = parse_tariff(NO_CREDIT.replace('start = "17:00"', 'start = "01:00"').replace('end = "21:00"', 'end = "03:00"')
                         .replace('days = ["weekdays"]', 'days = ["every-day"]'))

    def night_hours(day: str) -> float:
        start = dt.datetime.fromisoformat(day).replace(tzinfo=DENVER)
        end = dt.datetime.fromisoformat(day).replace(tzinfo=DENVER) + dt.timedelta(days=1)
        return sum(p.seconds for p in segments(night, start, end) if p.period == "on-peak") / 3600

    assert night_hours("2026-03-07") == 2  # an ordinary day
    assert night_hours("2026-03-08") == 1  # 01:00-02:00 MST, then the clock shows 03:00
    assert night_hours("2026-11-01") == 3  # 01:00 MDT to 03:00 MST: the hour from 1 to 2 happens twice


# -- costs --------------------------------------------------------------------------------------------------------


def hand_week() -> list[Slot]:
    """Monday 30 November to Sunday 6 December 2026 (winter, the 2025 periods), 15-minute slots: a steady 1 kW
    load (250 Wh a slot), except 10:00-14:00 every day when solar covers it and sends 100 Wh a slot to the grid."""
    slots = []
    start = dt.datetime(2026, 11, 30, tzinfo=DENVER)
    for n in range(7 * 96):
        when = start + dt.timedelta(minutes=15 * n)
        sunny = 10 <= when.hour < 14
        slots.append(Slot(when.astimezone(UTC), 900, 0.0 if sunny else 250.0, 100.0 if sunny else 0.0))
    return slots


def test_a_week_worked_out_by_hand() -> None:
    summary = summarize(TOU, hand_week())
    assert summary is not None and summary.days == 7
    # on-peak: 5 weekdays x 4 h (17-21) x 1 kWh = 20 kWh at 17.3 c
    on_peak = 5 * 4 * 1.0
    assert summary.periods["on-peak"].imported_kwh == pytest.approx(on_peak)
    assert summary.periods["on-peak"].cost == pytest.approx(on_peak * 0.173)                  # $3.46
    # off-peak import: 7 days x 20 h with import (24 h less 4 h of sun) = 140 kWh, less the 20 on-peak = 120 kWh
    off_peak = 7 * 20 * 1.0 - on_peak
    # export: 7 days x 4 h x 0.4 kWh = 11.2 kWh, all off-peak, credited at the off-peak price (net metering)
    exported = 7 * 4 * 0.4
    assert summary.periods["off-peak"].imported_kwh == pytest.approx(off_peak)
    assert summary.periods["off-peak"].exported_kwh == pytest.approx(exported)
    assert summary.periods["off-peak"].credit == pytest.approx(exported * 0.099)              # $1.1088
    assert summary.periods["off-peak"].cost == pytest.approx(off_peak * 0.099 - exported * 0.099)  # $10.7712
    assert summary.energy_cost == pytest.approx(3.46 + 11.88 - 1.1088)                        # $14.2312
    assert summary.fixed_charge == 0 and summary.total == pytest.approx(14.2312)
    assert summary.priced_hours == pytest.approx(168) and summary.unpriced.intervals == 0
    assert list(summary.periods) == ["on-peak", "off-peak"]
    days = daily_costs(TOU, hand_week())
    assert [d.first_day.day for d in days] == [30, 1, 2, 3, 4, 5, 6]
    # a weekday: 4 kWh on-peak + 16 kWh off-peak - 1.6 kWh exported
    assert days[0].total == pytest.approx(4 * 0.173 + 16 * 0.099 - 1.6 * 0.099)              # $2.1176
    # Saturday: 20 kWh off-peak - 1.6 kWh exported
    assert days[5].total == pytest.approx(20 * 0.099 - 1.6 * 0.099)                            # $1.8216


NO_CREDIT = """\
name = "no-credit"
timezone = "America/Denver"

[[versions]]
from = 2020-01-01
daily_charge = 0.25
export_credit = "none"

  [[versions.periods]]
  name = "on-peak"
  start = "17:00"
  end = "21:00"
  days = ["weekdays"]

  [versions.prices]
  on-peak = 0.173
  off-peak = 0.099
"""


def test_a_tariff_without_export_credit() -> None:
    tariff = parse_tariff(NO_CREDIT)
    summary = summarize(tariff, hand_week())
    assert summary is not None
    # the same week: exports earn nothing; 7 days at $0.25
    assert summary.energy_cost == pytest.approx(20 * 0.173 + 120 * 0.099)                      # $15.34
    assert summary.fixed_charge == pytest.approx(7 * 0.25)                                     # $1.75
    assert summary.total == pytest.approx(17.09)
    assert summary.periods["off-peak"].exported_kwh == pytest.approx(11.2)
    assert summary.periods["off-peak"].credit == 0
    # an unknown export does not matter when export earns nothing
    (priced,) = price_intervals(tariff, [Slot(local("2026-11-30T18:00"), 900, 500.0, None)])
    assert priced.cost == pytest.approx(0.5 * 0.173) and priced.period == "on-peak"


def test_fixed_export_credit() -> None:
    tariff = parse_tariff(NO_CREDIT.replace('export_credit = "none"', "export_credit = 0.05"))
    (priced,) = price_intervals(tariff, [Slot(local("2026-11-30T18:00"), 900, 100.0, 300.0)])
    assert priced.cost == pytest.approx(0.1 * 0.173 - 0.3 * 0.05)


def test_unknown_energy_is_not_priced_as_zero() -> None:
    slots = [
        Slot(local("2026-11-30T18:00"), 900, 500.0, 0.0),
        Slot(local("2026-11-30T18:15"), 900, None, 0.0),    # no import figure
        Slot(local("2026-11-30T18:30"), 900, 500.0, None),  # no export figure, and this tariff credits export
        Slot(local("2021-06-01T18:00"), 3600, 500.0, 0.0),  # before the preset's first version
    ]
    priced = list(price_intervals(TOU, slots))
    assert [p.cost for p in priced[1:]] == [None, None, None]
    assert priced[0].cost == pytest.approx(0.5 * 0.173)
    summary = summarize(TOU, slots[:3])
    assert summary is not None
    assert summary.energy_cost == pytest.approx(0.5 * 0.173)
    assert summary.unpriced.intervals == 2 and summary.unpriced.hours == pytest.approx(0.5)
    assert summary.unpriced.reasons == {"no import figure": 1,
                                        "no export figure (this tariff credits exported energy)": 1}
    assert csv_columns(TOU, slots[1]) == ("", "")
    assert csv_columns(TOU, slots[3]) == ("", "")
    assert csv_columns(TOU, slots[0]) == ("on-peak", "0.0865")


def test_long_intervals_are_shared_pro_rata() -> None:
    # an hourly Green Button interval that straddles 17:00 (16:30-17:30): half off-peak, half on-peak
    (priced,) = price_intervals(TOU, [Slot(local("2026-11-30T16:30"), 3600, 1000.0)])
    assert priced.period == "off-peak/on-peak"
    assert priced.cost == pytest.approx(0.5 * 0.099 + 0.5 * 0.173)
    # a daily interval on a Monday: 24 kWh spread evenly, 4 of them on-peak
    day = Slot(local("2026-11-30T00:00"), 86400, 24000.0)
    (priced,) = price_intervals(TOU, [day])
    assert [p.period for p in priced.parts] == ["off-peak", "on-peak", "off-peak"]
    assert priced.cost == pytest.approx(4 * 0.173 + 20 * 0.099)                                # $2.672
    # a 23-hour daily interval on the spring DST Sunday: all off-peak
    (priced,) = price_intervals(TOU, [Slot(local("2026-03-08T00:00"), 23 * 3600, 23000.0)])
    assert priced.period == "off-peak" and priced.cost == pytest.approx(23 * 0.099)
    # an interval over two days is shared between them in the daily totals
    two = daily_costs(TOU, [Slot(local("2026-11-28T12:00"), 86400, 24000.0)])  # Saturday noon to Sunday noon
    assert [(d.first_day.day, round(d.imported_kwh, 6)) for d in two] == [(28, 12.0), (29, 12.0)]


TIERED = """\
name = "tiered"
timezone = "America/Denver"

[[versions]]
from = 2020-01-01
export_credit = "net"

  [[versions.seasons]]
  name = "winter"
  start = "10-01"
  end = "05-31"

  [[versions.seasons]]
  name = "summer"
  start = "06-01"
  end = "09-30"

  [[versions.tiers]]
  name = "first 500 kWh"
  up_to_kwh = 500
  price = 0.08

  [[versions.tiers]]
  name = "above 500 kWh"
  price = { winter = 0.08, summer = 0.12 }
"""


def test_tiered_by_billing_cycle_kwh() -> None:
    tariff = parse_tariff(TIERED)
    # cycle starts on the 15th; 490 kWh on 20 July, then 20 kWh on 21 July crosses the 500 kWh limit
    slots = [Slot(local("2026-07-20T00:00"), 86400, 490_000.0), Slot(local("2026-07-21T00:00"), 3600, 20_000.0),
             Slot(local("2026-08-15T00:00"), 3600, 10_000.0)]  # a new cycle: back in the first tier
    pricer = CsvPricer(tariff, cycle_start_day=15)
    rows = [pricer.columns(s) for s in slots]
    assert rows[0] == ("first 500 kWh", f"{490 * 0.08:.4f}")
    assert rows[1] == ("first 500 kWh/above 500 kWh", f"{10 * 0.08 + 10 * 0.12:.4f}")
    assert rows[2] == ("first 500 kWh", f"{10 * 0.08:.4f}")


def test_billing_cycle() -> None:
    d = dt.date
    assert billing_cycle(d(2026, 11, 29), 15) == (d(2026, 11, 15), d(2026, 12, 15))
    assert billing_cycle(d(2026, 11, 14), 15) == (d(2026, 10, 15), d(2026, 11, 15))
    assert billing_cycle(d(2026, 12, 31), 1) == (d(2026, 12, 1), d(2027, 1, 1))
    assert billing_cycle(d(2027, 2, 28), 31) == (d(2027, 2, 28), d(2027, 3, 31))  # a short month: its last day
    assert billing_cycle(d(2027, 2, 27), 31) == (d(2027, 1, 31), d(2027, 2, 28))
    with pytest.raises(ValueError):
        billing_cycle(d(2027, 2, 27), 0)


def test_cycle_so_far_and_projection() -> None:
    # a cycle that starts on the 30th: 30 November to 29 December 2026, 30 days = 720 hours; the hand week is its
    # first week, and "now" is the start of its eighth day
    now = local("2026-12-07T00:00")
    cycle = cycle_cost(TOU, hand_week(), now=now, cycle_start_day=30)
    assert (cycle.first_day, cycle.next_first_day) == (dt.date(2026, 11, 30), dt.date(2026, 12, 30))
    assert cycle.so_far.total == pytest.approx(14.2312)
    assert cycle.elapsed_hours == pytest.approx(168) and cycle.cycle_hours == pytest.approx(720)
    assert cycle.projected is not None
    assert cycle.projected_total == pytest.approx(14.2312 * 720 / 168)                         # $61.00
    assert cycle.projected.periods["on-peak"].imported_kwh == pytest.approx(20 * 720 / 168)
    assert "168.0 priced hours" in cycle.basis
    # nothing priced yet: no projection rather than a guess
    empty = cycle_cost(TOU, [], now=now, cycle_start_day=30)
    assert empty.projected is None and empty.so_far.total == 0


def test_period_now_for_the_tray() -> None:
    def now(text: str) -> str:
        found = period_now(TOU, local(text))
        assert found is not None
        return found.summary()

    assert now("2026-07-02T18:00") == "On-peak until 9 pm, 27.9 ¢/kWh"        # a summer Thursday
    assert now("2026-11-30T17:30") == "On-peak until 9 pm, 17.3 ¢/kWh"
    assert now("2026-11-30T16:00") == "Off-peak until 5 pm, 9.9 ¢/kWh"
    assert now("2026-11-30T21:00") == "Off-peak until tomorrow 5 pm, 9.9 ¢/kWh"
    assert now("2026-12-04T21:30") == "Off-peak until Mon 5 pm, 9.9 ¢/kWh"     # Friday night
    assert now("2026-11-25T21:00") == "Off-peak until Fri 5 pm, 9.9 ¢/kWh"     # Thanksgiving is skipped
    assert now("2025-10-31T14:00") == "Mid-peak until 3 pm, 13.6 ¢/kWh"
    found = period_now(TOU, local("2026-11-30T17:30"))
    assert found is not None and found.until == local("2026-11-30T21:00")
    assert (found.next_period, found.next_price) == ("off-peak", 0.099)
    flat = period_now(load_preset("xcel-co-flat"), local("2026-11-30T17:30"))
    # a flat tariff changes price only with the season, further ahead than the tooltip looks (R-OO, April 2025)
    assert flat is not None and flat.until is None and flat.summary() == "Flat, 15.612 ¢/kWh"
    season_end = period_now(load_preset("xcel-co-flat"), local("2026-09-28T12:00"))
    assert season_end is not None and season_end.summary() == "Flat until Wed midnight, 18.517 ¢/kWh"


def test_tiered_projection_prices_the_projected_kwh_through_the_tiers() -> None:
    tariff = parse_tariff(TIERED)
    # July 2026, cycle from the 1st (31 days = 744 hours); ten daily intervals of 20 kWh, then "now" is the 11th
    days = [Slot(local(f"2026-07-{d:02d}T00:00"), 86400, 20_000.0, 0.0) for d in range(1, 11)]
    cycle = cycle_cost(tariff, days, now=local("2026-07-11T00:00"), cycle_start_day=1)
    assert cycle.so_far.total == pytest.approx(200 * 0.08)                                   # $16.00
    projected_kwh = 200 * 744 / 240                                                          # 620 kWh
    assert cycle.projected is not None
    assert cycle.projected.imported_kwh == pytest.approx(projected_kwh)
    assert cycle.projected_total == pytest.approx(500 * 0.08 + (projected_kwh - 500) * 0.12)  # $54.40
    assert list(cycle.projected.periods) == ["first 500 kWh", "above 500 kWh"]
