"""Client-certificate decisions made inside the TLS handshake, so a refusal is a TLS alert like the meter's.

Python's ssl module has no verify callback: an untrusted self-signed client certificate is refused with the alert
``unknown_ca``. The real meter sends ``bad_certificate``. With ctypes we install an OpenSSL verify callback on the
context (``SSL_CTX_set_verify``; CPython keeps an installed callback when it sets the verify mode). The callback
looks the leaf certificate's LFDI up in the live registry and, for an unregistered one, sets the verification error
``X509_V_ERR_CERT_REJECTED``, which OpenSSL turns into the alert ``bad_certificate``. The same hook produces the
``handshake_failure`` fault (``X509_V_ERR_CERT_SIGNATURE_FAILURE`` -> alert ``decrypt_error``).

If the hook cannot be installed (an OpenSSL or CPython this was not checked on), :func:`install` returns False and
the caller falls back to trusting the registered certificates directly (alert ``unknown_ca``).
"""

from __future__ import annotations

import ctypes
import hashlib
import ssl
import threading
from collections.abc import Callable

X509_V_OK = 0
X509_V_ERR_CERT_SIGNATURE_FAILURE = 7  # -> alert decrypt_error
X509_V_ERR_CERT_REJECTED = 28  # -> alert bad_certificate
SSL_VERIFY_PEER = 0x01
SSL_VERIFY_FAIL_IF_NO_PEER_CERT = 0x02

# decide(lfdi) -> X509 error code (0 = accept)
Decider = Callable[[str], int]

_VERIFY_CB = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_void_p)


class _OpenSSL:
    def __init__(self) -> None:
        import _ssl

        lib = ctypes.CDLL(_ssl.__file__)
        self.set_verify = lib.SSL_CTX_set_verify
        self.set_verify.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
        self.set_verify.restype = None
        self.get_verify_mode = lib.SSL_CTX_get_verify_mode
        self.get_verify_mode.argtypes = [ctypes.c_void_p]
        self.get_verify_mode.restype = ctypes.c_int
        self.current_cert = lib.X509_STORE_CTX_get_current_cert
        self.current_cert.argtypes = [ctypes.c_void_p]
        self.current_cert.restype = ctypes.c_void_p
        self.error_depth = lib.X509_STORE_CTX_get_error_depth
        self.error_depth.argtypes = [ctypes.c_void_p]
        self.error_depth.restype = ctypes.c_int
        self.set_error = lib.X509_STORE_CTX_set_error
        self.set_error.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self.set_error.restype = None
        self.i2d = lib.i2d_X509
        self.i2d.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        self.i2d.restype = ctypes.c_int

    def der_of(self, cert: int) -> bytes:
        size = self.i2d(cert, None)
        if size <= 0:
            return b""
        buffer = ctypes.create_string_buffer(size)
        cursor = ctypes.c_void_p(ctypes.addressof(buffer))
        self.i2d(cert, ctypes.byref(cursor))
        return buffer.raw


_lib: _OpenSSL | None = None
_lib_lock = threading.Lock()


def _openssl() -> _OpenSSL | None:
    global _lib
    with _lib_lock:
        if _lib is None:
            try:
                _lib = _OpenSSL()
            except (OSError, AttributeError, ImportError):
                return None
        return _lib


def _ctx_pointer(context: ssl.SSLContext) -> int | None:
    """The SSL_CTX* inside a CPython SSLContext (the first field after the object header)."""
    offset = ctypes.sizeof(ctypes.c_ssize_t) + ctypes.sizeof(ctypes.c_void_p)
    return ctypes.c_void_p.from_address(id(context) + offset).value


class VerifyHook:
    """Keeps the ctypes callback alive as long as the context that uses it."""

    def __init__(self, decide: Decider) -> None:
        self._decide = decide
        self.callback = _VERIFY_CB(self._verify)
        self._local = threading.local()

    def begin_handshake(self) -> None:
        self._local.verdict = None

    @property
    def verdict(self) -> int | None:
        """The error code chosen for the handshake running in this thread (None: the callback did not run)."""
        return getattr(self._local, "verdict", None)

    def _verify(self, preverify_ok: int, store: int) -> int:
        lib = _openssl()
        try:
            if lib is None:
                return 0
            if lib.error_depth(store) > 0:
                return 1  # only the leaf matters; the meter trusts certificates by LFDI
            verdict = getattr(self._local, "verdict", None)
            if verdict is None:
                der = lib.der_of(lib.current_cert(store))
                verdict = self._decide(hashlib.sha256(der).hexdigest()[:40].upper())
                self._local.verdict = verdict
            lib.set_error(store, verdict)
            return 1 if verdict == X509_V_OK else 0
        except Exception:  # never let an exception cross into OpenSSL
            return 0


def install(context: ssl.SSLContext, hook: VerifyHook) -> bool:
    """Require a client certificate and let ``hook`` decide on it; False when this platform does not allow it."""
    lib = _openssl()
    if lib is None:
        return False
    context.verify_mode = ssl.CERT_REQUIRED
    pointer = _ctx_pointer(context)
    expected = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
    if not pointer or lib.get_verify_mode(pointer) != expected:
        return False
    lib.set_verify(pointer, expected, ctypes.cast(hook.callback, ctypes.c_void_p))
    return True
