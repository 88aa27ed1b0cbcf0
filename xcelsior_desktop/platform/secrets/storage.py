"""The two places a private key can live, behind one interface: the OS keyring, or a passphrase-encrypted file.

:class:`IdentityStore` picks one from the record and never falls back from one to the other by itself.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets as _random
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keyring.errors
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from keyring.backend import KeyringBackend

from xcelsior_desktop.common.atomic_file import write_bytes_atomic
from xcelsior_desktop.common.regular_file import read_regular_file
from xcelsior_desktop.meter.errors import IdentityError
from xcelsior_desktop.meter.identity import Identity, load_identity
from xcelsior_desktop.platform.secrets.backends import (
    describe_backend,
    keyring_errors,
    unavailable_message,
    unusable_reason,
)
from xcelsior_desktop.platform.secrets.errors import (
    MIN_PASSPHRASE_LEN,
    PassphraseRequired,
    SecretsUnavailable,
    StoredIdentityDamaged,
    WeakPassphrase,
    WrongPassphrase,
)
from xcelsior_desktop.platform.secrets.record import Slot, SlotRecord, Storage

FILE_FORMAT = "xcelsior-desktop encrypted identity v1"
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**15, 8, 1
_PROBE_ENTRY = "keyring-check"
_MAX_KEY_FILE = 256 * 1024


class KeyStorage(ABC):
    """Where a slot's certificate and private key are kept."""

    kind: Storage

    @abstractmethod
    def words(self) -> str:
        """Where, in words, for the record and the user ("GNOME Keyring (Secret Service)", "encrypted file")."""

    @abstractmethod
    def save(self, slot: Slot, identity: Identity, passphrase: str | None) -> None:
        """Keep the identity of ``slot`` (raise a SecretsError when that is impossible)."""

    @abstractmethod
    def load(self, slot: Slot, recorded: SlotRecord | None, passphrase: str | None) -> Identity | None:
        """The identity of ``slot``; None when none is kept and none is recorded."""

    @abstractmethod
    def delete(self, slot: Slot) -> None:
        """Forget ``slot`` (nothing to forget is fine)."""


class KeyringStorage(KeyStorage):
    """Two entries per slot in the OS keyring: the certificate and the private key (both PEM)."""

    kind: Storage = "keyring"

    def __init__(self, service: str, backend: KeyringBackend) -> None:
        self.service = service
        self.backend = backend

    @staticmethod
    def entry_names(slot: Slot) -> tuple[str, str]:
        prefix = "" if slot == "current" else f"{slot}-"  # "pending-certificate", "production-private-key"
        return f"{prefix}certificate", f"{prefix}private-key"

    def check(self) -> str:
        """Raise SecretsUnavailable/KeyringLocked unless the keyring can hold a secret; return its name."""
        reason = unusable_reason(self.backend)
        if reason:
            raise SecretsUnavailable(reason, user_message=unavailable_message())
        with keyring_errors("keyring check"):
            self.backend.get_password(self.service, _PROBE_ENTRY)
        return describe_backend(self.backend)

    def words(self) -> str:
        return describe_backend(self.backend)

    def save(self, slot: Slot, identity: Identity, passphrase: str | None = None) -> None:
        self.check()
        cert_name, key_name = self.entry_names(slot)
        with keyring_errors("saving the identity in the keyring"):
            self.backend.set_password(self.service, cert_name, identity.cert_pem.decode("ascii"))
            self.backend.set_password(self.service, key_name, identity.key_pem.decode("ascii"))

    def load(self, slot: Slot, recorded: SlotRecord | None, passphrase: str | None = None) -> Identity | None:
        reason = unusable_reason(self.backend)
        if reason:
            if recorded is None:
                return None
            raise SecretsUnavailable(reason, user_message=unavailable_message())
        cert_name, key_name = self.entry_names(slot)
        with keyring_errors("reading the identity from the keyring"):
            key = self.backend.get_password(self.service, key_name)
            cert = self.backend.get_password(self.service, cert_name)
        if key is None and cert is None:
            if recorded is not None:
                where = describe_backend(self.backend)
                raise StoredIdentityDamaged(f"{slot} identity recorded but missing from {where}", user_message=(
                    f"The certificate's key is no longer in {where}. It may have been deleted there. Import a "
                    "backup of the certificate and key, or create a new identity and register it."))
            return None
        if key is None or cert is None:
            raise StoredIdentityDamaged(f"{slot} identity incomplete in the keyring")
        try:
            return load_identity(cert.encode("ascii"), key.encode("ascii"), allow_expired=True)
        except (IdentityError, UnicodeEncodeError) as exc:
            raise StoredIdentityDamaged(f"stored {slot} identity invalid: {exc}") from exc

    def delete(self, slot: Slot) -> None:
        for name in self.entry_names(slot):
            with contextlib.suppress(keyring.errors.PasswordDeleteError), keyring_errors(
                    "deleting the identity from the keyring"):
                self.backend.delete_password(self.service, name)


class EncryptedFileStorage(KeyStorage):
    """One JSON file per slot: the certificate, and the key sealed with AES-256-GCM under a scrypt-derived key.

    The LFDI is bound as associated data, so a file whose certificate was swapped does not decrypt.
    """

    kind: Storage = "encrypted-file"

    def __init__(self, path_of: Callable[[Slot], Path]) -> None:
        self.path_of = path_of

    def words(self) -> str:
        return "encrypted file"

    def save(self, slot: Slot, identity: Identity, passphrase: str | None) -> None:
        if passphrase is None or len(passphrase) < MIN_PASSPHRASE_LEN:
            raise WeakPassphrase(f"passphrase shorter than {MIN_PASSPHRASE_LEN}")
        blob: dict[str, Any] = {"format": FILE_FORMAT, "lfdi": identity.lfdi,
                                "cert_pem": identity.cert_pem.decode("ascii")}
        blob.update(encrypt_key(identity.key_pem, passphrase, identity.lfdi))
        write_bytes_atomic(self.path_of(slot), (json.dumps(blob, indent=2) + "\n").encode())

    def load(self, slot: Slot, recorded: SlotRecord | None, passphrase: str | None) -> Identity | None:
        path = self.path_of(slot)
        if recorded is None and not path.exists():
            return None
        if not passphrase:
            raise PassphraseRequired(f"{path} needs a passphrase")
        try:
            blob = json.loads(read_regular_file(path, limit=_MAX_KEY_FILE).decode("utf-8"))
        except FileNotFoundError as exc:
            raise StoredIdentityDamaged(f"{path} missing", user_message=(
                f"The encrypted key file {path} is missing. Import a backup, or create a new identity and "
                "register it.")) from exc
        except (OSError, ValueError, RecursionError) as exc:
            raise StoredIdentityDamaged(f"{path} unreadable: {exc}") from exc
        if not isinstance(blob, dict) or blob.get("format") != FILE_FORMAT:
            raise StoredIdentityDamaged(f"{path} is not an encrypted identity file")
        key_pem = decrypt_key(blob, passphrase, str(blob.get("lfdi", "")))
        try:
            return load_identity(str(blob["cert_pem"]).encode("ascii"), key_pem, allow_expired=True)
        except (IdentityError, KeyError, UnicodeEncodeError) as exc:
            raise StoredIdentityDamaged(f"{path}: {exc}") from exc

    def delete(self, slot: Slot) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path_of(slot).unlink()


def encrypt_key(key_pem: bytes, passphrase: str, lfdi: str) -> dict[str, Any]:
    salt = _random.token_bytes(16)
    nonce = _random.token_bytes(12)
    kek = Scrypt(salt=salt, length=32, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P).derive(passphrase.encode("utf-8"))
    ciphertext = AESGCM(kek).encrypt(nonce, key_pem, lfdi.encode("ascii"))
    b64 = base64.b64encode
    return {
        "kdf": {"name": "scrypt", "n": _SCRYPT_N, "r": _SCRYPT_R, "p": _SCRYPT_P, "salt": b64(salt).decode()},
        "cipher": "AES-256-GCM",
        "nonce": b64(nonce).decode(),
        "ciphertext": b64(ciphertext).decode(),
    }


def decrypt_key(blob: dict[str, Any], passphrase: str, lfdi: str) -> bytes:
    try:
        kdf = blob["kdf"]
        salt = base64.b64decode(kdf["salt"])
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        if not (2 <= n <= 2**20 and 1 <= r <= 32 and 1 <= p <= 16):  # a damaged file must not exhaust memory
            raise ValueError(f"scrypt parameters out of range: n={n} r={r} p={p}")
        kek = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(
            passphrase.encode("utf-8")
        )
        nonce = base64.b64decode(blob["nonce"])
        ciphertext = base64.b64decode(blob["ciphertext"])
    except (KeyError, TypeError, ValueError, OverflowError, MemoryError) as exc:
        raise StoredIdentityDamaged(f"encrypted key file malformed: {exc}") from exc
    try:
        return AESGCM(kek).decrypt(nonce, ciphertext, lfdi.encode("ascii"))
    except InvalidTag as exc:
        raise WrongPassphrase("passphrase does not decrypt the key") from exc
    except (ValueError, UnicodeEncodeError) as exc:  # a nonce of the wrong size, an LFDI that is not ASCII
        raise StoredIdentityDamaged(f"encrypted key file malformed: {exc}") from exc
