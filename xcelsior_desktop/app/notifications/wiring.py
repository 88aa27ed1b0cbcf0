"""Plugging alerts into the app: one call from ``application.py``.

Connects the meter worker's signals to the alert engine, adds the Alerts view to the window, opens the right
view when a notification is clicked, and registers the Alerts page of the Settings dialog.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSystemTrayIcon

from xcelsior_desktop.app.notifications.alerts_list import AlertsListWidget
from xcelsior_desktop.app.notifications.base import Notifier
from xcelsior_desktop.app.notifications.controller import AlertsController
from xcelsior_desktop.app.notifications.factory import create_notifier
from xcelsior_desktop.app.notifications.settings_page import AlertsSettingsPage
from xcelsior_desktop.services.alerts import AlertHistory, EngineStateStore
from xcelsior_desktop.services.alerts.store import HISTORY_FILE, STATE_FILE

log = logging.getLogger(__name__)

VIEW = "alerts"
SETTINGS_TITLE = "Alerts"


def install_in_app(app: Any, demo: bool = False) -> AlertsController:
    """The one call ``XcelsiorApp`` makes: alerts on its signals, window, tray and identity.

    The demo keeps its own alert history and state (``demo-`` files) so it never mixes with the real meter's,
    and does not watch its throwaway certificate.
    """
    history = state = None
    if demo:
        from xcelsior_desktop.services import paths

        history = AlertHistory(paths.data_dir() / f"demo-{HISTORY_FILE}")
        state = EngineStateStore(paths.state_dir() / f"demo-{STATE_FILE}")
    notifier = create_notifier(app.tray.icon, parent=app)
    log.info("alerts are delivered as: %s", notifier.name)
    controller = AlertsController(notifier, history=history, state_store=state, parent=app)
    install_alerts(worker=app, window=app.window, show_view=app.show_view, controller=controller)
    if not demo:
        controller.on_identity(app.identity)
        app.identity_changed.connect(controller.on_identity)
    return controller


def install_alerts(
    *,
    worker: Any,
    window: Any,
    show_view: Callable[[str], None] | None = None,
    tray_icon: QSystemTrayIcon | None = None,
    notifier: Notifier | None = None,
    parent: QObject | None = None,
    controller: AlertsController | None = None,
) -> AlertsController:
    """Wire alerts in and return the controller (call ``controller.shutdown()`` on quit).

    ``worker`` has the MeterWorker signals ``demand_read``, ``registers_read`` and ``status_changed``;
    ``window`` has ``add_view(name, title, widget)`` and ``show_view(name)`` (or pass ``show_view``).
    """
    if controller is None:
        controller = AlertsController(notifier or create_notifier(tray_icon, parent=parent), parent=parent)
    open_view = show_view or window.show_view
    worker.demand_read.connect(controller.on_demand)
    worker.registers_read.connect(controller.on_registers)
    worker.status_changed.connect(controller.on_state)

    view = AlertsListWidget()
    view.set_alerts(controller.alerts())
    controller.historyChanged.connect(lambda: view.set_alerts(controller.alerts()))
    view.clearRequested.connect(controller.clear_history)
    view.openView.connect(open_view)
    controller.openView.connect(open_view)
    window.add_view(VIEW, "Alerts", view)
    register_settings_page(controller)
    controller.destroyed.connect(lambda *_: unregister_settings_page())
    return controller


def register_settings_page(controller: AlertsController) -> None:
    """Add (or replace) the Alerts page in the Settings dialog's extra pages."""
    from xcelsior_desktop.app import settings_dialog

    unregister_settings_page()
    settings_dialog.EXTRA_PAGES.append((SETTINGS_TITLE, lambda _settings: AlertsSettingsPage(controller)))


def unregister_settings_page() -> None:
    from xcelsior_desktop.app import settings_dialog

    pages = settings_dialog.EXTRA_PAGES
    pages[:] = [(title, factory) for title, factory in pages if title != SETTINGS_TITLE]
