"""Setup page 2: create a new certificate or import one, and choose where its private key is kept."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from xcelsior_desktop.app.onboarding.importing import Selection, sort_files
from xcelsior_desktop.app.onboarding.widgets import DropArea, MessageLabel
from xcelsior_desktop.meter.errors import IdentityError
from xcelsior_desktop.meter.identity import Identity, generate_identity, load_identity
from xcelsior_desktop.platform.secrets import (
    MIN_PASSPHRASE_LEN,
    IdentityStore,
    KeyringLocked,
    SecretsError,
    SecretsUnavailable,
)

PEM_FILTER = "Certificates and keys (*.pem *.crt *.cer *.key);;All files (*)"


class IdentityPage(QWizardPage):
    def __init__(self, store: IdentityStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.identity: Identity | None = None
        self.selection = Selection()
        self.setTitle("This computer's certificate")
        self.setSubTitle("The meter recognises this computer by a certificate. Its private key stays on this "
                         "computer, locked in your keyring.")

        self.keep_radio = QRadioButton()
        self.new_radio = QRadioButton("Create a new certificate (recommended)")
        self.import_radio = QRadioButton("Use a certificate and key I already have (e.g. from another meter tool)")
        self.mode = QButtonGroup(self)
        for i, radio in enumerate((self.keep_radio, self.new_radio, self.import_radio)):
            self.mode.addButton(radio, i)
        self.new_radio.setChecked(True)
        self.mode.idToggled.connect(lambda *_: self._update())

        self.import_box = self._build_import_box()
        self.storage_box = self._build_storage_box()
        self.message = MessageLabel()

        layout = QVBoxLayout(self)
        layout.addWidget(self.keep_radio)
        layout.addWidget(self.new_radio)
        layout.addWidget(self.import_radio)
        layout.addWidget(self.import_box)
        layout.addWidget(self.storage_box)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.setAcceptDrops(True)

    # -- building ---------------------------------------------------------------------------------

    def _build_import_box(self) -> QGroupBox:
        box = QGroupBox("Certificate and key files")
        self.drop = DropArea("Drop the certificate and key files here (for example <b>cert.pem</b> and "
                             "<b>key.pem</b>, or the MQTT bridge's <b>certs/.cert.pem</b> and <b>.key.pem</b>), "
                             "or choose them below.")
        self.drop.files_dropped.connect(self.add_files)
        self.cert_name = QLabel("not chosen")
        self.key_name = QLabel("not chosen")
        cert_button = QPushButton("Choose…")
        cert_button.clicked.connect(lambda: self._browse("certificate"))
        key_button = QPushButton("Choose…")
        key_button.clicked.connect(lambda: self._browse("private key"))
        self.import_passphrase = QLineEdit()
        self.import_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.import_passphrase.setPlaceholderText("the passphrase that protects this key")
        self.import_passphrase_label = QLabel("Key passphrase:")
        form = QFormLayout()
        form.addRow("Certificate:", _row(self.cert_name, cert_button))
        form.addRow("Private key:", _row(self.key_name, key_button))
        form.addRow(self.import_passphrase_label, self.import_passphrase)
        layout = QVBoxLayout(box)
        layout.addWidget(self.drop)
        layout.addLayout(form)
        return box

    def _build_storage_box(self) -> QGroupBox:
        box = QGroupBox("Where the private key is kept")
        self.storage_label = QLabel()
        self.storage_label.setWordWrap(True)
        self.retry_button = QPushButton("Try the keyring again")
        self.retry_button.clicked.connect(self.check_keyring)
        self.use_file = QCheckBox("Keep the key in a file encrypted with a passphrase I choose")
        self.use_file.toggled.connect(lambda *_: self._update())
        self.file_passphrase = QLineEdit()
        self.file_passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.file_passphrase.setPlaceholderText(f"at least {MIN_PASSPHRASE_LEN} characters")
        self.file_passphrase2 = QLineEdit()
        self.file_passphrase2.setEchoMode(QLineEdit.EchoMode.Password)
        self.file_passphrase2.setPlaceholderText("the same again")
        self.file_form = QWidget()
        form = QFormLayout(self.file_form)
        form.setContentsMargins(24, 0, 0, 0)
        form.addRow("Passphrase:", self.file_passphrase)
        form.addRow("Repeat:", self.file_passphrase2)
        note = QLabel("You will need this passphrase each time the app starts. Nobody can recover it for you.")
        note.setWordWrap(True)
        note.setStyleSheet("color: #475467;")
        form.addRow(note)
        layout = QVBoxLayout(box)
        layout.addWidget(self.storage_label)
        layout.addWidget(_row(self.retry_button, stretch_first=False))
        layout.addWidget(self.use_file)
        layout.addWidget(self.file_form)
        return box

    # -- state ------------------------------------------------------------------------------------

    def initializePage(self) -> None:  # noqa: N802 (Qt name)
        summary = self.store.summary("current")
        if summary:
            self.keep_radio.setText(f"Keep the certificate already set up (LFDI {summary['lfdi'][:10]}…)")
            self.keep_radio.setVisible(True)
            self.keep_radio.setChecked(True)
        else:
            self.keep_radio.setVisible(False)
        self.check_keyring()

    def check_keyring(self) -> None:
        try:
            name = self.store.check_keyring()
        except KeyringLocked as exc:
            self.keyring_ok = False
            self.storage_label.setText(f"⚠ {exc.user_message}")
        except SecretsUnavailable as exc:
            self.keyring_ok = False
            self.storage_label.setText(f"⚠ {exc.user_message}")
        else:
            self.keyring_ok = True
            self.storage_label.setText(f"In <b>{name}</b>, where your system keeps passwords.")
        self._update()

    def _update(self) -> None:
        importing = self.import_radio.isChecked()
        self.import_box.setVisible(importing)
        encrypted = bool(self.selection.key and self.selection.key.key_encrypted)
        self.import_passphrase.setVisible(encrypted)
        self.import_passphrase_label.setVisible(encrypted)
        self.cert_name.setText(_describe(self.selection.cert.path if self.selection.cert else None))
        self.key_name.setText(_describe(self.selection.key.path if self.selection.key else None))
        keeping = self.keep_radio.isChecked() and self.keep_radio.isVisible()
        self.storage_box.setVisible(not keeping)
        self.retry_button.setVisible(not getattr(self, "keyring_ok", False))
        self.file_form.setVisible(self.use_file.isChecked())

    def add_files(self, paths: list[Path]) -> None:
        """Files picked or dropped: sort them into certificate and key by their content."""
        self.import_radio.setChecked(True)
        self.selection = sort_files([Path(p) for p in paths], self.selection)
        if self.selection.problems:
            self.message.show_message(" ".join(self.selection.problems), "error")
        else:
            self.message.clear_message()
        self._update()

    def _browse(self, what: str) -> None:
        name, _ = QFileDialog.getOpenFileName(self, f"Choose the {what} file", str(Path.home()), PEM_FILTER)
        if name:
            self.add_files([Path(name)])

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        self.drop.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self.drop.dropEvent(event)

    # -- validation -------------------------------------------------------------------------------

    def _make_identity(self) -> Identity:
        if self.new_radio.isChecked():
            return generate_identity()
        cert, key = self.selection.cert, self.selection.key
        if cert is None or key is None:
            missing = " and ".join(w for w, f in (("certificate", cert), ("private key", key)) if f is None)
            raise IdentityError(f"no {missing}", user_message=f"Choose or drop the {missing} file.")
        passphrase = self.import_passphrase.text().encode() or None
        return load_identity(cert.data, key.data, passphrase=passphrase)

    def validatePage(self) -> bool:  # noqa: N802
        self.message.clear_message()
        if self.keep_radio.isChecked() and self.keep_radio.isVisible():
            return True  # the wizard loads the stored identity itself
        file_passphrase: str | None = None
        if self.use_file.isChecked():
            file_passphrase = self.file_passphrase.text()
            if file_passphrase != self.file_passphrase2.text():
                self.message.show_message("The two passphrases differ. Type the same passphrase twice.")
                return False
        elif not getattr(self, "keyring_ok", False):
            self.message.show_message("There is no keyring to keep the key in. Try the keyring again, or tick "
                                      "“Keep the key in a file encrypted with a passphrase” and choose one.")
            return False
        try:
            identity = self._make_identity()
            if self.store.has_identity("pending"):
                self.store.delete("pending")
            self.store.save(identity, file_passphrase=file_passphrase)
        except (IdentityError, SecretsError) as exc:
            self.message.show_message(exc.user_message)
            if isinstance(exc, SecretsUnavailable):
                self.check_keyring()
            return False
        self.identity = identity
        self.file_passphrase_used = file_passphrase
        return True


def _describe(path: Path | None) -> str:
    return f"✔ {path.name}  <span style='color:#667085'>({path.parent})</span>" if path else "not chosen"


def _row(*widgets: QWidget, stretch_first: bool = True) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for i, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if (i == 0 and stretch_first) else 0)
    if not stretch_first:
        layout.addStretch(1)
    return holder
