"""A faithful Itron Gen5 Riva meter: same TLS, same XML, mDNS, live household values, switchable faults.

    from xcelsior_desktop.simulator import MeterSimulator
    with MeterSimulator(allowed_certs=[identity.cert_pem]) as sim:
        ...  # https://{sim.host}:{sim.port}/dcap, mutual TLS, the meter's cipher suite

    with HouseholdMeters(seed=0, allowed_certs=[identity.cert_pem]) as (net, production):
        ...  # a solar household's two meters: the net meter and the production meter (roles.py)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xcelsior_desktop.simulator.faults import FAULT_NAMES
    from xcelsior_desktop.simulator.household import HouseholdMeters
    from xcelsior_desktop.simulator.meter_simulator import MeterSimulator
    from xcelsior_desktop.simulator.server import SimLog

# Loaded on first use, so that a command line that only needs the fault names (every `xcelsior-desktop` start
# builds the parser of `simulate` and `demo`) does not import the server, the model and cryptography.
_LAZY = {
    "FAULT_NAMES": "xcelsior_desktop.simulator.faults",
    "HouseholdMeters": "xcelsior_desktop.simulator.household",
    "MeterSimulator": "xcelsior_desktop.simulator.meter_simulator",
    "SimLog": "xcelsior_desktop.simulator.server",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'xcelsior_desktop.simulator' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)


__all__ = ["FAULT_NAMES", "HouseholdMeters", "MeterSimulator", "SimLog"]
