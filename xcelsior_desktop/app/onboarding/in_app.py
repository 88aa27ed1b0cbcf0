"""Onboarding and the certificate's lifecycle inside the running app (not the demo): one call, like alerts.

* at start: a wait for activation saved by an earlier run goes on in the background ("waiting for registration"
  in tray and window); when the meter accepts, a desktop notification, the meter pinned, watts;
* the expiry banner above the window's tabs; Renew / Export / Forget in the tray menu and the Device tab;
* every probe (activation, renewal) goes through the app's meter worker, which owns the meter's only connection.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMenu

from xcelsior_desktop.app.onboarding.activation_watcher import (
    ActivationWatcher,
    pending_activation,
    resume_background_activation,
)
from xcelsior_desktop.app.onboarding.lifecycle_ui import ExpiryBanner, LifecycleActions
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.services.poller import State, Status
from xcelsior_desktop.services.secrets import IdentityStore

log = logging.getLogger(__name__)

BANNER_REFRESH_MS = 3600_000  # the days left change slowly; the banner looks again every hour


class OnboardingInApp(QObject):
    def __init__(self, app: Any, store: IdentityStore) -> None:
        super().__init__(app)
        self.app = app
        self.store = store
        self.watcher: ActivationWatcher | None = None
        self.actions = LifecycleActions(store, self._meter_address, self._dialog_parent,
                                        probe=app.probe_fn(pinned=True), parent=self)
        for name, action in (("renew", self.actions.renew), ("export", self.actions.export),
                             ("forget", self.actions.forget)):
            action.setObjectName(name)
        self.actions.identity_changed.connect(self._lifecycle_changed)

        self.banner = ExpiryBanner(store)
        self.banner.renew_requested.connect(self._renew_from_banner)
        app.window.add_banner(self.banner)
        app.window.add_device_actions([self.actions.renew, self.actions.export, self.actions.forget])
        self.menu = QMenu("Certificate")
        self.menu.setObjectName("certificate-menu")
        for action in (self.actions.renew, self.actions.export, self.actions.forget):
            self.menu.addAction(action)
        app.tray.menu.insertMenu(app.tray.settings_action, self.menu)
        app.identity_changed.connect(lambda _identity: self.refresh())
        self._banner_timer = QTimer(self)
        self._banner_timer.setInterval(BANNER_REFRESH_MS)
        self._banner_timer.timeout.connect(self.refresh)
        self._banner_timer.start()
        self.refresh()

    # -- activation -------------------------------------------------------------------------------

    @staticmethod
    def activation_pending(identity: Identity | None) -> bool:
        """A saved wait for this identity: the worker stays idle and the watcher probes through it."""
        return identity is not None and pending_activation(identity) is not None

    @property
    def waiting(self) -> bool:
        return self.watcher is not None and self.watcher.active

    def resume_activation(self, identity: Identity | None) -> bool:
        """Carry on a saved wait for ``identity`` in the background; False when none is saved."""
        if identity is None or self.waiting:
            return self.waiting
        watcher = resume_background_activation(self.app.settings, self.store, self,
                                               probe=self.app.probe_fn(pinned=False), identity=identity)
        if watcher is None:
            return False
        self.watcher = watcher
        watcher.status_changed.connect(self._show_waiting)
        watcher.accepted.connect(lambda result: self._activated(identity, result))
        self._show_waiting(watcher.tracker.status_text())
        log.info("waiting for activation of LFDI %s in the background", identity.lfdi[:10])
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
        self.app.show_status(Status(State.WAITING_REGISTRATION, state.started_at, state.next_probe_at,
                                    text, None))

    def _activated(self, identity: Identity, result: Any) -> None:
        """The meter accepted the certificate (settings already pinned by the resumed wait): tell, then poll."""
        self.watcher = None
        settings = self.app.settings
        host = settings.meter_host or settings.last_meter_host
        log.info("the meter accepted LFDI %s", identity.lfdi[:10])
        self.app.adopt_identity(identity, registered=True)
        alerts = getattr(self.app, "alerts", None)
        if alerts is not None:
            alerts.announce("activation", "Your meter accepted this computer",
                            f"Xcel activated the certificate. Live watts from the meter at {host} now show in "
                            "the tray.", view="live")

    # -- lifecycle --------------------------------------------------------------------------------

    def refresh(self) -> None:
        has = self.app.identity is not None and self.store.has_identity("current")
        for action in (self.actions.renew, self.actions.export, self.actions.forget):
            action.setEnabled(has)
        self.menu.setEnabled(has)
        self.banner.refresh()

    def _meter_address(self) -> tuple[str, int] | None:
        settings = self.app.settings
        host = settings.meter_host or settings.last_meter_host
        return (host, int(settings.meter_port)) if host else None

    def _dialog_parent(self) -> Any:
        window = self.app.window
        return window if window.isVisible() else None

    def _renew_from_banner(self) -> None:
        self.actions.open_renew()

    def _lifecycle_changed(self, identity: Identity | None) -> None:
        if identity is None:  # forgotten
            self.stop()
            self.app.adopt_identity(None, registered=False)
            self.app.settings.registered_lfdi = None
            self.app.save_settings()
        else:  # the meter accepted the renewed certificate and the store switched to it
            self.app.settings.registered_lfdi = identity.lfdi
            self.app.adopt_identity(identity, registered=True)
        self.refresh()


def install_onboarding(app: Any, store: IdentityStore | None = None) -> OnboardingInApp:
    """The one call ``XcelsiorApp`` makes (not in the demo, whose identity is a throwaway)."""
    return OnboardingInApp(app, store or IdentityStore())
