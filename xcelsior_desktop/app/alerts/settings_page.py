"""The Alerts page of the Settings dialog: the rules editor, how notifications are delivered, a test button."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from xcelsior_desktop.alerts import Alert
from xcelsior_desktop.app.alerts.controller import AlertsController
from xcelsior_desktop.app.alerts.rules_editor import RulesEditor


class AlertsSettingsPage(QWidget):
    """``apply(settings)`` is called by the Settings dialog on OK: it saves the rules or raises ValueError."""

    def __init__(self, controller: AlertsController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertsSettingsPage")
        self.controller = controller
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

    def apply(self, _settings: Any = None) -> None:
        rules = self.editor.rules()  # ValueError with a sentence for the user
        self.controller.set_rules(rules)
