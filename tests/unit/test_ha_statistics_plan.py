"""Which hours go into Home Assistant's long-term statistics, and with which sums, so the Energy dashboard shows
each hour once: history before its first row, holes between its rows, nothing after its newest, gaps as gaps."""

from __future__ import annotations

import datetime as dt

import pytest

from xcelsior_desktop.home_assistant.statistics_plan import HOUR, NoStatisticsYet, Row, plan

T0 = dt.datetime(2026, 11, 20, 0, 0, tzinfo=dt.UTC)


def h(n: int) -> dt.datetime:
    return T0 + n * HOUR


def dashboard(rows: dict[dt.datetime, float]) -> dict[dt.datetime, float]:
    """What the Energy dashboard shows per hour: the sum minus the previous row's (a first row: its sum)."""
    shown, previous = {}, 0.0
    for start in sorted(rows):
        shown[start] = rows[start] - previous
        previous = rows[start]
    return shown


def after(existing: list[Row], hours: dict[dt.datetime, float]) -> dict[dt.datetime, float]:
    """Home Assistant's sums once the plan is applied (import, then adjust), computed from the plan's own rows."""
    planned = plan(existing, hours)
    sums = {row.start: row.sum for row in existing}
    sums.update({row.start: row.sum for row in planned.rows})
    if planned.adjust_from is not None:
        sums = {start: value + (planned.adjustment if start >= planned.adjust_from else 0.0)
                for start, value in sums.items()}
    assert sums == pytest.approx(planned.expected)
    return sums


def test_history_before_the_first_row_keeps_every_hour_of_home_assistant_as_it_was() -> None:
    existing = [Row(h(5), 0.4, 1000.4), Row(h(6), 1.4, 1001.4), Row(h(7), 1.9, 1001.9)]  # live: 0.4, 1.0, 0.5
    hours = {h(1): 1.0, h(2): 2.0, h(4): 0.5, h(5): 9.9, h(6): 9.9}  # h(3) unknown: a gap
    planned = plan(existing, hours)
    assert [row.start for row in planned.rows] == [h(1), h(2), h(4)]
    assert [row.sum for row in planned.rows] == [1.0, 3.0, 3.5]  # counts up from 0: the first hour shows itself
    assert (planned.adjust_from, planned.adjustment) == (h(5), 3.5)
    shown = dashboard(after(existing, hours))
    assert shown == pytest.approx({h(1): 1.0, h(2): 2.0, h(4): 0.5, h(5): 0.4, h(6): 1.0, h(7): 0.5})
    assert h(3) not in shown  # a gap stays a gap, never a zero
    # the registers at each hour's end move with the sums, up to Home Assistant's own state
    assert [row.state for row in planned.rows] == pytest.approx([997.5, 999.5, 1000.0])  # 1000.0: its first seen


def test_a_hole_between_two_rows_is_filled_and_the_row_after_keeps_only_its_own_energy() -> None:
    existing = [Row(h(0), 10.0, 110.0), Row(h(4), 16.0, 116.0)]  # 6.0 grew across h(1)..h(4)
    hours = {h(1): 1.5, h(2): 2.0, h(3): 1.5, h(4): 1.0, h(9): 3.0}
    planned = plan(existing, hours)
    assert [(row.start, row.sum, row.state) for row in planned.rows] == [
        (h(1), 11.5, 111.5), (h(2), 13.5, 113.5), (h(3), 15.0, 115.0)]
    assert planned.adjust_from is None and planned.newest_row == h(4)
    shown = dashboard(after(existing, hours))
    assert shown == pytest.approx({h(0): 10.0, h(1): 1.5, h(2): 2.0, h(3): 1.5, h(4): 1.0})
    assert h(9) not in shown  # after Home Assistant's newest row: its own to count


def test_unknown_hours_in_a_hole_stay_in_the_row_after_as_home_assistant_had_them() -> None:
    existing = [Row(h(0), 0.0), Row(h(3), 6.0)]
    shown = dashboard(after(existing, {h(1): 2.0}))  # h(2) unknown to the history
    assert shown[h(1)] == pytest.approx(2.0) and shown[h(3)] == pytest.approx(4.0)  # nothing lost, nothing twice
    assert h(2) not in shown


def test_a_hole_the_history_overfills_is_left_alone_and_reported() -> None:
    existing = [Row(h(0), 0.0), Row(h(2), 1.0)]
    planned = plan(existing, {h(1): 5.0})
    assert planned.rows == () and len(planned.left_holes) == 1
    hole = planned.left_holes[0]
    assert (hole.start, hole.end, hole.history, hole.home_assistant) == (h(1), h(2), 5.0, 1.0)


def test_head_and_holes_together_and_sending_again_sends_nothing() -> None:
    existing = [Row(h(10), 2.0, 502.0), Row(h(12), 5.0, 505.0)]
    hours = {h(8): 1.0, h(9): 1.0, h(11): 2.5}
    sums = after(existing, hours)
    assert dashboard(sums) == pytest.approx({h(8): 1.0, h(9): 1.0, h(10): 2.0, h(11): 2.5, h(12): 0.5})
    again = plan([Row(start, value) for start, value in sums.items()], hours)
    assert again.rows == () and again.adjustment == 0.0


def test_nothing_to_join_without_any_row() -> None:
    with pytest.raises(NoStatisticsYet):
        plan([], {h(1): 1.0})


def test_a_row_before_the_window_is_a_start_not_a_first_row() -> None:
    """Home Assistant's last row before the history's first hour anchors it: no adjustment of its rows."""
    existing = [Row(h(-500), 40.0), Row(h(3), 47.0)]
    planned = plan(existing, {h(1): 2.0, h(2): 3.0})
    assert planned.adjust_from is None
    assert [row.sum for row in planned.rows] == [42.0, 45.0]
