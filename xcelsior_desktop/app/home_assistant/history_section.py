"""The Home Assistant part of the MQTT settings page: its address, a long-lived access token (kept in the keyring,
never in the settings file), and "Send history to Home Assistant" with its outcome in words."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from xcelsior_desktop.app.home_assistant.history import HistoryToHomeAssistant
from xcelsior_desktop.app.settings_pages import Undo
from xcelsior_desktop.home_assistant.ha_settings import (
    HomeAssistantSettings,
    TokenStoreError,
    delete_token,
    load_token,
    save_token,
)
from xcelsior_desktop.home_assistant.ha_url import EXAMPLE, HomeAssistantUrlError
from xcelsior_desktop.home_assistant.history_sender import SendOutcome
from xcelsior_desktop.platform.settings import Settings

RED = "color: #B91C1C;"
GREEN = "color: #15803D;"


class HomeAssistantSection(QGroupBox):
    """Part of the MQTT page's two phases: :meth:`validate` writes the address into the edited settings,
    :meth:`commit` puts the token in the keyring."""

    def __init__(self, history: HistoryToHomeAssistant | None, settings: Settings,
                 parent: QWidget | None = None) -> None:
        super().__init__("Home Assistant: the past in the Energy dashboard", parent)
        self.history = history
        self.saved = HomeAssistantSettings.from_app_settings(settings)
        self._validated: tuple[str, str] = ("", "")
        self.url = QLineEdit(self.saved.url)
        self.url.setObjectName("ha-url")
        self.url.setPlaceholderText(EXAMPLE)
        self.token = QLineEdit()
        self.token.setObjectName("ha-token")
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.send = QPushButton("Send history to Home Assistant")
        self.send.setObjectName("ha-send-history")
        self.send.clicked.connect(self.send_history)
        self.result = QLabel()
        self.result.setObjectName("ha-send-result")
        self.result.setWordWrap(True)
        hint = QLabel("A long-lived access token: in Home Assistant, your profile, Security. It is kept in your "
                      "system's keyring. Sending again sends only hours Home Assistant lacks; once sent, hours a "
                      "later backfill fills follow by themselves.")
        hint.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Address:", self.url)
        form.addRow("Access token:", self.token)
        row = QHBoxLayout()
        row.addWidget(self.send)
        row.addWidget(self.result, 1)
        form.addRow("", row)
        form.addRow("", hint)
        self.url.textEdited.connect(lambda _text: self._show_saved_token())
        self._show_saved_token()
        if history is None:
            self.send.setEnabled(False)
        else:
            history.outcome.connect(self._sent)
            if history.last is not None:
                self._sent(history.last)

    def _show_saved_token(self) -> None:
        hint = ""
        try:
            if self.url.text().strip() and load_token(self.url.text()):
                hint = "saved in the keyring (leave empty to keep it)"
        except (HomeAssistantUrlError, TokenStoreError):
            hint = ""
        self.token.setPlaceholderText(hint)

    def edited(self) -> HomeAssistantSettings:
        return HomeAssistantSettings(url=self.url.text().strip(), keep_sending=self.saved.keep_sending)

    def validate(self, edited: Settings) -> None:
        """Check the fields and write the address into ``edited`` (the token stays for :meth:`commit`);
        ValueError says what to fix."""
        settings = self.edited()
        problems = settings.check()
        if self.token.text().strip() and not settings.url:
            problems.append("An access token needs Home Assistant's address too.")
        if problems:
            raise ValueError("Home Assistant: " + " ".join(problems))
        settings.store_in(edited)
        self._validated = (settings.url, self.token.text().strip())

    def commit(self) -> Undo | None:
        """The token typed goes to the keyring; undone by putting back what the keyring held before."""
        url, token = self._validated
        if not url or not token:
            return None
        try:
            before = load_token(url)
            save_token(url, token)
        except TokenStoreError as exc:
            raise ValueError(f"Home Assistant: {exc.user_message}") from None

        def undo() -> None:
            if before is None:
                delete_token(url)
            else:
                save_token(url, before)

        return undo

    @Slot()
    def send_history(self) -> None:
        if self.history is None:
            return
        self.send.setEnabled(False)
        self.result.setStyleSheet("")
        self.result.setText("Sending the history to Home Assistant\u2026")
        self.history.send_now(self.url.text().strip(), self.token.text().strip() or None)

    @Slot(object)
    def _sent(self, outcome: SendOutcome) -> None:
        if outcome.automatic and outcome.ok and self.send.isEnabled():
            return  # a send of its own that worked: the page keeps showing the user's (a failure is said)
        self.send.setEnabled(True)
        self.result.setText(outcome.message)
        self.result.setStyleSheet(GREEN if outcome.ok else RED)
