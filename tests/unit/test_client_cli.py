"""The command line contract: identity new/show/import/export, read errors as exit codes and one stderr line."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
from pathlib import Path

import pytest

from tests.tools import require_tool
from xcelsior_desktop.cli import main
from xcelsior_desktop.commands.identity import default_store, write_private
from xcelsior_desktop.meter.identity import generate_identity, load_identity_files


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_show_export_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["identity", "show"]) == 1
    assert "no identity yet" in capsys.readouterr().err
    assert main(["identity", "new"]) == 0
    out = capsys.readouterr().out
    identity = default_store().load()
    assert identity is not None and identity.lfdi in out and identity.portal_lfdi in out and str(identity.sfdi) in out
    assert main(["identity", "new"]) == 1  # never silently replaces a registered identity
    assert "--force" in capsys.readouterr().err
    cert, key = tmp_path / "out" / "c.pem", tmp_path / "out" / "k.pem"
    assert main(["identity", "export", "--cert-out", str(cert), "--key-out", str(key)]) == 0
    assert mode(key) == 0o600 and load_identity_files(cert, key).lfdi == identity.lfdi
    assert main(["identity", "export", "--cert-out", str(cert), "--key-out", str(key)]) == 1
    capsys.readouterr()
    assert main(["identity", "show", "--cert", str(cert)]) == 0
    shown = capsys.readouterr().out
    assert f"LFDI:        {identity.lfdi}" in shown and "Expires:" in shown and "days left" in shown


def test_key_files_replace_a_wider_mode_file_without_exposing_the_key(tmp_path: Path) -> None:
    """--key-out over an existing 0644 file: the result is 0600 and the old file never held the key."""
    key = tmp_path / "k.pem"
    key.write_text("old")
    os.chmod(key, 0o644)
    write_private(key, b"-----BEGIN PRIVATE KEY-----\n")
    assert mode(key) == 0o600 and key.read_bytes().startswith(b"-----BEGIN")
    with pytest.raises(FileExistsError):
        write_private(key, b"x", overwrite=False)


def test_new_to_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cert, key = tmp_path / "a.pem", tmp_path / "b.pem"
    assert main(["identity", "new", "--cert-out", str(cert), "--key-out", str(key), "--days", "30"]) == 0
    identity = load_identity_files(cert, key)
    assert mode(key) == 0o600 and 29 < identity.days_left() <= 30
    assert default_store().load() is None  # files only
    assert main(["identity", "new", "--cert-out", str(cert)]) == 2


def test_import_the_mqtt_bridge_pair(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require_tool("openssl")
    certs = tmp_path / "certs"
    certs.mkdir()
    key, cert = certs / ".key.pem", certs / ".cert.pem"
    subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", str(key)], check=True)
    subprocess.run(
        ["openssl", "req", "-new", "-x509", "-key", str(key), "-out", str(cert), "-sha256", "-days", "1094",
         "-subj", "/CN=MeterReaderHanClient", "-addext", "certificatePolicies = critical,1.3.6.1.4.1.40732.2.2",
         "-addext", "keyUsage = critical,digitalSignature"],
        check=True, capture_output=True,
    )
    fingerprint = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-fingerprint", "-sha256"],
                                 check=True, capture_output=True, text=True).stdout
    expected_lfdi = fingerprint.split("=", 1)[1].replace(":", "").strip()[:40]
    assert main(["identity", "import", "--cert", str(cert), "--key", str(key)]) == 0
    assert expected_lfdi in capsys.readouterr().out
    stored = default_store().load()
    assert stored is not None and stored.lfdi == expected_lfdi
    other = generate_identity()
    (tmp_path / "o.crt").write_bytes(other.cert_pem)
    (tmp_path / "o.key").write_bytes(other.key_pem)
    assert main(["identity", "import", "--cert", str(tmp_path / "o.crt"), "--key", str(tmp_path / "o.key")]) == 1
    assert "--force" in capsys.readouterr().err


def test_import_wrong_inputs_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = generate_identity(), generate_identity()
    (tmp_path / "a.crt").write_bytes(a.cert_pem)
    (tmp_path / "b.key").write_bytes(b.key_pem)
    (tmp_path / "junk").write_bytes(b"hello")
    assert main(["identity", "import", "--cert", str(tmp_path / "a.crt"), "--key", str(tmp_path / "b.key")]) == 1
    err = capsys.readouterr().err
    assert "does not belong" in err and len(err.strip().splitlines()) == 1
    assert main(["identity", "import", "--cert", str(tmp_path / "junk"), "--key", str(tmp_path / "b.key")]) == 1
    assert "not a PEM certificate" in capsys.readouterr().err
    assert main(["identity", "import", "--cert", str(tmp_path / "nope"), "--key", str(tmp_path / "b.key")]) == 1
    assert "could not be opened" in capsys.readouterr().err


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_read_unreachable_exit_code_and_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    me = generate_identity()
    (tmp_path / "c.pem").write_bytes(me.cert_pem)
    (tmp_path / "k.pem").write_bytes(me.key_pem)
    code = main(["read", "--host", "127.0.0.1", "--port", str(_closed_port()), "--cert", str(tmp_path / "c.pem"),
                 "--key", str(tmp_path / "k.pem"), "--json"])
    captured = capsys.readouterr()
    assert code == 4 and captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and "Unreachable" in captured.err


def test_read_without_identity(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "--host", "127.0.0.1"]) == 8
    assert "identity new" in capsys.readouterr().err


def test_read_bad_lfdi_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["read", "--host", "127.0.0.1", "--meter-lfdi", "xyz"]) == 2
    assert "not an LFDI" in capsys.readouterr().err


def test_no_error_a_command_prints_promises_a_retry_it_does_not_make() -> None:
    """The same messages reach the window (which retries on its own) and the command line (which does not)."""
    import inspect

    from xcelsior_desktop.meter import errors

    for _name, cls in inspect.getmembers(errors, inspect.isclass):
        message = getattr(cls, "default_message", "") or ""
        assert "we try again" not in message.lower(), cls.__name__
