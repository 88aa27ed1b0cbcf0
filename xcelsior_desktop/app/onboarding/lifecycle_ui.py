"""The certificate's lifecycle in the app: the expiry banner, and the Renew / Forget / Export actions.

The logic is in :mod:`xcelsior_desktop.onboarding.certificate_lifecycle`; this module only asks and shows. Expiry
*notifications* are not sent from here: the alerts engine's certificate rule is their one deliverer (it has the
notifier, the alert history and quiet hours); the banner is the in-window reminder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xcelsior_desktop.app.onboarding.activation_watcher import ActivationWatcher, ProbeFn, probe_meter
from xcelsior_desktop.app.onboarding.register_page import STEPS_HTML
from xcelsior_desktop.app.onboarding.widgets import LfdiDisplay, MessageLabel, rich_label
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.onboarding.activation import ActivationTracker
from xcelsior_desktop.onboarding.certificate_lifecycle import (
    EXPORT_WARNING,
    FORGET_WARNING,
    ExpiryStatus,
    export_identity,
    forget,
    start_renewal,
    stored_expiry,
)
from xcelsior_desktop.platform.secrets import IdentityStore, PassphraseRequired, SecretsError, WrongPassphrase
from xcelsior_desktop.platform.secrets.record import Slot

_BANNER_COLORS = {"soon": ("#93370d", "#fffaeb"), "urgent": ("#b42318", "#fef3f2"),
                  "expired": ("#b42318", "#fef3f2"), "renewing": ("#175cd3", "#eff8ff")}


class ExpiryBanner(QFrame):
    """A strip for the top of the window: shown 30 days before expiry (stronger at 7), or while renewing."""

    renew_requested = Signal()

    def __init__(self, store: IdentityStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setObjectName("expiryBanner")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.renew_button = QPushButton("Renew…")
        self.renew_button.clicked.connect(self.renew_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.renew_button)
        self.status: ExpiryStatus | None = None
        self.refresh()

    def refresh(self, now: dt.datetime | None = None) -> None:
        self.status = stored_expiry(self.store, now)
        pending = self.store.summary("pending")
        if pending:
            kind = "renewing"
            self.text.setText("A renewed certificate is waiting for Xcel to activate it (LFDI "
                              f"{pending['lfdi'][:10]}…). The current one stays in use until the meter accepts it.")
            self.renew_button.setText("Show LFDI…")
        elif self.status is not None and self.status.needs_attention:
            kind = self.status.level
            self.text.setText(self.status.message)
            self.renew_button.setText("Renew…")
        else:
            self.setVisible(False)
            return
        fg, bg = _BANNER_COLORS[kind]
        self.setStyleSheet(f"#expiryBanner {{ background: {bg}; border: 1px solid {fg}55; border-radius: 8px; }}"
                           f" #expiryBanner QLabel {{ color: {fg}; }}")
        self.setProperty("level", kind)
        self.setVisible(True)


def _unlock(parent: QWidget | None, store: IdentityStore, slot: Slot = "current") -> tuple[Identity | None, str | None]:
    """Load a slot, asking for the file passphrase when the key lives in an encrypted file."""
    passphrase: str | None = None
    while True:
        try:
            return store.load(slot, passphrase=passphrase), passphrase
        except (PassphraseRequired, WrongPassphrase) as exc:
            text, ok = QInputDialog.getText(parent, "Unlock the private key", exc.user_message,
                                            QLineEdit.EchoMode.Password)
            if not ok:
                return None, None
            passphrase = text


class RenewDialog(QDialog):
    """Makes the new identity (kept as pending), shows its LFDI to register, and waits for the meter."""

    switched = Signal(object)  # the new current Identity

    def __init__(self, store: IdentityStore, host: str, port: int, *, probe: ProbeFn = probe_meter,
                 tracker: ActivationTracker | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Renew this computer's certificate")
        self.setMinimumWidth(640)
        self.message = MessageLabel()
        self.lfdi = LfdiDisplay()
        self.status = QLabel()
        self.status.setWordWrap(True)
        intro = QLabel("A new certificate has been made. Register its LFDI in Launchpad like the first time. "
                       "The current certificate keeps reading the meter until the meter accepts the new one; then "
                       "we switch over and delete the old one.")
        intro.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.lfdi)
        layout.addWidget(rich_label(STEPS_HTML.replace("press <b>Next</b>", "leave this window open or close it")))
        layout.addWidget(self.status)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.watcher = ActivationWatcher(tracker or ActivationTracker(), probe, self, address_of=lambda: (host, port))
        self.watcher.status_changed.connect(self.status.setText)
        self.watcher.accepted.connect(self._accepted)
        self.pending: Identity | None = None
        self.passphrase: str | None = None

    def begin(self) -> bool:
        """Make (or reuse) the pending identity and start waiting; False when the user gave up unlocking."""
        try:
            passphrase = None
            if self.store.storage == "encrypted-file":
                _, passphrase = _unlock(self, self.store)
                if passphrase is None:
                    return False
            self.pending = start_renewal(self.store, passphrase=passphrase)
            self.passphrase = passphrase
        except SecretsError as exc:
            self.message.show_message(exc.user_message)
            return True
        self.lfdi.set_lfdi(self.pending.lfdi)
        if not self.watcher.resume(self.pending):  # a wait saved for this LFDI goes on where it stopped
            self.watcher.start(self.pending, slot="pending")
        return True

    def _accepted(self, _result: Any) -> None:
        try:
            new = self.store.promote_pending(passphrase=self.passphrase)
        except SecretsError as exc:
            self.message.show_message(exc.user_message)
            return
        self.message.show_message("✔ The meter accepted the new certificate. It is now in use and the old one "
                                  "has been deleted.", "ok")
        self.switched.emit(new)


def confirm_and_forget(parent: QWidget | None, store: IdentityStore,
                       extra_state: list[Path] | None = None) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, "Forget this computer's certificate?", FORGET_WARNING,
                      QMessageBox.StandardButton.Cancel, parent)
    forget_button = box.addButton("Forget certificate", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    if box.clickedButton() is not forget_button:
        return False
    try:
        forget(store, extra_state=extra_state)
    except SecretsError as exc:
        QMessageBox.critical(parent, "Could not forget the certificate", exc.user_message)
        return False
    return True


def export_with_warning(parent: QWidget | None, store: IdentityStore) -> list[Path]:
    """Warn, choose a folder, optionally protect the key with a passphrase, write cert.pem and key.pem."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Export the certificate and private key", EXPORT_WARNING,
                      QMessageBox.StandardButton.Cancel, parent)
    go = box.addButton("Choose a folder…", QMessageBox.ButtonRole.AcceptRole)
    box.exec()
    if box.clickedButton() is not go:
        return []
    identity, _ = _unlock(parent, store)
    if identity is None:
        return []
    folder = QFileDialog.getExistingDirectory(parent, "Export to folder", str(Path.home()))
    if not folder:
        return []
    passphrase, ok = QInputDialog.getText(
        parent, "Protect the key", "Passphrase for the exported key (recommended; leave empty only if the other "
        "program cannot use one):", QLineEdit.EchoMode.Password)
    if not ok:
        return []
    try:
        return export_identity(identity, Path(folder) / "xcelsior-cert.pem", Path(folder) / "xcelsior-key.pem",
                               passphrase=passphrase or None)
    except (OSError, FileExistsError) as exc:
        QMessageBox.critical(parent, "Export failed", f"{exc}")
        return []


class LifecycleActions(QObject):
    """Renew…, Export…, Forget… as QActions for the app menu and the Device tab."""

    identity_changed = Signal(object)  # the new current Identity after a renewal, or None after Forget

    def __init__(self, store: IdentityStore, meter_address: Callable[[], tuple[str, int] | None],
                 parent_widget: Callable[[], QWidget | None] = lambda: None, *, probe: ProbeFn = probe_meter,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._address = meter_address
        self._parent_widget = parent_widget
        self._probe = probe
        self.renew = QAction("Renew certificate…", self)
        self.export = QAction("Export certificate and key…", self)
        self.forget = QAction("Forget certificate…", self)
        self.renew.triggered.connect(self.open_renew)
        self.export.triggered.connect(lambda: export_with_warning(self._parent_widget(), self.store))
        self.forget.triggered.connect(self._forget)
        self.dialog: RenewDialog | None = None

    def open_renew(self) -> None:
        address = self._address()
        parent = self._parent_widget()
        if address is None:
            QMessageBox.information(parent, "Renew certificate", "Find the meter first (Settings): the renewed "
                                    "certificate is checked against it.")
            return
        if self.dialog is None:
            self.dialog = RenewDialog(self.store, *address, probe=self._probe, parent=parent)
            self.dialog.switched.connect(self.identity_changed.emit)
            if not self.dialog.begin():
                self.dialog = None
                return
        self.dialog.show()
        self.dialog.raise_()

    def _forget(self) -> None:
        from xcelsior_desktop.onboarding.activation import ActivationTracker

        if confirm_and_forget(self._parent_widget(), self.store, [ActivationTracker().path]):
            self.dialog = None  # a renewal in progress went with the identity
            self.identity_changed.emit(None)
