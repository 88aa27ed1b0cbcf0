"""The activity log: a line per change of state, an hourly summary, and a reading the app does not trust said once
an hour while it goes on, never at every poll."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import pytest

from xcelsior_desktop.meter.values import Measurement
from xcelsior_desktop.session.activity_log import ActivityLog
from xcelsior_desktop.session.events import DemandRead, Event, EventBus, ReadingFlagged, RequestFailed, StateChanged
from xcelsior_desktop.session.poller import State, Status

AT = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def status(state: State, detail: str = "") -> StateChanged:
    return StateChanged(Status(state, 0.0, None, detail, None))


@pytest.fixture
def activity(caplog: pytest.LogCaptureFixture) -> tuple[Callable[[Event], None], Clock]:
    """The log attached to a session's event bus, and the bus's publish: events reach it as the session sends them."""
    caplog.set_level(logging.DEBUG, logger="xcelsior_desktop.activity")
    clock = Clock()
    bus = EventBus()
    ActivityLog(clock=clock).attach(bus)
    return bus.publish, clock


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "xcelsior_desktop.activity"]


def test_one_line_per_change_of_state(activity, caplog) -> None:
    log, _clock = activity
    for event in (status(State.CONNECTING), status(State.CONNECTED), status(State.CONNECTED),
                  status(State.UNREACHABLE, "no answer"), status(State.CONNECTED)):
        log(event)
    assert lines(caplog) == ["meter connecting", "meter connected", "meter unreachable: no answer", "meter connected"]


def test_a_flagged_reading_is_said_once_an_hour_not_at_every_poll(activity, caplog) -> None:
    log, clock = activity
    flagged = ReadingFlagged("demand", "Stale", "the same value with the same meter time for 60 s")
    for _ in range(720):  # an hour at 5-second polling
        log(flagged)
        clock.now += 5
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "the same value" in warnings[0].getMessage()
    log(flagged)
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2


def test_an_hourly_summary_says_that_polling_goes_on(activity, caplog) -> None:
    log, clock = activity
    log(status(State.CONNECTED))
    for i in range(719):
        log(DemandRead(Measurement(value=300.0 + i, unit="W", timestamp=AT)))
        clock.now += 5
    log(RequestFailed("demand", "timed out"))
    clock.now += 5
    log(DemandRead(Measurement(value=-250.0, unit="W", timestamp=AT)))
    summary = lines(caplog)[-1]
    assert summary == ("polling in the last 60 min: 720 readings, 1 failed requests, 0 readings not used; last "
                       "reading -250 W at 2026-11-01T12:00:00Z; meter connected")
