"""Settings in two phases, with the real pages: every page validates, then all commit together, or nothing changes
(not the live tariff, not the keyring, not the alert rules, not the file); plug-ins learn of a change only once the
settings are saved."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest

from tests.ui.test_alerts_widgets import RecordingNotifier
from xcelsior_desktop.alerts import AlertHistory, EngineStateStore, RulesStore
from xcelsior_desktop.app.alerts.controller import AlertsController
from xcelsior_desktop.app.alerts.settings_page import AlertsSettingsPage
from xcelsior_desktop.app.alerts.wiring import install_alerts
from xcelsior_desktop.app.cost.plugin import CostPlugin
from xcelsior_desktop.app.cost.settings_page import CostSettingsPage
from xcelsior_desktop.app.home_assistant import install as install_mqtt
from xcelsior_desktop.app.home_assistant.settings_page import MqttSettingsPage
from xcelsior_desktop.app.session_events import SessionEvents
from xcelsior_desktop.app.settings_dialog import SettingsDialog
from xcelsior_desktop.app.shell import AppShell
from xcelsior_desktop.app.window import MainWindow
from xcelsior_desktop.home_assistant import KEYRING_SERVICE
from xcelsior_desktop.money.cost_settings import chosen_settings
from xcelsior_desktop.platform.settings import Settings


class App:
    """The app's side of the dialog: its settings, the file they are saved to, and who heard of a change."""

    def __init__(self, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        self.settings = Settings()
        self.path = tmp_path / "settings.json"
        self.window = MainWindow()
        qtbot.addWidget(self.window)
        self.shell = AppShell(window=self.window, events=SessionEvents(), settings=lambda: self.settings,
                              owner=self.window)
        self.heard: list[Settings] = []
        self.shell.on_settings_changed(self.heard.append)
        self.cost = CostPlugin(self.shell)
        self.alerts = AlertsController(RecordingNotifier(), RulesStore(), AlertHistory(), EngineStateStore(),
                                       parent=self.window)
        install_alerts(self.shell, self.alerts)
        self.mqtt = install_mqtt(self.shell)
        self.fail_save = False

    def save(self, settings: Settings) -> None:
        if self.fail_save:
            raise OSError(28, "No space left on device")
        settings.save(self.path)

    def dialog(self, qtbot) -> SettingsDialog:  # type: ignore[no-untyped-def]
        dialog = SettingsDialog(self.settings, pages=self.shell.settings_pages, save=self.save)
        qtbot.addWidget(dialog)
        return dialog

    def ok(self, dialog: SettingsDialog) -> bool:
        """The dialog's OK, then what the app does with what was saved."""
        dialog.accept()
        if dialog.result_settings is None:
            return False
        self.settings = dialog.result_settings
        self.shell.settings_changed(self.settings)
        return True

    def close(self) -> None:
        self.cost.stop()
        self.mqtt.shutdown()
        self.alerts.shutdown()


@pytest.fixture
def app(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    made = App(qtbot, tmp_path)
    yield made
    made.close()


def choose_flat_tariff(dialog: SettingsDialog) -> CostSettingsPage:
    page = dialog.findChild(CostSettingsPage)
    assert page is not None
    page.choice.setCurrentIndex(page.choice.findData("xcel-co-flat"))
    return page


def test_a_page_that_refuses_leaves_the_live_tariff_and_the_file_as_they_were(qtbot, app: App) -> None:
    live = app.cost.tariff
    assert live is not None and live.name == "xcel-co-tou"
    dialog = app.dialog(qtbot)
    choose_flat_tariff(dialog)  # the Cost page is fine ...
    mqtt = dialog.findChild(MqttSettingsPage)
    mqtt.enabled.setChecked(True)
    mqtt.broker.setText("homeassistant.local")  # ... the MQTT page is not (no scheme)
    mqtt.username.setText("ha")
    mqtt.password.setText("secret")
    assert not app.ok(dialog)
    assert "MQTT" in dialog.error.text() and dialog.tabs.currentWidget() is mqtt  # it says where and why
    assert app.cost.tariff is live and app.heard == []  # the Cost page acted on nothing
    assert not app.path.exists() and chosen_settings(app.settings).tariff == "xcel-co-tou"
    assert keyring.get_password(KEYRING_SERVICE, "ha") is None  # no commit ran


def test_a_failed_save_undoes_every_commit(qtbot, app: App) -> None:
    rules_before = [rule.threshold for rule in app.alerts.rules()]
    dialog = app.dialog(qtbot)
    alerts = dialog.findChild(AlertsSettingsPage)
    alerts.editor.list.setCurrentRow(0)
    alerts.editor.threshold.setValue(rules_before[0] + 1000)
    mqtt = dialog.findChild(MqttSettingsPage)
    mqtt.broker.setText("mqtt://broker.lan:1883")
    mqtt.username.setText("ha")
    mqtt.password.setText("secret")
    app.fail_save = True
    assert not app.ok(dialog)
    assert "could not be saved" in dialog.error.text() and "No space left" in dialog.error.text()
    assert [rule.threshold for rule in app.alerts.rules()] == rules_before  # the rules' commit was undone
    assert keyring.get_password(KEYRING_SERVICE, "ha") is None  # and the password's
    assert app.heard == [] and not app.path.exists()

    app.fail_save = False  # the disk has room again: the same OK goes through, all of it
    assert app.ok(dialog)
    assert app.alerts.rules()[0].threshold == rules_before[0] + 1000
    assert keyring.get_password(KEYRING_SERVICE, "ha") == "secret"
    assert Settings.load(app.path).extra["mqtt"]["username"] == "ha"


def test_plugins_learn_of_a_change_once_it_is_saved(qtbot, app: App) -> None:
    dialog = app.dialog(qtbot)
    choose_flat_tariff(dialog)
    dialog.accept()
    assert dialog.result_settings is not None and app.path.exists()
    assert app.cost.tariff is not None and app.cost.tariff.name == "xcel-co-tou"  # saved, not yet told
    app.settings = dialog.result_settings
    app.shell.settings_changed(app.settings)
    assert app.cost.tariff is not None and app.cost.tariff.name == "xcel-co-flat"
    assert chosen_settings(Settings.load(app.path)).tariff == "xcel-co-flat"
