"""The secrets' shape: two key storages behind one interface with a typed record, one error base
with ``user_message`` shared with the meter's errors, and no terminal prompt below ``commands/``."""

from __future__ import annotations

import inspect
from pathlib import Path

import keyring.backends.fail
import pytest

from xcelsior_desktop.common.errors import XcelsiorError
from xcelsior_desktop.meter.errors import CertificateRefused, IdentityError, MeterError
from xcelsior_desktop.meter.identity import Identity, generate_identity
from xcelsior_desktop.platform import secrets
from xcelsior_desktop.platform.secrets import (
    EncryptedFileStorage,
    IdentityRecord,
    IdentityStore,
    KeyringStorage,
    KeyStorage,
    PassphraseRequired,
    SecretsError,
    SecretsUnavailable,
    SlotRecord,
    WrongPassphrase,
)
from xcelsior_desktop.platform.secrets.memory_keyring import MemoryKeyring


@pytest.fixture(scope="module")
def ident() -> Identity:
    return generate_identity()


def test_meter_and_secrets_errors_share_one_base_with_a_user_message() -> None:
    for error in (CertificateRefused(), IdentityError("x"), SecretsUnavailable(), WrongPassphrase("detail")):
        assert isinstance(error, XcelsiorError) and error.user_message
    assert issubclass(MeterError, XcelsiorError) and issubclass(SecretsError, XcelsiorError)
    custom = SecretsError("technical", user_message="Do this next.")
    assert str(custom) == "technical" and custom.user_message == "Do this next." and custom.detail == "technical"


def test_both_storages_answer_the_same_interface(ident: Identity, tmp_path: Path) -> None:
    storages: list[tuple[KeyStorage, str | None]] = [
        (KeyringStorage("xcelsior-desktop", MemoryKeyring()), None),
        (EncryptedFileStorage(lambda slot: tmp_path / f"{slot}.json"), "long enough words"),
    ]
    for storage, passphrase in storages:
        assert isinstance(storage, KeyStorage)
        assert storage.load("pending", None, passphrase) is None
        storage.save("pending", ident, passphrase)
        loaded = storage.load("pending", SlotRecord(ident.lfdi, ident.not_after.isoformat(),
                                                    ident.cert_pem.decode()), passphrase)
        assert loaded is not None and loaded.key_pem == ident.key_pem
        storage.delete("pending")
        storage.delete("pending")  # nothing left to forget is fine
    assert MemoryKeyring.entries() == {} and list(tmp_path.iterdir()) == []
    storages[1][0].save("current", ident, "long enough words")
    with pytest.raises(PassphraseRequired):
        storages[1][0].load("current", None, None)


def test_the_record_is_typed(ident: Identity) -> None:
    store = IdentityStore(backend=keyring.backends.fail.Keyring())
    assert store.record() == IdentityRecord(service="xcelsior-desktop")
    store.save(ident, file_passphrase="long enough words")
    record = store.record()
    assert record.storage == "encrypted-file" and record.backend == "encrypted file"
    assert record.slots["current"] == SlotRecord(ident.lfdi, ident.not_after.isoformat(), ident.cert_pem.decode())
    assert store.summary() == record.slots["current"].to_dict()


def test_no_terminal_prompt_below_the_command_line() -> None:
    for module in (secrets.store, secrets.storage, secrets.backends, secrets.record, secrets.errors):
        source = inspect.getsource(module)
        assert "getpass" not in source and "isatty" not in source and "XCELSIOR_KEY_PASSPHRASE" not in source
    from xcelsior_desktop.commands import passphrase

    assert "getpass" in inspect.getsource(passphrase)
