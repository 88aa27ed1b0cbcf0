"""Setup page 3: the LFDI, large, and the Launchpad steps to register it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget, QWizardPage

from xcelsior_desktop.app.onboarding.widgets import LfdiDisplay, rich_label
from xcelsior_desktop.meter.identity import Identity

LAUNCHPAD_URL = "https://my.xcelenergy.com/"

STEPS_HTML = f"""
<ol style="margin-left: -20px; line-height: 150%;">
<li><a href="{LAUNCHPAD_URL}">Sign in to your Xcel Energy account</a> and open <b>Launchpad</b>
    (under <b>Meters and Devices</b>).</li>
<li>If your meter is not on your home Wi-Fi yet, connect it there first (Launchpad walks you through it).</li>
<li>Choose <b>Add a Device</b> and paste the LFDI above (use <b>Copy</b>). Nickname, manufacturer and device
    type can be anything, for example “Xcelsior Desktop”.</li>
<li>Submit, then come back here and press <b>Next</b>.</li>
</ol>
"""


# a solar meter: the same certificate, registered on the second meter's own device list
SOLAR_STEPS_HTML = f"""
<ol style="margin-left: -20px; line-height: 150%;">
<li><a href="{LAUNCHPAD_URL}">Sign in to your Xcel Energy account</a> and open <b>Launchpad</b>
    (under <b>Meters and Devices</b>). Each meter has its own list of devices: choose the <b>solar
    (production) meter</b>, not the one your net meter's watts come from.</li>
<li>If that meter is not on your home Wi-Fi yet, connect it there first (Launchpad walks you through it).</li>
<li>Choose <b>Add a Device</b> and paste the LFDI above: the same one your net meter already knows, because it
    is the same computer. Nickname, manufacturer and device type can be anything.</li>
<li>Submit, then come back here and press <b>Next</b>.</li>
</ol>
"""


class RegisterPage(QWizardPage):
    def __init__(self, identity: Callable[[], Identity | None], parent: QWidget | None = None, *,
                 role: str = "net") -> None:
        super().__init__(parent)
        self._identity = identity
        if role == "net":
            self.setTitle("Register this computer with Xcel Energy")
            self.setSubTitle("Xcel's Launchpad tells your meter which devices it may talk to. Register this "
                             "computer by its LFDI, a fingerprint of its certificate.")
        else:
            self.setTitle("Register this computer with your solar meter")
            self.setSubTitle("Your solar meter only talks to devices Xcel registered on it. Register this "
                             "computer there too, with the LFDI your net meter already accepted.")
        self.lfdi = LfdiDisplay()
        self.steps = rich_label(STEPS_HTML if role == "net" else SOLAR_STEPS_HTML)
        note = QLabel("Activation by Xcel takes from a few minutes to several days. The next steps find your meter "
                      "and keep checking until it says yes; you can close the app meanwhile.")
        note.setWordWrap(True)
        note.setStyleSheet("color: #475467;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.lfdi)
        layout.addSpacing(8)
        layout.addWidget(self.steps)
        layout.addWidget(note)
        layout.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 (Qt name)
        identity = self._identity()
        if identity is not None:
            self.lfdi.set_lfdi(identity.lfdi)
