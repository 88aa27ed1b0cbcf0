"""Where the client identity lives: the OS keyring, or (only if the user opts in) a passphrase-encrypted file.

The private key never reaches the disk in plain text. In the keyring it is one secret entry; the certificate (public)
sits beside it as another entry. A small record in ``state_dir()/identity.json`` says which storage and backend hold
the identity, plus the certificate and its LFDI/expiry so the app can warn about expiry without unlocking the keyring.
Two slots exist: ``current`` (in use) and ``pending`` (a renewal waiting for the meter to accept it).

No usable keyring (the fail/null backends, a chainer with nothing to chain, no Secret Service on the bus, a locked
keyring whose unlock prompt was dismissed) raises :class:`SecretsUnavailable` / :class:`KeyringLocked`, each with a
``user_message``. There is no silent fallback: the encrypted file is used only when the caller passes a passphrase.

The parts: :mod:`.errors`, :mod:`.backends` (which keyring, in words), :mod:`.record` (``identity.json``, typed),
:mod:`.storage` (the two key storages behind one interface), :mod:`.store` (:class:`IdentityStore`). Asking a
person for a passphrase is the caller's job (the CLI's in ``commands/passphrase.py``, the wizard's in its pages).
"""

from xcelsior_desktop.platform.secrets.backends import class_path, describe_backend, resolve_backend, unusable_reason
from xcelsior_desktop.platform.secrets.errors import (
    MIN_PASSPHRASE_LEN,
    KeyringLocked,
    PassphraseRequired,
    SecretsError,
    SecretsUnavailable,
    StoredIdentityDamaged,
    WeakPassphrase,
    WrongPassphrase,
)
from xcelsior_desktop.platform.secrets.record import RECORD_NAME, SLOTS, IdentityRecord, Slot, SlotRecord, Storage
from xcelsior_desktop.platform.secrets.storage import FILE_FORMAT, EncryptedFileStorage, KeyringStorage, KeyStorage
from xcelsior_desktop.platform.secrets.store import SERVICE, IdentityStore, days_left_from_record

__all__ = [
    "FILE_FORMAT", "MIN_PASSPHRASE_LEN", "RECORD_NAME", "SERVICE", "SLOTS", "EncryptedFileStorage", "IdentityRecord",
    "IdentityStore", "KeyStorage", "KeyringLocked", "KeyringStorage", "PassphraseRequired", "SecretsError",
    "SecretsUnavailable", "Slot", "SlotRecord", "Storage", "StoredIdentityDamaged", "WeakPassphrase",
    "WrongPassphrase", "class_path", "days_left_from_record", "describe_backend", "resolve_backend",
    "unusable_reason",
]
