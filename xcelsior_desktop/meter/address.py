"""A meter's address as a person types it: ``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 address.

One definition of what an address is, used by the Settings dialog, setup, the command line and the meters file, so
what one accepts the others accept too. The meter listens on :data:`DEFAULT_PORT` unless told otherwise.
"""

from __future__ import annotations

import ipaddress
import re

DEFAULT_PORT = 8081  # the meter's HTTPS port (IEEE 2030.5 over mutual TLS), and what mDNS announces

__all__ = ["DEFAULT_PORT", "check_host", "format_address", "parse_address"]


def parse_address(text: str, default_port: int = DEFAULT_PORT) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 address -> (host, port). Raises ValueError."""
    text = text.strip()
    if not text:
        raise ValueError("empty address")
    host, port = text, default_port
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError(f"unclosed '[' in {text!r}")
        host = text[1:end]
        rest = text[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"unexpected {rest!r} after the address")
            port = _port(rest[1:])
    elif text.count(":") == 1:
        host, port_text = text.split(":")
        port = _port(port_text)
    if not host or any(c.isspace() for c in host):
        raise ValueError(f"not a host name or address: {text!r}")
    check_host(host)  # what the dialog accepts, the meters file accepts at the next start
    return host, port


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise ValueError(f"not a port number: {text!r}") from None
    if not 0 < port < 65536:
        raise ValueError(f"port out of range: {port}")
    return port


_HOST_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_\-.]{0,251}[A-Za-z0-9_\-])?\.?")


def check_host(text: str) -> None:
    """Raise ValueError unless ``text`` is a host name or an IP address (IPv6 may carry a ``%zone``)."""
    if _HOST_NAME.fullmatch(text):
        return
    try:
        ipaddress.ip_address(text.split("%", 1)[0] if text.count("%") == 1 and ":" in text else text)
    except ValueError:
        raise ValueError("not a host name or IP address") from None
    if "%" in text and not re.fullmatch(r"[A-Za-z0-9_.\-]{1,64}", text.split("%", 1)[1]):
        raise ValueError("bad IPv6 zone")


def format_address(host: str, port: int) -> str:
    """The address as a person would type it back: the port only when it is not the meter's usual one."""
    if port == DEFAULT_PORT:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

