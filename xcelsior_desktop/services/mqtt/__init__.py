"""Publish the meter's readings over MQTT, with Home Assistant discovery (Qt-free).

``MqttPublisher`` (publisher.py) takes the session's typed values; ``MqttSettings`` and the keyring password
(settings.py) say where to; ``test_connection`` (connection.py) answers the Settings page's button.
"""

from xcelsior_desktop.services.mqtt.connection import ConnectionResult, test_connection
from xcelsior_desktop.services.mqtt.publisher import MqttPublisher, PublisherOptions
from xcelsior_desktop.services.mqtt.settings import (
    KEYRING_SERVICE,
    BrokerTarget,
    MqttSettings,
    PasswordStoreError,
    delete_password,
    load_password,
    save_password,
)
from xcelsior_desktop.services.mqtt.status import STATE_TEXT, BrokerState, PublisherStatus
from xcelsior_desktop.services.mqtt.url import BrokerUrl, BrokerUrlError, parse_broker_url

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
