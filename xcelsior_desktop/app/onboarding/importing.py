"""Sorting files a user picked or dropped into "the certificate" and "the key". Qt-free.

People arrive with all sorts of pairs: ``cert.pem`` + ``key.pem``, the MQTT bridge's ``certs/.cert.pem`` +
``certs/.key.pem``, or one file holding both. We look inside rather than trust names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from xcelsior_desktop.meter import identity
from xcelsior_desktop.meter.errors import IdentityError


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


_KEY_BLOCK = re.compile(rb"-----BEGIN ([A-Z ]*)PRIVATE KEY-----.*?-----END \1PRIVATE KEY-----", re.S)


def read_pem_file(path: Path) -> PemFile:
    """Read a file and say what it holds; raise ValueError with a sentence for a person.

    A regular file of at most 256 KiB only (never a folder, /dev/zero or a FIFO that would wait forever), the same
    rule as ``identity import``; whether the key is encrypted is decided by parsing it, not by a word in it."""
    try:
        data = identity.read_pem_file(path, "certificate or key")
    except IdentityError as exc:
        raise ValueError(exc.user_message) from exc
    has_cert = b"-----BEGIN CERTIFICATE-----" in data
    key = _KEY_BLOCK.search(data)
    if not has_cert and key is None:
        raise ValueError(f"{path.name} holds neither a PEM certificate nor a PEM private key.")
    encrypted = key is not None and identity.key_is_encrypted(key.group(0))
    return PemFile(path, data, has_cert, key is not None, encrypted)


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
