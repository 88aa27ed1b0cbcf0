"""`identity import` reads regular files only, refuses a certificate not yet valid, decides "encrypted" by parsing,
and without a terminal takes the passphrase from XCELSIOR_KEY_PASSPHRASE or says how."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from xcelsior_desktop.cli import main
from xcelsior_desktop.meter.errors import IdentityError
from xcelsior_desktop.meter.identity import Identity, generate_identity, key_is_encrypted, load_identity
from xcelsior_desktop.platform.secrets import IdentityStore
from xcelsior_desktop.platform.secrets.memory_keyring import MemoryKeyring


@pytest.fixture(scope="module")
def ident() -> Identity:
    return generate_identity()


def _pair(tmp_path: Path, ident: Identity, key_pem: bytes | None = None) -> tuple[Path, Path]:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_bytes(ident.cert_pem)
    key.write_bytes(key_pem if key_pem is not None else ident.key_pem)
    return cert, key


def _import(cert: Path | str, key: Path | str) -> int:
    return main(["identity", "import", "--cert", str(cert), "--key", str(key)])


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    return err


def test_dev_zero_is_refused_not_read(tmp_path: Path, ident: Identity, capsys: pytest.CaptureFixture[str]) -> None:
    _cert, key = _pair(tmp_path, ident)
    assert _import("/dev/zero", key) == 1
    assert "/dev/zero" in (err := _one_line(capsys)) and "it is a device" in err
    assert MemoryKeyring.entries() == {}


@pytest.mark.timeout(60)  # a hang guard: the old code blocked in open() for ever
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path, ident: Identity,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    cert, _key = _pair(tmp_path, ident)
    fifo = tmp_path / "key.fifo"
    os.mkfifo(fifo)
    assert _import(cert, fifo) == 1
    assert "it is a pipe (FIFO)" in _one_line(capsys)


def test_a_folder_is_refused(tmp_path: Path, ident: Identity, capsys: pytest.CaptureFixture[str]) -> None:
    _cert, key = _pair(tmp_path, ident)
    assert _import(tmp_path, key) == 1
    assert "it is a folder, not a file" in _one_line(capsys)


def test_a_huge_file_is_refused(tmp_path: Path, ident: Identity, capsys: pytest.CaptureFixture[str]) -> None:
    cert, key = _pair(tmp_path, ident)
    with cert.open("ab") as handle:
        handle.write(b"\n" * (2 << 20))
    assert _import(cert, key) == 1
    assert "larger than" in _one_line(capsys)
    assert main(["identity", "show", "--cert", "/dev/zero"]) == 1
    assert "device" in _one_line(capsys)


def test_a_certificate_not_yet_valid_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    future = generate_identity(now=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    cert, key = _pair(tmp_path, future)
    assert _import(cert, key) == 1
    err = _one_line(capsys)
    assert "not valid until 2029-12-31" in err and "date and time" in err
    assert MemoryKeyring.entries() == {}
    with pytest.raises(IdentityError):
        load_identity(future.cert_pem, future.key_pem)
    # a stored identity is loaded as it is (the clock may be wrong now; the user is told elsewhere)
    assert load_identity(future.cert_pem, future.key_pem, allow_expired=True).lfdi == future.lfdi


def test_the_word_encrypted_in_a_comment_does_not_make_a_key_encrypted(tmp_path: Path, ident: Identity,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    commented = b"Bag Attributes: ENCRYPTED backups are elsewhere\n" + ident.key_pem
    assert not key_is_encrypted(commented)
    cert, key = _pair(tmp_path, ident, commented)
    assert _import(cert, key) == 0
    stored = IdentityStore().load()
    assert stored is not None and stored.lfdi == ident.lfdi


def _encrypted(ident: Identity, fmt: serialization.PrivateFormat) -> bytes:
    return ident.private_key().private_bytes(serialization.Encoding.PEM, fmt,
                                             serialization.BestAvailableEncryption(b"sesame open"))


@pytest.mark.parametrize("fmt", [serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL],
                         ids=["pkcs8", "traditional"])
def test_an_encrypted_key_without_a_terminal(tmp_path: Path, ident: Identity, fmt: serialization.PrivateFormat,
                                             capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    key_pem = _encrypted(ident, fmt)
    assert key_is_encrypted(key_pem) and not key_is_encrypted(ident.key_pem)
    cert, key = _pair(tmp_path, ident, key_pem)
    monkeypatch.delenv("XCELSIOR_KEY_PASSPHRASE", raising=False)
    assert _import(cert, key) == 1  # pytest's stdin is not a terminal
    err = _one_line(capsys)
    assert "No prompt can appear" in err and "XCELSIOR_KEY_PASSPHRASE" in err and "Enter the" not in err
    monkeypatch.setenv("XCELSIOR_KEY_PASSPHRASE", "wrong words")
    assert _import(cert, key) == 1
    assert "passphrase is wrong" in _one_line(capsys)
    monkeypatch.setenv("XCELSIOR_KEY_PASSPHRASE", "sesame open")
    assert _import(cert, key) == 0
    stored = IdentityStore().load()
    assert stored is not None and stored.key_pem == ident.key_pem  # kept unencrypted in the keyring's care


def test_a_key_in_an_encrypted_file_without_a_terminal_names_the_variable(
        ident: Identity, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    IdentityStore().save(ident, file_passphrase="long enough words")
    monkeypatch.delenv("XCELSIOR_KEY_PASSPHRASE", raising=False)
    assert main(["identity", "show"]) == 1
    err = _one_line(capsys)
    assert "No prompt can appear" in err and "XCELSIOR_KEY_PASSPHRASE" in err
    monkeypatch.setenv("XCELSIOR_KEY_PASSPHRASE", "long enough words")
    assert main(["identity", "show"]) == 0 and ident.lfdi in capsys.readouterr().out
