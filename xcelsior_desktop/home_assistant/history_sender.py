"""Sending the history to Home Assistant from the app: on a worker thread of its own, one send at a time.

The user's "Send history to Home Assistant" runs as soon as the worker is free. Once a send has worked, the app
keeps sending by itself after the history changes (a backfill filled hours the app missed): after
:data:`SETTLE_S` without a further change, at most every :data:`EVERY_S`, over the last :data:`RECENT_DAYS` days
(all a backfill can reach). Sending is cheap when Home Assistant has every hour: one look at its rows.

Qt-free: ``on_done(outcome)`` is called on the worker thread; the app hands it to its GUI thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from xcelsior_desktop.home_assistant.history_upload import UploadReport

log = logging.getLogger(__name__)

SETTLE_S = 60.0
EVERY_S = 15 * 60.0
RECENT_DAYS = 35


@dataclass(frozen=True)
class SendOutcome:
    ok: bool
    message: str  # the sentence for the Settings page
    automatic: bool
    report: UploadReport | None = None


Send = Callable[[dt.datetime | None], UploadReport]  # since (None: all of the history) -> report


class HistorySender:
    def __init__(self, send: Send, on_done: Callable[[SendOutcome], None], *, keep_sending: bool = False,
                 settle_s: float = SETTLE_S, every_s: float = EVERY_S,
                 clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self._send = send
        self._on_done = on_done
        self.keep_sending = keep_sending  # a send worked once: later changes are sent by themselves
        self._settle_s = settle_s
        self._every_s = every_s
        self._clock = clock
        self._wall = wall
        self._lock = threading.Condition()
        self._manual = False
        self._changed_at: float | None = None
        self._last_automatic: float | None = None
        self._stopping = False
        self.busy = False
        self._thread = threading.Thread(target=self._run, name="history-to-home-assistant", daemon=True)
        self._thread.start()

    def send_now(self) -> None:
        with self._lock:
            self._manual = True
            self._lock.notify_all()

    def history_changed(self) -> None:
        with self._lock:
            if self.keep_sending:
                self._changed_at = self._clock()
                self._lock.notify_all()

    def stop(self, timeout: float = 5.0) -> None:
        """End the worker (a send under way finishes first, up to ``timeout``)."""
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
        self._thread.join(timeout)

    def _due(self) -> tuple[bool, bool, float | None]:
        """(run now, automatic, seconds until something may be due)."""
        if self._manual:
            return True, False, None
        if self._changed_at is None or not self.keep_sending:
            return False, False, None
        now = self._clock()
        ready_at = self._changed_at + self._settle_s
        if self._last_automatic is not None:
            ready_at = max(ready_at, self._last_automatic + self._every_s)
        return (True, True, None) if now >= ready_at else (False, True, ready_at - now)

    def _run(self) -> None:
        while True:
            with self._lock:
                while True:
                    if self._stopping:
                        return
                    run, automatic, wait = self._due()
                    if run:
                        break
                    self._lock.wait(None if wait is None else min(wait, 1.0))  # the clock may be moved
                self._manual = False
                if automatic:
                    self._changed_at = None
                    self._last_automatic = self._clock()
                self.busy = True
            outcome = self._attempt(automatic)
            with self._lock:
                self.busy = False
                if outcome.ok and not automatic:
                    self.keep_sending = True
            try:
                self._on_done(outcome)
            except Exception:
                log.exception("history to Home Assistant: the outcome could not be shown")

    def _attempt(self, automatic: bool) -> SendOutcome:
        from xcelsior_desktop.energy.errors import HistoryError
        from xcelsior_desktop.home_assistant.ha_api import HomeAssistantError

        since = self._wall() - dt.timedelta(days=RECENT_DAYS) if automatic else None
        try:
            report = self._send(since)
        except HomeAssistantError as exc:
            log.warning("history to Home Assistant: %s", exc)
            return SendOutcome(False, exc.user_message, automatic)
        except HistoryError as exc:
            log.warning("history to Home Assistant: %s", exc)
            return SendOutcome(False, exc.user_message, automatic)
        except Exception as exc:  # never let a surprise stop the worker: say it
            log.exception("history to Home Assistant failed")
            return SendOutcome(False, f"Sending failed: {type(exc).__name__}: {exc}", automatic)
        return SendOutcome(True, report.message(), automatic, report)
