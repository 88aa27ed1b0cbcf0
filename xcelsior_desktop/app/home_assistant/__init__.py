"""The Home Assistant plug-in: the meter's readings published over MQTT (home_assistant/ does the publishing); a
solar meter's as a device of its own, with the home's use (solar_feed.py).

:func:`install` feeds the session's events to the publisher, rebuilds it when the saved settings change, adds the
MQTT page to the Settings dialog and returns the controller, whose ``shutdown()`` signs off with "offline".
"""

from __future__ import annotations

import datetime as dt

from xcelsior_desktop.app.home_assistant.controller import MqttController
from xcelsior_desktop.app.home_assistant.history import HistoryToHomeAssistant
from xcelsior_desktop.app.home_assistant.solar_feed import SolarFeed
from xcelsior_desktop.app.shell import AppShell
from xcelsior_desktop.home_assistant.cost_today import CostToday, cost_today
from xcelsior_desktop.home_assistant.feed_settings import FeedSettings
from xcelsior_desktop.home_assistant.ha_settings import HomeAssistantSettings
from xcelsior_desktop.home_assistant.settings import MqttSettings
from xcelsior_desktop.money.cost_settings import chosen_settings, chosen_tariff
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.events import (
    DemandRead,
    DeviceInfoRead,
    ReadingFlagged,
    RegistersRead,
    StateChanged,
    TodayChanged,
)
from xcelsior_desktop.session.target import PRODUCTION, Role

SETTINGS_TITLE = "MQTT"


def install(shell: AppShell) -> MqttController:
    """Publish what the session reads; the ``--mqtt URL`` of this run (``shell.launch.mqtt_flag``) turns it on for
    this run, to that broker. The demo's meter is published under the demo's own installation id."""
    demo = shell.launch.demo

    def today(at: dt.datetime) -> CostToday | None:
        """The one cost function over today, in the home zone, with the one rule for the chosen tariff."""
        settings = shell.settings
        return cost_today(shell.history, chosen_tariff(settings), at, zone=shell.home_zone.zone,
                          cycle_start_day=chosen_settings(settings).cycle_start_day)

    controller = MqttController(MqttSettings.from_app_settings(shell.settings), flag=shell.launch.mqtt_flag,
                                cost_today=today, clock=lambda: dt.datetime.fromtimestamp(shell.clock(), dt.UTC),
                                announce=lambda title, body: shell.announce("mqtt", title, body, "live"),
                                feed=FeedSettings.from_app_settings(shell.settings, demo=demo), send_job=shell.send,
                                parent=shell.owner)
    events = shell.events
    events.on(DeviceInfoRead, lambda event: controller.on_device_info(event.info))
    events.on(StateChanged, lambda event: controller.on_status(event.status))
    events.on(RegistersRead, lambda event: controller.on_registers(event.registers))
    events.on(DemandRead, lambda event: controller.on_demand(event.measurement))
    events.on(TodayChanged, lambda event: controller.on_today(event.today))
    events.on(ReadingFlagged, controller.on_flagged)  # stale or suspect watts: the readings are not fresh
    shell.on_history_changed(controller.on_history_changed)  # e.g. the backfill has stored today: cost now

    meters = shell.meters
    if meters is not None:  # a solar meter: its own device beside the net meter's, with the home's use

        def add_solar(role: Role) -> None:
            if role == PRODUCTION and controller.solar is None:
                controller.solar = SolarFeed(controller, events, meters.events(PRODUCTION))

        for role in meters.roles():
            add_solar(role)
        meters.on_added(add_solar)

    # "Send history to Home Assistant", and the hours later backfills fill, into its long-term statistics
    history = HistoryToHomeAssistant(HomeAssistantSettings.from_app_settings(shell.settings),
                                     store=lambda: shell.history, meter_sfdi=lambda: shell.target.meter_sfdi,
                                     remember=shell.update_settings, parent=controller)
    controller.history = history
    shell.on_history_changed(history.history_changed)

    def on_settings(new: Settings) -> None:
        controller.apply(MqttSettings.from_app_settings(new))
        controller.apply_feed(FeedSettings.from_app_settings(new, demo=demo))
        history.apply(HomeAssistantSettings.from_app_settings(new))
        controller.publish_cost()

    shell.on_settings_changed(on_settings)

    from xcelsior_desktop.app.home_assistant.settings_page import MqttSettingsPage

    shell.add_settings_page(SETTINGS_TITLE, lambda edited: MqttSettingsPage(controller, edited))
    controller.destroyed.connect(lambda *_: shell.remove_settings_page(SETTINGS_TITLE))
    return controller


__all__ = ["SETTINGS_TITLE", "HistoryToHomeAssistant", "MqttController", "install"]
