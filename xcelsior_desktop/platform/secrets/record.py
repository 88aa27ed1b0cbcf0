"""``identity.json``: where the identity is kept, and each slot's public certificate (never the key).

The record lets the app warn about expiry and show the LFDI without unlocking the keyring. It is read through
:mod:`xcelsior_desktop.platform.state_files` against :data:`SCHEMA`: a damaged record is set aside (the user is
told) and read as "no record"; the keyring entries themselves are untouched.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from xcelsior_desktop.common.atomic_file import write_bytes_atomic
from xcelsior_desktop.platform.state_files import (
    anything,
    integer,
    lfdi,
    load_json_file,
    mapping,
    one_of,
    optional,
    record,
    string,
)

# current: this computer's certificate; pending: its renewal, until the meter accepts it; production: a second
# certificate of this computer that only the household's solar meter knows (when the user chose one per meter)
Slot = Literal["current", "pending", "production"]
SLOTS: tuple[Slot, ...] = ("current", "pending", "production")
Storage = Literal["keyring", "encrypted-file"]
RECORD_NAME = "identity.json"
RECORD_VERSION = 1


def _check_date(text: str) -> None:
    dt.datetime.fromisoformat(text)


def _check_pem(text: str) -> None:
    if not text.isascii() or "-----BEGIN CERTIFICATE-----" not in text:
        raise ValueError("not a PEM certificate")


_SLOT = record(
    {
        "lfdi": lfdi("an LFDI"),
        "not_after": string(max_len=64, check=_check_date, what="a date"),
        "cert_pem": string(max_len=64_000, check=_check_pem, what="a PEM certificate"),
    },
    required=("lfdi", "not_after", "cert_pem"),
    what="a slot record",
)

#: identity.json: every field typed; anything wrong resets the whole record (a half-trusted record is worse)
SCHEMA = record(
    {
        "version": integer(0, 1000),
        "service": string(max_len=200),
        "storage": one_of("keyring", "encrypted-file"),
        "backend": optional(string(max_len=500)),
        "slots": mapping(one_of(*SLOTS), _SLOT, max_items=len(SLOTS)),
    },
    unknown=anything(),
    what="an identity record",
)


@dataclass(frozen=True)
class SlotRecord:
    """One stored certificate's public facts."""

    lfdi: str
    not_after: str  # ISO 8601, UTC
    cert_pem: str

    def to_dict(self) -> dict[str, Any]:
        return {"lfdi": self.lfdi, "not_after": self.not_after, "cert_pem": self.cert_pem}


@dataclass(frozen=True)
class IdentityRecord:
    """What ``identity.json`` holds; ``storage`` None means nothing is stored."""

    service: str
    storage: Storage | None = None
    backend: str | None = None  # the keyring in words, or "encrypted file"
    slots: dict[Slot, SlotRecord] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, service: str) -> IdentityRecord:
        loaded = load_json_file(
            path, SCHEMA, title="The record of this computer's certificate",
            on_reset="The certificate and key themselves are untouched (in the keyring, or in the encrypted key "
            "file): a certificate in the keyring is found again at once. If the app asks to set up, import your "
            "backup, or create a new certificate and register it.",
        )
        data = loaded.data or {}
        slots = {name: SlotRecord(**entry) for name, entry in data.get("slots", {}).items()}
        return cls(service=str(data.get("service", service)), storage=data.get("storage"),
                   backend=data.get("backend"), slots=slots)

    def save(self, path: Path) -> None:
        data = {"version": RECORD_VERSION, "service": self.service, "storage": self.storage,
                "backend": self.backend, "slots": {name: entry.to_dict() for name, entry in self.slots.items()}}
        write_bytes_atomic(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())
