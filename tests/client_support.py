"""Shared helpers for the meter client tests: the real capture, and an independent TLS server (openssl s_server).

The capture is Apache-2.0 data shipped (with its LICENSE and NOTICE) in the simulator package; tests read it
from there, or from the team's shared folder when the package copy is absent.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.meter.transport import HttpResult

CAPTURE = Path(__file__).resolve().parents[1] / "xcelsior_desktop" / "simulator" / "capture" / "itron_riva_3_2_50.json"


def capture_path() -> Path:
    """The real meter's responses shipped with the simulator (with their LICENSE and NOTICE)."""
    return CAPTURE


def load_capture() -> dict:
    return json.loads(capture_path().read_text())


def capture_responses() -> dict[str, dict]:
    return load_capture()["responses"]


class CaptureGetter:
    """A getter that answers like the captured meter (404 with an empty body for anything not captured)."""

    def __init__(self, responses: dict[str, dict] | None = None) -> None:
        self.responses = responses if responses is not None else capture_responses()
        self.calls: list[str] = []

    def __call__(self, path: str) -> HttpResult:
        self.calls.append(path)
        record = self.responses.get(path)
        if record is None:
            return HttpResult(404, b"", None, path)
        return HttpResult(record["status"], (record["body"] or "").encode(), record["content_type"], path)


# ---------------------------------------------------------------------------------------------- openssl s_server
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# openssl -WWW serves files: a path cannot be both a file and a folder, so /sdev/sdi is renamed in the bodies
# (the client follows hrefs, so this also proves it never hard-codes paths).
RENAMES = {"/sdev/sdi": "/sdev-sdi"}


def write_capture_tree(root: Path, responses: dict[str, dict], extra: dict[str, bytes] | None = None) -> None:
    """Lay the captured 200 bodies out as files for ``openssl s_server -WWW``."""
    for path, record in responses.items():
        if record["status"] != 200:
            continue
        body = record["body"] or ""
        for old, new in RENAMES.items():
            body = body.replace(f'href="{old}"', f'href="{new}"')
        target_path = RENAMES.get(path, path)
        target = root / target_path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body)
    for path, data in (extra or {}).items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


@dataclass
class OpensslServer:
    host: str
    port: int
    server_identity: Identity
    process: subprocess.Popen


@contextmanager
def openssl_server(workdir: Path, server: Identity, trusted: list[Identity], *, www_root: Path | None = None,
                   mode: str = "-WWW") -> Iterator[OpensslServer]:
    """``openssl s_server`` with the meter's TLS profile and a required, verified client certificate."""
    openssl = shutil.which("openssl")
    assert openssl is not None
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "server.crt").write_bytes(server.cert_pem)
    key_file = workdir / "server.key"
    key_file.write_bytes(server.key_pem)
    os.chmod(key_file, 0o600)
    (workdir / "clients.pem").write_bytes(b"".join(identity.cert_pem for identity in trusted))
    port = _free_port()
    cmd = [
        openssl, "s_server", "-accept", f"127.0.0.1:{port}", "-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-CCM8",
        "-Verify", "1", "-verify_return_error", "-CAfile", str(workdir / "clients.pem"),
        "-cert", str(workdir / "server.crt"), "-key", str(key_file), mode, "-quiet", "-naccept", "1000",
    ]
    process = subprocess.Popen(cmd, cwd=www_root or workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("openssl s_server did not start") from None
                time.sleep(0.05)
        yield OpensslServer("127.0.0.1", port, server, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
