"""IdentityStore against a real Secret Service: gnome-keyring-daemon in a private D-Bus session.

Each case runs a small script in ``dbus-run-session`` (a bus of its own, torn down with the script). The login
keyring is created and unlocked non-interactively by feeding a password to ``gnome-keyring-daemon --unlock``; it lives
in the test's own HOME. Without the unlock the collection stays locked and, with no display for the prompt, the unlock
is dismissed: the store must say "locked", not crash. Without a bus at all it must say "no keyring".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.tools import require_tool

SCRIPT = r"""
import json, sys
from xcelsior_desktop.meter.identity import generate_identity
from xcelsior_desktop.platform.secrets import IdentityStore, SecretsError, KeyringLocked

mode = sys.argv[1]
out = {}
try:
    store = IdentityStore()
    out["keyring"] = store.keyring_name
    if mode == "save":
        ident = generate_identity()
        store.save(ident)
        out["saved_lfdi"] = ident.lfdi
        out["key_sha"] = __import__("hashlib").sha256(ident.key_pem).hexdigest()
    loaded = IdentityStore().load()
    out["loaded_lfdi"] = loaded.lfdi if loaded else None
    out["loaded_key_sha"] = __import__("hashlib").sha256(loaded.key_pem).hexdigest() if loaded else None
    out["backend_name"] = IdentityStore().backend_name
except SecretsError as exc:
    out["error"] = type(exc).__name__
    out["user_message"] = exc.user_message
print("RESULT " + json.dumps(out))
"""

UNLOCKED = "echo -n test-login-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null && "
LOCKED = "gnome-keyring-daemon --start --components=secrets >/dev/null && "


def _run(tmp_path: Path, mode: str, daemon: str | None) -> dict[str, object]:
    script = tmp_path / "store_identity.py"
    script.write_text(SCRIPT)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY")}
    env["XDG_RUNTIME_DIR"] = str(runtime)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    python = f"'{sys.executable}' '{script}' {mode}"
    cmd = ["sh", "-c", python] if daemon is None else ["dbus-run-session", "--", "sh", "-c", daemon + python]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=90)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"no result (rc={proc.returncode}):\n{proc.stdout}\n{proc.stderr[-2000:]}"
    return json.loads(lines[-1][len("RESULT "):])


def test_store_and_load_through_gnome_keyring(tmp_path, isolated_home):
    require_tool("dbus-run-session", "gnome-keyring-daemon")
    saved = _run(tmp_path, "save", UNLOCKED)
    assert "error" not in saved, saved
    assert saved["keyring"] == "GNOME Keyring (Secret Service)"
    assert saved["backend_name"] == "GNOME Keyring (Secret Service)"
    assert saved["loaded_lfdi"] == saved["saved_lfdi"]
    assert saved["loaded_key_sha"] == saved["key_sha"]

    # a new login session (new bus, new daemon) finds the same identity in the persisted keyring
    again = _run(tmp_path, "load", UNLOCKED)
    assert again["loaded_lfdi"] == saved["saved_lfdi"]
    assert again["loaded_key_sha"] == saved["key_sha"]

    keyrings = list((isolated_home / ".local/share/keyrings").glob("*.keyring"))
    assert keyrings, "gnome-keyring wrote no keyring file under the test HOME"
    for path in isolated_home.rglob("*"):
        if path.is_file():
            assert b"PRIVATE KEY" not in path.read_bytes(), path

    # the same keyring, locked, with nobody to answer the unlock prompt
    locked = _run(tmp_path, "load", LOCKED)
    assert locked["error"] == "KeyringLocked", locked
    assert "Unlock" in str(locked["user_message"])


def test_no_secret_service_on_the_bus(tmp_path):
    result = _run(tmp_path, "save", None)  # no D-Bus session at all: keyring falls back to its fail backend
    assert result["error"] == "SecretsUnavailable", result
    assert result["keyring"] == "no keyring"
    assert "passphrase" in str(result["user_message"])


def test_empty_keyring_is_no_identity(tmp_path):
    require_tool("dbus-run-session", "gnome-keyring-daemon")
    result = _run(tmp_path, "load", UNLOCKED)
    assert "error" not in result, result
    assert result["loaded_lfdi"] is None
