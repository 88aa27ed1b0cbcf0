"""Broker addresses as users write them: ``mqtt://[user[:password]@]host[:port]`` or ``mqtts://...`` (TLS)."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field

PLAIN_PORT = 1883
TLS_PORT = 8883
SCHEMES = {"mqtt": False, "mqtts": True}
EXAMPLE = "mqtt://homeassistant.local:1883 (or mqtts://... for TLS)"


class BrokerUrlError(ValueError):
    """A broker URL that cannot be used; the message says what is wrong and what a right one looks like."""


@dataclass(frozen=True)
class BrokerUrl:
    host: str
    port: int
    tls: bool
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def display(self) -> str:
        """The address for people and logs: never the password."""
        user = f"{self.username}@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{host}:{self.port}"


def _shown(text: str) -> str:
    """The URL with its password (if any) masked, for error messages."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", text)


def parse_broker_url(text: str) -> BrokerUrl:
    """Parse a broker URL; :class:`BrokerUrlError` says what is wrong. User and password may be %-encoded."""
    text = (text or "").strip()
    if not text:
        raise BrokerUrlError(f"The broker address is empty. Enter one like {EXAMPLE}.")
    shown = _shown(text)
    if "://" not in text:
        raise BrokerUrlError(f"The broker address {shown!r} has no scheme. Start it with mqtt:// or mqtts://, "
                             f"e.g. {EXAMPLE}.")
    parts = urllib.parse.urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise BrokerUrlError(f"{scheme}:// is not a broker address. Use mqtt:// (plain) or mqtts:// (TLS), "
                             f"e.g. {EXAMPLE}.")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise BrokerUrlError(f"A broker address has no path or query ({shown!r}): use only "
                             "mqtt://[user[:password]@]host[:port].")
    host = parts.hostname
    if not host:
        raise BrokerUrlError(f"The broker address {shown!r} names no host. Enter one like {EXAMPLE}.")
    try:
        port = parts.port
    except ValueError:
        raise BrokerUrlError(f"The port in {shown!r} is not a number from 1 to 65535.") from None
    if port == 0:
        raise BrokerUrlError(f"The port in {shown!r} is not a number from 1 to 65535.")
    tls = SCHEMES[scheme]
    username = urllib.parse.unquote(parts.username) if parts.username else None
    password = urllib.parse.unquote(parts.password) if parts.password is not None else None
    if password is not None and not username:
        raise BrokerUrlError("The broker address has a password but no user name: write mqtt://user:password@host.")
    return BrokerUrl(host=host, port=port or (TLS_PORT if tls else PLAIN_PORT), tls=tls, username=username,
                     password=password)


def broker_url_argument(text: str) -> BrokerUrl:
    """argparse ``type=`` for ``--mqtt URL``: a bad URL is one clear usage error (exit status 2)."""
    import argparse

    try:
        return parse_broker_url(text)
    except BrokerUrlError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
