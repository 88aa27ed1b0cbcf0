"""Keeps the history store in step with the meter session: it stores what the session reads and reads the meter's
15-minute history through the session's one connection.

Qt-free. Installed with ``session.post(UseHistory(recorder))``, the recorder is

- a session listener (on the meter thread): every demand reading goes to ``add_demand``, every register reading
  to ``add_register_readings``. The store is thread-safe (one connection behind a lock), and its writes are small
  transactions in WAL mode, so writing on the meter thread costs the tray nothing noticeable;
- the session's reader of the 15-minute history: when the INTERVALS task is due (after first contact, after a
  sleep, and just after each slot closes on the meter's clock) the session asks :meth:`HistoryRecorder.recent` for
  a :class:`~xcelsior_desktop.session.commands.Job`: the slots that closed since the newest one stored, a couple
  of GETs (:meth:`Backfill.closed_slots`). After first contact or any gap (the app was closed, the meter was
  unreachable, the computer slept, polling was paused) that job is followed by a full backfill: every reading set
  the meter lists that the store lacks. Jobs run one GET per slice, only when no live read is due;
- the source of "today so far" (:func:`energy.totals.energy` over the home zone's day).

A store error (the disk filled up) is logged and reported once through ``on_problem``; readings go on.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

from xcelsior_desktop.common.throttle import Throttle
from xcelsior_desktop.energy.backfill import Backfill, BackfillSummary, ListedSet
from xcelsior_desktop.energy.days import day_span
from xcelsior_desktop.energy.errors import HistoryError
from xcelsior_desktop.energy.store import DemandSample, HistoryStore, RegisterReading
from xcelsior_desktop.energy.totals import Energy, energy
from xcelsior_desktop.meter.profile import Getter, MeterProfile
from xcelsior_desktop.meter.transport import HttpResult
from xcelsior_desktop.meter.values import Measurement, Registers
from xcelsior_desktop.session.commands import Job
from xcelsior_desktop.session.connection import MeterClientLike
from xcelsior_desktop.session.events import DemandRead, EventBus, RegistersRead, StateChanged, Unsubscribe, all_of
from xcelsior_desktop.session.poller import State

log = logging.getLogger(__name__)

GAP_S = 20 * 60  # more than this between two history reads (one per slot when all is well): a gap to backfill
RECENT_JOB = "history: recent slots"
BACKFILL_JOB = "history: backfill"


def _getter(client: MeterClientLike) -> Getter:
    """The raw GET of the session's client (``MeterClient.transport.get``), which the backfill pages with."""
    transport = getattr(client, "transport", None)
    if transport is None:
        raise TypeError("the meter client has no transport to read the history with")
    get: Getter = transport.get
    return get


class _BackfillStep:
    """A Backfill as a Job step: made on the first slice (it needs the client's profile), one GET per slice.

    Each slice GETs through the client the session hands it for that slice, never one kept from an earlier slice:
    between two slices the session may have closed its connection (a probe for a renewed certificate, a switch to
    that certificate, the computer slept) and opened another, and a kept client would read through a closed pool or
    with a certificate the meter no longer accepts.
    """

    def __init__(self, make: Callable[[Getter, MeterProfile], Backfill],
                 finished: Callable[[Backfill], None]) -> None:
        self._make = make
        self._finished = finished
        self._client: MeterClientLike | None = None
        self.backfill: Backfill | None = None

    def _get(self, path: str) -> HttpResult:
        if self._client is None:
            raise RuntimeError("a backfill GETs only inside a slice of its job")
        return _getter(self._client)(path)

    def __call__(self, client: MeterClientLike) -> bool:
        self._client = client
        try:
            if self.backfill is None:
                self.backfill = self._make(self._get, client.ensure_profile())
            more = self.backfill.step()
        finally:
            self._client = None
        if not more:
            self._finished(self.backfill)
        return more


class HistoryRecorder:
    def __init__(
        self,
        store: HistoryStore,
        post: Callable[[Job], None],
        *,
        tz: dt.tzinfo | None = None,
        wall: Callable[[], float] = time.time,
        on_change: Callable[[], None] = lambda: None,
        on_problem: Callable[[str], None] = lambda _message: None,
    ) -> None:
        self.store = store
        self.tz = tz  # the home zone (the history plug-in sets it again when the settings change it)
        self._post = post
        self._wall = wall
        self._on_change = on_change  # new slots stored (any thread: the meter thread)
        self._on_problem = on_problem
        self._lock = threading.Lock()
        self._skew = dt.timedelta(0)  # the meter's clock minus ours, from register readings
        self._last_registers_at: dt.datetime | None = None
        self._last_read_at: dt.datetime | None = None  # the meter time of the last history read
        self._needs_backfill = True  # first contact
        self._lost_contact = False
        self._pending = False  # one of our jobs is queued or running (recent slots, then perhaps the backfill)
        self._newest_sets: dict[str, ListedSet] = {}
        self._problems: set[str] = set()
        self._logged = Throttle()  # a refused write is logged once, then once an hour, never at every poll
        self.summaries: list[tuple[str, BackfillSummary]] = []  # (job name, what it did), newest last
        self.backfilling = False

    # -- clocks ----------------------------------------------------------------------------------------

    def meter_now(self) -> dt.datetime:
        """Now on the meter's clock (slots close on it)."""
        return dt.datetime.fromtimestamp(self._wall(), dt.UTC) + self._skew

    # -- the session listener (meter thread) -------------------------------------------------------------

    def attach(self, events: EventBus) -> Unsubscribe:
        """Listen to the session (on its thread): demand and registers into the store, contact lost and back."""
        return all_of(
            events.on(DemandRead, lambda event: self._store_demand(event.measurement)),
            events.on(RegistersRead, lambda event: self._store_registers(event.registers)),
            events.on(StateChanged, lambda event: self._contact(event.status.state in (State.CONNECTED, State.STALE))),
        )

    def _contact(self, connected: bool) -> None:
        """Lost contact (unreachable, busy, paused ...): the slots of that time are read once it is back, right
        away rather than at the next slot boundary. First contact is the INTERVALS task's (due at once)."""
        with self._lock:
            if not connected:
                self._needs_backfill = True
                self._lost_contact = True
                return
            resume = self._lost_contact and self._last_read_at is not None and not self._pending
            self._lost_contact = False
        if resume:
            job = self.recent()
            if job is not None:
                self._post(job)

    def _store_demand(self, measurement: Measurement) -> None:
        at = measurement.timestamp.astimezone(dt.UTC)
        self._write(lambda: self.store.add_demand([DemandSample(at, float(measurement.value))]))

    def _store_registers(self, registers: Registers) -> None:
        meter_at = registers.delivered_at or registers.received_at
        if meter_at is not None:
            self._skew = meter_at - registers.read_at
        at = (meter_at or registers.read_at).astimezone(dt.UTC)
        self._last_registers_at = at
        reading = RegisterReading(at, registers.delivered_wh, registers.received_wh)
        self._write(lambda: self.store.add_register_readings([reading]))

    def _write(self, work: Callable[[], object]) -> None:
        try:
            work()
        except HistoryError as exc:
            self._problem(exc.user_message)
            if self._logged.due(exc.user_message):  # once, then once an hour while it lasts
                log.warning("the history store refused a write: %s", exc)

    def _problem(self, message: str) -> None:
        if message not in self._problems:
            self._problems.add(message)
            self._on_problem(message)

    # -- the session's history reader (meter thread) --------------------------------------------------------

    def recent(self) -> Job | None:
        """The job for the INTERVALS task: the slots closed since the newest stored one; after first contact or
        a gap, then a full backfill."""
        now = self.meter_now()
        with self._lock:
            if self._pending:
                return None  # the last one is still going
            self._pending = True
            if self._last_read_at is not None and (now - self._last_read_at).total_seconds() > GAP_S:
                self._needs_backfill = True  # slept, or no history read for a while
            self._last_read_at = now
            deep = self._needs_backfill
            self._needs_backfill = False
            newest = dict(self._newest_sets)

        def make(get: Getter, profile: MeterProfile) -> Backfill:
            return Backfill.closed_slots(get, profile, self.store, self.meter_now, newest or None)

        def finished(job: Backfill) -> None:
            self._done(RECENT_JOB, job)
            if deep:
                self._post_backfill()
            else:
                self._pending = False

        job = Job(RECENT_JOB, _BackfillStep(make, finished))
        job.result.add_done_callback(lambda f: self._failed(f.exception()))
        return job

    def _post_backfill(self) -> None:
        def make(get: Getter, profile: MeterProfile) -> Backfill:
            return Backfill(get, profile, self.store, self.meter_now)

        self.backfilling = True
        job = Job(BACKFILL_JOB, _BackfillStep(make, lambda done: self._done(BACKFILL_JOB, done)))
        job.result.add_done_callback(lambda f: self._failed(f.exception()))
        self._post(job)

    def _done(self, name: str, job: Backfill) -> None:
        if job.newest_sets:
            with self._lock:
                self._newest_sets.update(job.newest_sets)
        if name == BACKFILL_JOB:
            self.backfilling = False
            self._pending = False
        self.summaries.append((name, job.summary))
        log.info("%s: %s in %d GETs%s", name, job.summary.line(), job.summary.gets,
                 f", gaps to retry: {len(job.summary.gap_sets)}" if job.summary.gap_sets else "")
        if job.summary.new_slots or name == BACKFILL_JOB:
            self._on_change()  # new slots to draw, or the backfill's "reading the meter's history" note to drop

    def _failed(self, error: BaseException | None) -> None:
        if error is None:
            return
        with self._lock:
            self._needs_backfill = True  # the next history read starts with a full backfill again
            self._pending = False
        self.backfilling = False
        if isinstance(error, HistoryError):
            self._problem(error.user_message)

    # -- today -------------------------------------------------------------------------------------------

    def today(self) -> Energy | None:
        """Today so far (the home zone's day) from the store, as of the newest register reading (the meter's
        clock): the one energy function, as everywhere."""
        now = self._last_registers_at or self.meter_now()
        try:
            return energy(self.store, *day_span(now, self.tz), now, zone=self.tz)
        except HistoryError as exc:
            log.warning("today's energy could not be read from the history: %s", exc)
            return None
