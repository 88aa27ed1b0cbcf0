"""Which OS keyring ``keyring`` would use, in words, whether it can hold a key safely, and its errors in ours."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import keyring
import keyring.errors
from keyring.backend import KeyringBackend

from xcelsior_desktop.platform.secrets.errors import KeyringLocked, SecretsUnavailable

# backend class (module.qualname) -> the words a person knows it by
_BACKEND_NAMES = {
    "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Manager",
    "keyring.backends.macOS.Keyring": "macOS Keychain",
    "keyring.backends.SecretService.Keyring": "GNOME Keyring (Secret Service)",
    "keyring.backends.libsecret.Keyring": "GNOME Keyring (libsecret)",
    "keyring.backends.kwallet.DBusKeyring": "KWallet",
    "keyring.backends.kwallet.DBusKeyringKWallet4": "KWallet",
    "xcelsior_desktop.platform.secrets.memory_keyring.MemoryKeyring": "in-memory test keyring",
}
_UNUSABLE = {"keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"}


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


def unavailable_message() -> str:
    """What to tell the user when there is no keyring, for this OS."""
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
        raise SecretsUnavailable(f"PYTHON_KEYRING_BACKEND unusable: {exc}", user_message=unavailable_message()) from exc
    return env if env is not None else keyring.get_keyring()


@contextlib.contextmanager
def keyring_errors(action: str) -> Iterator[None]:
    """Turn whatever a backend raises into SecretsUnavailable/KeyringLocked with a message."""
    try:
        yield
    except keyring.errors.KeyringLocked as exc:
        raise KeyringLocked(f"{action}: {exc}") from exc
    except keyring.errors.PasswordDeleteError:
        raise
    except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
        raise SecretsUnavailable(f"{action}: {exc}", user_message=unavailable_message()) from exc
    except Exception as exc:  # D-Bus and OS-specific errors the backends let through
        name = type(exc).__name__
        if "Dismiss" in name or "Locked" in name:
            raise KeyringLocked(f"{action}: {name}: {exc}") from exc
        raise SecretsUnavailable(f"{action}: {name}: {exc}", user_message=unavailable_message()) from exc
