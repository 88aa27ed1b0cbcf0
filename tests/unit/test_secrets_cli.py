"""The identity commands keep the key in the keyring by default; files only when asked."""

from __future__ import annotations

from xcelsior_desktop.cli import main
from xcelsior_desktop.meter.identity import load_identity_files
from xcelsior_desktop.platform.secrets import IdentityStore
from xcelsior_desktop.platform.secrets.memory_keyring import MemoryKeyring


def _files(root):
    return [p for p in root.rglob("*") if p.is_file()]


def test_new_show_export_import_through_the_keyring(capsys, isolated_home, tmp_path):
    assert main(["identity", "new"]) == 0
    out = capsys.readouterr().out
    stored = IdentityStore().load()
    assert stored is not None and stored.lfdi in out and "in-memory test keyring" in out
    assert ("xcelsior-desktop", "private-key") in MemoryKeyring.entries()
    assert all(b"PRIVATE KEY" not in p.read_bytes() for p in _files(isolated_home))

    assert main(["identity", "show"]) == 0
    assert stored.portal_lfdi in capsys.readouterr().out

    assert main(["identity", "new"]) == 1  # never replaces a registered identity by accident
    assert "already exists" in capsys.readouterr().err

    cert, key = tmp_path / "out" / "c.pem", tmp_path / "out" / "k.pem"
    assert main(["identity", "export", "--cert-out", str(cert), "--key-out", str(key)]) == 0
    assert load_identity_files(cert, key).lfdi == stored.lfdi

    assert main(["identity", "new", "--force"]) == 0
    replaced = IdentityStore().load()
    assert replaced is not None and replaced.lfdi != stored.lfdi
    assert main(["identity", "import", "--cert", str(cert), "--key", str(key), "--force"]) == 0
    back = IdentityStore().load()
    assert back is not None and back.lfdi == stored.lfdi


def test_cert_out_key_out_still_write_files(capsys, tmp_path):
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    assert main(["identity", "new", "--cert-out", str(cert), "--key-out", str(key)]) == 0
    assert load_identity_files(cert, key).lfdi in capsys.readouterr().out
    assert MemoryKeyring.entries() == {}


def test_locked_keyring_is_one_clear_line(capsys):
    MemoryKeyring.set_locked(True)
    assert main(["identity", "new"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "locked" in err


def test_encrypted_file_option(capsys, monkeypatch, isolated_home):
    monkeypatch.setenv("XCELSIOR_KEY_PASSPHRASE", "a long passphrase")
    assert main(["identity", "new", "--encrypted-file"]) == 0
    assert "encrypted file" in capsys.readouterr().out
    assert MemoryKeyring.entries() == {}
    assert all(b"PRIVATE KEY" not in p.read_bytes() for p in _files(isolated_home))
    assert main(["identity", "show"]) == 0
    monkeypatch.delenv("XCELSIOR_KEY_PASSPHRASE")
    assert main(["identity", "show"]) == 1  # no terminal, no passphrase: says what to do
    assert "passphrase" in capsys.readouterr().err
