"""The meter session: the one owner of which meter, which certificate, and the meter's only connection.

Qt-free. It owns the :class:`~xcelsior_desktop.session.target.MeterTarget` (an immutable value) and the
:class:`~xcelsior_desktop.session.poller.Poller` (the polling policy), and runs one queue of typed commands
(session/commands.py). Everyone else sends commands (:meth:`MeterSession.post`, from any thread) and listens on
:attr:`MeterSession.events` (session/events.py); nobody keeps a second copy of the target.

Its helpers each do one job: :class:`~xcelsior_desktop.session.connection.MeterConnection` (the one client),
:class:`~xcelsior_desktop.session.jobs.JobQueue` (jobs and the bridge to the history store),
:func:`~xcelsior_desktop.session.probes.run_probe` (handshakes with another identity),
:class:`~xcelsior_desktop.session.profile_keeper.ProfileKeeper` (the saved meter profile) and the
:class:`~xcelsior_desktop.session.plausibility.PlausibilityChecker` (readings not to trust).

Threading: all the work happens in :meth:`MeterSession.step`, called by one thread (the app's meter thread, or a
test's loop). ``step`` runs the queued commands, then the poller's due tasks, then at most one slice of a
background job (a backfill) when nothing live is due, and returns how long to sleep. ``post`` wakes the stepping
thread through the ``wake`` callback its owner installs. Listeners are called on the stepping thread.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from xcelsior_desktop.common.throttle import Throttle
from xcelsior_desktop.meter.errors import IdentityMismatch, MeterError
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.meter.values import DeviceInfo, Measurement, Registers
from xcelsior_desktop.session.commands import (
    Command,
    Job,
    Located,
    Pause,
    Probe,
    Refresh,
    RetryNow,
    SetAddress,
    SetIdentity,
    SetInterval,
    SetTarget,
    UseHistory,
    fail,
    quitting_error,
)
from xcelsior_desktop.session.connection import (
    ClientFactory,
    MeterClientLike,
    MeterConnection,
    ProfileStore,
    SessionOptions,
    default_client_factory,
)
from xcelsior_desktop.session.events import (
    DemandRead,
    DeviceInfoRead,
    Event,
    EventBus,
    LocateRequested,
    MeterPinned,
    ReadingFlagged,
    RegistersRead,
    RequestFailed,
    StateChanged,
    TargetChanged,
)
from xcelsior_desktop.session.jobs import JobQueue
from xcelsior_desktop.session.plausibility import PlausibilityChecker
from xcelsior_desktop.session.poller import Failure, Poller, State, Status, Task, classify
from xcelsior_desktop.session.probes import run_probe
from xcelsior_desktop.session.profile_keeper import ProfileKeeper
from xcelsior_desktop.session.target import MeterTarget

log = logging.getLogger(__name__)

TOU_EVERY = 15  # register reads: TOU tiers only every 15th read (they cost ~4 GETs; totals cost 2)


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
        self._mono = monotonic
        self._wall = wall
        self.events = EventBus()  # every event of this session, on the stepping thread
        self._commands: queue.SimpleQueue[Command] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._connection = MeterConnection(client_factory, profiles)
        self._jobs = JobQueue(self._connection, self.events, self._job_met_meter_error)
        self._profiles = ProfileKeeper(profiles)
        self._checker = PlausibilityChecker(monotonic=monotonic)
        self._poller: Poller | None = None
        self._last_status: Status | None = None
        self._register_reads = 0
        self._failure_log = Throttle(clock=monotonic)  # a failure that repeats is logged once an hour
        self._handlers: dict[type[Any], Callable[[Any], None]] = {
            SetTarget: self._set_target, SetIdentity: self._set_identity, SetAddress: self._set_address,
            Located: self._located, Pause: self._pause, SetInterval: self._set_interval, Refresh: _nothing,
            RetryNow: self._retry_now, Probe: self._probe, Job: self._jobs.add, UseHistory: self._use_history,
        }
        self.wake: Callable[[], None] = lambda: None  # set by the thread that steps the session

    # -- what others may ask -----------------------------------------------------------------------

    @property
    def target(self) -> MeterTarget:
        return self._target

    @property
    def state(self) -> State | None:
        return self._poller.state if self._poller is not None else None

    def status(self) -> Status | None:
        return self._poller.status() if self._poller is not None else None

    @property
    def history_reads(self) -> list[int]:
        """GETs each read of the meter's history cost (bench, tests)."""
        return self._jobs.history_reads

    @property
    def requests_sent(self) -> int:
        """GETs sent by the clients this session made (bench)."""
        return self._connection.requests_sent

    def post(self, command: Command) -> None:
        """Any thread: queue a command; the stepping thread runs it at its next step (woken now)."""
        if self._stopping.is_set():
            if isinstance(command, Probe | Job):
                fail(command, quitting_error())
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
        opts = self.options
        self._poller = Poller(
            target=lambda: self._target,  # asked each time: the session's target is the one copy
            interval_s=opts.interval_s,
            register_interval_s=opts.register_interval_s,
            history=opts.read_history,
            monotonic=self._mono,
            wall=self._wall,
        )

    def stop(self) -> None:
        """Stepping thread: close the connection, fail what waits. Idempotent."""
        self._stopping.set()
        self._connection.abort()
        self._connection.drop()
        self._fail_waiting()

    def abort(self) -> None:
        """Any thread: make a blocked request fail now (quitting)."""
        self._stopping.set()
        self._connection.abort()

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
            self._connection.drop()
        if not self.options.live:  # only jobs: a command-line read, one thing and done
            if self._jobs:
                self._jobs.run_slice(self._target, self.options)
            return 0.0 if self._jobs else None
        ran_live = False
        for task in poller.due():
            if self._stopping.is_set():
                return None
            ran_live = True
            if not self._run(task):
                break  # back-off applies to the rest
        if not ran_live and self._jobs and self._connected():
            self._jobs.run_slice(self._target, self.options)
        self._publish_status()
        wait = poller.wait_s()
        if self._jobs and self._connected() and not poller.paused:
            wait = 0.0 if wait is None else min(wait, 0.0)
        return wait

    def _connected(self) -> bool:
        return self._poller is not None and self._poller.state in (State.CONNECTED, State.STALE)

    def _fail_waiting(self) -> None:
        self._jobs.fail_all(quitting_error())
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            if isinstance(command, Probe | Job):
                fail(command, quitting_error())

    # -- commands ----------------------------------------------------------------------------------

    def _run_commands(self) -> None:
        while not self._stopping.is_set():
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                self._handlers[type(command)](command)
            except Exception as exc:  # noqa: BLE001 - a command must never kill the meter thread
                log.exception("session command %s failed", type(command).__name__)
                if isinstance(command, Probe | Job):
                    fail(command, exc)

    @property
    def _policy(self) -> Poller:
        assert self._poller is not None, "start() first"
        return self._poller

    def _set_target(self, command: SetTarget) -> None:
        self._change_target(command.target.replace(role=self._target.role), reconnect=True)
        if self._target.has_identity:
            self._policy.address_changed()  # contact (or look for) the meter afresh
        else:
            self._policy.identity_changed()

    def _set_identity(self, command: SetIdentity) -> None:
        registered = command.registered and command.identity is not None
        self._change_target(self._target.replace(identity=command.identity, registered=registered), reconnect=True)
        self._policy.identity_changed()

    def _set_address(self, command: SetAddress) -> None:
        self._change_target(self._target.replace(host=command.host, port=int(command.port),
                                                 automatic=command.automatic), reconnect=True)
        self._policy.address_changed()

    def _located(self, command: Located) -> None:
        if command.address is None:
            self._policy.located(False, "No meter answered on the local network.")
            return
        host, port = command.address
        self._change_target(self._target.replace(host=host, port=int(port)), reconnect=True)
        self._policy.located(True)

    def _pause(self, command: Pause) -> None:
        self._policy.set_paused(command.paused)
        if command.paused:
            self._connection.drop()  # release the meter's only connection for others

    def _set_interval(self, command: SetInterval) -> None:
        self.options = dataclasses.replace(self.options, interval_s=command.seconds)
        self._policy.set_interval(command.seconds)

    def _retry_now(self, _command: RetryNow) -> None:
        self._policy.retry_now()

    def _probe(self, probe: Probe) -> None:
        run_probe(probe, self._connection, self.options)  # its caller waits on probe.result

    def _use_history(self, command: UseHistory) -> None:
        self._jobs.use_history(command.reader)

    def _change_target(self, target: MeterTarget, *, reconnect: bool) -> None:
        previous = self._target
        if target == previous:
            return
        self._target = target
        if target.meter_lfdi != previous.meter_lfdi and previous.meter_lfdi is not None:
            self._checker.reset()  # another meter: its registers are not a continuation of the old one's
        if reconnect and (target.identity, target.host, target.port, target.meter_lfdi) != (
                previous.identity, previous.host, previous.port, previous.meter_lfdi):
            self._connection.drop()
            moved = (target.host, target.port, target.meter_lfdi) != (previous.host, previous.port,
                                                                     previous.meter_lfdi)
            same_meter = target.meter_lfdi is not None and target.meter_lfdi == previous.meter_lfdi  # pin checked
            if moved and not same_meter:
                self._jobs.abandon()  # perhaps another meter: a backfill's reading sets are the old one's
        self.events.publish(TargetChanged(target, previous))
        if target.meter_lfdi and target.meter_lfdi != previous.meter_lfdi:
            self.events.publish(MeterPinned(target.meter_lfdi))

    # -- live tasks --------------------------------------------------------------------------------

    def _run(self, task: Task) -> bool:
        """Do one task; False when it failed in a way that blocks the others (back-off)."""
        poller = self._policy
        if task is Task.LOCATE:
            self.events.publish(LocateRequested(self._target.meter_sfdi))
            return True
        if task is Task.INTERVALS:  # only the history reader reads the meter's history (as jobs)
            if self._jobs.reads_history and not self._connected():
                return True  # stays due: it runs right after the next successful contact (back-off holds it)
            poller.succeeded(Task.INTERVALS)  # next: just after the next slot closes
            self._jobs.plan_history_read()
            return True
        if task is Task.PROBE:
            return self._probe_port(poller)
        try:
            result = self._connection.use(self._target, self.options, lambda client: self._call(client, task))
        except Exception as exc:  # noqa: BLE001 - every failure is classified and reported
            if self._stopping.is_set():
                return False
            return self._failed(task, exc)
        self._succeeded(task, result)
        return True

    def _call(self, client: MeterClientLike, task: Task) -> Measurement | Registers | DeviceInfo:
        if task is Task.DEMAND:
            return client.read_demand()
        if task is Task.REGISTERS:
            include_tou = self._register_reads % TOU_EVERY == 0
            self._register_reads += 1
            return client.read_registers(include_tou=include_tou)
        return client.device_info()

    def _failed(self, task: Task, exc: Exception) -> bool:
        failure = classify(exc)
        message = exc.user_message if isinstance(exc, MeterError) else str(exc)
        level = logging.INFO if failure is not Failure.TRANSIENT else logging.WARNING
        if not self._failure_log.due(f"{task.value}:{failure.value}"):
            level = logging.DEBUG  # the same failure again: the activity log's hourly summary counts it
        log.log(level, "%s failed (%s): %s", task.value, failure.value, exc)
        if not isinstance(exc, MeterError):
            log.debug("unexpected error type from the meter client", exc_info=exc)
        if isinstance(exc, IdentityMismatch) or failure is not Failure.TRANSIENT:
            self._connection.drop()
        self._policy.failed(task, failure, message)
        self.events.publish(RequestFailed(task.value, str(exc)))
        return failure is Failure.TRANSIENT

    def _succeeded(self, task: Task, result: Measurement | Registers | DeviceInfo) -> None:
        poller = self._policy
        flagged: ReadingFlagged | None = None
        if isinstance(result, Measurement):
            check = self._checker.check_demand(result)
            poller.succeeded(task, fresh=check.trusted, detail=check.reason)
            if not check.trusted:
                flagged = ReadingFlagged("demand", check.label, check.reason)
        else:
            poller.succeeded(task)
        self._learn_pin()
        client = self._connection.client
        if isinstance(result, DeviceInfo):
            self._profiles.firmware_read(result.sw_version, self._target.meter_lfdi, client)
        self._profiles.keep(client)
        self._publish_status()  # "connected" before the reading it brings
        events: list[Event] = []
        if isinstance(result, Measurement):
            if flagged is not None:  # never to alerts or the history: shown as suspect or stale (and logged)
                log.debug("demand reading %.0f W not used: %s", result.value, flagged.reason)
                events.append(flagged)
            else:
                events.append(DemandRead(result))
        elif isinstance(result, Registers):
            checked = self._checker.check_registers(result)
            if not checked.trusted:
                reasons = "; ".join(checked.reasons)
                log.debug("register reading not used: %s", reasons)
                label = checked.delivered.label or checked.received.label
                events.append(ReadingFlagged("registers", label, reasons))
                result = checked.trusted_part(result)  # the flagged register is a gap, never a guessed value
            events.append(RegistersRead(result))
        else:
            events.append(DeviceInfoRead(result))
        for event in events:
            self.events.publish(event)
        if isinstance(result, Registers):
            self._registers_for_today(result)

    def _probe_port(self, poller: Poller) -> bool:
        """While the meter is away: a plain TCP connect (nearly free for it); the handshake follows only when the
        port answers."""
        client = self._connection.ensure(self._target, self.options)
        try:
            answers = client.port_answers()
        except Exception as exc:  # noqa: BLE001 - a probe that fails is a port that does not answer
            log.debug("port probe failed: %s", exc)
            answers = False
        poller.probed(answers, "" if answers else "The meter's port does not answer yet.")
        return True

    def _learn_pin(self) -> None:
        """First contact: the meter's LFDI becomes the pin (a DHCP change can put another device there)."""
        client = self._connection.client
        pinned = client.meter_lfdi if client is not None else None
        if pinned and pinned != self._target.meter_lfdi:
            log.info("pinned the meter's LFDI %s", pinned)
            self._change_target(self._target.replace(meter_lfdi=pinned), reconnect=False)
        if self._target.identity is not None and not self._target.registered:
            self._change_target(self._target.replace(registered=True), reconnect=False)

    def _registers_for_today(self, registers: Registers) -> None:
        meter_at = registers.delivered_at
        if meter_at is not None and self._poller is not None:  # slots close on the meter's clock
            self._poller.meter_skew_s = (meter_at - registers.read_at).total_seconds()
        self._jobs.publish_today()

    def _job_met_meter_error(self, exc: MeterError) -> None:
        """A job's request failed in a way that says the meter is gone or refuses us: live polling backs off."""
        failure = classify(exc)
        if failure is Failure.TRANSIENT:
            return
        self._connection.drop()
        if self._poller is not None:
            self._poller.failed(Task.DEMAND, failure, exc.user_message)

    # -- events ------------------------------------------------------------------------------------

    def _publish_status(self) -> None:
        if self._poller is None:
            return
        status = self._poller.status()
        if status != self._last_status:
            self._last_status = status
            self.events.publish(StateChanged(status))


def _nothing(_command: Refresh) -> None:
    """Refresh: the step that follows runs what is due; back-off still applies."""
