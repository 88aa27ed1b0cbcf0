"""Jobs on the session's connection, and the bridge to the history store.

Qt-free. A job (a backfill, the extras read, the history reader's interval read) runs one small slice at a time,
only when no live task is due, so a long backfill never makes the tray's watts late. The history reader (the
recorder, session/history_recorder.py) is the one reader of the meter's 15-minute history: when the INTERVALS
task is due the session asks it for a job here, and after each of its jobs the store may hold new slots of today,
so "today so far" is published again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from xcelsior_desktop.meter.errors import MeterError, Unreachable
from xcelsior_desktop.session.commands import HistoryReader, Job, fail
from xcelsior_desktop.session.connection import MeterConnection, SessionOptions
from xcelsior_desktop.session.events import EventBus, TodayChanged, Unsubscribe
from xcelsior_desktop.session.target import MeterTarget

log = logging.getLogger(__name__)


class JobQueue:
    """The session's jobs, first come first served, and its history reader. Stepping thread only."""

    def __init__(self, connection: MeterConnection, events: EventBus,
                 on_meter_error: Callable[[MeterError], None]) -> None:
        self._connection = connection
        self._events = events
        self._on_meter_error = on_meter_error  # a job's failure that says something about the meter itself
        self._jobs: list[Job] = []
        self._reader: HistoryReader | None = None
        self._reader_detach: Unsubscribe | None = None
        self._interval_job: Job | None = None  # the reader's job for the INTERVALS task
        self.history_reads: list[int] = []  # GETs each history read cost (bench, tests)

    def __bool__(self) -> bool:
        return bool(self._jobs)

    def add(self, job: Job) -> None:
        self._jobs.append(job)

    # -- the history bridge ------------------------------------------------------------------------

    @property
    def reads_history(self) -> bool:
        return self._reader is not None

    def use_history(self, reader: HistoryReader | None) -> None:
        if self._reader_detach is not None:
            self._reader_detach()
            self._reader_detach = None
        self._reader = reader
        if reader is not None:
            self._reader_detach = reader.attach(self._events)

    def plan_history_read(self) -> None:
        """The INTERVALS task is due: queue the job the reader asks for (no GET here)."""
        if self._reader is None or self._interval_job is not None:
            return  # no reader, or the last read is still running
        try:
            job = self._reader.recent()
        except Exception:  # noqa: BLE001 - the history reader's bug must not stop the meter
            log.exception("the history reader failed to plan a read")
            return
        if job is not None:
            self._interval_job = job
            self._jobs.append(job)

    def publish_today(self) -> None:
        """Today so far, from the history reader (the store): without one there is no figure to give."""
        if self._reader is None:
            return
        try:
            today = self._reader.today()
        except Exception:  # noqa: BLE001 - the history reader's bug must not stop the meter
            log.exception("computing today's energy failed")
            return
        if today is not None:
            self._events.publish(TodayChanged(today))

    # -- running -----------------------------------------------------------------------------------

    def run_slice(self, target: MeterTarget, options: SessionOptions) -> None:
        """One slice of the first job; it ends (result set) when it says it is done or fails."""
        job = self._jobs[0]

        def count(gets: int) -> None:
            job.requests += gets

        try:
            more = self._connection.use(target, options, job.step, sent=count)
        except Exception as exc:  # noqa: BLE001 - a job's failure is the job's caller's to handle
            self._jobs.pop(0)
            log.info("job %s stopped: %s", job.name, exc)
            if isinstance(exc, MeterError):
                self._on_meter_error(exc)
            job.result.set_exception(exc)
            self._ended(job)
            return
        if not more:
            self._jobs.pop(0)
            job.result.set_result(True)
            self._ended(job)

    def abandon(self) -> None:
        """The meter may have changed: jobs planned for the old one (a backfill's reading sets and hrefs) end
        here, and their owners plan again (the history recorder backfills what the store lacks)."""
        jobs, self._jobs = self._jobs, []
        for job in jobs:
            log.info("job %s stopped: the meter changed", job.name)
            fail(job, Unreachable("the meter changed", user_message="The meter changed; its history is read again."))
            self._ended(job)

    def fail_all(self, error: MeterError) -> None:
        """Quitting: every waiting job ends with ``error``."""
        jobs, self._jobs = self._jobs, []
        self._interval_job = None
        for job in jobs:
            fail(job, error)

    def _ended(self, job: Job) -> None:
        if job is self._interval_job:
            self._interval_job = None
            self.history_reads.append(job.requests)
        self.publish_today()  # the store may hold new slots of today

