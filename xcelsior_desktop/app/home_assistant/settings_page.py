"""The MQTT page of the Settings dialog: the broker, its user and password (keyring), TLS, topics, discovery,
"Test connection" (on a thread, the answer in words) and the publisher's live state."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from xcelsior_desktop.app.home_assistant.controller import MqttController, PublishingState
from xcelsior_desktop.app.home_assistant.history_section import HomeAssistantSection
from xcelsior_desktop.app.settings_pages import SettingsPage, Undo
from xcelsior_desktop.home_assistant.broker_url import EXAMPLE, BrokerUrlError, parse_broker_url
from xcelsior_desktop.home_assistant.connection import ConnectionResult
from xcelsior_desktop.home_assistant.settings import (
    MqttSettings,
    PasswordStoreError,
    delete_password,
    load_password,
    save_password,
)
from xcelsior_desktop.platform.settings import Settings

COUNTERS_REFRESH_MS = 2000
RED = "color: #B91C1C;"
GREEN = "color: #15803D;"
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^@/]*@")


def _user_field(settings: MqttSettings) -> str:
    if settings.username:
        return settings.username
    try:
        return parse_broker_url(settings.broker_url).username or ""
    except BrokerUrlError:
        return ""


class MqttSettingsPage(SettingsPage):
    """On OK: the fields into ``settings.extra["mqtt"]`` (validate), the password into the keyring (commit)."""

    def __init__(self, controller: MqttController, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mqttSettingsPage")
        self.controller = controller
        saved = MqttSettings.from_app_settings(settings)
        self._forget_password = False
        self._validated: tuple[str, str | None] = ("", None)
        self._test_token = 0

        self.enabled = QCheckBox("Publish the meter's readings to an MQTT broker")
        self.enabled.setObjectName("mqtt-enabled")
        self.enabled.setChecked(saved.enabled)
        self.broker = QLineEdit(_USERINFO.sub(r"\1", saved.broker_url))
        self.broker.setObjectName("mqtt-broker")
        self.broker.setPlaceholderText("mqtt://homeassistant.local:1883")
        self.broker.setToolTip(f"mqtt://host[:port], or mqtts://host[:port] for TLS; e.g. {EXAMPLE}")
        self.username = QLineEdit(_user_field(saved))
        self.username.setObjectName("mqtt-username")
        self.password = QLineEdit()
        self.password.setObjectName("mqtt-password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.forget = QPushButton("Forget saved password")
        self.forget.setObjectName("mqtt-forget-password")
        self.forget.clicked.connect(self._forget_clicked)
        self._show_saved_password()
        self.tls = QCheckBox("TLS (encrypted; on by itself with mqtts://)")
        self.tls.setObjectName("mqtt-tls")
        self.tls.setChecked(saved.tls)
        self.ca_file = QLineEdit(saved.ca_file or "")
        self.ca_file.setObjectName("mqtt-ca-file")
        self.ca_file.setPlaceholderText("only for a broker with a self-made certificate")
        self.browse = QPushButton("Browse\u2026")
        self.browse.setObjectName("mqtt-ca-browse")
        self.browse.clicked.connect(self._browse_ca)
        self.topic_base = QLineEdit(saved.topic_base)
        self.topic_base.setObjectName("mqtt-topic-base")
        self.discovery = QCheckBox("Home Assistant discovery (the sensors appear by themselves: no YAML)")
        self.discovery.setObjectName("mqtt-discovery")
        self.discovery.setChecked(saved.discovery)
        self.discovery_prefix = QLineEdit(saved.discovery_prefix)
        self.discovery_prefix.setObjectName("mqtt-discovery-prefix")
        self.test_button = QPushButton("Test connection")
        self.test_button.setObjectName("mqtt-test")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setObjectName("mqtt-test-result")
        self.test_result.setWordWrap(True)
        self.state = QLabel()
        self.state.setObjectName("mqtt-state")
        self.state.setWordWrap(True)

        form = QFormLayout()
        form.addRow("", self.enabled)
        if controller.flag is not None:
            note = QLabel(f"This run publishes to {controller.flag.display()} (started with --mqtt). The broker "
                          "below is used when the app starts without --mqtt.")
            note.setObjectName("mqtt-flag-note")
            note.setWordWrap(True)
            form.addRow("", note)
        form.addRow("Broker:", self.broker)
        form.addRow("User name:", self.username)
        password_row = QHBoxLayout()
        password_row.addWidget(self.password, 1)
        password_row.addWidget(self.forget)
        form.addRow("Password:", password_row)
        form.addRow("", self.tls)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.browse)
        form.addRow("CA certificate file:", ca_row)
        form.addRow("Topic base:", self.topic_base)
        form.addRow("", self.discovery)
        form.addRow("Discovery prefix:", self.discovery_prefix)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        hint = QLabel("The password is kept in your system's keyring, never in the settings file. See "
                      "docs/mqtt.md for the Home Assistant setup.")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(test_row)
        layout.addWidget(self.state)
        layout.addWidget(hint)
        self.home_assistant = HomeAssistantSection(controller.history, settings)
        layout.addWidget(self.home_assistant)
        layout.addStretch(1)

        self.broker.textChanged.connect(self._follow_scheme)
        self.tls.toggled.connect(self._follow_tls)
        self.discovery.toggled.connect(self.discovery_prefix.setEnabled)
        self.username.textEdited.connect(lambda _text: self._show_saved_password())
        self._follow_scheme(self.broker.text())
        self.discovery_prefix.setEnabled(saved.discovery)
        controller.state_changed.connect(self.show_state)
        controller.connection_tested.connect(self._tested)
        self.show_state(controller.current_state())
        self._counters = QTimer(self)
        self._counters.setInterval(COUNTERS_REFRESH_MS)
        self._counters.timeout.connect(lambda: self.show_state(controller.current_state()))
        self._counters.start()

    # -- fields -------------------------------------------------------------------------------------------

    def _show_saved_password(self) -> None:
        """Say whether the keyring holds a password for the user name shown."""
        username = self.username.text().strip()
        stored = False
        hint = ""
        if username:
            try:
                stored = load_password(username) is not None
            except PasswordStoreError as exc:
                hint = exc.user_message
        if self._forget_password and stored:
            hint = "the saved password is forgotten on OK"
        elif stored:
            hint = "saved in the keyring (leave empty to keep it)"
        self.password.setPlaceholderText(hint)
        self.password.setToolTip(hint)
        self.forget.setEnabled(stored and not self._forget_password)

    @Slot()
    def _forget_clicked(self) -> None:
        self._forget_password = True
        self.password.clear()
        self._show_saved_password()

    @Slot(str)
    def _follow_scheme(self, text: str) -> None:
        """mqtts:// means TLS: the box is ticked and cannot be unticked while the address says so."""
        forced = text.strip().lower().startswith("mqtts://")
        if forced:
            self.tls.setChecked(True)
        self.tls.setEnabled(not forced)
        self._follow_tls(self.tls.isChecked())

    @Slot(bool)
    def _follow_tls(self, on: bool) -> None:
        self.ca_file.setEnabled(on)
        self.browse.setEnabled(on)

    @Slot()
    def _browse_ca(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "The broker's CA certificate", self.ca_file.text(),
                                                    "Certificates (*.pem *.crt *.cer);;All files (*)")
        if path:
            self.ca_file.setText(path)

    def edited(self) -> tuple[MqttSettings, str | None]:
        """The settings on the page and the password typed (None: keep the saved one). A user name and password
        written in the broker address move to their own fields (the password to the keyring, never the file)."""
        address = self.broker.text().strip()
        username = self.username.text().strip()
        password = self.password.text() or None
        try:
            url = parse_broker_url(address)
        except BrokerUrlError:
            url = None
        if url is not None and url.username:
            username = username or url.username
            password = password or url.password
            address = _USERINFO.sub(r"\1", address)
        settings = MqttSettings(enabled=self.enabled.isChecked(), broker_url=address, username=username,
                                tls=self.tls.isChecked(), topic_base=self.topic_base.text().strip(),
                                discovery=self.discovery.isChecked(),
                                discovery_prefix=self.discovery_prefix.text().strip(),
                                ca_file=self.ca_file.text().strip() or None)
        return settings, password

    def validate(self, edited: Settings) -> None:
        """Check the fields and write them (not the password) into ``edited``; ValueError says what to fix."""
        mqtt, password = self.edited()
        problems = mqtt.check() if mqtt.enabled or mqtt.broker_url else []
        if mqtt.ca_file and not Path(mqtt.ca_file).expanduser().is_file():
            problems.append(f"The CA certificate file {mqtt.ca_file} does not exist: choose the broker's CA "
                            "certificate (a .pem or .crt file) or clear the field.")
        if password and not mqtt.username:
            problems.append("A broker password needs a user name: enter the user name too.")
        if problems:
            raise ValueError("MQTT: " + " ".join(problems))
        self.home_assistant.validate(edited)  # refuses in words too; writes Home Assistant's address
        if mqtt.ca_file:
            mqtt.ca_file = str(Path(mqtt.ca_file).expanduser())
        mqtt.store_in(edited)
        self._validated = (mqtt.username, password)

    def commit(self) -> Undo | None:
        """The broker password and Home Assistant's token go to the keyring; undone together."""
        undo_password = self._commit_password()
        try:
            undo_token = self.home_assistant.commit()
        except ValueError:
            if undo_password is not None:
                undo_password()
            raise
        undos = [undo for undo in (undo_password, undo_token) if undo is not None]
        if not undos:
            return None

        def undo_all() -> None:
            for undo in reversed(undos):
                undo()

        return undo_all

    def _commit_password(self) -> Undo | None:
        """The password typed goes to the keyring (or a forgotten one leaves it); undone by putting back what the
        keyring held before."""
        username, password = self._validated
        if not username or not (password or self._forget_password):
            return None
        try:
            before = load_password(username)
            if password:
                save_password(username, password)
            else:
                delete_password(username)
        except PasswordStoreError as exc:
            raise ValueError(f"MQTT: {exc.user_message}") from None

        def undo() -> None:
            if before is None:
                delete_password(username)
            else:
                save_password(username, before)

        return undo

    # -- Test connection and the live state ---------------------------------------------------------------

    @Slot()
    def test_connection(self) -> None:
        mqtt, password = self.edited()
        if not password and self._forget_password:
            password = ""  # forgotten: do not read it back from the keyring
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText("Testing the connection\u2026")
        self._test_token = self.controller.test_connection(mqtt, password)

    @Slot(int, object)
    def _tested(self, token: int, result: object) -> None:
        if token != self._test_token:
            return
        self.test_button.setEnabled(True)
        if isinstance(result, ConnectionResult):
            self.test_result.setText(result.message + ("." if result.ok else ""))
            self.test_result.setStyleSheet(GREEN if result.ok else RED)
        else:
            self.test_result.setText(str(result))
            self.test_result.setStyleSheet(RED)

    @Slot(object)
    def show_state(self, state: PublishingState) -> None:
        text = f"Publisher: {state.message}."
        status = state.status
        if status is not None and (status.published or status.dropped or status.queued):
            text += f" {status.published} messages sent"
            if status.queued:
                text += f", {status.queued} waiting"
            if status.dropped:
                text += f", {status.dropped} dropped (the oldest, while the broker was away)"
            text += "."
        self.state.setText(text)
        self.state.setStyleSheet(RED if state.failed else "")
