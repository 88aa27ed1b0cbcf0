"""DNS-SD over mDNS like the meter: ``itrondnsserver-<SFDI>._smartenergy._tcp.local.`` with its TXT record.

Only on the interfaces given (loopback by default). Registration runs in the background so ``start`` stays fast.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zeroconf import ServiceInfo, Zeroconf

SERVICE_TYPE = "_smartenergy._tcp.local."
TTL = 120


def instance_name(sfdi: int) -> str:
    return f"itrondnsserver-{sfdi}.{SERVICE_TYPE}"


class MdnsAdvertiser:
    def __init__(self, sfdi: int, host: str, port: int, interfaces: list[str]) -> None:
        self.sfdi = sfdi
        self.port = port
        self.interfaces = interfaces
        wildcard = host in ("0.0.0.0", "", "::")
        self.address = socket.gethostbyname(socket.gethostname()) if wildcard else host
        self._zeroconf: Zeroconf | None = None
        self._info: ServiceInfo | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopped = False
        self.registered = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._register, name="sim-mdns", daemon=True)
        self._thread.start()

    def _register(self) -> None:
        from zeroconf import IPVersion, ServiceInfo, Zeroconf

        ip = ipaddress.ip_address(self.address)
        info = ServiceInfo(
            SERVICE_TYPE,
            instance_name(self.sfdi),
            addresses=[socket.inet_pton(socket.AF_INET6 if ip.version == 6 else socket.AF_INET, str(ip))],
            port=self.port,
            properties={"txtvers": "1", "dcap": "/dcap", "level": "-S0", "https": str(self.port)},
            server=f"itrondnsserver-{self.sfdi}.local.",
            host_ttl=TTL,
            other_ttl=TTL,
        )
        with self._lock:
            if self._stopped:
                return
            from zeroconf import InterfaceChoice

            chosen: list[str] | InterfaceChoice = (
                InterfaceChoice.All if "all" in self.interfaces else self.interfaces)
            zc = Zeroconf(interfaces=chosen, ip_version=IPVersion.V6Only if ip.version == 6 else
                          IPVersion.V4Only)
            self._zeroconf, self._info = zc, info
        try:
            zc.register_service(info, ttl=TTL)
            self.registered.set()
        except Exception:  # e.g. stopped while probing
            pass

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            zc, info = self._zeroconf, self._info
        if self._thread is not None:
            self._thread.join(timeout=5)
        if zc is not None:
            with contextlib.suppress(Exception):
                if info is not None:
                    zc.unregister_service(info)
            with contextlib.suppress(Exception):
                zc.close()
