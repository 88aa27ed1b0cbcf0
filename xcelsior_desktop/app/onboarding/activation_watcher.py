"""Keeps checking, in the background and across restarts, whether the meter accepts our certificate.

Thin Qt shell around :class:`xcelsior_desktop.onboarding.activation.ActivationTracker`: a single-shot timer fires
when the next probe is due, the probe runs off the GUI thread (on the meter session's thread in the app), and ``accepted`` is emitted once the meter takes the
certificate. The wizard's waiting page and the app (after a restart) use the same watcher.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QObject, QTimer, Signal

from xcelsior_desktop.meter.errors import Unreachable
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.meter.transport import ProbeResult
from xcelsior_desktop.onboarding.activation import ActivationState, ActivationTracker
from xcelsior_desktop.session.target import MeterTarget

if TYPE_CHECKING:
    from xcelsior_desktop.platform.secrets import IdentityStore

log = logging.getLogger(__name__)

# (host, port, identity) -> the ProbeResult to come. In the app the meter session runs it on the meter thread
# (the meter serves one connection); without an app (a standalone wizard) :func:`probe_meter` runs it.
ProbeFn = Callable[[str, int, Identity], "Future[ProbeResult]"]


def probe_meter(host: str, port: int, identity: Identity) -> Future[ProbeResult]:
    """One probe with the real client, on a short-lived thread: learns the meter's LFDI and whether our
    certificate is accepted."""
    from xcelsior_desktop.meter.client import MeterClient

    future: Future[ProbeResult] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        client = MeterClient(host, port=port, identity=identity, connect_timeout=5.0, handshake_timeout=15.0)
        try:
            future.set_result(client.probe())
        except Exception as exc:  # noqa: BLE001 - the waiting watcher classifies it
            future.set_exception(exc)
        finally:
            client.close()

    threading.Thread(target=run, name="xcelsior-probe", daemon=True).start()
    return future


class FutureSignal(QObject):
    """A Future's outcome as a queued signal on the GUI thread: ``done(result)`` or ``failed(error)``.

    The future may finish on another thread after whoever asked has gone (a closed wizard), so this object has no
    parent and keeps itself alive until it has delivered; listeners that are deleted meanwhile are disconnected by
    Qt and simply miss it.
    """

    done = Signal(object)
    failed = Signal(object)
    _alive: ClassVar[set[FutureSignal]] = set()

    def __init__(self) -> None:
        super().__init__()
        self.future: Future[Any] | None = None
        self.done.connect(self._release)
        self.failed.connect(self._release)

    def watch(self, future: Future[Any]) -> None:
        """Connect to ``done``/``failed`` first: an already finished future reports at once."""
        self.future = future
        FutureSignal._alive.add(self)
        future.add_done_callback(self._finished)

    def _finished(self, future: Future[Any]) -> None:
        error = future.exception()
        if error is not None:
            self.failed.emit(error)
        else:
            self.done.emit(future.result())

    def _release(self, _value: object) -> None:
        FutureSignal._alive.discard(self)  # on the GUI thread: Python frees it there once nobody holds it


class ActivationWatcher(QObject):
    status_changed = Signal(str)
    accepted = Signal(ProbeResult)  # has .meter_lfdi
    probing = Signal(bool)

    def __init__(self, tracker: ActivationTracker | None = None, probe: ProbeFn = probe_meter,
                 parent: QObject | None = None, *,
                 address_of: Callable[[], tuple[str, int] | None] = lambda: None) -> None:
        super().__init__(parent)
        self.tracker = tracker or ActivationTracker()
        self._probe = probe
        self.address_of = address_of  # the meter's address, from its record, at each probe
        self._identity: Identity | None = None
        self._call: FutureSignal | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._probe_if_due)
        self._ticker = QTimer(self)  # refreshes "next check in ..." once a second
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._emit_status)

    @property
    def active(self) -> bool:
        return self._identity is not None and self.tracker.waiting

    def start(self, identity: Identity, *, role: str = "net", slot: str = "current") -> None:
        """Begin waiting for ``identity`` on the ``role`` meter (the first probe runs at once)."""
        self.tracker.start(identity.lfdi, role=role, slot=slot)
        self.resume(identity)

    def resume(self, identity: Identity) -> bool:
        """Continue a wait saved by an earlier run; False when there is none for this identity."""
        state = self.tracker.state
        if state is None or state.accepted or state.lfdi != identity.lfdi:
            return False
        self._identity = identity
        self._ticker.start()
        self._schedule()
        return True

    def check_now(self) -> None:
        self.tracker.probe_now()
        self._schedule()

    def stop(self) -> None:
        self._identity = None
        self._timer.stop()
        self._ticker.stop()

    def _schedule(self) -> None:
        self._emit_status()
        if not self.active or self._call is not None:  # a probe's answer still to come (maybe queued already)
            return
        remaining = self.tracker.seconds_until_next() or 0.0
        self._timer.start(int(remaining * 1000))

    def _probe_if_due(self) -> None:
        state = self.tracker.state
        if not self.active or state is None or self._identity is None:
            return
        if not self.tracker.due():
            self._schedule()
            return
        address = self.address_of()
        if address is None:  # the meter's address is not known yet: look again at the next due time
            self.tracker.record(False, Unreachable("no address", user_message="The meter's address is not known."))
            self._schedule()
            return
        identity, (host, port) = self._identity, address
        call = FutureSignal()
        self._call = call
        call.done.connect(self._on_result)
        call.failed.connect(lambda exc: self._on_result(None, exc))
        self.probing.emit(True)
        call.watch(self._probe(host, port, identity))
        self._emit_status()

    def _on_result(self, result: ProbeResult | None, exc: BaseException | None = None) -> None:
        self._call = None
        self.probing.emit(False)
        if self._identity is None or self.tracker.state is None:
            return
        accepted = bool(getattr(result, "accepted", False))
        error = exc if exc is not None else getattr(result, "error", None)
        outcome = self.tracker.record(accepted, error)
        log.info("activation probe: %s", outcome)
        if outcome == "accepted":
            self.stop()
            self._emit_status()
            self.accepted.emit(result)
            return
        self._schedule()

    def _emit_status(self) -> None:
        busy = self._call is not None
        self.status_changed.emit("Checking with the meter now…" if busy else self.tracker.status_text())


WAIT_SLOTS = ("current", "production")  # a setup's wait (a renewal's, slot "pending", is the lifecycle's own)


def pending_activation(identity: Identity | None = None) -> ActivationState | None:
    """The saved wait of a setup (ActivationState), or None. With ``identity`` (the certificate in use), a wait for
    the current certificate counts only when it is that one; a solar meter's own certificate has its own slot."""
    state = ActivationTracker().state
    if state is None or state.accepted or state.slot not in WAIT_SLOTS:
        return None
    if identity is not None and state.slot == "current" and state.lfdi != identity.lfdi:
        return None
    return state


def resume_background_activation(store: IdentityStore, parent: QObject | None = None,
                                 probe: ProbeFn = probe_meter, *, identity: Identity | None = None,
                                 target: Callable[[], MeterTarget] | None = None,
                                 adopt: Callable[[MeterTarget], None] | None = None) -> ActivationWatcher | None:
    """At app start: carry on a wait for activation saved by an earlier run (wizard closed while waiting).

    Returns the running watcher, or None when nothing is waiting. ``target`` is the meter's record as its session
    holds it (its address is asked at each probe); when the meter accepts, that record with the certificate and
    the meter's LFDI goes to ``adopt`` (the app: a command to the meter's session, whose listener saves it).
    Without an app (no session runs) the record is read from, and saved to, meters.json.
    ``identity`` is the one the app already unlocked (else it is loaded from ``store``). The app passes a
    ``probe`` that goes through its meter session, which owns the meter's only connection.
    """
    from xcelsior_desktop.platform.secrets import SecretsError

    tracker = ActivationTracker()
    state = tracker.state
    if state is None or state.accepted or state.slot not in WAIT_SLOTS:
        return None
    if identity is None or identity.lfdi != state.lfdi:  # not given, or the wait is for another slot's certificate
        try:
            identity = store.load("production" if state.slot == "production" else "current")
        except SecretsError as exc:  # locked keyring or a passphrase file: the user unlocks later via setup
            log.info("activation wait not resumed: %s", exc)
            return None
    if identity is None or identity.lfdi != state.lfdi:
        return None
    ours = identity
    from xcelsior_desktop.session import meters_file

    def saved() -> MeterTarget:
        record = next((r for r in meters_file.load_records() or [] if r["role"] == state.role), None)
        return MeterTarget.from_record(record, None) if record else MeterTarget()

    current = target or saved
    keep = adopt or meters_file.save_target
    watcher = ActivationWatcher(tracker, probe, parent, address_of=lambda: current().address)

    def accepted(result: ProbeResult) -> None:
        keep(current().replace(identity=ours, meter_lfdi=result.meter_lfdi, registered=True))

    watcher.accepted.connect(accepted)
    return watcher if watcher.resume(ours) else None
