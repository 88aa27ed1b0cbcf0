"""The certificate page: create, import by file picker or drag and drop, clear errors, keyring or encrypted file."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from xcelsior_desktop.app.onboarding.identity_page import IdentityPage
from xcelsior_desktop.meter.identity import generate_identity
from xcelsior_desktop.onboarding.certificate_lifecycle import export_identity
from xcelsior_desktop.platform.secrets import IdentityStore
from xcelsior_desktop.platform.secrets.memory_keyring import MemoryKeyring


@pytest.fixture
def page(qtbot):
    page = IdentityPage(IdentityStore())
    qtbot.addWidget(page)
    page.initializePage()
    page.show()
    return page


def drop(widget, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    widget.dropEvent(event)


def test_create_new_saves_in_keyring(page):
    assert page.keyring_ok and "in-memory test keyring" in page.storage_label.text()
    assert page.validatePage()
    assert page.identity is not None
    stored = IdentityStore().load()
    assert stored is not None and stored.lfdi == page.identity.lfdi


def test_drop_a_pair_and_import(page, tmp_path):
    ident = generate_identity()
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    export_identity(ident, cert, key)
    drop(page.drop, [key, cert])
    assert page.import_radio.isChecked()
    assert page.selection.cert is not None and page.selection.cert.path == cert
    assert page.selection.key is not None and page.selection.key.path == key
    assert "cert.pem" in page.cert_name.text()
    assert page.validatePage()
    assert page.identity is not None and page.identity.lfdi == ident.lfdi


def test_one_combined_file(page, tmp_path):
    ident = generate_identity()
    combined = tmp_path / "both.pem"
    combined.write_bytes(ident.cert_pem + ident.key_pem)
    page.add_files([combined])
    assert page.validatePage()
    assert page.identity is not None and page.identity.lfdi == ident.lfdi


def test_encrypted_key_asks_for_passphrase(page, tmp_path):
    ident = generate_identity()
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    export_identity(ident, cert, key, passphrase="open sesame")
    page.add_files([cert, key])
    assert page.import_passphrase.isVisible()
    assert not page.validatePage()
    assert "passphrase" in page.message.text()
    page.import_passphrase.setText("wrong")
    assert not page.validatePage()
    assert "wrong" in page.message.text()
    page.import_passphrase.setText("open sesame")
    assert page.validatePage()
    assert page.identity is not None and page.identity.lfdi == ident.lfdi


@pytest.mark.parametrize("problem", ["mismatch", "rsa", "expired", "garbage", "missing-key"])
def test_bad_imports_have_clear_errors(page, tmp_path, problem):
    ident = generate_identity()
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    export_identity(ident, cert, key)
    expected = {"mismatch": "does not belong", "rsa": "P-256", "expired": "expired", "garbage": "neither",
                "missing-key": "Choose or drop the private key"}[problem]
    files = [cert, key]
    if problem == "mismatch":
        export_identity(generate_identity(), tmp_path / "c2.pem", key, overwrite=True)
    elif problem == "rsa":
        rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key.write_bytes(rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    elif problem == "expired":
        import datetime as dt

        old = generate_identity(days=10, now=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        export_identity(old, cert, key, overwrite=True)
    elif problem == "garbage":
        junk = tmp_path / "notes.txt"
        junk.write_text("hello")
        files = [junk]
    elif problem == "missing-key":
        files = [cert]
    page.add_files(files)
    if problem != "garbage":
        assert not page.validatePage()
    assert expected in page.message.text(), page.message.text()
    assert not IdentityStore().has_identity()


def test_no_keyring_offers_encrypted_file(qtbot, tmp_path):
    MemoryKeyring.set_locked(True)
    page = IdentityPage(IdentityStore())
    qtbot.addWidget(page)
    page.initializePage()
    page.show()
    assert not page.keyring_ok
    assert "locked" in page.storage_label.text() and page.retry_button.isVisible()
    assert not page.validatePage()  # never a silent fallback
    assert "encrypted with a passphrase" in page.message.text()
    page.use_file.setChecked(True)
    page.file_passphrase.setText("a good passphrase")
    page.file_passphrase2.setText("a different one")
    assert not page.validatePage() and "differ" in page.message.text()
    page.file_passphrase2.setText("a good passphrase")
    assert page.validatePage()
    store = IdentityStore()
    assert store.storage == "encrypted-file"
    loaded = store.load(passphrase="a good passphrase")
    assert page.identity is not None and loaded is not None and loaded.lfdi == page.identity.lfdi
    # unlocked again: "Try the keyring again" notices
    MemoryKeyring.set_locked(False)
    page.retry_button.click()
    assert page.keyring_ok and not page.retry_button.isVisible()
