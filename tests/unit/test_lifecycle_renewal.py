"""Renewal keeps the old identity until the meter accepts the new one; forget; export with file modes."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

import pytest

from xcelsior_desktop.meter.errors import CertificateRefused
from xcelsior_desktop.meter.identity import Identity, generate_identity, load_identity_files
from xcelsior_desktop.onboarding.certificate_lifecycle import (
    cancel_renewal,
    check_renewal,
    export_identity,
    forget,
    renewal_phase,
    start_renewal,
)
from xcelsior_desktop.platform.secrets import IdentityStore
from xcelsior_desktop.platform.secrets.memory_keyring import MemoryKeyring


@dataclass
class Probe:
    accepted: bool
    error: BaseException | None = None


class Meter:
    """Accepts the LFDIs registered with it, like the real meter's handshake."""

    def __init__(self, *registered: str) -> None:
        self.registered = set(registered)
        self.seen: list[str] = []

    def probe(self, ident: Identity) -> Probe:
        self.seen.append(ident.lfdi)
        if ident.lfdi in self.registered:
            return Probe(True)
        return Probe(False, CertificateRefused("bad_certificate"))


def test_renewal_switches_only_after_acceptance():
    store = IdentityStore()
    old = generate_identity()
    store.save(old)
    assert renewal_phase(store) == "none"
    new = start_renewal(store)
    assert new.lfdi != old.lfdi
    assert renewal_phase(store) == "waiting"
    assert start_renewal(store).lfdi == new.lfdi  # starting again keeps the LFDI the user may have registered
    meter = Meter(old.lfdi)
    phase, result = check_renewal(store, meter.probe)
    assert phase == "waiting" and isinstance(result.error, CertificateRefused)
    current = store.load()
    assert current is not None and current.lfdi == old.lfdi  # still reading with the old one
    meter.registered.add(new.lfdi)
    phase, _ = check_renewal(store, meter.probe)
    assert phase == "switched"
    current = store.load()
    assert current is not None and current.lfdi == new.lfdi
    assert store.load("pending") is None
    assert meter.seen == [new.lfdi, new.lfdi]
    assert check_renewal(store, meter.probe) == ("none", None)
    assert old.key_pem.decode() not in MemoryKeyring.entries().values()


def test_renewal_in_encrypted_file():
    store = IdentityStore()
    old = generate_identity()
    store.save(old, file_passphrase="a long passphrase")
    new = start_renewal(store, passphrase="a long passphrase")
    assert MemoryKeyring.entries() == {}
    phase, _ = check_renewal(store, Meter(new.lfdi).probe, passphrase="a long passphrase")
    assert phase == "switched"
    current = store.load(passphrase="a long passphrase")
    assert current is not None and current.lfdi == new.lfdi
    assert not store.file_path("pending").exists()


def test_cancel_renewal_and_forget(tmp_path):
    store = IdentityStore()
    store.save(generate_identity())
    start_renewal(store)
    cancel_renewal(store)
    assert renewal_phase(store) == "none" and store.load() is not None
    start_renewal(store)
    extra = tmp_path / "activation.json"
    extra.write_text("{}")
    forget(store, extra_state=[extra])
    assert store.load() is None and store.load("pending") is None
    assert MemoryKeyring.entries() == {}
    assert not extra.exists()


def test_export_plain_and_encrypted(tmp_path):
    ident = generate_identity()
    cert, key = tmp_path / "out" / "cert.pem", tmp_path / "out" / "key.pem"
    export_identity(ident, cert, key)
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert load_identity_files(cert, key).lfdi == ident.lfdi
    with pytest.raises(FileExistsError):
        export_identity(ident, cert, key)
    export_identity(ident, cert, key, passphrase="a passphrase", overwrite=True)
    assert b"ENCRYPTED PRIVATE KEY" in key.read_bytes()
    assert load_identity_files(cert, key, passphrase=b"a passphrase").lfdi == ident.lfdi
    only_cert = tmp_path / "c2.pem"
    assert export_identity(ident, only_cert, None) == [only_cert]
