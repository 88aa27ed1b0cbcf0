"""A second meter's setup, page 1: register the certificate the net meter already knows, or one for this meter.

One certificate on both meters is one registration to renew and one LFDI to recognise in Launchpad; a certificate
per meter lets either registration be removed without touching the other. Launchpad accepts both ways. The new one
is kept like the first, in the identity store's ``production`` slot (its key in the keyring).
"""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QLabel, QRadioButton, QVBoxLayout, QWidget, QWizardPage

from xcelsior_desktop.app.onboarding.widgets import MessageLabel
from xcelsior_desktop.meter.identity import Identity, generate_identity, portal_form
from xcelsior_desktop.platform.secrets import IdentityStore, SecretsError, Slot

OWN_SLOT: Slot = "production"  # the identity store's slot of a solar meter's own certificate


class CertificateChoicePage(QWizardPage):
    def __init__(self, store: IdentityStore, shared: Identity, meter_name: str = "solar meter",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.shared = shared
        self.identity: Identity = shared  # what the meter will be registered with
        self.slot: Slot = "current"
        self.setTitle("Which certificate")
        self.setSubTitle(f"Your {meter_name} has to know this computer too. Register the certificate your net meter "
                         "already accepted, or give this meter one of its own.")
        self.same_radio = QRadioButton(f"The same certificate (LFDI {portal_form(shared.lfdi)[:14]}\u2026), "
                                       "recommended")
        self.own_radio = QRadioButton(f"A new certificate for the {meter_name} only")
        self.mode = QButtonGroup(self)
        self.mode.addButton(self.same_radio, 0)
        self.mode.addButton(self.own_radio, 1)
        self.same_radio.setChecked(True)
        if store.storage == "encrypted-file":  # every slot shares one storage, and a file's passphrase is per use
            self.own_radio.setEnabled(False)
            self.own_radio.setToolTip("Your certificate's key is kept in a passphrase file, which holds one "
                                      "certificate: register the same one.")
        explain = QLabel("One certificate on both meters is one registration to renew and one LFDI to find in "
                         "Launchpad. A certificate per meter lets you remove either registration without touching "
                         "the other. Either way the private keys stay on this computer, in your keyring.")
        explain.setWordWrap(True)
        explain.setStyleSheet("color: #475467;")
        self.message = MessageLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.same_radio)
        layout.addWidget(self.own_radio)
        layout.addSpacing(8)
        layout.addWidget(explain)
        layout.addWidget(self.message)
        layout.addStretch(1)

    def validatePage(self) -> bool:  # noqa: N802 (Qt name)
        """The same certificate, or this meter's own: kept from an earlier attempt, else made and saved now."""
        self.message.clear_message()
        if self.same_radio.isChecked():
            self.identity, self.slot = self.shared, "current"
            return True
        try:
            own = self.store.load(OWN_SLOT) if self.store.has_identity(OWN_SLOT) else None
            if own is None:
                own = generate_identity()
                self.store.save(own, OWN_SLOT)
        except SecretsError as exc:
            self.message.show_message(f"The new certificate could not be kept: {exc.user_message} You can use the "
                                      "same certificate as your net meter instead.")
            return False
        self.identity, self.slot = own, OWN_SLOT
        return True
