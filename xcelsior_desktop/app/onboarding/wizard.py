"""The first-run setup wizard: what you need, your certificate, Launchpad, find the meter, wait for activation.

Pages hold only presentation; keys go through :class:`IdentityStore`, the probe schedule through
:class:`ActivationTracker`, and acceptance becomes a :class:`MeterTarget` handed to the app's session (or saved, standalone).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QInputDialog, QLineEdit, QPushButton, QVBoxLayout, QWidget, QWizard, QWizardPage

from xcelsior_desktop.app.onboarding.activation_watcher import ActivationWatcher, ProbeFn, probe_meter
from xcelsior_desktop.app.onboarding.certificate_choice_page import CertificateChoicePage
from xcelsior_desktop.app.onboarding.identity_page import IdentityPage
from xcelsior_desktop.app.onboarding.meter_page import DiscoverFn, MeterPage, discover_meters
from xcelsior_desktop.app.onboarding.register_page import RegisterPage
from xcelsior_desktop.app.onboarding.waiting_page import WaitingPage
from xcelsior_desktop.app.onboarding.widgets import rich_label
from xcelsior_desktop.meter.address import DEFAULT_PORT
from xcelsior_desktop.meter.errors import IdentityMismatch
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.meter.transport import ProbeResult
from xcelsior_desktop.onboarding.activation import ActivationTracker
from xcelsior_desktop.platform.secrets import IdentityStore, PassphraseRequired, SecretsError, Slot, WrongPassphrase
from xcelsior_desktop.session import meters_file
from xcelsior_desktop.session.target import NET, ROLE_NAMES, MeterTarget, Role

log = logging.getLogger(__name__)

INTRO_HTML = """
<p>Xcelsior Desktop reads your home's electricity use straight from your Xcel Energy smart meter, over your
home network. Nothing goes through the cloud.</p>
<p><b>What you need</b></p>
<ul style="line-height: 140%;">
<li>An Xcel Energy smart meter (Itron Gen5 Riva) and your Xcel Energy online account.</li>
<li>The meter connected to your home Wi-Fi (done in Xcel's Launchpad; this setup shows you where).</li>
<li>This computer on the same home network.</li>
</ul>
<p><b>Why these steps</b></p>
<p>The meter only talks to devices Xcel has registered. This computer gets its own certificate; you register
its fingerprint (the LFDI) in Launchpad, Xcel activates it, and from then on the meter answers this computer.
The certificate's private key stays on this computer, in your system's keyring.</p>
<p style="color:#475467;">About five minutes of your time, then Xcel's activation: minutes to days.</p>
"""

PAGE_INTRO, PAGE_IDENTITY, PAGE_REGISTER, PAGE_METER, PAGE_WAITING, PAGE_DONE = range(6)


def _logo() -> QPixmap | None:
    path = Path(__file__).resolve().parents[3] / "resources" / "icons" / "xcelsior-desktop-64.png"
    pixmap = QPixmap(str(path)) if path.exists() else QPixmap()
    return None if pixmap.isNull() else pixmap


class IntroPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Set up Xcelsior Desktop")
        self.setSubTitle("Live watts from your smart meter, in your system tray.")
        layout = QVBoxLayout(self)
        layout.addWidget(rich_label(INTRO_HTML))
        layout.addStretch(1)


class DonePage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("You're all set")
        self.setSubTitle("Your meter accepted this computer.")
        self.summary = rich_label("")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addStretch(1)


class SetupWizard(QWizard):
    """Emits ``setup_complete(identity)`` once the meter has accepted the certificate and the meter is pinned."""

    setup_complete = Signal(object)
    identity_saved = Signal(object)

    def __init__(
        self,
        *,
        store: IdentityStore | None = None,
        role: Role = NET,
        target: Callable[[], MeterTarget] | None = None,
        place: Callable[[MeterTarget], None] | None = None,
        adopt: Callable[[MeterTarget], None] | None = None,
        identity: Identity | None = None,
        other: MeterTarget | None = None,
        watcher: ActivationWatcher | None = None,
        tracker: ActivationTracker | None = None,
        discover: DiscoverFn = discover_meters,
        probe: ProbeFn = probe_meter,
        discovery_timeout_s: float = 10.0,
        parent: QWidget | None = None,
    ) -> None:
        """``identity``: the certificate the household's other meter already accepted; setup then starts by asking
        whether this meter is registered with the same one or with its own. ``other``: that meter, which this setup
        must not take for the one it sets up."""
        super().__init__(parent)
        self.role = role
        self._base = target or (lambda: _saved_target(role))
        self._place = place
        self._adopt = adopt
        self.other = other
        self.target: MeterTarget | None = None  # what setup established, once the meter accepted
        self.store = store or IdentityStore()
        self.watcher = watcher or ActivationWatcher(tracker, self._not_the_other(probe), self)
        self.watcher.address_of = lambda: (chosen[0], chosen[1]) if (chosen := self.meter_page.chosen()) else None
        self.identity: Identity | None = identity
        self.passphrase: str | None = None
        self.setWindowTitle("Xcelsior Desktop setup" if role == NET else f"Add your {ROLE_NAMES[role].lower()}")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.CancelButton, "Close")
        self.setMinimumSize(720, 620)
        logo = _logo()
        if logo is not None:
            self.setPixmap(QWizard.WizardPixmap.LogoPixmap, logo)
        self.setStyleSheet("QWizard { background: white; } QWizardPage { background: white; }")

        self.intro = IntroPage()
        self.identity_page = IdentityPage(self.store)
        self.slot: Slot = "current"  # the identity store's slot of the certificate this meter is registered with
        # a second meter: the certificate the first one knows, or one of its own (instead of the identity page)
        self.choice_page = CertificateChoicePage(self.store, identity, ROLE_NAMES[role].lower()) \
            if identity is not None else None
        self.register_page = RegisterPage(lambda: self.identity, role=role)
        self.meter_page = MeterPage(discover, timeout_s=discovery_timeout_s, default_port=self._base().port,
                                    other=other)
        self.waiting_page = WaitingPage(self.watcher, lambda: self.identity, self.meter_page.chosen)
        self.waiting_page.role = role
        self.done_page = DonePage()
        second = self.choice_page or self.identity_page
        for page_id, page in enumerate((self.intro, second, self.register_page, self.meter_page,
                                        self.waiting_page, self.done_page)):
            page.setTitle(f"<span style='font-size: 15pt; font-weight: 600;'>{page.title()}</span>")
            self.setPage(page_id, page)
        self.setTitleFormat(Qt.TextFormat.RichText)
        self.setStartId(PAGE_INTRO if identity is None else PAGE_IDENTITY)
        self.watcher.accepted.connect(self._on_accepted)
        next_button = self.button(QWizard.WizardButton.NextButton)
        if isinstance(next_button, QPushButton):
            next_button.setDefault(True)

    # -- flow -------------------------------------------------------------------------------------

    def validateCurrentPage(self) -> bool:  # noqa: N802 (Qt name)
        if not super().validateCurrentPage():
            return False
        if self.currentId() == PAGE_IDENTITY and self.choice_page is not None:
            self.identity, self.slot = self.choice_page.identity, self.choice_page.slot
            self.waiting_page.slot = self.slot
        elif self.currentId() == PAGE_IDENTITY:
            if self.identity_page.identity is not None:
                self.identity = self.identity_page.identity
                self.passphrase = self.identity_page.file_passphrase_used
            else:
                self.identity = self._load_stored()
                if self.identity is None:
                    return False
            self.identity_saved.emit(self.identity)
        elif self.currentId() == PAGE_METER:
            self._record_address()
        return True

    def _not_the_other(self, probe: ProbeFn) -> ProbeFn:
        """``probe``, but an acceptance by the household's other meter (its address typed here by mistake; it
        knows the same certificate) is a wrong address, never this meter's activation."""
        other = self.other

        def checked(host: str, port: int, identity: Identity) -> Future[ProbeResult]:
            future = probe(host, port, identity)
            if other is None or other.meter_lfdi is None:
                return future
            out: Future[ProbeResult] = Future()

            def done(answer: Future[ProbeResult]) -> None:
                error = answer.exception()
                if error is not None:
                    out.set_exception(error)
                    return
                result = answer.result()
                if result.meter_lfdi is not None and result.meter_lfdi == other.meter_lfdi:
                    result = ProbeResult(result.meter_lfdi, False, IdentityMismatch(
                        "the other meter answered", expected="", found=result.meter_lfdi,
                        user_message=f"The meter at {host}:{port} is your {other.label.lower()}. Go Back and "
                                     f"choose the {ROLE_NAMES[self.role].lower()}'s address."))
                out.set_result(result)

            future.add_done_callback(done)
            return out

        return checked

    def _placed(self) -> MeterTarget | None:
        """The meter's record with the address the meter page has (typed or found)."""
        chosen = self.meter_page.chosen()
        if chosen is None:
            return None
        host, port, manual = chosen
        base = self._base()
        moved = (host, int(port)) != (base.host, base.port)
        return base.replace(host=host, port=int(port), automatic=not manual,
                            meter_lfdi=None if moved else base.meter_lfdi, certificate=self.slot)

    def _record_address(self) -> None:
        """The meter's address goes into its record now, so a wait closed early goes on with it after a
        restart (the app: through the meter's session, whose listener saves it)."""
        placed = self._placed()
        if placed is None:
            return
        if self._place is not None:
            self._place(placed)
            return
        try:
            meters_file.save_target(placed)
        except OSError as exc:
            log.warning("could not save the meter's address: %s", exc)

    def _load_stored(self) -> Identity | None:
        passphrase: str | None = None
        while True:
            try:
                identity = self.store.load(passphrase=passphrase)
            except (PassphraseRequired, WrongPassphrase) as exc:
                text, ok = QInputDialog.getText(self, "Unlock the private key", exc.user_message,
                                                QLineEdit.EchoMode.Password)
                if not ok:
                    return None
                passphrase = text
                continue
            except SecretsError as exc:
                self.identity_page.message.show_message(exc.user_message)
                return None
            self.passphrase = passphrase
            return identity

    def _on_accepted(self, result: ProbeResult) -> None:
        placed = self._placed()
        if self.identity is None or placed is None:
            return
        host, port = placed.host, placed.port
        self.target = placed.replace(identity=self.identity, meter_lfdi=result.meter_lfdi, registered=True)
        if self._adopt is not None:  # the app: its meter session takes the target, and its listener saves it
            self._adopt(self.target)
        else:  # standalone: no session runs, so save it here
            try:
                meters_file.save_target(self.target)
            except OSError as exc:
                log.warning("could not save the meter after activation: %s", exc)
        where = ("Watts appear in the system tray; click the icon for charts and details." if self.role == NET else
                 "Its watts, your home's use and how much of it the sun covers appear on the Live tab and in the "
                 "tray's tooltip.")
        self.done_page.summary.setText(
            f"<p>Xcelsior Desktop now reads your {ROLE_NAMES[self.role].lower()} at <b>{host}:{port}</b>. "
            f"{where}</p>"
            f"<p>The certificate's private key is kept in <b>{self.store.backend_name}</b>. "
            f"The certificate is valid until <b>{self.identity.not_after:%B} {self.identity.not_after.day}, "
            f"{self.identity.not_after.year}</b>; you will be reminded 30 and 7 days before.</p>")
        self.setup_complete.emit(self.identity)
        if self.currentId() == PAGE_WAITING:
            self.next()

    def done(self, result: int) -> None:
        """Closing the wizard while waiting leaves the persisted wait for the app to carry on."""
        if self.watcher.parent() is self:
            self.watcher.stop()
        super().done(result)


def _saved_target(role: Role) -> MeterTarget:
    """A standalone wizard's starting point: the meter's saved record, or a new one."""
    records = meters_file.load_records() or []
    record = next((r for r in records if r["role"] == role), None)
    return MeterTarget.from_record(record, None) if record else MeterTarget(role=role, port=DEFAULT_PORT)
