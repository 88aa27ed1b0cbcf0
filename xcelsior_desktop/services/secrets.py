"""Where the client identity lives: the OS keyring, or (only if the user opts in) a passphrase-encrypted file.

The private key never reaches the disk in plain text. In the keyring it is one secret entry; the certificate (public)
sits beside it as another entry. A small record in ``state_dir()/identity.json`` says which storage and backend hold
the identity, plus the certificate and its LFDI/expiry so the app can warn about expiry without unlocking the keyring.
Two slots exist: ``current`` (in use) and ``pending`` (a renewal waiting for the meter to accept it).

No usable keyring (the fail/null backends, a chainer with nothing to chain, no Secret Service on the bus, a locked
keyring whose unlock prompt was dismissed) raises :class:`SecretsUnavailable` / :class:`KeyringLocked`, each with a
``user_message``. There is no silent fallback: the encrypted file is used only when the caller passes a passphrase.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import logging
import os
import secrets as _random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import keyring
import keyring.errors
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from keyring.backend import KeyringBackend

from xcelsior_desktop.meter.errors import IdentityError
from xcelsior_desktop.meter.identity import Identity, load_identity
from xcelsior_desktop.services.atomic_file import write_bytes_atomic

log = logging.getLogger(__name__)

SERVICE = "xcelsior-desktop"
Slot = Literal["current", "pending"]
SLOTS: tuple[Slot, ...] = ("current", "pending")
Storage = Literal["keyring", "encrypted-file"]
RECORD_NAME = "identity.json"
FILE_FORMAT = "xcelsior-desktop encrypted identity v1"
MIN_PASSPHRASE_LEN = 8
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**15, 8, 1
_PROBE_ENTRY = "keyring-check"

# backend class (module.qualname) -> the words a person knows it by
_BACKEND_NAMES = {
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Manager",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.SecretService.Keyring": "GNOME Keyring (Secret Service)",
    "keyring.backends.libsecret.Keyring": "GNOME Keyring (libsecret)",
    "keyring.backends.kwallet.DBusKeyring": "KWallet",
    "keyring.backends.kwallet.DBusKeyringKWallet4": "KWallet",
    "xcelsior_desktop.services.memory_keyring.MemoryKeyring": "in-memory test keyring",
}
_UNUSABLE = {"keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"}


class SecretsError(Exception):
    """Base class; ``str(err)`` is the technical detail, ``user_message`` what to tell a person."""

    default_message = "The certificate's private key could not be stored or read."

    def __init__(self, detail: str = "", *, user_message: str | None = None) -> None:
        super().__init__(detail or self.default_message)
        self.detail = detail
        self.user_message = user_message or self.default_message


class SecretsUnavailable(SecretsError):
    """No usable keyring. Offer to retry, or to keep the key in a passphrase-encrypted file."""

    default_message = (
        "No keyring is available to keep the certificate's private key safe. Start your desktop's keyring "
        "(GNOME Keyring or KWallet on Linux) and try again, or keep the key in a file encrypted with a "
        "passphrase you choose."
    )


class KeyringLocked(SecretsUnavailable):
    """The keyring is locked and was not unlocked (prompt dismissed or impossible)."""

    default_message = (
        "Your keyring is locked. Unlock it (your desktop asks for your login password) and try again."
    )


class PassphraseRequired(SecretsError):
    default_message = "The private key is kept in an encrypted file. Enter its passphrase to unlock it."


class WrongPassphrase(SecretsError):
    default_message = "That passphrase does not unlock the private key. Try again."


class WeakPassphrase(SecretsError):
    default_message = f"Choose a passphrase of at least {MIN_PASSPHRASE_LEN} characters."


class StoredIdentityDamaged(SecretsError):
    default_message = (
        "The stored certificate and key are damaged or incomplete. Forget this identity and set it up again "
        "(import a backup, or create a new one and register its LFDI)."
    )


def class_path(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def describe_backend(backend: KeyringBackend) -> str:
    """The backend in words ("GNOME Keyring (Secret Service)", "macOS Keychain", ...)."""
    path = class_path(backend)
    if path in _BACKEND_NAMES:
        return _BACKEND_NAMES[path]
    chained = getattr(backend, "backends", None)
    if isinstance(chained, list):
        usable = [b for b in chained if class_path(b) not in _UNUSABLE]
        return describe_backend(usable[0]) if usable else "no keyring"
    if path in _UNUSABLE:
        return "no keyring"
    return getattr(backend, "name", type(backend).__name__)


def unusable_reason(backend: KeyringBackend) -> str | None:
    """Why a backend cannot hold the key safely, or None when it can."""
    path = class_path(backend)
    if path in _UNUSABLE:
        return f"the keyring backend is {path} (no real keyring found)"
    chained = getattr(backend, "backends", None)
    if isinstance(chained, list) and not [b for b in chained if class_path(b) not in _UNUSABLE]:
        return "the keyring chainer has no backend to chain"
    if "plaintext" in path.lower():
        return f"{path} stores secrets in plain text"
    return None


def _unavailable_message() -> str:
    if sys.platform.startswith("linux"):
        return (
            "No keyring service is running on this computer (GNOME Keyring or KWallet provide one through the "
            "Secret Service). Log in to a desktop session with a keyring, or install and start gnome-keyring, then "
            "try again. Or keep the key in a file encrypted with a passphrase you choose."
        )
    return SecretsUnavailable.default_message


def resolve_backend() -> KeyringBackend:
    """The backend ``keyring`` would use, honouring ``PYTHON_KEYRING_BACKEND`` even after first use."""
    try:
        env = keyring.core.load_env()
    except Exception as exc:  # a named backend that cannot load (e.g. Secret Service with no D-Bus)
        raise SecretsUnavailable(f"PYTHON_KEYRING_BACKEND unusable: {exc}", user_message=_unavailable_message()) from exc
    return env if env is not None else keyring.get_keyring()


@contextlib.contextmanager
def _keyring_errors(action: str) -> Iterator[None]:
    """Turn whatever a backend raises into SecretsUnavailable/KeyringLocked with a message."""
    try:
        yield
    except keyring.errors.KeyringLocked as exc:
        raise KeyringLocked(f"{action}: {exc}") from exc
    except keyring.errors.PasswordDeleteError:
        raise
    except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
        raise SecretsUnavailable(f"{action}: {exc}", user_message=_unavailable_message()) from exc
    except Exception as exc:  # D-Bus and OS-specific errors the backends let through
        name = type(exc).__name__
        if "Dismiss" in name or "Locked" in name:
            raise KeyringLocked(f"{action}: {name}: {exc}") from exc
        raise SecretsUnavailable(f"{action}: {name}: {exc}", user_message=_unavailable_message()) from exc


def _encrypt_key(key_pem: bytes, passphrase: str, lfdi: str) -> dict[str, Any]:
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


def _decrypt_key(blob: dict[str, Any], passphrase: str, lfdi: str) -> bytes:
    try:
        kdf = blob["kdf"]
        salt = base64.b64decode(kdf["salt"])
        kek = Scrypt(salt=salt, length=32, n=int(kdf["n"]), r=int(kdf["r"]), p=int(kdf["p"])).derive(
            passphrase.encode("utf-8")
        )
        nonce = base64.b64decode(blob["nonce"])
        ciphertext = base64.b64decode(blob["ciphertext"])
    except (KeyError, TypeError, ValueError) as exc:
        raise StoredIdentityDamaged(f"encrypted key file malformed: {exc}") from exc
    try:
        return AESGCM(kek).decrypt(nonce, ciphertext, lfdi.encode("ascii"))
    except InvalidTag as exc:
        raise WrongPassphrase("passphrase does not decrypt the key") from exc


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
            from xcelsior_desktop.services import paths

            return paths.state_dir() / RECORD_NAME
        return self._record_dir / RECORD_NAME

    def file_path(self, slot: Slot = "current") -> Path:
        """The encrypted key file of a slot (used only when the user chose a passphrase)."""
        if self._file_dir is None:
            from xcelsior_desktop.services import paths

            base = paths.data_dir()
        else:
            base = self._file_dir
        return base / f"identity-{slot}.encrypted.json"

    @property
    def backend(self) -> KeyringBackend:
        if self._backend is None:
            self._backend = resolve_backend()
        return self._backend

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
        value = self._record().get("storage")
        return value if value in ("keyring", "encrypted-file") else None

    @property
    def backend_name(self) -> str:
        """In words, where the identity is kept (or would be kept by :meth:`save`)."""
        record = self._record()
        if record.get("storage") == "encrypted-file":
            return f"an encrypted file ({self.file_path('current')})"
        if record.get("storage") == "keyring" and record.get("backend"):
            return str(record["backend"])
        return self.keyring_name

    # -- keyring health -----------------------------------------------------------------------------

    def check_keyring(self) -> str:
        """Raise SecretsUnavailable/KeyringLocked unless the keyring can hold a secret; return its name."""
        backend = self.backend
        reason = unusable_reason(backend)
        if reason:
            raise SecretsUnavailable(reason, user_message=_unavailable_message())
        with _keyring_errors("keyring check"):
            backend.get_password(self.service, _PROBE_ENTRY)
        return describe_backend(backend)

    # -- record (no secrets in it) ----------------------------------------------------------------

    def _record(self) -> dict[str, Any]:
        try:
            data = json.loads(self.record_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("identity record unreadable (%s); treating as no identity", exc)
            return {}
        return data if isinstance(data, dict) else {}

    def _write_record(self, record: dict[str, Any]) -> None:
        write_bytes_atomic(self.record_path, (json.dumps(record, indent=2, sort_keys=True) + "\n").encode())

    def has_identity(self, slot: Slot = "current") -> bool:
        return slot in self._record().get("slots", {})

    def certificate_pem(self, slot: Slot = "current") -> bytes | None:
        """The slot's certificate (public) from the record, without unlocking anything."""
        entry = self._record().get("slots", {}).get(slot)
        if not entry or not isinstance(entry.get("cert_pem"), str):
            return None
        return str(entry["cert_pem"]).encode("ascii")

    def summary(self, slot: Slot = "current") -> dict[str, Any] | None:
        """``{"lfdi", "not_after", "cert_pem"}`` for a slot, or None."""
        entry = self._record().get("slots", {}).get(slot)
        return dict(entry) if isinstance(entry, dict) else None

    # -- load / save / delete ---------------------------------------------------------------------

    def _names(self, slot: Slot) -> tuple[str, str]:
        prefix = "" if slot == "current" else "pending-"
        return f"{prefix}certificate", f"{prefix}private-key"

    def load(self, slot: Slot = "current", *, passphrase: str | None = None) -> Identity | None:
        """The saved identity, or None when there is none. The key is decrypted in memory only."""
        record = self._record()
        entry = record.get("slots", {}).get(slot)
        if record.get("storage") == "encrypted-file" and entry:
            return self._load_file(slot, entry, passphrase)
        cert_name, key_name = self._names(slot)
        backend = self.backend
        reason = unusable_reason(backend)
        if reason:
            if not entry:
                return None
            raise SecretsUnavailable(reason, user_message=_unavailable_message())
        with _keyring_errors("reading the identity from the keyring"):
            key = backend.get_password(self.service, key_name)
            cert = backend.get_password(self.service, cert_name)
        if key is None and cert is None:
            if entry:
                raise StoredIdentityDamaged(f"{slot} identity recorded but missing from {describe_backend(backend)}",
                                            user_message=(
                    f"The certificate's key is no longer in {describe_backend(backend)}. It may have been deleted "
                    "there. Import a backup of the certificate and key, or create a new identity and register it."))
            return None
        if key is None or cert is None:
            raise StoredIdentityDamaged(f"{slot} identity incomplete in the keyring")
        try:
            return load_identity(cert.encode("ascii"), key.encode("ascii"), allow_expired=True)
        except (IdentityError, UnicodeEncodeError) as exc:
            raise StoredIdentityDamaged(f"stored {slot} identity invalid: {exc}") from exc

    def _load_file(self, slot: Slot, entry: dict[str, Any], passphrase: str | None) -> Identity:
        path = self.file_path(slot)
        if not passphrase:
            raise PassphraseRequired(f"{path} needs a passphrase")
        try:
            blob = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise StoredIdentityDamaged(f"{path} missing", user_message=(
                f"The encrypted key file {path} is missing. Import a backup, or create a new identity and "
                "register it.")) from exc
        except (OSError, ValueError) as exc:
            raise StoredIdentityDamaged(f"{path} unreadable: {exc}") from exc
        if not isinstance(blob, dict) or blob.get("format") != FILE_FORMAT:
            raise StoredIdentityDamaged(f"{path} is not an encrypted identity file")
        key_pem = _decrypt_key(blob, passphrase, str(blob.get("lfdi", "")))
        try:
            return load_identity(str(blob["cert_pem"]).encode("ascii"), key_pem, allow_expired=True)
        except (IdentityError, KeyError) as exc:
            raise StoredIdentityDamaged(f"{path}: {exc}") from exc

    def save(self, identity: Identity, slot: Slot = "current", *, file_passphrase: str | None = None) -> None:
        """Keep an identity in the keyring, or (opt-in, with ``file_passphrase``) in an encrypted file.

        All slots share one storage: saving into the other storage moves nothing, so callers switch storage only
        for ``current`` with no ``pending`` (the wizard and ``identity new``/``import`` do exactly that).
        """
        record = self._record()
        slots: dict[str, Any] = dict(record.get("slots", {}))
        summary = {
            "lfdi": identity.lfdi,
            "not_after": identity.not_after.isoformat(),
            "cert_pem": identity.cert_pem.decode("ascii"),
        }
        if file_passphrase is not None:
            if len(file_passphrase) < MIN_PASSPHRASE_LEN:
                raise WeakPassphrase(f"passphrase shorter than {MIN_PASSPHRASE_LEN}")
            blob = {"format": FILE_FORMAT, "lfdi": identity.lfdi, "cert_pem": summary["cert_pem"]}
            blob.update(_encrypt_key(identity.key_pem, file_passphrase, identity.lfdi))
            write_bytes_atomic(self.file_path(slot), (json.dumps(blob, indent=2) + "\n").encode())
            if record.get("storage") == "keyring":
                self._delete_keyring_slot(slot, missing_ok=True)
            storage: Storage = "encrypted-file"
            backend_words = "encrypted file"
        else:
            backend_words = self.check_keyring()
            cert_name, key_name = self._names(slot)
            with _keyring_errors("saving the identity in the keyring"):
                self.backend.set_password(self.service, cert_name, identity.cert_pem.decode("ascii"))
                self.backend.set_password(self.service, key_name, identity.key_pem.decode("ascii"))
            if record.get("storage") == "encrypted-file":
                with contextlib.suppress(FileNotFoundError):
                    self.file_path(slot).unlink()
            storage = "keyring"
        slots[slot] = summary
        self._write_record({"version": 1, "service": self.service, "storage": storage,
                            "backend": backend_words, "slots": slots})
        log.info("identity %s (LFDI %s) saved in %s", slot, identity.lfdi, backend_words)

    def _delete_keyring_slot(self, slot: Slot, *, missing_ok: bool) -> None:
        for name in self._names(slot):
            try:
                with _keyring_errors("deleting the identity from the keyring"):
                    self.backend.delete_password(self.service, name)
            except keyring.errors.PasswordDeleteError:
                if not missing_ok:
                    raise

    def delete(self, slot: Slot = "current") -> None:
        """Forget a slot's identity everywhere (keyring entries, encrypted file, record)."""
        record = self._record()
        if record.get("storage") == "encrypted-file":
            with contextlib.suppress(FileNotFoundError):
                self.file_path(slot).unlink()
        elif unusable_reason(self.backend) is None:
            self._delete_keyring_slot(slot, missing_ok=True)
        elif slot in record.get("slots", {}):
            raise SecretsUnavailable("cannot delete: no keyring", user_message=_unavailable_message())
        slots = dict(record.get("slots", {}))
        slots.pop(slot, None)
        if slots:
            record["slots"] = slots
            self._write_record(record)
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


def days_left_from_record(summary: dict[str, Any], now: dt.datetime | None = None) -> float | None:
    """Days until a recorded certificate expires (None when the record has no date)."""
    try:
        not_after = dt.datetime.fromisoformat(str(summary["not_after"]))
    except (KeyError, ValueError):
        return None
    now = now or dt.datetime.now(dt.UTC)
    return (not_after - now).total_seconds() / 86400.0


PASSPHRASE_ENV = "XCELSIOR_KEY_PASSPHRASE"


def _ask_passphrase(prompt: str) -> str | None:
    """A passphrase from ``$XCELSIOR_KEY_PASSPHRASE`` (scripts) or typed at the terminal; None when neither."""
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    if not sys.stdin.isatty():
        return None
    import getpass

    return getpass.getpass(prompt)


def ask_new_passphrase() -> str:
    """Ask twice for a new file passphrase (command line); raise WeakPassphrase/SecretsError on a bad answer."""
    first = _ask_passphrase("New passphrase for the key file: ")
    if first is None:
        raise SecretsError("no passphrase", user_message=(
            f"Type a passphrase at the terminal, or set {PASSPHRASE_ENV}, to keep the key in an encrypted file."))
    if not os.environ.get(PASSPHRASE_ENV) and _ask_passphrase("The same passphrase again: ") != first:
        raise SecretsError("passphrases differ", user_message="The two passphrases differ. Try again.")
    if len(first) < MIN_PASSPHRASE_LEN:
        raise WeakPassphrase(f"passphrase shorter than {MIN_PASSPHRASE_LEN}")
    return first


class CliIdentityStore(IdentityStore):
    """The store for the command line: asks for the file passphrase when the key is in an encrypted file.

    Set ``file_passphrase`` to save into an encrypted file instead of the keyring (``--encrypted-file``).
    """

    file_passphrase: str | None = None

    def load(self, slot: Slot = "current", *, passphrase: str | None = None) -> Identity | None:
        try:
            return super().load(slot, passphrase=passphrase)
        except PassphraseRequired:
            typed = _ask_passphrase(f"Passphrase for {self.file_path(slot)}: ")
            if typed is None:
                raise
            return super().load(slot, passphrase=typed)

    def save(self, identity: Identity, slot: Slot = "current", *, file_passphrase: str | None = None) -> None:
        super().save(identity, slot, file_passphrase=file_passphrase or self.file_passphrase)
