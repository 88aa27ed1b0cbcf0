"""Setup page 5: waiting for Xcel to activate the certificate (probe with back-off, across restarts)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget, QWizardPage

from xcelsior_desktop.app.onboarding.activation_watcher import ActivationWatcher
from xcelsior_desktop.app.onboarding.widgets import MessageLabel
from xcelsior_desktop.meter.identity import Identity, portal_form
from xcelsior_desktop.meter.transport import ProbeResult

EXPLAIN = (
    "Xcel's activation takes from a few minutes to several days; there is nothing more to do on your side. "
    "We check the meter now and then (less often as time passes, so the meter is not disturbed). You can close "
    "this window: Xcelsior Desktop keeps checking in the background, even after a restart, and tells you when "
    "the meter accepts this computer."
)


class WaitingPage(QWizardPage):
    def __init__(self, watcher: ActivationWatcher, identity: Callable[[], Identity | None],
                 address: Callable[[], tuple[str, int, bool] | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.watcher = watcher
        self._identity = identity
        self._address = address
        self.role = "net"  # the meter being set up (the wizard says which)
        self.slot = "current"  # the identity store's slot of the certificate it is registered with
        self.result: ProbeResult | None = None
        self.setTitle("Waiting for Xcel to activate this computer")
        self.setSubTitle("The meter will accept this computer once Xcel has processed your Launchpad request.")
        explain = QLabel(EXPLAIN)
        explain.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate while waiting
        self.busy.setTextVisible(False)
        self.busy.setFixedHeight(8)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("activationStatus")
        self.status.setStyleSheet("font-size: 11pt;")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setStyleSheet("color: #475467;")
        self.check_button = QPushButton("Check now")
        self.check_button.clicked.connect(self.watcher.check_now)
        self.message = MessageLabel()
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.check_button)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addSpacing(8)
        layout.addWidget(self.busy)
        layout.addLayout(row)
        layout.addWidget(self.details)
        layout.addWidget(self.message)
        layout.addStretch(1)
        watcher.status_changed.connect(self.status.setText)
        watcher.probing.connect(lambda busy: self.check_button.setEnabled(not busy))
        watcher.accepted.connect(self._accepted)

    def initializePage(self) -> None:  # noqa: N802 (Qt name)
        identity, address = self._identity(), self._address()
        if identity is None or address is None:
            return
        host, port, _manual = address
        self.details.setText(f"Meter at {host}:{port} · this computer's LFDI {portal_form(identity.lfdi)}")
        self.result = None
        self.message.clear_message()
        self.busy.setRange(0, 0)
        state = self.watcher.tracker.state
        same = state is not None and state.lfdi == identity.lfdi and state.role == self.role and not state.accepted
        if same:  # the address is the meter record's, asked at each probe: a new one is used at once
            self.watcher.resume(identity)
            self.watcher.check_now()
        else:
            self.watcher.start(identity, role=self.role, slot=self.slot)

    def _accepted(self, result: ProbeResult) -> None:
        self.result = result
        self.busy.setRange(0, 1)
        self.busy.setValue(1)
        self.check_button.setEnabled(False)
        self.message.show_message("✔ The meter accepted this computer's certificate.", "ok")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.result is not None

    def validatePage(self) -> bool:  # noqa: N802
        return self.result is not None
