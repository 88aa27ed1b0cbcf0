"""The one owner of the meter connection: a QObject living in its own QThread.

Every request the app makes (demand, registers, device information) goes through this object, one at a
time, on the client's single connection. It follows :class:`~xcelsior_desktop.services.poller.Poller`
(the Qt-free policy) and reports by signals; the GUI never calls the client.

Lifecycle (see :class:`MeterThread`): ``start`` in the thread, ``stop`` queued from the GUI; ``abort`` may be
called from any thread to break a blocked request so quitting never waits for a meter timeout.

Probes with another identity (waiting for activation, a renewal) must not open a second connection while this
worker holds the meter's only one, so they come here too: :meth:`MeterWorker.probe_blocking` (any thread but this
one) queues a :class:`ProbeRequest`; the worker drops its kept-alive connection, probes on its own thread with a
temporary client, hands back the result and carries on polling.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import QMetaObject, QObject, Qt, QThread, QTimer, Signal, Slot

from xcelsior_desktop.app.abort import SocketTracker, install_tracker
from xcelsior_desktop.meter.errors import IdentityMismatch, MeterError
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.services.poller import Failure, Poller, State, Status, Task, classify
from xcelsior_desktop.services.today import TodayTracker

log = logging.getLogger(__name__)

TOU_EVERY = 15  # register reads: TOU tiers only every 15th read (they cost ~4 GETs; totals cost 2)


@dataclass(frozen=True)
class WorkerConfig:
    identity: Identity | None
    host: str | None
    port: int = 8081
    meter_lfdi: str | None = None
    interval_s: float = 5.0
    register_interval_s: float = 60.0
    automatic_address: bool = True
    ever_registered: bool = False
    connect_timeout: float = 5.0
    handshake_timeout: float = 15.0
    read_timeout: float = 10.0
    profile_cache: Any = None  # services.profile_cache.ProfileCache, or None (the demo: nothing saved)
    read_history: bool = True  # the 15-minute history, for "today" since local midnight
    time_zone: Any = None  # tzinfo of the household's day; None = this computer's zone


@dataclass(eq=False)  # compared and hashed by identity: each request is one waiting caller
class ProbeRequest:
    """One probe through the worker; ``done`` is set when ``result`` (a ProbeResult) or ``error`` is there."""

    identity: Identity
    host: str
    port: int
    meter_lfdi: str | None = None  # pin (a renewal talks to the known meter); None while learning it
    result: Any = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def finish(self, result: Any = None, error: BaseException | None = None) -> None:
        self.result, self.error = result, error
        self.done.set()


ClientFactory = Callable[[WorkerConfig], Any]


def default_client_factory(config: WorkerConfig) -> Any:
    from xcelsior_desktop.meter.client import MeterClient

    assert config.identity is not None and config.host is not None
    cache = config.profile_cache
    return MeterClient(
        config.host,
        config.port,
        identity=config.identity,
        meter_lfdi=config.meter_lfdi,
        connect_timeout=config.connect_timeout,
        handshake_timeout=config.handshake_timeout,
        read_timeout=config.read_timeout,
        profile=cache.load(config.meter_lfdi) if cache is not None else None,
    )


def probe_client(request: ProbeRequest, config: WorkerConfig) -> Any:
    """The short-lived client a probe uses (same timeouts as polling)."""
    from xcelsior_desktop.meter.client import MeterClient

    return MeterClient(request.host, request.port, identity=request.identity, meter_lfdi=request.meter_lfdi,
                       connect_timeout=config.connect_timeout, handshake_timeout=config.handshake_timeout,
                       read_timeout=config.read_timeout)


class MeterWorker(QObject):
    demand_read = Signal(object)  # meter.values.Measurement
    registers_read = Signal(object)  # meter.values.Registers
    intervals_read = Signal(object)  # list[meter.values.IntervalEnergy]: new 15-minute slots of today
    today_changed = Signal(object)  # services.today.TodaySoFar (after each register or history read)
    device_info_read = Signal(object)  # meter.values.DeviceInfo
    status_changed = Signal(object)  # services.poller.Status
    meter_pinned = Signal(str)  # the meter's LFDI, learned on first contact: save it
    locate_requested = Signal()  # run discovery (DiscoveryWorker), answer with located()
    request_failed = Signal(str, str)  # task, technical detail (for the log and notifications)
    probe_requested = Signal(object)  # ProbeRequest, queued into the worker thread by probe_blocking()
    probed = Signal(object)  # the finished ProbeRequest (tests, logs)
    stopped = Signal()

    def __init__(self, config: WorkerConfig, client_factory: ClientFactory = default_client_factory,
                 probe_factory: Callable[[ProbeRequest, WorkerConfig], Any] = probe_client) -> None:
        super().__init__()
        self._config = config
        self._factory = client_factory
        self._probe_factory = probe_factory
        self._pending_probes: set[ProbeRequest] = set()
        self._probes_lock = threading.Lock()
        self._saved_profile: Any = None
        self._firmware: str | None = None
        self.probe_requested.connect(self.probe_identity, Qt.ConnectionType.QueuedConnection)
        self._client: Any = None
        self._tracker: SocketTracker | None = None
        self._tracker_lock = threading.Lock()
        self._stopping = threading.Event()
        self._timer: QTimer | None = None
        self._poller: Poller | None = None
        self._last_status: Status | None = None
        self._register_reads = 0
        self._today = TodayTracker(config.time_zone)
        self.history_reads: list[int] = []  # GETs each history read cost (bench, tests)
        self.requests_sent = 0  # GETs sent by clients this worker created (for the bench)

    # -- lifecycle (worker thread) -----------------------------------------------------------------

    @Slot()
    def start(self) -> None:
        cfg = self._config
        self._poller = Poller(
            interval_s=cfg.interval_s,
            register_interval_s=cfg.register_interval_s,
            has_identity=cfg.identity is not None,
            has_address=cfg.host is not None,
            automatic_address=cfg.automatic_address,
            ever_registered=cfg.ever_registered,
            history=cfg.read_history,
        )
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.CoarseTimer)
        self._timer.timeout.connect(self._tick)
        self._tick()

    @Slot()
    def stop(self) -> None:
        """Close the connection and end the thread's event loop (queued from the GUI thread)."""
        self._stopping.set()
        if self._timer is not None:
            self._timer.stop()
        self._drop_client()
        self._fail_pending_probes()
        self.stopped.emit()
        thread = self.thread()
        if thread is not None:
            thread.quit()

    def abort(self) -> None:
        """Any thread: make a blocked request fail now (used when quitting)."""
        self._stopping.set()
        with self._tracker_lock:
            tracker = self._tracker
        if tracker is not None:
            tracker.abort()
        self._fail_pending_probes()

    # -- probes with another identity (activation, renewal) ----------------------------------------

    def probe_blocking(self, identity: Identity, host: str, port: int, meter_lfdi: str | None = None,
                       timeout_s: float | None = None) -> Any:
        """From any thread but the worker's: probe through the worker and wait for the ProbeResult.

        Raises the probe's error, or :class:`~xcelsior_desktop.meter.errors.Unreachable` when the worker is
        stopping or does not answer in time.
        """
        from xcelsior_desktop.meter.errors import Unreachable

        cfg = self._config
        request = ProbeRequest(identity, host, int(port), meter_lfdi)
        with self._probes_lock:
            if self._stopping.is_set():
                raise Unreachable("the app is quitting", user_message="The app is quitting.")
            self._pending_probes.add(request)
        self.probe_requested.emit(request)
        # a request in flight ends within its timeouts; then ours runs (connect + handshake + slack)
        limit = timeout_s if timeout_s is not None else 2 * (cfg.connect_timeout + cfg.handshake_timeout
                                                              + cfg.read_timeout) + 5.0
        if not request.done.wait(limit):
            with self._probes_lock:
                self._pending_probes.discard(request)
            raise Unreachable("the meter worker did not run the probe in time",
                              user_message="The meter did not answer in time; we will try again.")
        if request.error is not None:
            raise request.error
        return request.result

    @Slot(object)
    def probe_identity(self, request: ProbeRequest) -> None:
        """Worker thread: release our connection, probe with the request's identity, resume polling."""
        with self._probes_lock:
            if request not in self._pending_probes:
                return  # the caller gave up waiting
            self._pending_probes.discard(request)
        if self._stopping.is_set():
            request.finish(error=_quitting_error())
            return
        self._drop_client()  # the meter serves one connection: ours must be closed before the probe's
        client = None
        tracker = None
        try:
            client = self._probe_factory(request, self._config)
            tracker = install_tracker(client)
            with self._tracker_lock:
                self._tracker = tracker
            result = client.probe()
        except Exception as exc:  # noqa: BLE001 - handed to the waiting caller, who classifies it
            request.finish(error=exc)
        else:
            request.finish(result=result)
        finally:
            with self._tracker_lock:
                self._tracker = None
            self._close_client(client, tracker)  # as for our own: the meter closes its side before we poll again
        log.info("probe through the worker for LFDI %s: %s", request.identity.lfdi[:10],
                 "accepted" if getattr(request.result, "accepted", False) else request.error or "refused")
        self.probed.emit(request)
        self._after_tasks()  # polling goes on with our own identity (a new connection on the next tick)

    def _fail_pending_probes(self) -> None:
        with self._probes_lock:
            pending, self._pending_probes = self._pending_probes, set()
        for request in pending:
            request.finish(error=_quitting_error())

    # -- commands from the GUI (queued into the worker thread) -------------------------------------

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        if self._poller is None:
            return
        self._poller.set_paused(paused)
        if paused:
            self._drop_client()  # release the meter's only connection for others
        self._after_tasks()

    @Slot(float)
    def set_interval(self, seconds: float) -> None:
        self._config = replace(self._config, interval_s=seconds)
        if self._poller is not None:
            self._poller.set_interval(seconds)
            self._after_tasks()

    @Slot(object, int, bool)
    def set_address(self, host: str | None, port: int, automatic: bool) -> None:
        """New address (settings changed or discovery found the meter): reconnect from scratch."""
        self._config = replace(self._config, host=host, port=port, automatic_address=automatic)
        self._drop_client()
        if self._poller is not None:
            self._poller.set_address(host is not None, automatic)
            self._tick()

    @Slot(object)
    def set_identity(self, identity: Identity | None) -> None:
        """Setup finished (or the identity was removed): use the new certificate from the next request."""
        self._config = replace(self._config, identity=identity, ever_registered=False)
        self._drop_client()
        if self._poller is not None:
            self._poller.ever_registered = False
            self._poller.set_identity(identity is not None)
            self._tick()

    @Slot(object)
    def reconfigure(self, changes: dict[str, Any]) -> None:
        """Several settings at once (setup finished, activation accepted, renewal switched): start over cleanly.

        ``changes`` holds WorkerConfig fields (identity, host, port, meter_lfdi, automatic_address,
        ever_registered, interval_s).
        """
        self._config = replace(self._config, **changes)
        self._drop_client()
        poller = self._poller
        if poller is None:
            return
        cfg = self._config
        poller.ever_registered = cfg.ever_registered
        if "interval_s" in changes:
            poller.set_interval(cfg.interval_s)
        poller.has_identity = cfg.identity is not None
        poller.set_address(cfg.host is not None, cfg.automatic_address)
        poller.restart()
        self._tick()

    @Slot(object)
    def located(self, address: tuple[str, int] | None) -> None:
        """Discovery's answer: (host, port) of our meter, or None."""
        if self._poller is None:
            return
        if address is not None:
            host, port = address
            self._config = replace(self._config, host=host, port=port)
            self._drop_client()
            self._poller.located(True)
        else:
            self._poller.located(False, "No meter answered on the local network.")
        self._tick()

    @Slot()
    def refresh_now(self) -> None:
        """Read demand now (e.g. the window opened); still subject to back-off."""
        if self._poller is not None and not self._poller.paused:
            self._tick()

    # -- the loop ----------------------------------------------------------------------------------

    @Slot()
    def _tick(self) -> None:
        poller = self._poller
        if poller is None or self._stopping.is_set():
            return
        if poller.clock_check():
            log.info("the computer slept: dropping the meter connection and reconnecting after a pause")
            self._drop_client()
        for task in poller.due():
            if self._stopping.is_set():
                return
            if not self._run(task):
                break  # back-off applies to the rest
        self._after_tasks()

    def _after_tasks(self) -> None:
        poller = self._poller
        if poller is None or self._stopping.is_set():
            return
        status = poller.status()
        if status != self._last_status:
            self._last_status = status
            self.status_changed.emit(status)
        wait = poller.wait_s()
        if self._timer is not None:
            if wait is None:
                self._timer.stop()
            else:
                self._timer.start(max(10, int(wait * 1000)))

    def _run(self, task: Task) -> bool:
        """Do one task; False when it failed in a way that blocks the others (back-off)."""
        poller = self._poller
        assert poller is not None
        if task is Task.LOCATE:
            self.locate_requested.emit()
            return True
        try:
            client = self._ensure_client()
            before = client.stats.requests
            try:
                result = self._call(client, task)
            finally:
                self.requests_sent += client.stats.requests - before
                if task is Task.INTERVALS:
                    self.history_reads.append(client.stats.requests - before)
        except Exception as exc:  # noqa: BLE001 - every failure is classified and reported
            if self._stopping.is_set():
                return False
            failure = classify(exc)
            message = exc.user_message if isinstance(exc, MeterError) else str(exc)
            level = logging.INFO if failure is not Failure.TRANSIENT else logging.WARNING
            log.log(level, "%s failed (%s): %s", task.value, failure.value, exc)
            if not isinstance(exc, MeterError):
                log.debug("unexpected error type from the meter client", exc_info=exc)
            if isinstance(exc, IdentityMismatch) or failure is not Failure.TRANSIENT:
                self._drop_client()
            poller.failed(task, failure, message)
            self.request_failed.emit(task.value, str(exc))
            if task is Task.INTERVALS:
                self._today.history_failed(message)
                self._emit_today()
            return failure is Failure.TRANSIENT
        poller.succeeded(task)
        pinned = getattr(self._client, "meter_lfdi", None)
        if pinned and pinned != self._config.meter_lfdi:
            self._config = replace(self._config, meter_lfdi=pinned)
            self.meter_pinned.emit(pinned)
        if task is Task.DEVICE_INFO:
            self._check_firmware(getattr(result, "sw_version", None))
        self._save_profile()
        if task is Task.DEMAND:
            self.demand_read.emit(result)
        elif task is Task.REGISTERS:
            self.registers_read.emit(result)
            self._registers_for_today(result)
        elif task is Task.INTERVALS:
            self._today.add_history(result)
            self.intervals_read.emit(result)
            self._emit_today()
        elif task is Task.DEVICE_INFO:
            self.device_info_read.emit(result)
        return True

    def _call(self, client: Any, task: Task) -> Any:
        if task is Task.DEMAND:
            return client.read_demand()
        if task is Task.REGISTERS:
            include_tou = self._register_reads % TOU_EVERY == 0
            self._register_reads += 1
            return client.read_registers(include_tou=include_tou)
        if task is Task.INTERVALS:
            now = self._today.now() or dt.datetime.now(dt.UTC)
            return client.intervals(self._today.next_since(now))
        return client.device_info()

    def _registers_for_today(self, registers: Any) -> None:
        meter_at = getattr(registers, "delivered_at", None)
        if meter_at is not None and self._poller is not None:  # slots close on the meter's clock
            self._poller.meter_skew_s = (meter_at - registers.read_at).total_seconds()
        self._today.add_registers(registers)
        if self._config.read_history:
            self._emit_today()

    def _emit_today(self) -> None:
        today = self._today.compute()
        if today is not None:
            self.today_changed.emit(today)

    def _check_firmware(self, firmware: str | None) -> None:
        """A firmware update may move resources: forget the saved profile and walk the meter again."""
        self._firmware = firmware
        cache = self._config.profile_cache
        if cache is None or not firmware:
            return
        known = cache.firmware(self._config.meter_lfdi)
        if known is not None and known != firmware and self._client is not None:
            log.info("meter firmware changed (%s -> %s): learning its resources again", known, firmware)
            cache.clear()
            try:
                self._client.ensure_profile(refresh=True)
            except Exception as exc:  # noqa: BLE001 - the next read walks again
                log.info("re-walking the meter after a firmware change failed: %s", exc)

    def _save_profile(self) -> None:
        """Keep the client's profile for the next start (once per profile object and firmware)."""
        cache = self._config.profile_cache
        profile = getattr(self._client, "cached_profile", None)
        if cache is None or profile is None:
            return
        saved, firmware = self._saved_profile or (None, None)
        if profile is saved and firmware == self._firmware:
            return
        self._saved_profile = (profile, self._firmware)
        cache.save(profile, self._firmware or cache.firmware(profile.meter_lfdi))

    def _ensure_client(self) -> Any:
        if self._client is None:
            self._client = self._factory(self._config)
            tracker = install_tracker(self._client)
            with self._tracker_lock:
                self._tracker = tracker
        return self._client

    def _drop_client(self) -> None:
        client, self._client = self._client, None
        with self._tracker_lock:
            tracker, self._tracker = self._tracker, None
        self._close_client(client, tracker)

    def _close_client(self, client: Any, tracker: SocketTracker | None) -> None:
        """Close a client's connection; unless quitting, wait for the meter to close its side first, so that
        the next connection (ours, a probe's) never meets the old one still open on the meter."""
        if client is None:
            return
        if tracker is not None and not self._stopping.is_set():
            tracker.release()
        try:
            client.close()
        except Exception:  # noqa: BLE001 - closing a broken connection must not break the worker
            log.debug("closing the meter client failed", exc_info=True)

    @property
    def state(self) -> State | None:
        return self._poller.state if self._poller else None


def _quitting_error() -> BaseException:
    from xcelsior_desktop.meter.errors import Unreachable

    return Unreachable("the app is quitting", user_message="The app is quitting.")


class MeterControl(QObject):
    """Commands to the worker from the GUI thread. Emitting these queues the call into the worker's thread."""

    pause = Signal(bool)
    interval = Signal(float)
    address = Signal(object, int, bool)  # host (None = automatic discovery), port, automatic
    identity = Signal(object)  # Identity | None
    located = Signal(object)  # (host, port) | None
    refresh = Signal()
    reconfigure = Signal(object)  # dict of WorkerConfig fields


class MeterThread:
    """Runs a :class:`MeterWorker` in its own QThread and stops it without hanging.

    Talk to the worker through :attr:`control` (queued signals); listen to the worker's signals.
    """

    def __init__(self, worker: MeterWorker) -> None:
        self.worker = worker
        self.thread = QThread()
        self.thread.setObjectName("meter-worker")
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.start)
        self.control = MeterControl()
        queued = Qt.ConnectionType.QueuedConnection
        self.control.pause.connect(worker.set_paused, queued)
        self.control.interval.connect(worker.set_interval, queued)
        self.control.address.connect(worker.set_address, queued)
        self.control.identity.connect(worker.set_identity, queued)
        self.control.located.connect(worker.located, queued)
        self.control.refresh.connect(worker.refresh_now, queued)
        self.control.reconfigure.connect(worker.reconfigure, queued)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout_s: float = 8.0) -> bool:
        """Abort any request in flight, close the connection, join the thread. True when it ended in time."""
        if not self.thread.isRunning():
            return True
        self.worker.abort()
        QMetaObject.invokeMethod(self.worker, "stop", Qt.ConnectionType.QueuedConnection)
        finished = self.thread.wait(int(timeout_s * 1000))
        if not finished:
            log.warning("the meter thread did not stop within %.0f s (a TCP connect in progress?)", timeout_s)
        return bool(finished)
