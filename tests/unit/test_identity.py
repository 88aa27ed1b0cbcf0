"""Identity: LFDI/SFDI arithmetic from the standard, the certificate profile, and clear errors on bad input."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from xcelsior_desktop.meter.errors import IdentityError
from xcelsior_desktop.meter.identity import (
    HAN_CLIENT_POLICY,
    generate_identity,
    load_identity,
    normalize_lfdi,
    portal_form,
    sfdi_from_lfdi,
    sfdi_is_valid,
)


def test_sfdi_matches_the_standards_example():
    assert sfdi_from_lfdi("3E4F45AB31EDFE5B67E343E5E4562E31984E23E5") == 167261211391


def test_sfdi_matches_the_captured_meter():
    assert sfdi_from_lfdi("F289A6F0493D756E057A2B5B59538112697B5A15") == 651057190448
    assert sfdi_is_valid(651057190448)
    assert not sfdi_is_valid(651057190447)


def test_portal_form_is_eight_groups_of_five():
    form = portal_form("3E4F45AB31EDFE5B67E343E5E4562E31984E23E5")
    assert form == "3E4F4-5AB31-EDFE5-B67E3-43E5E-4562E-31984-E23E5"
    assert normalize_lfdi(form.lower()) == "3E4F45AB31EDFE5B67E343E5E4562E31984E23E5"
    with pytest.raises(ValueError):
        normalize_lfdi("3E4F45AB")


def test_generated_certificate_has_the_profile_the_meter_accepts():
    identity = generate_identity()
    cert = identity.certificate
    der = cert.public_bytes(serialization.Encoding.DER)
    assert identity.lfdi == hashlib.sha256(der).hexdigest()[:40].upper()
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert cert.signature_hash_algorithm is not None and cert.signature_hash_algorithm.name == "sha256"
    policies = cert.extensions.get_extension_for_class(x509.CertificatePolicies)
    assert policies.critical and policies.value[0].policy_identifier == HAN_CLIENT_POLICY
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature
    assert cert.issuer == cert.subject
    assert 1093 <= identity.days_left() <= 1094


def test_load_identity_round_trip_and_encrypted_key():
    identity = generate_identity()
    assert load_identity(identity.cert_pem, identity.key_pem).lfdi == identity.lfdi
    encrypted = identity.encrypted_key_pem(b"secret")
    with pytest.raises(IdentityError, match="passphrase"):
        load_identity(identity.cert_pem, encrypted)
    with pytest.raises(IdentityError, match="decrypted"):
        load_identity(identity.cert_pem, encrypted, passphrase=b"wrong")
    assert load_identity(identity.cert_pem, encrypted, passphrase=b"secret").lfdi == identity.lfdi


def test_wrong_inputs_each_get_a_clear_error():
    a, b = generate_identity(), generate_identity()
    with pytest.raises(IdentityError, match="does not match") as err:
        load_identity(a.cert_pem, b.key_pem)
    assert "belong" in err.value.user_message
    with pytest.raises(IdentityError, match="not PEM"):
        load_identity(b"hello", a.key_pem)
    with pytest.raises(IdentityError, match="not PEM"):
        load_identity(a.cert_pem, b"\x00\x01")
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(IdentityError, match="P-256"):
        load_identity(a.cert_pem, rsa_key)
    old = generate_identity(days=10, now=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(IdentityError, match="expired"):
        load_identity(old.cert_pem, old.key_pem)
    assert load_identity(old.cert_pem, old.key_pem, allow_expired=True).is_expired()
