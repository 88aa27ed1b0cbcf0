"""The meter session: the one owner of which meter, which certificate, and the meter's only connection.

Qt-free. It owns the :class:`~xcelsior_desktop.session.target.MeterTarget` (an immutable value), the
:class:`~xcelsior_desktop.session.poller.Poller` (the polling policy) and the meter client, and it runs one queue
of typed commands. Everyone else sends commands (:meth:`MeterSession.post`, from any thread) and listens to typed
events (:meth:`MeterSession.subscribe`); nobody keeps a second copy of the target.

Threading: all the work happens in :meth:`MeterSession.step`, called by one thread (the app's meter thread, or a
test's loop). ``step`` runs the queued commands, then the poller's due tasks, then at most one slice of a
background job (a backfill) when nothing live is due, and returns how long to sleep. ``post`` wakes the stepping
thread through the ``wake`` callback its owner installs. Listeners are called on the stepping thread.

Probes with another identity (waiting for activation, a renewal) go through the queue too: the meter serves one
connection, so the session closes its own before a probe connects and carries on polling after.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from xcelsior_desktop.common.throttle import Throttle
from xcelsior_desktop.meter.errors import IdentityMismatch, MeterError, Unreachable
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.meter.profile import MeterProfile
from xcelsior_desktop.meter.transport import ProbeResult, TransportStats
from xcelsior_desktop.meter.values import DeviceInfo, IntervalEnergy, Measurement, Registers
from xcelsior_desktop.session.plausibility import PlausibilityChecker
from xcelsior_desktop.session.poller import Failure, Poller, State, Status, Task, classify
from xcelsior_desktop.session.target import MeterTarget

if TYPE_CHECKING:
    from xcelsior_desktop.energy.totals import Energy

log = logging.getLogger(__name__)

TOU_EVERY = 15  # register reads: TOU tiers only every 15th read (they cost ~4 GETs; totals cost 2)


# -- the meter client, as the session uses it ------------------------------------------------------


class MeterClientLike(Protocol):
    """What the session needs of :class:`~xcelsior_desktop.meter.client.MeterClient` (tests may pass others)."""

    @property
    def meter_lfdi(self) -> str | None: ...
    @property
    def stats(self) -> TransportStats: ...
    @property
    def cached_profile(self) -> MeterProfile | None: ...
    def probe(self) -> ProbeResult: ...
    def read_demand(self) -> Measurement: ...
    def read_registers(self, *, include_tou: bool = True) -> Registers: ...
    def intervals(self, since: dt.datetime, *, max_sets: int = 64) -> list[IntervalEnergy]: ...
    def device_info(self) -> DeviceInfo: ...
    def ensure_profile(self, refresh: bool = False) -> MeterProfile: ...
    def port_answers(self, timeout: float | None = None) -> bool: ...
    @property
    def profile_relearned(self) -> int: ...
    def abort(self) -> None: ...
    def release(self) -> None: ...
    def close(self) -> None: ...


class ProfileStore(Protocol):
    """Where a learned meter profile is kept between runs (session.profile_cache.ProfileCache)."""

    def load(self, meter_lfdi: str | None) -> MeterProfile | None: ...
    def firmware(self, meter_lfdi: str | None) -> str | None: ...
    def save(self, profile: MeterProfile, firmware: str | None) -> None: ...
    def clear(self) -> None: ...


@dataclass(frozen=True)
class SessionOptions:
    """How the session talks to the meter (not which meter: that is the target)."""

    interval_s: float = 5.0
    register_interval_s: float = 60.0
    connect_timeout: float = 5.0
    handshake_timeout: float = 15.0
    read_timeout: float = 10.0
    read_history: bool = True  # the 15-minute history (read by the history reader, when one is installed)


ClientFactory = Callable[[MeterTarget, SessionOptions, "ProfileStore | None"], MeterClientLike]


def default_client_factory(target: MeterTarget, options: SessionOptions,
                           profiles: ProfileStore | None) -> MeterClientLike:
    from xcelsior_desktop.meter.client import MeterClient

    assert target.identity is not None and target.host is not None
    return MeterClient(
        target.host,
        target.port,
        identity=target.identity,
        meter_lfdi=target.meter_lfdi,
        connect_timeout=options.connect_timeout,
        handshake_timeout=options.handshake_timeout,
        read_timeout=options.read_timeout,
        profile=profiles.load(target.meter_lfdi) if profiles is not None else None,
    )


# -- commands ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetTarget:
    """Use this target from the next request (setup finished, activation accepted, renewal switched)."""

    target: MeterTarget


@dataclass(frozen=True)
class SetIdentity:
    """A new certificate (or none); the meter stays the same. ``registered``: the meter already accepted it."""

    identity: Identity | None
    registered: bool = False


@dataclass(frozen=True)
class SetAddress:
    """The address changed in Settings: ``host`` None with ``automatic`` = find it by discovery."""

    host: str | None
    port: int
    automatic: bool


@dataclass(frozen=True)
class Located:
    """Discovery's answer: the meter's (host, port), or None when nothing answered."""

    address: tuple[str, int] | None


@dataclass(frozen=True)
class Pause:
    paused: bool


@dataclass(frozen=True)
class SetInterval:
    seconds: float


@dataclass(frozen=True)
class Refresh:
    """Read demand now (the window opened); still subject to back-off."""


@dataclass(frozen=True)
class RetryNow:
    """The user asked to try again now: back-off forgotten."""


@dataclass(eq=False)
class Probe:
    """Handshake with another identity through the session's one connection; ``result`` resolves to a
    ProbeResult or the error. ``meter_lfdi`` pins the meter (a renewal); None while learning it."""

    identity: Identity
    host: str
    port: int
    meter_lfdi: str | None = None
    result: concurrent.futures.Future[ProbeResult] = field(default_factory=concurrent.futures.Future)


@dataclass(eq=False)
class Job:
    """Work that needs the meter connection but is not live polling (backfill, interval reads).

    ``step(client)`` does a small slice (a GET or two) and returns True while there is more to do; the session
    runs one slice whenever no live task is due, so the tray's watts are never late because of a job.
    ``result`` resolves when the job ends (True) or fails (the error).
    """

    name: str
    step: Callable[[MeterClientLike], bool]
    result: concurrent.futures.Future[bool] = field(default_factory=concurrent.futures.Future)
    requests: int = 0  # GETs its slices sent so far (counted by the session)


class HistoryReader(Protocol):
    """Who keeps the meter's 15-minute history (session/history_recorder.py HistoryRecorder): the session hands
    it every event, asks it for a job whenever the INTERVALS task is due, and asks it for "today so far" (the one
    energy function over the store: energy/totals.py)."""

    def on_event(self, event: Event) -> None: ...
    def recent(self) -> Job | None: ...
    def today(self) -> Energy | None: ...


@dataclass(frozen=True)
class UseHistory:
    """From now on ``reader`` reads the 15-minute history (through Jobs on this session's connection) and says
    what today is; nothing else reads the meter's history. ``None``: no history is read."""

    reader: HistoryReader | None


Command = (SetTarget | SetIdentity | SetAddress | Located | Pause | SetInterval | Refresh | RetryNow | Probe | Job
           | UseHistory)


# -- events ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemandRead:
    measurement: Measurement


@dataclass(frozen=True)
class RegistersRead:
    registers: Registers


@dataclass(frozen=True)
class TodayChanged:
    today: Energy


@dataclass(frozen=True)
class DeviceInfoRead:
    info: DeviceInfo


@dataclass(frozen=True)
class StateChanged:
    status: Status


@dataclass(frozen=True)
class ReadingFlagged:
    """A reading the meter served that cannot be trusted (session/plausibility.py): never fed to alerts or the
    history. ``what`` is "demand" or "registers"; ``label`` is what the window shows, ``reason`` the sentence."""

    what: str
    label: str
    reason: str


@dataclass(frozen=True)
class TargetChanged:
    """The target changed (setup, renewal, the meter pinned, discovery found it, Settings): save it, show it."""

    target: MeterTarget
    previous: MeterTarget


@dataclass(frozen=True)
class LocateRequested:
    """Run discovery for ``sfdi`` (None: any meter) and answer with :class:`Located`."""

    sfdi: int | None


@dataclass(frozen=True)
class RequestFailed:
    task: str
    detail: str


@dataclass(frozen=True)
class ProbeFinished:
    probe: Probe


Event = (DemandRead | RegistersRead | TodayChanged | DeviceInfoRead | StateChanged | TargetChanged
         | LocateRequested | RequestFailed | ProbeFinished | ReadingFlagged)
Listener = Callable[[Event], None]


def quitting_error() -> MeterError:
    return Unreachable("the session is stopping", user_message="The app is quitting.")


# -- the session -------------------------------------------------------------------------------------


class MeterSession:
    def __init__(
        self,
        target: MeterTarget,
        options: SessionOptions | None = None,
        *,
        profiles: ProfileStore | None = None,
        client_factory: ClientFactory = default_client_factory,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._target = target
        self.options = options or SessionOptions()
        self._profiles = profiles
        self._factory = client_factory
        self._mono = monotonic
        self._wall = wall
        self._commands: queue.SimpleQueue[Command] = queue.SimpleQueue()
        self._listeners: list[Listener] = []
        self._listeners_lock = threading.Lock()
        self._stopping = threading.Event()
        self._client: MeterClientLike | None = None
        self._in_flight: MeterClientLike | None = None  # the client a blocked request may be waiting on
        self._in_flight_lock = threading.Lock()
        self._jobs: list[Job] = []
        self._reader: HistoryReader | None = None
        self._reader_unsubscribe: Callable[[], None] | None = None
        self._interval_job: Job | None = None  # the reader's job for the INTERVALS task (its GETs: history_reads)
        self._poller: Poller | None = None
        self._last_status: Status | None = None
        self._register_reads = 0
        self._saved_profile: tuple[MeterProfile, str | None] | None = None
        self._firmware: str | None = None
        self._checker = PlausibilityChecker(monotonic=monotonic)
        self._relearned_seen = 0  # the client's count of failed saved profiles dropped and re-walked
        self._failure_log = Throttle(clock=monotonic)  # a failure that repeats is logged once an hour
        self.wake: Callable[[], None] = lambda: None  # set by the thread that steps the session
        self.history_reads: list[int] = []  # GETs each history read cost (bench, tests)
        self.requests_sent = 0  # GETs sent by clients this session created (bench)

    # -- what others may ask -----------------------------------------------------------------------

    @property
    def target(self) -> MeterTarget:
        return self._target

    @property
    def state(self) -> State | None:
        return self._poller.state if self._poller is not None else None

    def status(self) -> Status | None:
        return self._poller.status() if self._poller is not None else None

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` for every event (on the stepping thread); returns the unsubscribe call."""
        with self._listeners_lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._listeners_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def post(self, command: Command) -> None:
        """Any thread: queue a command; the stepping thread runs it at its next step (woken now)."""
        if self._stopping.is_set():
            if isinstance(command, Probe | Job):
                _fail(command, quitting_error())
            return
        self._commands.put(command)
        self.wake()

    def probe(self, identity: Identity, host: str, port: int, meter_lfdi: str | None = None) -> Probe:
        """Queue a probe and return it; wait on ``probe.result`` (a Future) from any thread but the stepping one."""
        command = Probe(identity, host, int(port), meter_lfdi)
        self.post(command)
        return command

    # -- lifecycle (stepping thread) ---------------------------------------------------------------

    def start(self) -> None:
        target, opts = self._target, self.options
        self._poller = Poller(
            interval_s=opts.interval_s,
            register_interval_s=opts.register_interval_s,
            has_identity=target.identity is not None,
            has_address=target.host is not None,
            automatic_address=target.automatic,
            ever_registered=target.registered,
            history=opts.read_history,
            quick_recovery=True,  # TCP probes while away, fixed short cadences: watts back within seconds
            monotonic=self._mono,
            wall=self._wall,
        )

    def stop(self) -> None:
        """Stepping thread: close the connection, fail what waits. Idempotent."""
        self._stopping.set()
        self._drop_client()
        self._fail_waiting()

    def abort(self) -> None:
        """Any thread: make a blocked request fail now (quitting)."""
        self._stopping.set()
        with self._in_flight_lock:
            client = self._in_flight
        if client is not None:
            client.abort()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # -- the loop ----------------------------------------------------------------------------------

    def step(self) -> float | None:
        """Run queued commands, then due tasks, then a slice of a job; seconds until the next step is due
        (None: nothing until a command arrives)."""
        poller = self._poller
        if poller is None or self._stopping.is_set():
            return None
        self._run_commands()
        if self._stopping.is_set():
            return None
        if poller.clock_check():
            log.info("the computer slept: dropping the meter connection and reconnecting after a pause")
            self._drop_client()
        ran_live = False
        for task in poller.due():
            if self._stopping.is_set():
                return None
            ran_live = True
            if not self._run(task):
                break  # back-off applies to the rest
        if not ran_live and self._jobs and self._connected():
            self._job_slice()
        self._emit_status()
        wait = poller.wait_s()
        if self._jobs and self._connected() and not poller.paused:
            wait = 0.0 if wait is None else min(wait, 0.0)
        return wait

    def _connected(self) -> bool:
        return self._poller is not None and self._poller.state in (State.CONNECTED, State.STALE)

    def _run_commands(self) -> None:
        while not self._stopping.is_set():
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                self._apply(command)
            except Exception as exc:  # noqa: BLE001 - a command must never kill the meter thread
                log.exception("session command %s failed", type(command).__name__)
                if isinstance(command, Probe | Job):
                    _fail(command, exc)

    def _apply(self, command: Command) -> None:
        poller = self._poller
        assert poller is not None
        if isinstance(command, SetTarget):
            self._change_target(command.target, reconnect=True)
            poller.ever_registered = command.target.registered
            poller.has_identity = command.target.identity is not None
            poller.set_address(command.target.host is not None, command.target.automatic)
            poller.restart()
        elif isinstance(command, SetIdentity):
            self._change_target(self._target.replace(identity=command.identity,
                                                     registered=command.registered and command.identity is not None),
                                reconnect=True)
            poller.ever_registered = self._target.registered
            poller.set_identity(command.identity is not None)
        elif isinstance(command, SetAddress):
            self._change_target(self._target.replace(host=command.host, port=int(command.port),
                                                     automatic=command.automatic), reconnect=True)
            poller.set_address(command.host is not None, command.automatic)
        elif isinstance(command, Located):
            if command.address is not None:
                host, port = command.address
                self._change_target(self._target.replace(host=host, port=int(port)), reconnect=True)
                poller.located(True)
            else:
                poller.located(False, "No meter answered on the local network.")
        elif isinstance(command, Pause):
            poller.set_paused(command.paused)
            if command.paused:
                self._drop_client()  # release the meter's only connection for others
        elif isinstance(command, SetInterval):
            self.options = _replace(self.options, interval_s=command.seconds)
            poller.set_interval(command.seconds)
        elif isinstance(command, Refresh):
            pass  # a step runs right after: due tasks run, back-off still applies
        elif isinstance(command, RetryNow):
            poller.retry_now()
        elif isinstance(command, Probe):
            self._probe(command)
        elif isinstance(command, Job):
            self._jobs.append(command)
        elif isinstance(command, UseHistory):
            self._use_history(command.reader)

    def _change_target(self, target: MeterTarget, *, reconnect: bool) -> None:
        previous = self._target
        if target == previous:
            return
        self._target = target
        if target.meter_lfdi != previous.meter_lfdi and previous.meter_lfdi is not None:
            self._checker.reset()  # another meter: its registers are not a continuation of the old one's
        if reconnect and (target.identity, target.host, target.port, target.meter_lfdi) != (
                previous.identity, previous.host, previous.port, previous.meter_lfdi):
            self._drop_client()
            moved = (target.host, target.port, target.meter_lfdi) != (previous.host, previous.port,
                                                                     previous.meter_lfdi)
            same_meter = target.meter_lfdi is not None and target.meter_lfdi == previous.meter_lfdi  # pin checked
            if moved and not same_meter:
                self._abandon_jobs()  # perhaps another meter: a backfill's reading sets are the old one's
        self._emit(TargetChanged(target, previous))

    # -- probes ------------------------------------------------------------------------------------

    def _probe(self, probe: Probe) -> None:
        if not probe.result.set_running_or_notify_cancel():
            return  # the caller gave up
        self._drop_client()  # the meter serves one connection: ours must be closed before the probe's
        from xcelsior_desktop.meter.client import MeterClient

        opts = self.options
        client: MeterClientLike | None = None
        try:
            client = MeterClient(probe.host, probe.port, identity=probe.identity, meter_lfdi=probe.meter_lfdi,
                                 connect_timeout=opts.connect_timeout, handshake_timeout=opts.handshake_timeout,
                                 read_timeout=opts.read_timeout)
            self._set_in_flight(client)
            result = client.probe()
        except Exception as exc:  # noqa: BLE001 - handed to the waiting caller, who classifies it
            probe.result.set_exception(exc)
        else:
            probe.result.set_result(result)
        finally:
            self._set_in_flight(None)
            self._close_client(client)  # as for our own: the meter closes its side before we poll again
        accepted = not probe.result.exception() and probe.result.result().accepted
        log.info("probe for LFDI %s: %s", probe.identity.lfdi[:10],
                 "accepted" if accepted else probe.result.exception() or "refused")
        self._emit(ProbeFinished(probe))

    # -- the history reader -----------------------------------------------------------------------

    def _use_history(self, reader: HistoryReader | None) -> None:
        if self._reader_unsubscribe is not None:
            self._reader_unsubscribe()
            self._reader_unsubscribe = None
        self._reader = reader
        if reader is not None:
            self._reader_unsubscribe = self.subscribe(reader.on_event)

    def _queue_history_read(self) -> bool:
        """The INTERVALS task with a reader installed: queue the job it asks for (no GET here)."""
        poller = self._poller
        assert poller is not None and self._reader is not None
        if not self._connected():
            return True  # stays due: it runs right after the next successful contact (back-off holds it till then)
        poller.succeeded(Task.INTERVALS)  # next: just after the next slot closes
        if self._interval_job is not None:
            return True  # the last one is still running
        try:
            job = self._reader.recent()
        except Exception:  # noqa: BLE001 - the history reader's bug must not stop the meter
            log.exception("the history reader failed to plan a read")
            return True
        if job is not None:
            self._interval_job = job
            self._jobs.append(job)
        return True

    def _job_ended(self, job: Job) -> None:
        if job is self._interval_job:
            self._interval_job = None
            self.history_reads.append(job.requests)
        if self._reader is not None:
            self._emit_today()  # the store may hold new slots of today

    # -- jobs --------------------------------------------------------------------------------------

    def _job_slice(self) -> None:
        job = self._jobs[0]
        try:
            client = self._ensure_client()
            before = client.stats.requests
            try:
                more = job.step(client)
            finally:
                self.requests_sent += client.stats.requests - before
                job.requests += client.stats.requests - before
        except Exception as exc:  # noqa: BLE001 - a job's failure is the job's caller's to handle
            self._jobs.pop(0)
            log.info("job %s stopped: %s", job.name, exc)
            if isinstance(exc, MeterError) and classify(exc) is not Failure.TRANSIENT:
                self._drop_client()
                if self._poller is not None:
                    self._poller.failed(Task.DEMAND, classify(exc), exc.user_message)
            job.result.set_exception(exc)
            self._job_ended(job)
            return
        if not more:
            self._jobs.pop(0)
            job.result.set_result(True)
            self._job_ended(job)

    def _abandon_jobs(self) -> None:
        """The meter may have changed: jobs planned for the old one (a backfill's reading sets and hrefs) end
        here, and their owners plan again (the history recorder backfills what the store lacks)."""
        jobs, self._jobs = self._jobs, []
        for job in jobs:
            log.info("job %s stopped: the meter changed", job.name)
            _fail(job, Unreachable("the meter changed", user_message="The meter changed; its history is read again."))
            self._job_ended(job)

    def _fail_waiting(self) -> None:
        jobs, self._jobs = self._jobs, []
        self._interval_job = None
        for job in jobs:
            _fail(job, quitting_error())
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            if isinstance(command, Probe | Job):
                _fail(command, quitting_error())

    # -- live tasks --------------------------------------------------------------------------------

    def _run(self, task: Task) -> bool:
        """Do one task; False when it failed in a way that blocks the others (back-off)."""
        poller = self._poller
        assert poller is not None
        if task is Task.LOCATE:
            sfdi = self._target.meter_sfdi
            self._emit(LocateRequested(sfdi))
            return True
        if task is Task.INTERVALS:  # only the history reader reads the meter's history (as jobs)
            if self._reader is None:
                poller.succeeded(Task.INTERVALS)
                return True
            return self._queue_history_read()
        if task is Task.PROBE:
            return self._probe_port(poller)
        try:
            client = self._ensure_client()
            before = client.stats.requests
            try:
                result = self._call(client, task)
            finally:
                self.requests_sent += client.stats.requests - before
        except Exception as exc:  # noqa: BLE001 - every failure is classified and reported
            if self._stopping.is_set():
                return False
            failure = classify(exc)
            message = exc.user_message if isinstance(exc, MeterError) else str(exc)
            level = logging.INFO if failure is not Failure.TRANSIENT else logging.WARNING
            if not self._failure_log.due(f"{task.value}:{failure.value}"):
                level = logging.DEBUG  # the same failure again: the activity log's hourly summary counts it
            log.log(level, "%s failed (%s): %s", task.value, failure.value, exc)
            if not isinstance(exc, MeterError):
                log.debug("unexpected error type from the meter client", exc_info=exc)
            if isinstance(exc, IdentityMismatch) or failure is not Failure.TRANSIENT:
                self._drop_client()
            poller.failed(task, failure, message)
            self._emit(RequestFailed(task.value, str(exc)))
            return failure is Failure.TRANSIENT
        flagged: ReadingFlagged | None = None
        if isinstance(result, Measurement):
            check = self._checker.check_demand(result)
            poller.succeeded(task, fresh=check.trusted, detail=check.reason)
            if not check.trusted:
                flagged = ReadingFlagged("demand", check.label, check.reason)
        else:
            poller.succeeded(task)
        self._learn_pin()
        if task is Task.DEVICE_INFO:
            assert isinstance(result, DeviceInfo)
            self._check_firmware(result.sw_version)
        self._save_profile()
        self._emit_status()  # "connected" before the reading it brings
        if isinstance(result, Measurement):
            if flagged is not None:  # never to alerts or the history: shown as suspect or stale (and logged)
                log.debug("demand reading %.0f W not used: %s", result.value, flagged.reason)
                self._emit(flagged)
            else:
                self._emit(DemandRead(result))
        elif isinstance(result, Registers):
            checked = self._checker.check_registers(result)
            if not checked.trusted:
                reasons = "; ".join(checked.reasons)
                log.debug("register reading not used: %s", reasons)
                label = checked.delivered.label or checked.received.label
                self._emit(ReadingFlagged("registers", label, reasons))
                result = checked.trusted_part(result)  # the flagged register is a gap, never a guessed value
            self._emit(RegistersRead(result))
            self._registers_for_today(result)
        elif isinstance(result, DeviceInfo):
            self._emit(DeviceInfoRead(result))
        return True

    def _call(self, client: MeterClientLike, task: Task) -> Measurement | Registers | DeviceInfo:
        if task is Task.DEMAND:
            return client.read_demand()
        if task is Task.REGISTERS:
            include_tou = self._register_reads % TOU_EVERY == 0
            self._register_reads += 1
            return client.read_registers(include_tou=include_tou)
        return client.device_info()

    def _probe_port(self, poller: Poller) -> bool:
        """While the meter is away: a plain TCP connect (nearly free for it); the handshake follows only when the
        port answers."""
        client = self._ensure_client()
        try:
            answers = client.port_answers()
        except Exception as exc:  # noqa: BLE001 - a probe that fails is a port that does not answer
            log.debug("port probe failed: %s", exc)
            answers = False
        poller.probed(answers, "" if answers else "The meter's port does not answer yet.")
        return True

    def _learn_pin(self) -> None:
        """First contact: the meter's LFDI becomes the pin (a DHCP change can put another device there)."""
        pinned = self._client.meter_lfdi if self._client is not None else None
        if pinned and pinned != self._target.meter_lfdi:
            log.info("pinned the meter's LFDI %s", pinned)
            self._change_target(self._target.replace(meter_lfdi=pinned), reconnect=False)
        if self._target.identity is not None and not self._target.registered:
            self._change_target(self._target.replace(registered=True), reconnect=False)

    def _registers_for_today(self, registers: Registers) -> None:
        meter_at = registers.delivered_at
        if meter_at is not None and self._poller is not None:  # slots close on the meter's clock
            self._poller.meter_skew_s = (meter_at - registers.read_at).total_seconds()
        self._emit_today()

    def _emit_today(self) -> None:
        """Today so far, from the history reader (the store): without one there is no figure to give."""
        if self._reader is None:
            return
        try:
            today = self._reader.today()
        except Exception:  # noqa: BLE001 - the history reader's bug must not stop the meter
            log.exception("computing today's energy failed")
            return
        if today is not None:
            self._emit(TodayChanged(today))

    def _check_firmware(self, firmware: str | None) -> None:
        """A firmware update may move resources: forget the saved profile and walk the meter again."""
        self._firmware = firmware
        cache = self._profiles
        if cache is None or not firmware:
            return
        known = cache.firmware(self._target.meter_lfdi)
        if known is not None and known != firmware and self._client is not None:
            log.info("meter firmware changed (%s -> %s): learning its resources again", known, firmware)
            cache.clear()
            try:
                self._client.ensure_profile(refresh=True)
            except Exception as exc:  # noqa: BLE001 - the next read walks again
                log.info("re-walking the meter after a firmware change failed: %s", exc)

    def _save_profile(self) -> None:
        """Keep the client's profile for the next start (once per profile object and firmware)."""
        cache = self._profiles
        client = self._client
        profile = client.cached_profile if client is not None else None
        if cache is None or profile is None or client is None:
            return
        if client.profile_relearned > self._relearned_seen:  # the saved profile failed: forget it, keep the new walk
            self._relearned_seen = client.profile_relearned
            log.info("the saved meter profile no longer worked: it was dropped and the meter walked again")
            cache.clear()
            self._saved_profile = None
        saved, firmware = self._saved_profile or (None, None)
        if profile is saved and firmware == self._firmware:
            return
        self._saved_profile = (profile, self._firmware)
        cache.save(profile, self._firmware or cache.firmware(profile.meter_lfdi))

    # -- the connection ----------------------------------------------------------------------------

    def _ensure_client(self) -> MeterClientLike:
        if self._client is None:
            self._client = self._factory(self._target, self.options, self._profiles)
            self._relearned_seen = 0
            self._set_in_flight(self._client)
            if self._stopping.is_set():
                self._client.abort()
        return self._client

    def _set_in_flight(self, client: MeterClientLike | None) -> None:
        with self._in_flight_lock:
            self._in_flight = client

    def _drop_client(self) -> None:
        client, self._client = self._client, None
        self._set_in_flight(None)
        self._close_client(client)

    def _close_client(self, client: MeterClientLike | None) -> None:
        """Close a client's connection; unless quitting, wait for the meter to close its side first, so that
        the next connection (ours, a probe's) never meets the old one still open on the meter."""
        if client is None:
            return
        try:
            if not self._stopping.is_set():
                client.release()
        except Exception:  # noqa: BLE001 - a broken connection has nothing to release
            log.debug("releasing the meter connection failed", exc_info=True)
        try:
            client.close()
        except Exception:  # noqa: BLE001 - closing a broken connection must not break the session
            log.debug("closing the meter client failed", exc_info=True)

    # -- events ------------------------------------------------------------------------------------

    def _emit_status(self) -> None:
        if self._poller is None:
            return
        status = self._poller.status()
        if status != self._last_status:
            self._last_status = status
            self._emit(StateChanged(status))

    def _emit(self, event: Event) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # noqa: BLE001 - one listener's bug must not stop the meter
                log.exception("a session listener failed on %s", type(event).__name__)


def _fail(command: Probe | Job, error: BaseException) -> None:
    future: concurrent.futures.Future[Any] = command.result
    if not future.done():
        future.set_exception(error)


def _replace(options: SessionOptions, **changes: Any) -> SessionOptions:
    import dataclasses

    return dataclasses.replace(options, **changes)
