"""Sorting files a user picked or dropped into "the certificate" and "the key". Qt-free.

People arrive with all sorts of pairs: ``cert.pem`` + ``key.pem``, the MQTT bridge's ``certs/.cert.pem`` +
``certs/.key.pem``, or one file holding both. We look inside rather than trust names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MAX_PEM_BYTES = 256 * 1024


@dataclass
class PemFile:
    path: Path
    data: bytes
    has_cert: bool
    has_key: bool
    key_encrypted: bool


@dataclass
class Selection:
    cert: PemFile | None = None
    key: PemFile | None = None
    problems: list[str] = field(default_factory=list)


def read_pem_file(path: Path) -> PemFile:
    """Read a file and say what it holds; raise ValueError with a sentence for a person."""
    try:
        size = path.stat().st_size
        if size > MAX_PEM_BYTES:
            raise ValueError(f"{path.name} is too large ({size // 1024} KB) to be a certificate or key.")
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path.name} could not be opened ({exc.strerror or exc}).") from exc
    has_cert = b"-----BEGIN CERTIFICATE-----" in data
    has_key = b"PRIVATE KEY-----" in data
    if not has_cert and not has_key:
        raise ValueError(f"{path.name} holds neither a PEM certificate nor a PEM private key.")
    encrypted = b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in data or b"Proc-Type: 4,ENCRYPTED" in data
    return PemFile(path, data, has_cert, has_key, encrypted)


def sort_files(paths: list[Path], current: Selection | None = None) -> Selection:
    """Fill the certificate and key slots from ``paths`` (later files replace earlier ones)."""
    selection = Selection(current.cert if current else None, current.key if current else None)
    for path in paths:
        try:
            pem = read_pem_file(path)
        except ValueError as exc:
            selection.problems.append(str(exc))
            continue
        if pem.has_cert:
            selection.cert = pem
        if pem.has_key:
            selection.key = pem
    return selection
