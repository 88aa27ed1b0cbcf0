"""MeterSimulator: the server, the household model, faults and mDNS put together (see the package doc)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from xcelsior_desktop.meter.identity import Identity, generate_identity, lfdi_of, load_certificate, normalize_lfdi
from xcelsior_desktop.simulator.faults import FaultSet
from xcelsior_desktop.simulator.model import HouseholdModel, MeterModel
from xcelsior_desktop.simulator.roles import ROLES, meter_model, tou_tiers
from xcelsior_desktop.simulator.server import MeterServer, SimLog


class MeterSimulator:
    """A running meter on host:port; start it with :meth:`start` or ``with``, stop with :meth:`stop`.

    ``role``: "net", the meter at the service entrance (signed demand = load - PV), or "production", the meter on the
    solar inverter's output (demand = PV), of the household ``seed`` (see ``roles.py``). Simulators of one seed share
    one :class:`HouseholdModel` in the process, so a second meter of a household starts without integrating its
    history again. ``model`` is what this meter serves, ``household`` the whole household.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        allowed_certs: Iterable[bytes | str] = (),
        accept_any_cert: bool = False,
        server_identity: Identity | None = None,
        mdns: bool = False,
        mdns_interfaces: Iterable[str] | None = ("127.0.0.1",),
        faults: Iterable[str] = (),
        seed: int = 0,
        clock: Callable[[], float] | None = None,
        idle_timeout: float = 30.0,
        busy_hold: float = 5.0,
        firmware: str = "3.2.50",
        role: str = "net",
    ) -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        self.host = host
        self.port = port
        self.seed = seed
        self.clock: Callable[[], float] = clock or time.time
        self.server_identity = server_identity or generate_identity(days=3650)
        self.role = role
        self.household = HouseholdModel.for_seed(seed)
        self.model: MeterModel = meter_model(self.household, role)
        self.log = SimLog()
        self.firmware = firmware
        self._faults = FaultSet(seed)
        self._mdns_enabled = mdns
        self._mdns_interfaces = list(mdns_interfaces) if mdns_interfaces is not None else ["127.0.0.1"]
        self._mdns: Any = None
        self._mdns_lock = threading.Lock()
        self._lock = threading.Lock()
        self._server = MeterServer(host, port, self.server_identity, accept_any_cert, self.model, self.clock,
                                   idle_timeout, busy_hold, self.log, self._faults, firmware, tou_tiers(role))
        self._server.on_outage = self._mdns_silent
        for pem in allowed_certs:
            self.register(pem)
        self._initial_faults = list(faults)
        for name in self._initial_faults:
            self._faults.check(name, {})
        self._started = False

    # ------------------------------------------------------------------ identity
    @property
    def lfdi(self) -> str:
        return self.server_identity.lfdi

    @property
    def sfdi(self) -> int:
        return self.server_identity.sfdi

    @property
    def mdns_answering(self) -> bool:
        """True while the simulator advertises itself over mDNS (False when off or silenced by an outage)."""
        return self._mdns is not None

    @property
    def accept_any_cert(self) -> bool:
        return self._server.registry.accept_any

    @property
    def in_handshake_alerts(self) -> bool:
        """True when refusals are the meter's ``bad_certificate`` alert (False: ``unknown_ca`` fallback)."""
        return self._server.registry.in_handshake_alerts

    @property
    def registered_lfdis(self) -> list[str]:
        return self._server.registry.lfdis()

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> MeterSimulator:
        with self._lock:
            if self._started:
                return self
            self._server.start()
            self.port = self._server.port
            self._started = True
        for name in self._initial_faults:
            self.set_fault(name, True)
        with self._mdns_lock:
            if self._mdns_enabled and self._faults.get("outage") is None:
                self._advertise()
        return self

    def _advertise(self) -> None:
        from xcelsior_desktop.simulator.mdns import MdnsAdvertiser

        self._mdns = MdnsAdvertiser(self.sfdi, self.host, self.port, self._mdns_interfaces)
        self._mdns.start()

    def _mdns_silent(self, silent: bool) -> None:
        """An outage is the agent hanging: it stops answering DNS-SD too, until it comes back."""
        if not self._mdns_enabled:
            return
        with self._mdns_lock:
            if not self._started:
                return
            if silent and self._mdns is not None:
                mdns, self._mdns = self._mdns, None
                mdns.stop()
                self.log.note("mDNS silent")
            elif not silent and self._mdns is None:
                self._advertise()
                self.log.note("mDNS answering again")

    def stop(self) -> None:
        with self._lock:
            if not self._started:
                return
            self._started = False
        with self._mdns_lock:
            mdns, self._mdns = self._mdns, None
        if mdns is not None:
            mdns.stop()
        self._server.stop()

    def __enter__(self) -> MeterSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ registration
    def register(self, cert_pem: bytes | str) -> str:
        """Accept this client certificate (by its LFDI) from the next handshake on. Returns the LFDI."""
        pem = cert_pem.encode() if isinstance(cert_pem, str) else cert_pem
        lfdi = lfdi_of(load_certificate(pem))
        self._server.registry.register(lfdi, pem)
        self.log.note(f"registered {lfdi}")
        return lfdi

    def unregister(self, cert_pem_or_lfdi: bytes | str) -> str:
        """Refuse this certificate (PEM or LFDI) from the next handshake on. Returns the LFDI."""
        value = cert_pem_or_lfdi
        text = value.decode() if isinstance(value, bytes) else value
        lfdi = lfdi_of(load_certificate(text.encode())) if "-----BEGIN" in text else normalize_lfdi(text)
        self._server.registry.unregister(lfdi)
        self.log.note(f"unregistered {lfdi}")
        return lfdi

    # ------------------------------------------------------------------ faults
    def set_fault(self, name: str, enabled: bool = True, **params: Any) -> None:
        """Switch a fault on or off; see :mod:`xcelsior_desktop.simulator.faults` for names and parameters."""
        if name in ("frozen_register", "stuck_demand") and enabled:
            params = {**params, "_at": self.clock()}
        self._faults.set(name, enabled, params)
        self.log.note(f"fault {name} {'on' if enabled else 'off'} {params or ''}".rstrip())
        if name == "outage" and self._started:
            if enabled:
                merged = self._faults.get("outage") or {}
                self._server.begin_outage(float(merged.get("seconds", 30.0)))
            else:
                self._server.end_outage()
        if name == "busy":
            self._server.busy_changed()

    def clear_faults(self) -> None:
        was_out = self._faults.get("outage") is not None
        self._faults.clear()
        self.log.note("faults cleared")
        if was_out and self._started:
            self._server.end_outage()
        self._server.busy_changed()

    @property
    def faults(self) -> list[str]:
        return self._faults.names()

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"
