"""The alerts plug-in (:func:`install`).

Connects the meter session's events to the alert engine, adds the Alerts view to the window, opens the right
view when a notification is clicked, adds the Alerts page to the Settings dialog, and delivers announcements.
"""

from __future__ import annotations

import logging

from xcelsior_desktop.alerts import AlertHistory, EngineStateStore
from xcelsior_desktop.alerts.store import HISTORY_FILE, STATE_FILE
from xcelsior_desktop.app.alerts.alerts_list import AlertsListWidget
from xcelsior_desktop.app.alerts.controller import AlertsController
from xcelsior_desktop.app.alerts.factory import create_notifier
from xcelsior_desktop.app.alerts.settings_page import AlertsSettingsPage
from xcelsior_desktop.app.shell import AppShell
from xcelsior_desktop.session.events import DemandRead, RegistersRead, StateChanged

log = logging.getLogger(__name__)

VIEW = "alerts"
SETTINGS_TITLE = "Alerts"


def install(shell: AppShell) -> AlertsController:
    """Alerts on the session's events, the Alerts view and settings page, desktop notifications through the tray,
    the certificate's expiry watched, the cost rules fed by the cost plug-in's facts (``controller.shutdown()`` at
    quit).

    The demo keeps its own alert history and state (``demo-`` files) so it never mixes with the real meter's,
    and does not watch its throwaway certificate.
    """
    history = state = None
    demo = shell.launch.demo
    if demo:
        from xcelsior_desktop.platform import paths

        history = AlertHistory(paths.data_dir() / f"demo-{HISTORY_FILE}")
        state = EngineStateStore(paths.state_dir() / f"demo-{STATE_FILE}")
    notifier = create_notifier(shell.tray.icon if shell.tray is not None else None, parent=shell.owner)
    log.info("alerts are delivered as: %s", notifier.name)
    controller = AlertsController(notifier, history=history, state_store=state, tz=shell.home_zone.zone,
                                  clock=shell.clock, parent=shell.owner)
    from xcelsior_desktop.alerts.usage_facts import UsageFactsSource

    def use_zone() -> None:  # days, quiet hours, the month of the peak rule
        controller.engine.set_zone(shell.home_zone.zone)
        controller.engine.set_usage_source(UsageFactsSource(lambda: shell.history, zone=shell.home_zone.zone))

    use_zone()
    shell.on_settings_changed(lambda _new: use_zone())
    shell.on_cost_facts(controller.set_cost_source)
    install_alerts(shell, controller)
    if not demo:
        controller.on_identity(shell.identity)
        shell.on_identity_changed(controller.on_identity)
    return controller


def install_alerts(shell: AppShell, controller: AlertsController) -> AlertsController:
    """Wire alerts into ``shell`` and return the controller (call ``controller.shutdown()`` on quit): the
    session's demand, registers and state in; the Alerts view, the Alerts settings page and announcements out."""
    events = shell.events
    events.on(DemandRead, lambda event: controller.on_demand(event.measurement))
    events.on(RegistersRead, lambda event: controller.on_registers(event.registers))
    events.on(StateChanged, lambda event: controller.on_state(event.status))

    view = AlertsListWidget()
    view.set_alerts(controller.alerts())
    controller.historyChanged.connect(lambda: view.set_alerts(controller.alerts()))
    view.clearRequested.connect(controller.clear_history)
    view.openView.connect(shell.show_view)
    controller.openView.connect(shell.show_view)
    shell.add_window_tab(VIEW, "Alerts", view)
    shell.add_settings_page(SETTINGS_TITLE, lambda _settings: AlertsSettingsPage(controller))
    controller.destroyed.connect(lambda *_: shell.remove_settings_page(SETTINGS_TITLE))

    def announce(kind: str, title: str, body: str, view_name: str) -> None:
        controller.announce(kind, title, body, view_name)

    shell.add_announcer(announce)
    return controller
