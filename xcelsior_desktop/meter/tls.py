"""TLS exactly as the Itron meter speaks it (docs/meter-protocol.md, section 2).

TLS 1.2 only, one cipher suite (ECDHE-ECDSA-AES128-CCM8), mutual TLS with a self-signed P-256
certificate. ``@SECLEVEL=0`` is needed on OpenSSL 3.2+ for CCM8 on both sides. The meter lacks
RFC 5746, hence OP_LEGACY_SERVER_CONNECT on the client. Clients verify no CA: the caller pins the
meter's LFDI instead. No CA bundle is ever loaded into these contexts.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import ssl
import sys
import tempfile
from collections.abc import Iterable

from xcelsior_desktop.meter.identity import Identity

CIPHERS = "ECDHE-ECDSA-AES128-CCM8:@SECLEVEL=0"
OP_LEGACY_SERVER_CONNECT = getattr(ssl, "OP_LEGACY_SERVER_CONNECT", 0x4)


def load_identity_into(context: ssl.SSLContext, identity: Identity) -> None:
    """``load_cert_chain`` without ever writing the private key to disk in plain text.

    Linux: an anonymous memory file (memfd) that never reaches a file system. Elsewhere: the key
    encrypted with a one-time random password in a 0600 temporary file, removed right after loading.
    """
    if hasattr(os, "memfd_create") and sys.platform.startswith("linux"):
        fd = os.memfd_create("xcelsior-identity", getattr(os, "MFD_CLOEXEC", 0))
        try:
            os.write(fd, identity.cert_pem + b"\n" + identity.key_pem)
            context.load_cert_chain(f"/proc/self/fd/{fd}")
        finally:
            os.close(fd)
        return
    password = secrets.token_urlsafe(32).encode()
    encrypted = identity.encrypted_key_pem(password)
    fd, path = tempfile.mkstemp(prefix="xcelsior-", suffix=".pem")
    try:
        os.chmod(path, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(identity.cert_pem + b"\n" + encrypted)
        context.load_cert_chain(path, password=password)
    finally:
        with contextlib.suppress(OSError):
            os.remove(path)


def _restrict_to_meter_suite(context: ssl.SSLContext) -> None:
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.maximum_version = ssl.TLSVersion.TLSv1_2  # set_ciphers alone leaves TLS 1.3 suites on
    context.set_ciphers(CIPHERS)


def client_context(identity: Identity) -> ssl.SSLContext:
    """A client context that talks to the meter: no CA, no hostname check (pin the LFDI instead)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    _restrict_to_meter_suite(context)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.options |= OP_LEGACY_SERVER_CONNECT
    load_identity_into(context, identity)
    return context


def server_context(identity: Identity, trusted_client_certs_pem: Iterable[bytes] = (), *,
                   accept_any: bool = False) -> ssl.SSLContext:
    """A server context like the meter's: client certificate required, registered certificates trusted directly.

    With ``accept_any`` the handshake asks for a certificate but accepts any (demo mode); the
    caller can still read it with ``getpeercert(binary_form=True)``.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    _restrict_to_meter_suite(context)
    load_identity_into(context, identity)
    if accept_any:
        context.verify_mode = ssl.CERT_OPTIONAL
    else:
        context.verify_mode = ssl.CERT_REQUIRED
        pems = [pem.decode() if isinstance(pem, bytes) else pem for pem in trusted_client_certs_pem]
        if pems:
            context.load_verify_locations(cadata="\n".join(pems))
    return context
