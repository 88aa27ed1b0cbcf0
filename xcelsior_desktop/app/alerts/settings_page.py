"""The Alerts page of the Settings dialog: the rules editor, how notifications are delivered, a test button."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from xcelsior_desktop.alerts import Alert
from xcelsior_desktop.app.alerts.controller import AlertsController
from xcelsior_desktop.app.alerts.rules_editor import RulesEditor
from xcelsior_desktop.app.settings_pages import SettingsPage, Undo
from xcelsior_desktop.platform.settings import Settings


class AlertsSettingsPage(SettingsPage):
    """The rules are kept in the alerts' own file, not the settings file: checked in ``validate``, saved in
    ``commit`` (undone if another page's commit or the settings file fails)."""

    def __init__(self, controller: AlertsController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertsSettingsPage")
        self.controller = controller
        self._rules = controller.rules()
        self.editor = RulesEditor(controller.rules())
        self.delivery = QLabel(f"Notifications are delivered as: {controller.notifier.name}.")
        self.delivery.setObjectName("alertsDelivery")
        self.delivery.setWordWrap(True)
        self.test_button = QPushButton("Send a test notification")
        self.test_button.setObjectName("testNotification")
        self.test_button.clicked.connect(self.send_test)
        row = QHBoxLayout()
        row.addWidget(self.delivery, 1)
        row.addWidget(self.test_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.editor, 1)
        layout.addLayout(row)

    def send_test(self) -> None:
        self.controller.notifier.notify(
            Alert(
                "test",
                "test",
                "Xcelsior Desktop test notification",
                "Alerts will reach you like this. Click to open the alerts list.",
                time.time(),
                "alerts",
            )
        )

    def validate(self, edited: Settings) -> None:
        self._rules = self.editor.rules()  # ValueError with a sentence for the user

    def commit(self) -> Undo | None:
        before = list(self.controller.rules())
        self.controller.set_rules(self._rules)
        return lambda: self.controller.set_rules(before)
