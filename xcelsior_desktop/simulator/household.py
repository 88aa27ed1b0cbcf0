"""Both meters of one solar household, side by side: the net meter and the production meter.

    from xcelsior_desktop.simulator import HouseholdMeters
    with HouseholdMeters(seed=0, allowed_certs=[identity.cert_pem]) as (net, production):
        ...  # two MeterSimulators on 127.0.0.1, each on its own free port, with its own certificate and SFDI

    meters = HouseholdMeters(seed=0, accept_any_cert=True).start()   # or without `with`; meters.stop() at the end

Each meter is a full :class:`MeterSimulator` (its own TLS identity, one-connection rule, faults and mDNS record);
they share the household model, and with it the integrated register history, so the second starts at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.simulator.meter_simulator import MeterSimulator
from xcelsior_desktop.simulator.model import HouseholdModel

# Set per meter by HouseholdMeters itself, so they cannot be given for both at once
_PER_METER = ("role", "port", "server_identity")


class HouseholdMeters:
    """The net and production simulators of household ``seed``, started and stopped together.

    ``options`` are :class:`MeterSimulator` keyword arguments given to both (host, allowed_certs, mdns, clock,
    faults, ...); faults can also be set on one meter while it runs (``meters.production.set_fault(...)``).
    """

    def __init__(self, seed: int = 0, *, net_port: int = 0, production_port: int = 0,
                 net_identity: Identity | None = None, production_identity: Identity | None = None,
                 **options: Any) -> None:
        given = sorted(set(options) & set(_PER_METER))
        if given:
            raise TypeError(f"HouseholdMeters sets {', '.join(given)} per meter; use net_port, production_port, "
                            "net_identity, production_identity")
        self.seed = seed
        self.net = MeterSimulator(port=net_port, server_identity=net_identity, seed=seed, role="net", **options)
        self.production = MeterSimulator(port=production_port, server_identity=production_identity, seed=seed,
                                         role="production", **options)

    @property
    def household(self) -> HouseholdModel:
        return self.net.household

    def start(self) -> HouseholdMeters:
        # The net meter first: its start integrates the household's history once, and the production meter then
        # finds every day it needs already built.
        self.net.start()
        try:
            self.production.start()
        except BaseException:
            self.net.stop()
            raise
        return self

    def stop(self) -> None:
        try:
            self.production.stop()
        finally:
            self.net.stop()

    def __iter__(self) -> Iterator[MeterSimulator]:
        return iter((self.net, self.production))

    def __enter__(self) -> tuple[MeterSimulator, MeterSimulator]:
        self.start()
        return self.net, self.production

    def __exit__(self, *exc: object) -> None:
        self.stop()

