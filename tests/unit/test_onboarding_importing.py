"""The setup wizard's file picker reads like `identity import`: regular files with a cap, encryption by parsing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from xcelsior_desktop.app.onboarding.importing import read_pem_file
from xcelsior_desktop.meter.identity import generate_identity


def test_device_fifo_and_folder_get_a_sentence(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.pem"
    os.mkfifo(fifo)
    for path in (Path("/dev/zero"), fifo, tmp_path):
        with pytest.raises(ValueError) as refused:
            read_pem_file(path)  # returns at once: never reads without bound, never waits for a writer
        assert str(refused.value)


def test_encrypted_is_decided_by_parsing(tmp_path: Path) -> None:
    identity = generate_identity()
    plain = tmp_path / "both.pem"
    plain.write_bytes(b"# this key is not ENCRYPTED, Proc-Type: 4,ENCRYPTED in a comment\n"
                      + identity.cert_pem + identity.key_pem)
    found = read_pem_file(plain)
    assert found.has_cert and found.has_key and not found.key_encrypted
    key = serialization.load_pem_private_key(identity.key_pem, password=None)
    locked = tmp_path / "key.pem"
    locked.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.BestAvailableEncryption(b"secret")))
    assert read_pem_file(locked).key_encrypted
