"""IdentityStore: load, save and delete the client identity (slots ``current`` and ``pending``).

The key lives in one :class:`~.storage.KeyStorage` (the keyring, or an encrypted file the user chose); the record
(:mod:`.record`) says which, and holds each slot's public certificate. There is no silent fallback: the encrypted
file is used only when the caller passes a passphrase.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend

from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.platform.secrets.backends import (
    describe_backend,
    resolve_backend,
    unavailable_message,
    unusable_reason,
)
from xcelsior_desktop.platform.secrets.errors import SecretsError, SecretsUnavailable
from xcelsior_desktop.platform.secrets.record import RECORD_NAME, IdentityRecord, Slot, SlotRecord, Storage
from xcelsior_desktop.platform.secrets.storage import EncryptedFileStorage, KeyringStorage, KeyStorage

log = logging.getLogger(__name__)

SERVICE = "xcelsior-desktop"


class IdentityStore:
    """Load, save and delete the client identity (current and pending slots)."""

    def __init__(
        self,
        service: str = SERVICE,
        *,
        backend: KeyringBackend | None = None,
        record_dir: Path | None = None,
        file_dir: Path | None = None,
    ) -> None:
        self.service = service
        self._backend = backend
        self._record_dir = record_dir
        self._file_dir = file_dir

    # -- where things are ---------------------------------------------------------------------------

    @property
    def record_path(self) -> Path:
        if self._record_dir is None:
            from xcelsior_desktop.platform import paths

            return paths.state_dir() / RECORD_NAME
        return self._record_dir / RECORD_NAME

    def file_path(self, slot: Slot = "current") -> Path:
        """The encrypted key file of a slot (used only when the user chose a passphrase)."""
        if self._file_dir is None:
            from xcelsior_desktop.platform import paths

            base = paths.data_dir()
        else:
            base = self._file_dir
        return base / f"identity-{slot}.encrypted.json"

    @property
    def backend(self) -> KeyringBackend:
        if self._backend is None:
            self._backend = resolve_backend()
        return self._backend

    def keyring_storage(self) -> KeyringStorage:
        return KeyringStorage(self.service, self.backend)

    def file_storage(self) -> EncryptedFileStorage:
        return EncryptedFileStorage(self.file_path)

    def _storage(self, kind: Storage | None) -> KeyStorage:
        return self.file_storage() if kind == "encrypted-file" else self.keyring_storage()

    @property
    def keyring_name(self) -> str:
        """The OS keyring in words, or "no keyring"."""
        try:
            return describe_backend(self.backend)
        except SecretsUnavailable:
            return "no keyring"

    @property
    def storage(self) -> Storage | None:
        """Where the saved identity is, from the record (None: nothing saved)."""
        return self.record().storage

    @property
    def backend_name(self) -> str:
        """In words, where the identity is kept (or would be kept by :meth:`save`)."""
        record = self.record()
        if record.storage == "encrypted-file":
            return f"an encrypted file ({self.file_path('current')})"
        if record.storage == "keyring" and record.backend:
            return record.backend
        return self.keyring_name

    # -- keyring health -----------------------------------------------------------------------------

    def check_keyring(self) -> str:
        """Raise SecretsUnavailable/KeyringLocked unless the keyring can hold a secret; return its name."""
        return self.keyring_storage().check()

    # -- record (no secrets in it) ----------------------------------------------------------------

    def record(self) -> IdentityRecord:
        """The typed record; a damaged file is set aside (the user is told) and reads as "nothing stored"."""
        return IdentityRecord.load(self.record_path, self.service)

    def has_identity(self, slot: Slot = "current") -> bool:
        return slot in self.record().slots

    def certificate_pem(self, slot: Slot = "current") -> bytes | None:
        """The slot's certificate (public) from the record, without unlocking anything."""
        entry = self.record().slots.get(slot)
        return entry.cert_pem.encode("ascii") if entry else None

    def summary(self, slot: Slot = "current") -> dict[str, Any] | None:
        """``{"lfdi", "not_after", "cert_pem"}`` for a slot, or None."""
        entry = self.record().slots.get(slot)
        return entry.to_dict() if entry else None

    # -- load / save / delete ---------------------------------------------------------------------

    def load(self, slot: Slot = "current", *, passphrase: str | None = None) -> Identity | None:
        """The saved identity, or None when there is none. The key is decrypted in memory only."""
        record = self.record()
        entry = record.slots.get(slot)
        kind = record.storage if entry is not None else "keyring"
        identity = self._storage(kind).load(slot, entry, passphrase)
        if identity is not None and entry is None and record.storage in (None, "keyring"):
            self._rewrite_entry(record, slot, identity)  # the record was lost (set aside as damaged): heal it
        return identity

    def _rewrite_entry(self, record: IdentityRecord, slot: Slot, identity: Identity) -> None:
        slots = {**record.slots, slot: _slot_record(identity)}
        try:
            IdentityRecord(service=self.service, storage="keyring", backend=self.keyring_name,
                           slots=slots).save(self.record_path)
        except OSError as exc:
            log.warning("could not write the identity record %s: %s", self.record_path, exc)

    def save(self, identity: Identity, slot: Slot = "current", *, file_passphrase: str | None = None) -> None:
        """Keep an identity in the keyring, or (opt-in, with ``file_passphrase``) in an encrypted file.

        All slots share one storage: saving into the other storage moves nothing, so callers switch storage only
        for ``current`` with no ``pending`` (the wizard and ``identity new``/``import`` do exactly that).
        """
        record = self.record()
        target = self._storage("encrypted-file" if file_passphrase is not None else "keyring")
        target.save(slot, identity, file_passphrase)
        if record.storage is not None and record.storage != target.kind:
            self._storage(record.storage).delete(slot)  # the slot moved: nothing left behind in the old place
        words = target.words()
        slots = {**record.slots, slot: _slot_record(identity)}
        IdentityRecord(service=self.service, storage=target.kind, backend=words, slots=slots).save(self.record_path)
        log.info("identity %s (LFDI %s) saved in %s", slot, identity.lfdi, words)

    def delete(self, slot: Slot = "current") -> None:
        """Forget a slot's identity everywhere (keyring entries, encrypted file, record)."""
        record = self.record()
        if record.storage == "encrypted-file":
            self.file_storage().delete(slot)
        elif unusable_reason(self.backend) is None:
            self.keyring_storage().delete(slot)
        elif slot in record.slots:
            raise SecretsUnavailable("cannot delete: no keyring", user_message=unavailable_message())
        slots = {name: entry for name, entry in record.slots.items() if name != slot}
        if slots:
            replace(record, slots=slots).save(self.record_path)
        else:
            with contextlib.suppress(FileNotFoundError):
                self.record_path.unlink()

    def promote_pending(self, *, passphrase: str | None = None) -> Identity:
        """The renewal was accepted: the pending identity becomes current, the old one is dropped."""
        pending = self.load("pending", passphrase=passphrase)
        if pending is None:
            raise SecretsError("no pending identity", user_message="There is no renewed certificate waiting.")
        file_passphrase = passphrase if self.storage == "encrypted-file" else None
        self.save(pending, "current", file_passphrase=file_passphrase)
        self.delete("pending")
        return pending


def _slot_record(identity: Identity) -> SlotRecord:
    return SlotRecord(lfdi=identity.lfdi, not_after=identity.not_after.isoformat(),
                      cert_pem=identity.cert_pem.decode("ascii"))


def days_left_from_record(summary: dict[str, Any], now: dt.datetime | None = None) -> float | None:
    """Days until a recorded certificate expires (None when the record has no date)."""
    try:
        not_after = dt.datetime.fromisoformat(str(summary["not_after"]))
    except (KeyError, ValueError):
        return None
    now = now or dt.datetime.now(dt.UTC)
    return (not_after - now).total_seconds() / 86400.0
