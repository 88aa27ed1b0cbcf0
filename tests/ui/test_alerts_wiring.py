"""Alerts plugged into the real window and Settings dialog: worker signals in, list + notification out, clicks open
the right view, the rules editor saves on OK."""

from __future__ import annotations

import datetime as dt

from tests.ui.test_alerts_widgets import RecordingNotifier
from tests.unit.alerts_streams import DENVER, FakeClock, local
from xcelsior_desktop.alerts import AlertHistory, EngineStateStore, RulesStore
from xcelsior_desktop.app.alerts.alerts_list import AlertsListWidget
from xcelsior_desktop.app.alerts.controller import AlertsController
from xcelsior_desktop.app.alerts.settings_page import AlertsSettingsPage
from xcelsior_desktop.app.alerts.wiring import install_alerts
from xcelsior_desktop.app.session_events import SessionEvents
from xcelsior_desktop.app.settings_dialog import SettingsDialog
from xcelsior_desktop.app.shell import AppShell
from xcelsior_desktop.app.window import MainWindow
from xcelsior_desktop.meter.values import Measurement, Registers
from xcelsior_desktop.platform import paths
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.events import DemandRead, RegistersRead, StateChanged
from xcelsior_desktop.session.poller import State, Status

SHELLS: dict = {}


def setup(qtbot, clock):  # type: ignore[no-untyped-def]
    window = MainWindow()
    qtbot.addWidget(window)
    worker = SessionEvents()  # the session's events (the real session is tested against the simulator)
    notifier = RecordingNotifier()
    controller = AlertsController(
        notifier, RulesStore(), AlertHistory(), EngineStateStore(), clock=clock, tz=DENVER, parent=window
    )
    shell = AppShell(window=window, events=worker)
    install_alerts(shell, controller)
    SHELLS[window] = shell
    return window, worker, notifier, controller


def test_unreachable_meter_reaches_the_list_and_a_click_opens_the_device_view(qtbot):
    clock = FakeClock(local(12, 0))
    window, worker, notifier, controller = setup(qtbot, clock)
    now = dt.datetime.fromtimestamp(clock.now, dt.UTC)
    worker.publish(DemandRead(Measurement(850.0, "W", now)))
    worker.publish(RegistersRead(Registers(12_345_678.0, 1_000.0)))
    worker.publish(StateChanged(Status(State.UNREACHABLE, clock.now, clock.now + 30, "refused", clock.now)))
    clock.advance(16 * 60)
    controller.tick()
    assert [a.title for a in notifier.sent] == ["Meter unreachable for 16 min"]

    view = window.findChild(AlertsListWidget)
    assert view is not None and view.count() == 1
    window.show_view("live")
    notifier.activated.emit(notifier.sent[0].view)  # the user clicks the notification
    assert window.current_view() == "device"
    window.show_view("live")
    view._tree.itemDoubleClicked.emit(view._tree.topLevelItem(0), 0)  # or the entry in the list
    assert window.current_view() == "device"

    worker.publish(StateChanged(Status(State.CONNECTED, clock.now, None, "", clock.now)))
    assert notifier.sent[-1].title == "Meter back online" and view.count() == 2
    view.clearRequested.emit()
    assert view.count() == 0 and controller.alerts() == []
    controller.shutdown()


def test_settings_dialog_has_the_alerts_page_and_saves_rules_on_ok(qtbot):
    clock = FakeClock(local(12, 0))
    window, worker, notifier, controller = setup(qtbot, clock)
    pages = SHELLS[window].settings_pages
    dialog = SettingsDialog(Settings(), pages=pages)
    qtbot.addWidget(dialog)
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert "Alerts" in titles
    page = dialog.findChild(AlertsSettingsPage)
    assert page is not None and "recording" in page.delivery.text()
    page.editor.list.setCurrentRow(0)
    page.editor.threshold.setValue(6000)
    dialog.accept()
    assert dialog.result_settings is not None
    saved = RulesStore(paths.config_dir() / "alerts.json").load()
    assert saved[0].threshold == 6000 and controller.rules()[0].threshold == 6000

    # an invalid edit keeps the dialog open with the reason
    dialog2 = SettingsDialog(Settings(), pages=pages)
    qtbot.addWidget(dialog2)
    page2 = dialog2.findChild(AlertsSettingsPage)
    page2.editor.list.setCurrentRow(0)
    page2.editor.rearm.setValue(5999)
    page2.editor.threshold.setValue(5000)
    dialog2.accept()
    assert dialog2.result_settings is None and "re-arm" in dialog2.error.text()

    page2.test_button.click()
    assert notifier.sent[-1].title == "Xcelsior Desktop test notification"
    controller.shutdown()
    controller.deleteLater()
    qtbot.waitUntil(lambda: "Alerts" not in pages.titles())
