"""Onboarding and the certificate's lifecycle inside the running app (not the demo): one call, like alerts.

* at start: a wait for activation saved by an earlier run goes on in the background ("waiting for registration"
  in tray and window); when the meter accepts, a desktop notification, the meter pinned, watts;
* the expiry banner above the window's tabs; Renew / Export / Forget in the tray menu and the Device tab;
* every probe (activation, renewal) goes through the app's meter session, which owns the meter's only connection.

Installed with :func:`install` like every plug-in; what it needs of the app (which identity is in use, switching
it, showing the waiting state, probing through the session) is part of the shell.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMenu

from xcelsior_desktop.app.onboarding.activation_watcher import (
    ActivationWatcher,
    ProbeFn,
    pending_activation,
    resume_background_activation,
)
from xcelsior_desktop.app.onboarding.lifecycle_ui import ExpiryBanner, LifecycleActions
from xcelsior_desktop.app.shell import AppShell
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.meter.transport import ProbeResult
from xcelsior_desktop.platform.secrets import IdentityStore
from xcelsior_desktop.session.commands import SetTarget
from xcelsior_desktop.session.poller import State, Status
from xcelsior_desktop.session.target import NET, PRODUCTION, MeterTarget, Role

log = logging.getLogger(__name__)

BANNER_REFRESH_MS = 3600_000  # the days left change slowly; the banner looks again every hour


class OnboardingInApp(QObject):
    def __init__(self, shell: AppShell, store: IdentityStore) -> None:
        super().__init__(shell.owner)
        self.shell = shell
        self.store = store
        self.watcher: ActivationWatcher | None = None
        self.waiting_for: Role = NET  # which meter the background wait is for
        self.actions = LifecycleActions(store, self._meter_address, shell.dialog_parent,
                                        probe=self.probe_fn(pinned=True), parent=self)
        for name, action in (("renew", self.actions.renew), ("export", self.actions.export),
                             ("forget", self.actions.forget)):
            action.setObjectName(name)
        self.actions.identity_changed.connect(self._lifecycle_changed)

        self.banner = ExpiryBanner(store)
        self.banner.renew_requested.connect(self._renew_from_banner)
        shell.add_banner(self.banner)
        shell.add_device_actions([self.actions.renew, self.actions.export, self.actions.forget])
        self.menu = QMenu("Certificate")
        self.menu.setObjectName("certificate-menu")
        for action in (self.actions.renew, self.actions.export, self.actions.forget):
            self.menu.addAction(action)
        shell.add_tray_section(self.menu)
        self._banner_timer = QTimer(self)
        self._banner_timer.setInterval(BANNER_REFRESH_MS)
        self._banner_timer.timeout.connect(self.refresh)
        self._banner_timer.start()
        self.refresh()

    def probe_fn(self, *, pinned: bool, role: Role = NET) -> ProbeFn:
        """A probe through the ``role`` meter's session (it never competes with polling for that meter's one
        connection). ``pinned``: check the meter's LFDI (a renewal talks to the known meter)."""

        def probe(host: str, port: int, identity: Identity) -> Future[ProbeResult]:
            if role == NET:
                lfdi = self.shell.target.meter_lfdi if pinned else None
                return self.shell.probe(identity, host, port, lfdi).result
            meters = self.shell.meters
            assert meters is not None and meters.has(role), "a meter's setup adds its session first"
            lfdi = meters.target(role).meter_lfdi if pinned else None
            return meters.probe(role, identity, host, port, lfdi).result

        return probe

    def meter_target(self, role: Role) -> MeterTarget:
        """The ``role`` meter's record as its session holds it (a new one while it has none)."""
        if role == NET:
            return self.shell.target
        meters = self.shell.meters
        return meters.target(role) if meters is not None and meters.has(role) else MeterTarget(role=role)

    # -- activation -------------------------------------------------------------------------------

    @staticmethod
    def activation_pending(identity: Identity | None) -> bool:
        """A saved wait for this identity: the session stays idle and the watcher probes through it."""
        return identity is not None and pending_activation(identity) is not None

    @staticmethod
    def waiting_role(identity: Identity | None) -> Role | None:
        """Which meter a saved setup wait is for (its session stays idle meanwhile), or None. A wait for the
        current certificate counts only when ``identity`` is that one."""
        state = pending_activation(identity)
        if state is None or (state.slot == "current" and identity is None):
            return None
        return PRODUCTION if state.role == PRODUCTION else NET

    @property
    def waiting(self) -> bool:
        return self.watcher is not None and self.watcher.active

    def resume_activation(self, identity: Identity | None) -> bool:
        """Carry on a saved setup wait in the background (for ``identity``, the certificate in use, or a solar
        meter's own certificate, loaded from its slot); False when none is saved."""
        if self.waiting:
            return True
        role = self.waiting_role(identity)
        if role is None:
            return False
        watcher = resume_background_activation(self.store, self, probe=self.probe_fn(pinned=False, role=role),
                                               identity=identity, target=lambda: self.meter_target(role),
                                               adopt=self._activated)
        if watcher is None:
            return False
        self.watcher = watcher
        self.waiting_for = role
        watcher.status_changed.connect(self._show_waiting)
        self._show_waiting(watcher.tracker.status_text())
        state = watcher.tracker.state
        log.info("waiting for the %s's activation of LFDI %s in the background", role,
                 state.lfdi[:10] if state else "?")
        return True

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None

    def _show_waiting(self, text: str) -> None:
        watcher = self.watcher
        state = watcher.tracker.state if watcher is not None else None
        if state is None or state.accepted:
            return
        self.shell.show_status(Status(State.WAITING_REGISTRATION, state.started_at, state.next_probe_at,
                                     text, None), self.waiting_for)

    def _activated(self, target: MeterTarget) -> None:
        """The meter accepted the certificate (``target.identity``): its session takes the pinned target, the user
        is told."""
        self.watcher = None
        identity = target.identity
        log.info("the %s accepted LFDI %s", target.label.lower(), identity.lfdi[:10] if identity else "?")
        if target.role == NET:
            self.shell.adopt_identity(identity, target, registered=True)
            self.shell.announce("activation", "Your meter accepted this computer",
                                f"Xcel activated the certificate. Live watts from the meter at {target.host} now "
                                "show in the tray.", "live")
            return
        meters = self.shell.meters
        if meters is not None and meters.has(target.role):
            meters.send(target.role, SetTarget(target))
        self.shell.announce("activation", f"Your {target.label.lower()} accepted this computer",
                            f"Xcel activated the certificate on the {target.label.lower()} at {target.host}. Its "
                            "watts now show on the Live tab and in the tray.", "live")

    # -- lifecycle --------------------------------------------------------------------------------

    def refresh(self) -> None:
        has = self.shell.identity is not None and self.store.has_identity("current")
        for action in (self.actions.renew, self.actions.export, self.actions.forget):
            action.setEnabled(has)
        self.menu.setEnabled(has)
        self.banner.refresh()

    def _meter_address(self) -> tuple[str, int] | None:
        return self.shell.target.address

    def _renew_from_banner(self) -> None:
        self.actions.open_renew()

    def _lifecycle_changed(self, identity: Identity | None) -> None:
        if identity is None:  # forgotten
            self.stop()
            self.shell.adopt_identity(None, registered=False)
        else:  # the meter accepted the renewed certificate and the store switched to it
            self.shell.adopt_identity(identity, registered=True)
        self.refresh()


def install(shell: AppShell) -> OnboardingInApp | None:
    """Activation waits, the expiry banner and the certificate's actions; none in the demo, whose identity is a
    throwaway. The app refreshes it when the identity changes (through the shell)."""
    if shell.launch.demo:
        return None
    onboarding = OnboardingInApp(shell, shell.launch.identity_store or IdentityStore())
    shell.on_identity_changed(lambda _identity: onboarding.refresh())
    return onboarding
