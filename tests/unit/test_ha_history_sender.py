"""When the app sends its history to Home Assistant: at once when asked, then by itself after the history changes
(settled, spaced), one send at a time; failures in words, the worker never stopped by one."""

from __future__ import annotations

import datetime as dt
import queue
import threading

from tests.clocks import FixedClock
from xcelsior_desktop.home_assistant.ha_api import TokenRefused
from xcelsior_desktop.home_assistant.history_sender import RECENT_DAYS, HistorySender, SendOutcome
from xcelsior_desktop.home_assistant.history_upload import UploadReport

NOW = dt.datetime(2026, 11, 29, 15, 0, tzinfo=dt.UTC)


class Recorder:
    """The send function's calls and the outcomes, with a gate the test opens to let a send finish."""

    def __init__(self, fail_first: bool = False) -> None:
        self.calls: queue.Queue[dt.datetime | None] = queue.Queue()
        self.outcomes: queue.Queue[SendOutcome] = queue.Queue()
        self.fail_first = fail_first
        self.gate = threading.Event()
        self.gate.set()

    def send(self, since: dt.datetime | None) -> UploadReport:
        self.calls.put(since)
        self.gate.wait(10)
        if self.fail_first:
            self.fail_first = False
            raise TokenRefused("Home Assistant at http://ha:8123 refused the access token.")
        return UploadReport("2025.4.4", ())


def no_call(calls: Recorder) -> bool:
    try:
        calls.calls.get(timeout=1.5)
    except queue.Empty:
        return True
    return False


def test_asked_then_kept_in_step_after_changes() -> None:
    clock = FixedClock(1000.0)
    calls = Recorder(fail_first=True)
    sender = HistorySender(calls.send, calls.outcomes.put, settle_s=60, every_s=900, clock=clock, wall=lambda: NOW)
    try:
        sender.history_changed()  # nothing asked yet: nothing sent by itself
        sender.send_now()
        assert calls.calls.get(timeout=5) is None  # all of the history
        failed = calls.outcomes.get(timeout=5)
        assert (failed.ok, failed.automatic) == (False, False)
        assert failed.message == "Home Assistant at http://ha:8123 refused the access token."
        assert not sender.keep_sending
        sender.send_now()
        assert calls.calls.get(timeout=5) is None
        sent = calls.outcomes.get(timeout=5)
        assert sent.ok and sent.message == "Home Assistant 2025.4.4 already has every hour the history can give."
        assert sender.keep_sending
        sender.history_changed()  # a backfill filled hours
        clock.t += 30
        assert no_call(calls)  # it may go on: wait until it settles
        clock.t += 31
        assert calls.calls.get(timeout=5) == NOW - dt.timedelta(days=RECENT_DAYS)  # what a backfill can reach
        assert calls.outcomes.get(timeout=5).automatic
        sender.history_changed()
        clock.t += 61
        assert no_call(calls)  # at most every 15 minutes
        clock.t += 900
        assert calls.calls.get(timeout=5) is not None
    finally:
        sender.stop()


def test_one_send_at_a_time_and_a_request_meanwhile_runs_after() -> None:
    calls = Recorder()
    sender = HistorySender(calls.send, calls.outcomes.put, wall=lambda: NOW)
    try:
        calls.gate.clear()
        sender.send_now()
        calls.calls.get(timeout=5)
        sender.send_now()  # while the first is under way
        assert sender.busy and calls.calls.empty()
        calls.gate.set()
        calls.outcomes.get(timeout=5)
        calls.calls.get(timeout=5)
        calls.outcomes.get(timeout=5)
    finally:
        sender.stop()
    assert not sender._thread.is_alive()  # noqa: SLF001 - no thread left behind
