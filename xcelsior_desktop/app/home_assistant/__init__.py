"""The MQTT plug-in: the meter's readings published for Home Assistant (home_assistant/ does the publishing).

:func:`install_mqtt` is the one call ``XcelsiorApp`` makes: it feeds the session's events to the publisher,
rebuilds it when the settings change, adds the MQTT page to the Settings dialog and returns the controller,
whose ``shutdown()`` signs off with "offline".
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, SignalInstance

from xcelsior_desktop.app.home_assistant.controller import MqttController
from xcelsior_desktop.app.home_assistant.history import HistoryToHomeAssistant
from xcelsior_desktop.app.shell import AppShell
from xcelsior_desktop.home_assistant.cost_today import CostToday, cost_today
from xcelsior_desktop.home_assistant.feed_settings import FeedSettings
from xcelsior_desktop.home_assistant.ha_settings import HomeAssistantSettings
from xcelsior_desktop.home_assistant.settings import MqttSettings
from xcelsior_desktop.money.cost_settings import chosen_settings, chosen_tariff
from xcelsior_desktop.platform.settings import Settings

if TYPE_CHECKING:
    from xcelsior_desktop.home_assistant.url import BrokerUrl

SETTINGS_TITLE = "MQTT"


def install_mqtt(shell: AppShell, settings: Settings, *, flag: BrokerUrl | None = None,
                 settings_changed: SignalInstance | None = None, demo: bool = False,
                 parent: QObject | None = None) -> MqttController:
    """Publish what the session reads; ``flag``: the ``--mqtt URL`` of this run (on for this run, that broker);
    ``demo``: the demo's simulated meter, published under the demo's own installation id."""
    current = {"settings": settings}

    def today(at: dt.datetime) -> CostToday | None:
        """The one cost function over today, in the home zone, with the one rule for the chosen tariff."""
        chosen = chosen_settings(current["settings"])
        return cost_today(shell.history, chosen_tariff(current["settings"]), at, zone=shell.home_zone.zone,
                          cycle_start_day=chosen.cycle_start_day)

    controller = MqttController(MqttSettings.from_app_settings(settings), flag=flag, cost_today=today,
                                clock=lambda: dt.datetime.fromtimestamp(shell.clock(), dt.UTC),
                                announce=lambda title, body: shell.announce("mqtt", title, body, "live"),
                                feed=FeedSettings.from_app_settings(settings, demo=demo), send_job=shell.send,
                                parent=parent)
    events = shell.events
    events.device_info_read.connect(controller.on_device_info)
    events.status_changed.connect(controller.on_status)
    events.registers_read.connect(controller.on_registers)
    events.demand_read.connect(controller.on_demand)
    events.today_changed.connect(controller.on_today)
    events.reading_flagged.connect(controller.on_flagged)  # stale or suspect watts: the readings are not fresh
    shell.on_history_changed(controller.on_history_changed)  # e.g. the backfill has stored today: cost now

    # "Send history to Home Assistant", and the hours later backfills fill, into its long-term statistics
    history = HistoryToHomeAssistant(HomeAssistantSettings.from_app_settings(settings), store=lambda: shell.history,
                                     meter_sfdi=lambda: shell.target.meter_sfdi, remember=shell.update_settings,
                                     parent=controller)
    controller.history = history
    shell.on_history_changed(history.history_changed)

    if settings_changed is not None:
        def on_settings(new: Settings) -> None:
            current["settings"] = new
            controller.apply(MqttSettings.from_app_settings(new))
            controller.apply_feed(FeedSettings.from_app_settings(new, demo=demo))
            history.apply(HomeAssistantSettings.from_app_settings(new))
            controller.publish_cost()

        settings_changed.connect(on_settings)

    from xcelsior_desktop.app.home_assistant.settings_page import MqttSettingsPage

    shell.add_settings_page(SETTINGS_TITLE, lambda edited: MqttSettingsPage(controller, edited))
    controller.destroyed.connect(lambda *_: shell.remove_settings_page(SETTINGS_TITLE))
    return controller


__all__ = ["SETTINGS_TITLE", "HistoryToHomeAssistant", "MqttController", "install_mqtt"]
