"""Finding the meter with DNS-SD over mDNS (python-zeroconf).

The meter answers queries but never announces itself, and it can take from an instant to a minute
to answer, so we browse *and* send our own PTR query again every second until the timeout (or
until the meter with the wanted SFDI answers). Instance names are ``itrondnsserver-<SFDI>``; SFDIs
are compared as integers because some agents zero-pad them. Discovery is a convenience: a manual
host always works without it (and never works across VLANs, in WSL or in containers).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xcelsior_desktop.meter.address import DEFAULT_PORT

SERVICE_TYPE = "_smartenergy._tcp.local."
CANCEL_CHECK_S = 0.25
QUERY_INTERVAL_S = 1.0
_SFDI_IN_NAME = re.compile(r"(\d{6,})(?=\.|$)")


@dataclass(frozen=True)
class DiscoveredMeter:
    host: str
    port: int
    sfdi: int | None
    dcap_path: str
    name: str
    addresses: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "port": self.port,
            "sfdi": self.sfdi,
            "dcap_path": self.dcap_path,
            "name": self.name,
            "addresses": list(self.addresses),
        }


def sfdi_from_instance(name: str) -> int | None:
    """The SFDI from an instance name such as ``itrondnsserver-651057190448._smartenergy._tcp.local.``."""
    instance = name.split("._", 1)[0]
    match = _SFDI_IN_NAME.search(instance)
    return int(match.group(1)) if match else None


def _txt(properties: dict[Any, Any], key: str) -> str | None:
    for raw_key, raw_value in properties.items():
        k = raw_key.decode(errors="replace") if isinstance(raw_key, bytes) else str(raw_key)
        if k.lower() == key:
            if raw_value is None:
                return None
            return raw_value.decode(errors="replace") if isinstance(raw_value, bytes) else str(raw_value)
    return None


def _meter_from_info(info: Any) -> DiscoveredMeter | None:
    addresses = tuple(info.parsed_addresses())
    if not addresses:
        return None
    ipv4 = [a for a in addresses if ":" not in a]
    properties = info.properties or {}
    dcap = _txt(properties, "dcap") or "/dcap"
    if not dcap.startswith("/"):
        dcap = "/" + dcap
    port = info.port or DEFAULT_PORT
    https = _txt(properties, "https")
    if https and https.isdigit() and not info.port:
        port = int(https)
    return DiscoveredMeter(
        host=(ipv4 or list(addresses))[0],
        port=int(port),
        sfdi=sfdi_from_instance(info.name),
        dcap_path=dcap,
        name=info.name,
        addresses=addresses,
    )


def _send_query(zc: Any) -> None:
    from zeroconf import DNSOutgoing, DNSQuestion
    from zeroconf.const import _CLASS_IN, _FLAGS_QR_QUERY, _TYPE_PTR

    out = DNSOutgoing(_FLAGS_QR_QUERY)
    out.add_question(DNSQuestion(SERVICE_TYPE, _TYPE_PTR, _CLASS_IN))
    zc.send(out)


def discover(
    timeout: float = 10.0,
    interfaces: Sequence[str] | None = None,
    sfdi: int | str | None = None,
    *,
    query_interval: float = QUERY_INTERVAL_S,
    cancel: threading.Event | None = None,
) -> list[DiscoveredMeter]:
    """Meters answering ``_smartenergy._tcp.local.`` within ``timeout`` seconds.

    ``interfaces``: addresses of the interfaces to use (None = all). ``sfdi``: stop as soon as this
    meter answers, and return only it. ``cancel``: set it from another thread to stop early (an app
    quitting), returning what was found so far. The list is empty when nothing answered.
    """
    from zeroconf import InterfaceChoice, IPVersion, ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

    wanted = int(sfdi) if sfdi is not None and str(sfdi).strip() else None
    iface_arg: Any = list(interfaces) if interfaces else InterfaceChoice.All
    ip_version = IPVersion.V4Only if interfaces and all(":" not in i for i in interfaces) else None
    zc = Zeroconf(interfaces=iface_arg, ip_version=ip_version)
    names: set[str] = set()
    changed = threading.Event()
    lock = threading.Lock()

    def on_change(zeroconf: Any, service_type: str, name: str, state_change: Any) -> None:
        if state_change in (ServiceStateChange.Added, ServiceStateChange.Updated):
            with lock:
                names.add(name)
            changed.set()

    found: dict[str, DiscoveredMeter] = {}
    deadline = time.monotonic() + max(0.0, timeout)
    browser = ServiceBrowser(zc, SERVICE_TYPE, handlers=[on_change])
    try:
        next_query = time.monotonic()
        while True:
            now = time.monotonic()
            if now >= deadline or (cancel is not None and cancel.is_set()):
                break
            if now >= next_query:
                _send_query(zc)
                next_query = now + query_interval
            with lock:
                pending = [n for n in names if n not in found]
            for name in pending:
                if wanted is not None and sfdi_from_instance(name) not in (None, wanted):
                    continue
                info = ServiceInfo(SERVICE_TYPE, name)
                budget_ms = max(50.0, min(1000.0, (deadline - time.monotonic()) * 1000))
                if info.request(zc, budget_ms):
                    meter = _meter_from_info(info)
                    if meter is not None:
                        found[name] = meter
            if wanted is not None and any(m.sfdi == wanted for m in found.values()):
                break
            # short slices so that a cancel is seen within a quarter of a second
            changed.wait(max(0.0, min(next_query, deadline, time.monotonic() + CANCEL_CHECK_S) - time.monotonic()))
            changed.clear()
    finally:
        browser.cancel()
        zc.close()
    meters = sorted(found.values(), key=lambda m: (m.sfdi or 0, m.host))
    if wanted is not None:
        meters = [m for m in meters if m.sfdi == wanted]
    return meters
