"""Set up like a user would, with a real keyring, then search every file in HOME for the private key.

In a private D-Bus session with gnome-keyring unlocked (HOME, XDG dirs and TMPDIR all inside one temp folder):
``identity new`` (keyring), the setup wizard (offscreen) against a simulator that has the certificate registered,
``read`` with the stored identity and the pinned meter, the demo (until it shows watts), then ``identity export`` to
a folder OUTSIDE the scanned tree to learn the key. Every file under HOME must be free of an unencrypted PEM private
key and of the key's raw bytes (scalar, DER, hex, base64).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from tests.tools import require_tool

SETUP_SCRIPT = r"""
import json, os, subprocess, sys
from PySide6.QtWidgets import QApplication
from xcelsior_desktop.platform.secrets import IdentityStore
from xcelsior_desktop.simulator import MeterSimulator

app = QApplication([])
from xcelsior_desktop.app.onboarding import wizard as w
from xcelsior_desktop.onboarding.activation import ActivationTracker

identity = IdentityStore().load()
with MeterSimulator(host="127.0.0.1", port=0, allowed_certs=[identity.cert_pem]) as sim:
    wiz = w.SetupWizard(tracker=ActivationTracker(base_s=0.3, cap_s=0.6),
                        discover=lambda t: [])
    done = []
    wiz.setup_complete.connect(done.append)
    wiz.show()
    wiz.next()                       # intro -> certificate page ("keep the certificate already set up")
    assert wiz.identity_page.keep_radio.isChecked()
    wiz.next()                       # -> LFDI + Launchpad
    wiz.next()                       # -> find the meter
    wiz.meter_page.manual_radio.setChecked(True)
    wiz.meter_page.address.setText(f"{sim.host}:{sim.port}")
    wiz.next()                       # -> waiting for activation
    import time
    deadline = time.monotonic() + 30
    while not done and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    assert done, "the wizard never saw the meter accept the certificate"
    read = subprocess.run([sys.executable, "-m", "xcelsior_desktop", "read", "--json"], capture_output=True,
                          text=True, timeout=60)
    print("READ " + json.dumps({"rc": read.returncode, "out": read.stdout, "err": read.stderr,
                                "sim_lfdi": sim.lfdi}))
"""


def _session(home: Path, commands: list[str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    runtime = home.parent / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    tmp = home / "tmp"
    tmp.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(XDG_RUNTIME_DIR=str(runtime), TMPDIR=str(tmp), QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    script = "echo -n e2e-login | gnome-keyring-daemon --unlock --components=secrets >/dev/null && " + " && ".join(
        commands)
    return subprocess.run(["dbus-run-session", "--", "sh", "-c", script], env=env, capture_output=True, text=True,
                          timeout=timeout)


def _key_material(key_pem: bytes) -> dict[str, bytes]:
    key = serialization.load_pem_private_key(key_pem, password=None)
    scalar = key.private_numbers().private_value.to_bytes(32, "big")  # type: ignore[union-attr]
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    pem_body = b"".join(key_pem.strip().splitlines()[1:-1])
    return {
        "raw scalar": scalar,
        "scalar hex": scalar.hex().encode(),
        "scalar HEX": scalar.hex().upper().encode(),
        "PKCS#8 DER": der,
        "PEM base64 body (first 48)": pem_body[:48],
        "DER base64": base64.b64encode(der)[:48],
    }


def _unencrypted_pem_keys(data: bytes) -> int:
    count = 0
    start = 0
    while (i := data.find(b"PRIVATE KEY-----", start)) >= 0:
        line_start = data.rfind(b"-----", 0, i - 1)
        header = data[max(0, line_start): i]
        if b"ENCRYPTED" not in header:
            count += 1
        start = i + 1
    return count


def test_no_plaintext_key_anywhere_in_home(tmp_path, isolated_home):
    require_tool("dbus-run-session", "gnome-keyring-daemon")
    py = f"'{sys.executable}'"
    script = tmp_path / "setup_wizard.py"
    script.write_text(SETUP_SCRIPT)
    outside = tmp_path / "outside-home"
    commands = [
        f"{py} -m xcelsior_desktop identity new",
        f"{py} '{script}'",
    ]
    # the tray app's demo: started, left running until it shows watts, stopped (its output lands outside HOME)
    demo_out = tmp_path / "demo.out"
    commands.append(f"( XCELSIOR_BENCH=1 timeout -s INT 12 {py} -m xcelsior_desktop demo >'{demo_out}' 2>&1; true )")
    commands.append(f"{py} -m xcelsior_desktop identity export --cert-out '{outside}/c.pem' --key-out '{outside}/k.pem'")
    proc = _session(isolated_home, commands)
    assert proc.returncode == 0, f"{proc.stdout}\n{proc.stderr[-3000:]}"
    assert "GNOME Keyring (Secret Service)" in proc.stdout
    assert "FIRST_WATTS" in demo_out.read_text(), demo_out.read_text()[-2000:]  # the demo really ran

    read_lines = [line for line in proc.stdout.splitlines() if line.startswith("READ ")]
    assert read_lines, proc.stdout
    read = json.loads(read_lines[0][5:])
    assert read["rc"] == 0, read["err"]
    reading = json.loads(read["out"])
    assert reading["meter_lfdi"] == read["sim_lfdi"] and isinstance(reading["demand_w"], (int, float))

    key_pem = (outside / "k.pem").read_bytes()
    material = _key_material(key_pem)
    scanned = 0
    for path in isolated_home.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        scanned += 1
        assert _unencrypted_pem_keys(data) == 0, f"unencrypted PEM private key in {path}"
        for what, needle in material.items():
            assert needle not in data, f"{what} of the private key found in {path}"
    meters = json.loads((isolated_home / ".config/xcelsior-desktop/meters.json").read_text())
    assert meters["meters"][0]["meter_lfdi"] == read["sim_lfdi"]  # the meter setup pinned, in its record
    assert (isolated_home / ".local/share/keyrings").is_dir()  # the key went to gnome-keyring's (encrypted) file
    assert scanned >= 4
