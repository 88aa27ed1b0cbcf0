"""When the feed says the meter's readings are current: trusted readings, the session's states, and silence."""

from __future__ import annotations

import pytest

from tests.clocks import FixedClock
from xcelsior_desktop.home_assistant.freshness import Freshness
from xcelsior_desktop.session.poller import State


def fresh_after_a_reading(clock: FixedClock, interval: float = 5.0) -> Freshness:
    freshness = Freshness(interval, clock=clock)
    freshness.state(State.CONNECTED)
    freshness.reading()
    return freshness


def test_nothing_is_fresh_before_the_first_trusted_reading() -> None:
    clock = FixedClock(100.0)
    freshness = Freshness(5.0, clock=clock)
    freshness.state(State.CONNECTED)
    assert not freshness.fresh() and freshness.recheck_in() is None
    freshness.reading()
    assert freshness.fresh()


@pytest.mark.parametrize("state", [State.UNREACHABLE, State.STALE, State.CERT_REFUSED, State.MISMATCH, State.PAUSED,
                                   State.LOCATING])
def test_the_meter_away_or_stale_is_not_fresh_at_once(state: State) -> None:
    clock = FixedClock(100.0)
    freshness = fresh_after_a_reading(clock)
    freshness.state(state)
    assert not freshness.fresh()
    freshness.state(State.CONNECTED)
    assert freshness.fresh()  # connected again with a reading still recent


def test_busy_for_more_than_a_poll_cycle() -> None:
    clock = FixedClock(100.0)
    freshness = fresh_after_a_reading(clock)
    freshness.state(State.BUSY)
    clock.t += 5.0
    assert freshness.fresh()  # one busy answer is not an outage
    assert freshness.recheck_in() == 0.0
    clock.t += 0.5
    assert not freshness.fresh()
    freshness.state(State.CONNECTED)
    freshness.reading()
    assert freshness.fresh()


def test_a_distrusted_reading_until_the_next_trusted_one() -> None:
    clock = FixedClock(100.0)
    freshness = fresh_after_a_reading(clock)
    freshness.distrusted()
    assert not freshness.fresh()
    clock.t += 5
    freshness.reading()
    assert freshness.fresh()


def test_silence_ends_freshness_whatever_the_state_says() -> None:
    clock = FixedClock(100.0)
    freshness = fresh_after_a_reading(clock, interval=2.0)
    assert freshness.silence_s == 20.0  # never shorter than 20 s at fast polling
    assert freshness.recheck_in() == 20.0
    clock.t += 20.0
    assert freshness.fresh()
    clock.t += 0.1
    assert not freshness.fresh()
    slow = fresh_after_a_reading(clock, interval=60.0)
    assert slow.silence_s == 180.0
