"""Home Assistant: the meter's readings over MQTT with discovery, and the history into its statistics (Qt-free).

The feed: ``MqttPublisher`` (publisher.py) takes the session's typed values (session_feed.py hands them over);
discovery.py is its one device message, entities.py its topics and states, freshness.py when the readings are
current, feed_extras.py the meter's other readings, housekeeping.py what it tidies on the broker (the hand-over
from per-entity configs, a replaced meter), installation.py its client id. ``MqttSettings`` and the keyring
password (settings.py) say where to; ``test_connection`` (connection.py) answers the Settings page's button.

The history: history_upload.py sends the store's hours (hourly_energy.py) into Home Assistant's long-term
statistics through its websocket API (ha_api.py), joined to its own as statistics_plan.py decides;
history_sender.py runs it for the app; ha_settings.py keeps its address, and its token in the keyring.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xcelsior_desktop.home_assistant.broker_url import BrokerUrl, BrokerUrlError, parse_broker_url
    from xcelsior_desktop.home_assistant.connection import ConnectionResult, test_connection
    from xcelsior_desktop.home_assistant.publisher import MqttPublisher, PublisherOptions
    from xcelsior_desktop.home_assistant.settings import (
        KEYRING_SERVICE,
        BrokerTarget,
        MqttSettings,
        PasswordStoreError,
        delete_password,
        load_password,
        save_password,
    )
    from xcelsior_desktop.home_assistant.status import STATE_TEXT, BrokerState, PublisherStatus

# Loaded on first use: every `xcelsior-desktop` start builds the parsers of `app` and `demo`, whose --mqtt flag
# needs only broker_url.py, not paho-mqtt and keyring.
_LAZY = {
    "ConnectionResult": "connection", "test_connection": "connection",
    "MqttPublisher": "publisher", "PublisherOptions": "publisher",
    "KEYRING_SERVICE": "settings", "BrokerTarget": "settings", "MqttSettings": "settings",
    "PasswordStoreError": "settings", "delete_password": "settings", "load_password": "settings",
    "save_password": "settings",
    "STATE_TEXT": "status", "BrokerState": "status", "PublisherStatus": "status",
    "BrokerUrl": "broker_url", "BrokerUrlError": "broker_url", "parse_broker_url": "broker_url",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'xcelsior_desktop.home_assistant' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"xcelsior_desktop.home_assistant.{module_name}"), name)


__all__ = [
    "KEYRING_SERVICE",
    "STATE_TEXT",
    "BrokerState",
    "BrokerTarget",
    "BrokerUrl",
    "BrokerUrlError",
    "ConnectionResult",
    "MqttPublisher",
    "MqttSettings",
    "PasswordStoreError",
    "PublisherOptions",
    "PublisherStatus",
    "delete_password",
    "load_password",
    "parse_broker_url",
    "save_password",
    "test_connection",
]
