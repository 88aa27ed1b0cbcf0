"""Qt-free IEEE 2030.5 client for the Itron Gen5 Riva meter: identity, TLS, resources, profile, discovery.

The main API, importable from here::

    from xcelsior_desktop.meter import MeterClient, generate_identity, discover
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xcelsior_desktop.meter.errors import (
    CertificateRefused,
    IdentityError,
    IdentityMismatch,
    MeterBusy,
    MeterError,
    ProtocolError,
    ResourceMissing,
    Unreachable,
)

if TYPE_CHECKING:
    from xcelsior_desktop.meter.channels import Channel
    from xcelsior_desktop.meter.client import MeterClient
    from xcelsior_desktop.meter.discovery import DiscoveredMeter, discover
    from xcelsior_desktop.meter.identity import (
        Identity,
        generate_identity,
        load_identity,
        load_identity_files,
        normalize_lfdi,
        portal_form,
        sfdi_from_lfdi,
    )
    from xcelsior_desktop.meter.profile import MeterProfile
    from xcelsior_desktop.meter.transport import ProbeResult
    from xcelsior_desktop.meter.values import DeviceInfo, IntervalEnergy, Measurement, MeterTime, Registers

# Heavier modules (cryptography, requests, lxml, zeroconf) load on first use, so `import xcelsior_desktop.meter`
# stays cheap (every command line imports it to build its parser).
_LAZY = {
    **dict.fromkeys(("Identity", "generate_identity", "load_identity", "load_identity_files", "normalize_lfdi",
                     "portal_form", "sfdi_from_lfdi"), "xcelsior_desktop.meter.identity"),
    "Channel": "xcelsior_desktop.meter.channels",
    "MeterClient": "xcelsior_desktop.meter.client",
    "DiscoveredMeter": "xcelsior_desktop.meter.discovery",
    "discover": "xcelsior_desktop.meter.discovery",
    "MeterProfile": "xcelsior_desktop.meter.profile",
    "ProbeResult": "xcelsior_desktop.meter.transport",
    "DeviceInfo": "xcelsior_desktop.meter.values",
    "IntervalEnergy": "xcelsior_desktop.meter.values",
    "Measurement": "xcelsior_desktop.meter.values",
    "MeterTime": "xcelsior_desktop.meter.values",
    "Registers": "xcelsior_desktop.meter.values",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'xcelsior_desktop.meter' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)


__all__ = [
    "CertificateRefused",
    "Channel",
    "DeviceInfo",
    "DiscoveredMeter",
    "Identity",
    "IdentityError",
    "IdentityMismatch",
    "IntervalEnergy",
    "Measurement",
    "MeterBusy",
    "MeterClient",
    "MeterError",
    "MeterProfile",
    "MeterTime",
    "ProbeResult",
    "ProtocolError",
    "Registers",
    "ResourceMissing",
    "Unreachable",
    "discover",
    "generate_identity",
    "load_identity",
    "load_identity_files",
    "normalize_lfdi",
    "portal_form",
    "sfdi_from_lfdi",
]
