"""Keeps checking, in the background and across restarts, whether the meter accepts our certificate.

Thin Qt shell around :class:`xcelsior_desktop.services.activation.ActivationTracker`: a single-shot timer fires
when the next probe is due, the probe runs off the GUI thread, and ``accepted`` is emitted once the meter takes the
certificate. The wizard's waiting page and the app (after a restart) use the same watcher.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from xcelsior_desktop.app.onboarding.background import BackgroundCall
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.services.activation import ActivationTracker

log = logging.getLogger(__name__)

ProbeFn = Callable[[str, int, Identity], Any]  # (host, port, identity) -> ProbeResult


def probe_meter(host: str, port: int, identity: Identity) -> Any:
    """One probe with the real client: learns the meter's LFDI and whether our certificate is accepted."""
    from xcelsior_desktop.meter.client import MeterClient

    client = MeterClient(host, port=port, identity=identity, connect_timeout=5.0, handshake_timeout=15.0)
    try:
        return client.probe()
    finally:
        client.close()


class ActivationWatcher(QObject):
    status_changed = Signal(str)
    accepted = Signal(object)  # the ProbeResult (has .meter_lfdi)
    probing = Signal(bool)

    def __init__(self, tracker: ActivationTracker | None = None, probe: ProbeFn = probe_meter,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tracker = tracker or ActivationTracker()
        self._probe = probe
        self._identity: Identity | None = None
        self._call: BackgroundCall | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._probe_if_due)
        self._ticker = QTimer(self)  # refreshes "next check in ..." once a second
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._emit_status)

    @property
    def active(self) -> bool:
        return self._identity is not None and self.tracker.waiting

    def start(self, identity: Identity, host: str, port: int, *, slot: str = "current", manual: bool = False) -> None:
        """Begin waiting for ``identity`` at host:port (the first probe runs at once)."""
        self.tracker.start(identity.lfdi, host, port, slot=slot, manual=manual)
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
        if not self.active or (self._call is not None and self._call.running):
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
        identity, host, port = self._identity, state.host, state.port
        call = BackgroundCall(lambda: self._probe(host, port, identity), self)
        call.done.connect(self._on_result)
        call.failed.connect(lambda exc: self._on_result(None, exc))
        self._call = call
        self.probing.emit(True)
        self._emit_status()
        call.start()

    def _on_result(self, result: Any, exc: BaseException | None = None) -> None:
        self._call = None
        self.probing.emit(False)
        if self._identity is None or self.tracker.state is None:
            return
        accepted = bool(getattr(result, "accepted", False))
        error = exc if exc is not None else getattr(result, "error", None)
        outcome = self.tracker.record(accepted, error, meter_lfdi=getattr(result, "meter_lfdi", None))
        log.info("activation probe: %s", outcome)
        if outcome == "accepted":
            self.stop()
            self._emit_status()
            self.accepted.emit(result)
            return
        self._schedule()

    def _emit_status(self) -> None:
        busy = self._call is not None and self._call.running
        self.status_changed.emit("Checking with the meter now…" if busy else self.tracker.status_text())


def pending_activation(identity: Identity | None = None) -> Any:
    """The saved wait for the current certificate (ActivationState), or None; for ``identity`` when given."""
    state = ActivationTracker().state
    if state is None or state.accepted or state.slot != "current":
        return None
    if identity is not None and state.lfdi != identity.lfdi:
        return None
    return state


def resume_background_activation(settings: Any, store: Any, parent: QObject | None = None,
                                 probe: ProbeFn = probe_meter, *,
                                 identity: Identity | None = None) -> ActivationWatcher | None:
    """At app start: carry on a wait for activation saved by an earlier run (wizard closed while waiting).

    Returns the running watcher (connect to ``accepted`` to notify the user and start polling), or None when
    nothing is waiting. On acceptance the meter is pinned in ``settings`` and they are saved. ``identity`` is the
    one the app already unlocked (else it is loaded from ``store``). The app passes a ``probe`` that goes
    through its meter worker, which owns the meter's only connection.
    """
    from xcelsior_desktop.services.activation import pin_meter
    from xcelsior_desktop.services.secrets import SecretsError

    tracker = ActivationTracker()
    state = tracker.state
    if state is None or state.accepted or state.slot != "current":
        return None
    if identity is None:
        try:
            identity = store.load()
        except SecretsError as exc:  # locked keyring or a passphrase file: the user unlocks later via setup
            log.info("activation wait not resumed: %s", exc)
            return None
    if identity is None:
        return None
    ours = identity
    watcher = ActivationWatcher(tracker, probe, parent)

    def accepted(result: Any) -> None:
        pin_meter(settings, host=state.host, port=state.port, manual=state.manual,
                  meter_lfdi=getattr(result, "meter_lfdi", None), our_lfdi=ours.lfdi)
        settings.save()

    watcher.accepted.connect(accepted)
    return watcher if watcher.resume(ours) else None
