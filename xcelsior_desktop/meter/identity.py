"""The client identity the meter accepts: a P-256 key and a self-signed certificate, and its LFDI/SFDI.

Facts (docs/meter-protocol.md section 1, IEEE 2030.5): LFDI = first 40 hex digits of SHA-256 over the certificate's DER;
SFDI = int(LFDI[:9], 16) in decimal plus one check digit making the digit sum a multiple of 10;
the Launchpad portal takes the LFDI as 8 groups of 5 joined by '-'.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from xcelsior_desktop.common.regular_file import read_regular_file
from xcelsior_desktop.meter.errors import IdentityError

DEFAULT_VALIDITY_DAYS = 1094  # 3 years, proven on real meters
SUBJECT_CN = "MeterReaderHanClient"
HAN_CLIENT_POLICY = x509.ObjectIdentifier("1.3.6.1.4.1.40732.2.2")
MAX_PEM_FILE_BYTES = 256 * 1024  # a certificate chain and key are a few kB
_HEX40 = re.compile(r"^[0-9A-F]{40}$")


def lfdi_from_der(der: bytes) -> str:
    """LFDI of a certificate given as DER bytes: 40 upper-case hex digits."""
    return hashlib.sha256(der).hexdigest()[:40].upper()


def lfdi_of(cert: x509.Certificate) -> str:
    return lfdi_from_der(cert.public_bytes(serialization.Encoding.DER))


def normalize_lfdi(text: str) -> str:
    """Accept an LFDI as plain hex, in the portal's 8x5 form or with colons/spaces; return 40 hex digits."""
    cleaned = re.sub(r"[\s:\-]", "", text).upper()
    if not _HEX40.match(cleaned):
        raise ValueError(f"not an LFDI (40 hex digits expected): {text!r}")
    return cleaned


def portal_form(lfdi: str) -> str:
    """The LFDI as Xcel's Launchpad takes it: 8 groups of 5, joined by '-'."""
    lfdi = normalize_lfdi(lfdi)
    return "-".join(lfdi[i : i + 5] for i in range(0, 40, 5))


def sfdi_from_lfdi(lfdi: str) -> int:
    """SFDI: the first 36 bits of the LFDI in decimal, followed by a check digit (digit sum = 0 mod 10)."""
    base = int(normalize_lfdi(lfdi)[:9], 16)
    digit_sum = sum(int(d) for d in str(base))
    check = (10 - digit_sum % 10) % 10
    return base * 10 + check


def sfdi_is_valid(sfdi: int | str) -> bool:
    digits = str(int(sfdi))
    return sum(int(d) for d in digits) % 10 == 0


@dataclass(frozen=True)
class Identity:
    """A certificate and its private key, both PEM. The key stays in memory (see :mod:`.tls`)."""

    cert_pem: bytes
    key_pem: bytes

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)

    @property
    def cert_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def lfdi(self) -> str:
        return lfdi_from_der(self.cert_der)

    @property
    def sfdi(self) -> int:
        return sfdi_from_lfdi(self.lfdi)

    @property
    def portal_lfdi(self) -> str:
        return portal_form(self.lfdi)

    @property
    def not_after(self) -> dt.datetime:
        return self.certificate.not_valid_after_utc

    def days_left(self, now: dt.datetime | None = None) -> float:
        now = now or dt.datetime.now(dt.UTC)
        return (self.not_after - now).total_seconds() / 86400.0

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return self.days_left(now) <= 0

    def private_key(self) -> ec.EllipticCurvePrivateKey:
        key = serialization.load_pem_private_key(self.key_pem, password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return key

    def encrypted_key_pem(self, passphrase: bytes) -> bytes:
        """The private key as an encrypted PKCS#8 PEM (for files and temporary hand-over to OpenSSL)."""
        return self.private_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase),
        )


def generate_identity(
    days: int = DEFAULT_VALIDITY_DAYS,
    *,
    common_name: str = SUBJECT_CN,
    now: dt.datetime | None = None,
) -> Identity:
    """A new P-256 key and self-signed certificate with the profile the meter accepts."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = now or dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(HAN_CLIENT_POLICY, None)]), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Identity(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )


def load_identity(
    cert_pem: bytes,
    key_pem: bytes,
    *,
    passphrase: bytes | None = None,
    allow_expired: bool = False,
    now: dt.datetime | None = None,
) -> Identity:
    """Validate a certificate and key given as PEM bytes; raise IdentityError with a clear reason.

    Unless ``allow_expired`` (a stored identity being loaded), the certificate must be valid now: neither expired
    nor valid only from a date in the future.
    """
    if b"-----BEGIN" not in cert_pem:
        raise IdentityError("certificate is not PEM", user_message=(
            "The certificate file is not a PEM certificate (it should start with "
            "'-----BEGIN CERTIFICATE-----'). Choose the .pem or .crt file that holds the certificate."))
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
    except ValueError as exc:
        raise IdentityError(f"certificate unreadable: {exc}", user_message=(
            "The certificate file could not be read. It may be damaged or be a key instead of a certificate; "
            "choose the certificate file.")) from exc
    if b"-----BEGIN" not in key_pem:
        raise IdentityError("key is not PEM", user_message=(
            "The key file is not a PEM private key (it should start with '-----BEGIN ... PRIVATE KEY-----'). "
            "Choose the file that holds the private key."))
    is_encrypted = key_is_encrypted(key_pem)
    if is_encrypted and not passphrase:
        raise IdentityError("key is encrypted and no passphrase was given", user_message=(
            "The private key is protected by a passphrase. Enter the passphrase to import it."))
    try:
        key = serialization.load_pem_private_key(key_pem, password=passphrase if is_encrypted else None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        if is_encrypted:
            raise IdentityError(f"key could not be decrypted: {exc}", user_message=(
                "The passphrase is wrong, or the key file is damaged. Try the passphrase again.")) from exc
        raise IdentityError(f"key unreadable: {exc}", user_message=(
            "The private key file could not be read. Choose the key that belongs to the certificate.")) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise IdentityError("key is not EC P-256", user_message=(
            "The meter only accepts an elliptic-curve P-256 (prime256v1) key. Create a new identity instead."))
    cert_key = cert.public_key()
    if not isinstance(cert_key, ec.EllipticCurvePublicKey) or not isinstance(cert_key.curve, ec.SECP256R1):
        raise IdentityError("certificate key is not EC P-256", user_message=(
            "The certificate is not for an elliptic-curve P-256 key, which the meter requires. "
            "Create a new identity instead."))
    raw = serialization.PublicFormat.UncompressedPoint
    if key.public_key().public_bytes(serialization.Encoding.X962, raw) != cert_key.public_bytes(
        serialization.Encoding.X962, raw
    ):
        raise IdentityError("key does not match certificate", user_message=(
            "The private key does not belong to this certificate. Choose the key file made together with it."))
    identity = Identity(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
    )
    not_before = cert.not_valid_before_utc
    if not allow_expired and not_before > (now or dt.datetime.now(dt.UTC)):
        raise IdentityError(f"certificate not valid before {not_before:%Y-%m-%d %H:%M} UTC", user_message=(
            f"This certificate is not valid until {not_before:%Y-%m-%d %H:%M} UTC, so the meter would refuse it. "
            "Check this computer's date and time; if they are right, create a new identity instead."))
    if not allow_expired and identity.is_expired(now):
        raise IdentityError(f"certificate expired on {identity.not_after:%Y-%m-%d}", user_message=(
            f"This certificate expired on {identity.not_after:%Y-%m-%d}; the meter will refuse it. "
            "Create a new identity and register its LFDI in Launchpad."))
    return identity


def key_is_encrypted(key_pem: bytes) -> bool:
    """Whether a PEM private key needs a passphrase, decided by parsing it (the word ENCRYPTED in a comment or
    elsewhere outside the key's own header does not make a key encrypted). An unreadable key counts as plain."""
    try:
        serialization.load_pem_private_key(key_pem, password=None)
    except TypeError:  # "Password was not given but private key is encrypted"
        return True
    except (ValueError, UnsupportedAlgorithm):
        return False
    return False


def read_pem_file(path: str | Path, what: str) -> bytes:
    """The bytes of a certificate or key file: a regular file of at most :data:`MAX_PEM_FILE_BYTES` only (never a
    folder, a device such as /dev/zero, or a FIFO that would wait for a writer). Raises IdentityError."""
    try:
        return read_regular_file(path, limit=MAX_PEM_FILE_BYTES)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise IdentityError(f"cannot read {what} file {path}: {reason}", user_message=(
            f"The {what} file {path} could not be opened ({reason}). Choose the PEM file that holds the {what}."
        )) from exc


def load_identity_files(
    cert_path: str | Path, key_path: str | Path, *, passphrase: bytes | None = None, allow_expired: bool = False
) -> Identity:
    """Load from files, e.g. the MQTT bridge's ``certs/.cert.pem`` and ``certs/.key.pem``."""
    cert_pem = read_pem_file(cert_path, "certificate")
    key_pem = read_pem_file(key_path, "key")
    return load_identity(cert_pem, key_pem, passphrase=passphrase, allow_expired=allow_expired)


def load_certificate(cert_pem: bytes) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(cert_pem)
    except ValueError as exc:
        raise IdentityError(f"certificate unreadable: {exc}", user_message=(
            "The certificate could not be read; choose a PEM certificate file.")) from exc
