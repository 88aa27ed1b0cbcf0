"""What the user sets for MQTT (a Qt-free dataclass) and the broker password, which lives in the OS keyring.

:class:`MqttSettings` holds no secret; it is saved with the app's other settings (``as_dict``/``from_dict``, e.g.
under the ``"mqtt"`` key that :class:`~xcelsior_desktop.platform.settings.Settings` keeps in ``extra``). The
password is stored with ``keyring`` under the service ``xcelsior-desktop-mqtt``, one entry per broker user name.
:meth:`MqttSettings.target` joins both into the :class:`BrokerTarget` the publisher connects to.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import keyring
import keyring.errors

from xcelsior_desktop.home_assistant.broker_url import BrokerUrl, parse_broker_url

if TYPE_CHECKING:
    from xcelsior_desktop.platform.settings import Settings

log = logging.getLogger(__name__)

KEYRING_SERVICE = "xcelsior-desktop-mqtt"
SETTINGS_KEY = "mqtt"  # in settings.json
DEFAULT_TOPIC_BASE = "xcelsior"
DEFAULT_DISCOVERY_PREFIX = "homeassistant"
_TOPIC_LEVELS = re.compile(r"^[^#+/\x00]+(/[^#+/\x00]+)*$")


class PasswordStoreError(Exception):
    """The keyring could not store or give the broker password; ``user_message`` says what to do."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.user_message = (
            "The broker password could not be read from or saved to the keyring. Unlock or start your "
            "desktop's keyring and try again."
        )


class TopicError(ValueError):
    """A topic base or discovery prefix that MQTT cannot use."""


def check_topic_prefix(value: str, what: str) -> str:
    """``value`` without surrounding slashes, or :class:`TopicError` when it has wildcards or empty levels."""
    cleaned = value.strip().strip("/")
    if not cleaned or not _TOPIC_LEVELS.match(cleaned):
        raise TopicError(f"The {what} {value!r} cannot be used: write topic levels separated by '/', "
                         "with no '+', '#' or empty level (for example 'xcelsior').")
    return cleaned


@dataclass(frozen=True)
class BrokerTarget:
    """Everything needed to open a connection to the broker."""

    host: str
    port: int
    tls: bool
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None  # a CA to trust besides the system's (a broker with a self-made certificate)

    @classmethod
    def from_url(cls, url: BrokerUrl, *, ca_file: str | None = None) -> BrokerTarget:
        return cls(host=url.host, port=url.port, tls=url.tls, username=url.username, password=url.password,
                   ca_file=ca_file)

    def display(self) -> str:
        """The address for people and logs: never the password."""
        return BrokerUrl(self.host, self.port, self.tls, self.username).display()


@dataclass
class MqttSettings:
    enabled: bool = False
    broker_url: str = ""  # mqtt://host[:port] or mqtts://...; a password written here is ignored (keyring only)
    username: str = ""
    tls: bool = False  # also on when the URL says mqtts://
    topic_base: str = DEFAULT_TOPIC_BASE
    discovery: bool = True  # Home Assistant MQTT discovery
    discovery_prefix: str = DEFAULT_DISCOVERY_PREFIX
    ca_file: str | None = None

    @classmethod
    def from_dict(cls, data: Any) -> MqttSettings:
        """Settings from saved JSON; unknown keys and wrong types fall back to the defaults, never raise."""
        if not isinstance(data, dict):
            return cls()
        defaults = cls()
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            value = data.get(f.name, getattr(defaults, f.name))
            default = getattr(defaults, f.name)
            if f.name == "ca_file":
                values[f.name] = value if isinstance(value, str) and value else None
            elif isinstance(default, bool):
                values[f.name] = value if isinstance(value, bool) else default
            else:
                values[f.name] = value if isinstance(value, str) else default
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_app_settings(cls, app_settings: Settings) -> MqttSettings:
        """The MQTT part of the app's settings file (the ``"mqtt"`` object, kept by ``Settings.extra``)."""
        return cls.from_dict(app_settings.extra.get(SETTINGS_KEY))

    def store_in(self, app_settings: Settings) -> None:
        """Put these settings into the app's settings (the caller saves them)."""
        app_settings.extra[SETTINGS_KEY] = self.as_dict()

    @classmethod
    def from_flag(cls, url: BrokerUrl, base: MqttSettings | None = None) -> MqttSettings:
        """The settings for one run with ``--mqtt URL``: the saved ones (topic base, discovery...) with this broker."""
        base = base or cls()
        return dataclasses.replace(base, enabled=True, broker_url=url.display(), username=url.username or "",
                                   tls=url.tls)

    def check(self) -> list[str]:
        """What is wrong with these settings, in words (empty when they can be used)."""
        problems: list[str] = []
        from xcelsior_desktop.home_assistant.broker_url import BrokerUrlError

        try:
            parse_broker_url(self.broker_url)
        except BrokerUrlError as exc:
            problems.append(str(exc))
        for value, what in ((self.topic_base, "topic base"), (self.discovery_prefix, "discovery prefix")):
            try:
                check_topic_prefix(value, what)
            except TopicError as exc:
                problems.append(str(exc))
        return problems

    def target(self, password: str | None = None) -> BrokerTarget:
        """The broker to connect to. ``password=None``: the one in the keyring for this user name (if any).

        Raises :class:`~xcelsior_desktop.home_assistant.broker_url.BrokerUrlError` for a bad URL and
        :class:`PasswordStoreError` when the keyring cannot be read.
        """
        url = parse_broker_url(self.broker_url)
        username = self.username.strip() or url.username
        if password is None:
            password = url.password if url.password is not None else (load_password(username) if username else None)
        return BrokerTarget(host=url.host, port=url.port, tls=url.tls or self.tls, username=username or None,
                            password=password, ca_file=self.ca_file)


def load_password(username: str) -> str | None:
    try:
        return keyring.get_password(KEYRING_SERVICE, username)
    except Exception as exc:  # every backend has its own errors (locked, no D-Bus, ...)
        raise PasswordStoreError(f"reading the broker password: {type(exc).__name__}: {exc}") from exc


def save_password(username: str, password: str) -> None:
    try:
        keyring.set_password(KEYRING_SERVICE, username, password)
    except Exception as exc:
        raise PasswordStoreError(f"saving the broker password: {type(exc).__name__}: {exc}") from exc


def delete_password(username: str) -> None:
    """Forget the password of ``username`` (nothing happens when none is stored)."""
    try:
        keyring.delete_password(KEYRING_SERVICE, username)
    except keyring.errors.PasswordDeleteError:
        return
    except Exception as exc:
        raise PasswordStoreError(f"deleting the broker password: {type(exc).__name__}: {exc}") from exc
