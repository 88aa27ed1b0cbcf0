"""The session's one event path: listeners by event class, everything-listeners after them, unsubscribing, and one
listener's failure kept from the others."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from xcelsior_desktop.meter.values import Measurement
from xcelsior_desktop.session.events import DemandRead, EventBus, RequestFailed, all_of

AT = dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)


def test_a_listener_gets_only_its_class_and_the_everything_listeners_come_last() -> None:
    bus = EventBus()
    seen: list[str] = []
    bus.on_any(lambda event: seen.append(f"any:{type(event).__name__}"))
    bus.on(DemandRead, lambda event: seen.append(f"demand:{event.measurement.value:.0f}"))
    bus.on(RequestFailed, lambda event: seen.append(f"failed:{event.task}"))
    bus.publish(DemandRead(Measurement(850.0, "W", AT)))
    bus.publish(RequestFailed("registers", "timed out"))
    assert seen == ["demand:850", "any:DemandRead", "failed:registers", "any:RequestFailed"]


def test_unsubscribing_one_or_all() -> None:
    bus = EventBus()
    seen: list[object] = []
    first = bus.on(DemandRead, seen.append)
    both = all_of(bus.on(RequestFailed, seen.append), bus.on_any(seen.append))
    first()
    first()  # twice is harmless
    both()
    bus.publish(DemandRead(Measurement(1.0, "W", AT)))
    bus.publish(RequestFailed("demand", "x"))
    assert seen == []


def test_a_failing_listener_is_logged_and_the_others_still_run(caplog: pytest.LogCaptureFixture) -> None:
    bus = EventBus()
    seen: list[object] = []

    def broken(_event: DemandRead) -> None:
        raise RuntimeError("a plug-in's bug")

    bus.on(DemandRead, broken)
    bus.on(DemandRead, seen.append)
    event = DemandRead(Measurement(5.0, "W", AT))
    with caplog.at_level(logging.ERROR):
        bus.publish(event)
    assert seen == [event]
    assert any("DemandRead" in record.getMessage() for record in caplog.records)
