"""IdentityStore against the in-memory keyring, the encrypted-file fallback and unusable backends."""

from __future__ import annotations

import json
from pathlib import Path

import keyring.backends.fail
import keyring.backends.null
import pytest
from keyring.backends import chainer

from xcelsior_desktop.meter.identity import generate_identity
from xcelsior_desktop.platform import secrets
from xcelsior_desktop.platform.secrets import (
    IdentityStore,
    KeyringLocked,
    PassphraseRequired,
    SecretsUnavailable,
    StoredIdentityDamaged,
    WeakPassphrase,
    WrongPassphrase,
)
from xcelsior_desktop.platform.secrets.memory_keyring import MemoryKeyring


def _all_bytes_under(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file())


def test_roundtrip_in_keyring(identity, isolated_home):
    store = IdentityStore()
    assert store.load() is None
    assert not store.has_identity()
    store.save(identity)
    loaded = IdentityStore().load()
    assert loaded is not None
    assert loaded.lfdi == identity.lfdi and loaded.key_pem == identity.key_pem
    assert store.backend_name == "in-memory test keyring"
    assert store.storage == "keyring"
    entries = MemoryKeyring.entries()
    assert entries[("xcelsior-desktop", "private-key")] == identity.key_pem.decode()
    assert entries[("xcelsior-desktop", "certificate")] == identity.cert_pem.decode()
    # the record (on disk) has the public certificate and the LFDI, never the key
    on_disk = _all_bytes_under(isolated_home)
    assert b"PRIVATE KEY" not in on_disk
    assert identity.lfdi.encode() in on_disk
    assert store.certificate_pem() == identity.cert_pem
    summary = store.summary()
    assert summary is not None and summary["lfdi"] == identity.lfdi


def test_delete_forgets_everything(identity):
    store = IdentityStore()
    store.save(identity)
    store.delete()
    assert MemoryKeyring.entries() == {}
    assert not store.record_path.exists()
    assert store.load() is None


@pytest.mark.parametrize(
    "backend",
    [keyring.backends.fail.Keyring(), keyring.backends.null.Keyring(), type("Empty", (chainer.ChainerBackend,),
                                                                            {"backends": []})()],
    ids=["fail", "null", "empty-chainer"],
)
def test_unusable_backends_are_refused_with_a_message(identity, backend):
    store = IdentityStore(backend=backend)
    with pytest.raises(SecretsUnavailable) as info:
        store.save(identity)
    assert "passphrase" in info.value.user_message
    assert store.keyring_name == "no keyring"
    assert store.load() is None  # nothing saved: "no identity", not a crash
    assert not store.record_path.exists()


def test_secret_service_without_a_bus_is_unavailable(identity, monkeypatch, tmp_path):
    from keyring.backends import SecretService

    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    store = IdentityStore(backend=SecretService.Keyring())
    assert store.keyring_name == "GNOME Keyring (Secret Service)"
    with pytest.raises(SecretsUnavailable) as info:
        store.save(identity)
    assert not isinstance(info.value, KeyringLocked)
    assert "keyring" in info.value.user_message


def test_named_backend_that_cannot_load(monkeypatch):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.SecretService.Keyring")
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    with pytest.raises(SecretsUnavailable):
        IdentityStore().check_keyring()


def test_locked_keyring(identity):
    store = IdentityStore()
    store.save(identity)
    MemoryKeyring.set_locked(True)
    with pytest.raises(KeyringLocked) as info:
        store.load()
    assert "Unlock" in info.value.user_message
    with pytest.raises(KeyringLocked):
        store.save(generate_identity())
    MemoryKeyring.set_locked(False)
    loaded = store.load()
    assert loaded is not None and loaded.lfdi == identity.lfdi


def test_encrypted_file_fallback(identity, isolated_home):
    store = IdentityStore(backend=keyring.backends.fail.Keyring())
    store.save(identity, file_passphrase="correct horse")
    assert store.storage == "encrypted-file"
    assert "encrypted file" in store.backend_name
    on_disk = _all_bytes_under(isolated_home)
    assert b"PRIVATE KEY" not in on_disk
    body = b"".join(identity.key_pem.splitlines()[1:-1])
    assert body[:40] not in on_disk
    with pytest.raises(PassphraseRequired):
        store.load()
    with pytest.raises(WrongPassphrase):
        store.load(passphrase="wrong horse")
    loaded = store.load(passphrase="correct horse")
    assert loaded is not None and loaded.key_pem == identity.key_pem
    blob = json.loads(store.file_path().read_text())
    assert blob["kdf"]["name"] == "scrypt" and blob["cipher"] == "AES-256-GCM"


def test_weak_passphrase_refused(identity):
    with pytest.raises(WeakPassphrase):
        IdentityStore().save(identity, file_passphrase="short")
    assert not IdentityStore().has_identity()


def test_tampered_file_is_not_accepted(identity):
    store = IdentityStore()
    store.save(identity, file_passphrase="correct horse")
    blob = json.loads(store.file_path().read_text())
    blob["lfdi"] = generate_identity().lfdi  # bound as associated data: swapping it breaks decryption
    store.file_path().write_text(json.dumps(blob))
    with pytest.raises(WrongPassphrase):
        store.load(passphrase="correct horse")


def test_moving_from_file_to_keyring_removes_the_file(identity):
    store = IdentityStore()
    store.save(identity, file_passphrase="correct horse")
    path = store.file_path()
    assert path.exists()
    store.save(identity)
    assert not path.exists()
    assert store.storage == "keyring"
    loaded = store.load()
    assert loaded is not None and loaded.lfdi == identity.lfdi


def test_pending_slot_and_promotion(identity):
    store = IdentityStore()
    store.save(identity)
    renewed = generate_identity()
    store.save(renewed, "pending")
    current = store.load()
    pending = store.load("pending")
    assert current is not None and pending is not None
    assert current.lfdi == identity.lfdi and pending.lfdi == renewed.lfdi
    promoted = store.promote_pending()
    assert promoted.lfdi == renewed.lfdi
    current = store.load()
    assert current is not None and current.lfdi == renewed.lfdi
    assert store.load("pending") is None
    assert not store.has_identity("pending")
    assert ("xcelsior-desktop", "pending-private-key") not in MemoryKeyring.entries()


def test_a_solar_meters_own_certificate_has_its_own_slot(identity):
    store = IdentityStore()
    store.save(identity)
    own = generate_identity()
    store.save(own, "production")
    again = IdentityStore()
    assert again.load().lfdi == identity.lfdi and again.load("production").lfdi == own.lfdi
    assert ("xcelsior-desktop", "production-private-key") in MemoryKeyring.entries()
    again.delete("production")  # forgetting it leaves the net meter's certificate alone
    assert IdentityStore().load("production") is None and IdentityStore().load().lfdi == identity.lfdi


def test_key_deleted_behind_our_back(identity):
    store = IdentityStore()
    store.save(identity)
    MemoryKeyring.reset()
    with pytest.raises(StoredIdentityDamaged) as info:
        store.load()
    assert "no longer" in info.value.user_message


def test_half_an_identity_is_damaged(identity):
    store = IdentityStore()
    store.save(identity)
    store.backend.delete_password("xcelsior-desktop", "certificate")
    with pytest.raises(StoredIdentityDamaged):
        store.load()


def test_backend_names_in_words():
    from keyring.backends import SecretService, Windows, kwallet, libsecret, macOS

    names = {
        secrets.describe_backend(Windows.WinVaultKeyring()),
        secrets.describe_backend(macOS.Keyring()),
        secrets.describe_backend(SecretService.Keyring()),
        secrets.describe_backend(kwallet.DBusKeyring()),
        secrets.describe_backend(libsecret.Keyring()),
    }
    assert names == {"Windows Credential Manager", "macOS Keychain", "GNOME Keyring (Secret Service)", "KWallet",
                     "GNOME Keyring (libsecret)"}
    chained = type("Two", (chainer.ChainerBackend,), {"backends": [keyring.backends.fail.Keyring(), MemoryKeyring()]})
    assert secrets.describe_backend(chained()) == "in-memory test keyring"
    assert secrets.unusable_reason(chained()) is None


def test_plaintext_backend_refused():
    plain = type("PlaintextKeyring", (MemoryKeyring,), {})
    assert secrets.unusable_reason(plain()) is not None
