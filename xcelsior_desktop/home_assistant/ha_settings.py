"""Where Home Assistant is (a Qt-free setting) and its long-lived access token, which lives in the OS keyring.

:class:`HomeAssistantSettings` holds no secret; the app keeps it under ``"home_assistant"`` in its settings'
``extra``. The token is stored with ``keyring`` under the service ``xcelsior-desktop-home-assistant``, one entry
per Home Assistant address (its normal form, :meth:`HomeAssistantUrl.display`), as the broker password is.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import keyring
import keyring.errors

from xcelsior_desktop.home_assistant.ha_url import HomeAssistantUrlError, parse_ha_url

if TYPE_CHECKING:
    from xcelsior_desktop.platform.settings import Settings

TOKEN_SERVICE = "xcelsior-desktop-home-assistant"
SETTINGS_KEY = "home_assistant"


class TokenStoreError(Exception):
    """The keyring could not store or give the access token; ``user_message`` says what to do."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.user_message = ("The Home Assistant access token could not be read from or saved to the keyring. "
                             "Unlock or start your desktop's keyring and try again.")


@dataclass
class HomeAssistantSettings:
    url: str = ""  # e.g. http://homeassistant.local:8123; the token is in the keyring
    keep_sending: bool = False  # set by a first successful send: later backfills' hours follow by themselves

    @classmethod
    def from_dict(cls, data: Any) -> HomeAssistantSettings:
        """From saved JSON; wrong types fall back to the defaults, never raise."""
        if not isinstance(data, dict):
            return cls()
        url = data.get("url")
        keep = data.get("keep_sending")
        return cls(url=url if isinstance(url, str) else "", keep_sending=keep if isinstance(keep, bool) else False)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_app_settings(cls, app_settings: Settings) -> HomeAssistantSettings:
        return cls.from_dict(app_settings.extra.get(SETTINGS_KEY))

    def store_in(self, app_settings: Settings) -> None:
        app_settings.extra[SETTINGS_KEY] = self.as_dict()

    def check(self) -> list[str]:
        """What is wrong, in words (empty: usable, or no Home Assistant set at all)."""
        if not self.url.strip():
            return []
        try:
            parse_ha_url(self.url)
        except HomeAssistantUrlError as exc:
            return [str(exc)]
        return []


def _key(url: str) -> str:
    return parse_ha_url(url).display()


def load_token(url: str) -> str | None:
    """The token saved for Home Assistant at ``url`` (None: none saved). Raises HomeAssistantUrlError for a bad
    address and TokenStoreError when the keyring cannot be read."""
    key = _key(url)
    try:
        return keyring.get_password(TOKEN_SERVICE, key)
    except Exception as exc:  # every backend has its own errors (locked, no D-Bus, ...)
        raise TokenStoreError(f"reading the Home Assistant token: {type(exc).__name__}: {exc}") from exc


def save_token(url: str, token: str) -> None:
    key = _key(url)
    try:
        keyring.set_password(TOKEN_SERVICE, key, token.strip())
    except Exception as exc:
        raise TokenStoreError(f"saving the Home Assistant token: {type(exc).__name__}: {exc}") from exc


def delete_token(url: str) -> None:
    """Forget the token of ``url`` (nothing happens when none is stored)."""
    key = _key(url)
    try:
        keyring.delete_password(TOKEN_SERVICE, key)
    except keyring.errors.PasswordDeleteError:
        return
    except Exception as exc:
        raise TokenStoreError(f"deleting the Home Assistant token: {type(exc).__name__}: {exc}") from exc
