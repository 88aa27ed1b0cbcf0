"""Home Assistant's address as users write it: ``http://homeassistant.local:8123`` or ``https://...``."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

EXAMPLE = "http://homeassistant.local:8123"


class HomeAssistantUrlError(ValueError):
    """An address that cannot be Home Assistant's; the message says what a right one looks like."""


@dataclass(frozen=True)
class HomeAssistantUrl:
    scheme: str  # http or https
    host: str
    port: int | None
    path: str  # "" or a reverse proxy's prefix, without a trailing slash

    def display(self) -> str:
        """The normal form: the keyring's key for the token, and what people read."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = f":{self.port}" if self.port is not None else ""
        return f"{self.scheme}://{host}{port}{self.path}"

    def websocket(self) -> str:
        return f"{'wss' if self.scheme == 'https' else 'ws'}://{self.display().split('://', 1)[1]}/api/websocket"


def parse_ha_url(text: str) -> HomeAssistantUrl:
    text = (text or "").strip()
    if not text:
        raise HomeAssistantUrlError(f"The Home Assistant address is empty. Enter the one your browser opens, like "
                                    f"{EXAMPLE}.")
    if "://" not in text:
        raise HomeAssistantUrlError(f"The Home Assistant address {text!r} has no scheme. Start it with http:// or "
                                    f"https://, like {EXAMPLE}.")
    parts = urllib.parse.urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise HomeAssistantUrlError(f"{scheme}:// is not a Home Assistant address. Use http:// or https://, like "
                                    f"{EXAMPLE}.")
    if parts.username or parts.password:
        raise HomeAssistantUrlError("Home Assistant's address takes no user name or password: the access token "
                                    "goes in its own field.")
    if parts.query or parts.fragment:
        raise HomeAssistantUrlError(f"Home Assistant's address has no query ({text!r}): use only {EXAMPLE}.")
    host = parts.hostname
    if not host:
        raise HomeAssistantUrlError(f"The Home Assistant address {text!r} names no host, like {EXAMPLE}.")
    try:
        port = parts.port
    except ValueError:
        raise HomeAssistantUrlError(f"The port in {text!r} is not a number from 1 to 65535.") from None
    if port == 0:
        raise HomeAssistantUrlError(f"The port in {text!r} is not a number from 1 to 65535.")
    path = parts.path.rstrip("/")
    for suffix in ("/api/websocket", "/api"):  # pasted from an API example: Home Assistant is the part before
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    return HomeAssistantUrl(scheme, host.lower(), port, path)
