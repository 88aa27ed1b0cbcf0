"""An in-memory keyring backend for tests: ``PYTHON_KEYRING_BACKEND=xcelsior_desktop.platform.secrets.memory_keyring.MemoryKeyring``.

It is a real :class:`keyring.backend.KeyringBackend` (so the code under test goes through ``keyring`` exactly as
with an OS keyring), with one process-wide store and a switch that makes it behave like a locked keyring whose
unlock prompt was dismissed. Nothing is ever written to disk.
"""

from __future__ import annotations

import os
import threading
from typing import ClassVar

from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

BACKEND_PATH = "xcelsior_desktop.platform.secrets.memory_keyring.MemoryKeyring"


class MemoryKeyring(KeyringBackend):
    """Passwords in a dict shared by every instance in the process."""

    @properties.classproperty
    def priority(cls) -> float:
        """Viable only when named in PYTHON_KEYRING_BACKEND, so the app can never fall onto it silently."""
        if os.environ.get("PYTHON_KEYRING_BACKEND") != BACKEND_PATH:
            raise RuntimeError("the in-memory keyring is only for tests and only used when named")
        return 0.5

    _store: ClassVar[dict[tuple[str, str], str]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()
    locked: ClassVar[bool] = False  # True: every call fails as if the unlock prompt was dismissed

    @classmethod
    def reset(cls) -> None:
        """Forget everything and unlock (a test fixture calls this between tests)."""
        with cls._lock:
            cls._store.clear()
            cls.locked = False

    @classmethod
    def set_locked(cls, locked: bool) -> None:
        cls.locked = locked

    @classmethod
    def entries(cls) -> dict[tuple[str, str], str]:
        """A copy of everything stored, keyed by (service, username)."""
        with cls._lock:
            return dict(cls._store)

    def _check_unlocked(self) -> None:
        if type(self).locked:
            raise KeyringLocked("Failed to unlock the collection!")

    def get_password(self, service: str, username: str) -> str | None:
        self._check_unlocked()
        with self._lock:
            return self._store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._check_unlocked()
        with self._lock:
            self._store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._check_unlocked()
        with self._lock:
            if self._store.pop((service, username), None) is None:
                raise PasswordDeleteError("No such password!")
