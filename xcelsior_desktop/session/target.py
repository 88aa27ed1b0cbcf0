"""One meter: which meter, where, as whom, registered or not. One immutable value a meter session owns.

A household has one meter (``net``: the meter at the service entrance, importing and exporting) or two (``net``
and ``production``: the meter on the solar inverter's output). Each is one :class:`MeterTarget`; in memory it is
the session's, on disk it is one record of ``meters.json`` (session/meters_file.py), and nothing else keeps any of
its fields. The session is the only one that changes its target; everyone else sends it a command and listens for
:class:`~xcelsior_desktop.session.events.TargetChanged`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from xcelsior_desktop.meter.address import DEFAULT_PORT
from xcelsior_desktop.meter.identity import Identity, sfdi_from_lfdi

Role = Literal["net", "production"]
NET: Role = "net"
PRODUCTION: Role = "production"
ROLES: tuple[Role, ...] = (NET, PRODUCTION)
ROLE_NAMES: dict[Role, str] = {NET: "Net meter", PRODUCTION: "Solar meter"}
CURRENT_CERTIFICATE = "current"  # the identity store's slot of this computer's certificate


@dataclass(frozen=True)
class MeterTarget:
    """Where and as whom to talk to one meter.

    ``host`` is where to connect: the address the user typed (``automatic=False``) or the one discovery last
    found (``automatic=True``, discovery may move it). ``meter_lfdi`` pins the meter (learned on first contact).
    ``registered``: the meter has accepted ``identity`` before, so a refusal now means "certificate refused"
    rather than "waiting for registration". ``certificate`` names which of this computer's certificates this meter
    knows (the identity store's slot); ``identity`` is that certificate, loaded.
    """

    identity: Identity | None = None
    host: str | None = None
    port: int = DEFAULT_PORT
    automatic: bool = True
    meter_lfdi: str | None = None
    registered: bool = False
    role: Role = NET
    name: str = ""
    certificate: str = CURRENT_CERTIFICATE

    @property
    def label(self) -> str:
        """What the user calls this meter: the name they gave it, else its role's name."""
        return self.name or ROLE_NAMES[self.role]

    @property
    def meter_sfdi(self) -> int | None:
        return sfdi_from_lfdi(self.meter_lfdi) if self.meter_lfdi else None

    @property
    def address(self) -> tuple[str, int] | None:
        return (self.host, self.port) if self.host else None

    @property
    def has_identity(self) -> bool:
        return self.identity is not None

    @property
    def has_address(self) -> bool:
        return self.host is not None

    def replace(self, **changes: Any) -> MeterTarget:
        return dataclasses.replace(self, **changes)

    # -- the saved form (one record of meters.json) --------------------------------------------------

    def to_record(self) -> dict[str, Any]:
        """The record meters.json keeps: every field but the loaded certificate, which the keyring keeps (the
        record names it, and says which of its LFDIs the meter accepted)."""
        return {
            "role": self.role,
            "name": self.name,
            "host": self.host,
            "port": int(self.port),
            "automatic": self.automatic,
            "meter_lfdi": self.meter_lfdi,
            "certificate": self.certificate,
            "registered_lfdi": self.identity.lfdi if self.identity is not None and self.registered else None,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any], identity: Identity | None) -> MeterTarget:
        """A checked record (session/meters_file.py SCHEMA) with its certificate loaded (or None)."""
        registered_lfdi = record.get("registered_lfdi")
        return cls(
            identity=identity,
            host=record.get("host"),
            port=int(record.get("port") or DEFAULT_PORT),
            automatic=bool(record.get("automatic", True)),
            meter_lfdi=record.get("meter_lfdi"),
            registered=identity is not None and registered_lfdi == identity.lfdi,
            role=record.get("role", NET),
            name=str(record.get("name") or ""),
            certificate=str(record.get("certificate") or CURRENT_CERTIFICATE),
        )
