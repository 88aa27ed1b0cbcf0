"""The alerts list, the rules editor and the controller that feeds them (pytest-qt, offscreen)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from PySide6.QtCore import Qt

from tests.unit.alerts_streams import DENVER, FakeClock, local
from xcelsior_desktop.alerts import (
    Alert,
    AlertHistory,
    AlertRule,
    Connection,
    EngineStateStore,
    RuleKind,
    RulesStore,
    default_rules,
)
from xcelsior_desktop.app.alerts import Notifier
from xcelsior_desktop.app.alerts.alerts_list import AlertsListWidget, when_text
from xcelsior_desktop.app.alerts.controller import AlertsController, coalesce, connection_for_state
from xcelsior_desktop.app.alerts.rules_editor import RulesEditor


def sample_alerts() -> list[Alert]:
    now = time.time()
    return [
        Alert("usage", "usage_above", "High electricity use: 4.3 kW", "Drawing 4.3 kW for 15 min.", now - 7200, "live"),
        Alert(
            "unreachable",
            "meter_unreachable",
            "Meter unreachable for 15 min",
            "No answer since 02:10.",
            now - 3600,
            "device",
            notify=False,
        ),
        Alert(
            "unreachable",
            "meter_unreachable",
            "Meter back online",
            "Readings have resumed.",
            now - 60,
            "live",
            resolved=True,
        ),
    ]


# -- alerts list -----------------------------------------------------------------------------------------


def test_list_starts_empty_and_says_why(qtbot):
    widget = AlertsListWidget()
    qtbot.addWidget(widget)
    widget.show()
    assert widget.count() == 0
    assert widget.findChild(type(widget._empty), "alertsEmpty").isVisible()
    assert "No alerts yet" in widget._empty.text()
    assert not widget._clear.isEnabled()


def test_list_shows_newest_first_and_marks_quiet_ones(qtbot):
    widget = AlertsListWidget()
    qtbot.addWidget(widget)
    widget.set_alerts(reversed(sample_alerts()))  # any order in: by time out
    assert widget.count() == 3
    assert widget.row_texts(0)[1] == "Meter back online"
    assert widget.row_texts(1)[1] == "Meter unreachable for 15 min (during quiet hours)"
    assert widget.row_texts(2)[1] == "High electricity use: 4.3 kW"
    assert widget.details_text() == "Readings have resumed."  # newest selected
    widget.add_alerts([Alert("stale", "stale_data", "Meter data looks frozen", "frozen", time.time(), "device")])
    assert widget.count() == 4 and widget.row_texts(0)[1] == "Meter data looks frozen"


def test_double_click_opens_the_alerts_view_and_clear_asks_the_owner(qtbot):
    widget = AlertsListWidget()
    qtbot.addWidget(widget)
    widget.set_alerts(sample_alerts())
    tree = widget._tree
    item = tree.topLevelItem(1)
    with qtbot.waitSignal(widget.openView) as opened:
        tree.itemDoubleClicked.emit(item, 1)
    assert opened.args == ["device"]
    with qtbot.waitSignal(widget.clearRequested):
        qtbot.mouseClick(widget._clear, Qt.MouseButton.LeftButton)


def test_when_text_reads_naturally():
    now = dt.datetime(2026, 6, 10, 15, 0).timestamp()
    assert when_text(dt.datetime(2026, 6, 10, 9, 5).timestamp(), now) == "09:05"
    assert when_text(dt.datetime(2026, 6, 8, 9, 5).timestamp(), now) == "Mon 09:05"
    assert when_text(dt.datetime(2026, 5, 1, 9, 5).timestamp(), now) == "2026-05-01 09:05"


# -- rules editor ----------------------------------------------------------------------------------------


def test_editor_edits_thresholds_durations_cooldown_and_quiet_hours(qtbot):
    editor = RulesEditor(default_rules())
    qtbot.addWidget(editor)
    editor.show()
    assert editor.list.count() == len(default_rules())
    editor.list.setCurrentRow(0)  # usage above 4000 W
    assert editor.threshold.suffix() == " W" and editor.threshold.value() == 4000
    with qtbot.waitSignal(editor.rulesChanged):
        editor.threshold.setValue(5500)
    editor.rearm.setValue(4500)
    editor.duration.setValue(20)
    editor.cooldown.setValue(90)
    editor.quiet.setChecked(False)
    rule = editor.rules()[0]
    assert (rule.threshold, rule.rearm, rule.duration_min, rule.cooldown_min) == (5500, 4500, 20, 90)
    assert rule.quiet_start is None and rule.quiet_end is None
    assert editor.list.item(0).text() == "Usage above 5500 W for 20 min"
    assert not editor.quiet_start.isEnabled()


def test_editor_refuses_a_rearm_mark_above_the_threshold(qtbot):
    editor = RulesEditor(default_rules())
    qtbot.addWidget(editor)
    editor.show()
    editor.list.setCurrentRow(0)
    editor.rearm.setValue(4200)
    assert not editor.is_valid()
    assert editor.problem_label.isVisible() and "re-arm" in editor.problem_label.text()
    with pytest.raises(ValueError, match="re-arm"):
        editor.rules()
    editor.rearm.setValue(3500)
    assert editor.is_valid() and not editor.problem_label.isVisible()


def test_editor_adds_removes_and_toggles_rules(qtbot):
    editor = RulesEditor([])
    qtbot.addWidget(editor)
    assert not editor.details.isEnabled() and not editor.remove_button.isEnabled()
    editor.add_rule(RuleKind.EXPORT_ABOVE)
    editor.add_rule(RuleKind.CERT_EXPIRING)
    assert [r.kind for r in editor.rules()] == [RuleKind.EXPORT_ABOVE, RuleKind.CERT_EXPIRING]
    assert editor.list.currentRow() == 1 and editor.threshold.suffix() == " days"
    assert not editor.duration.isEnabled()  # a certificate rule has no duration
    editor.list.item(0).setCheckState(Qt.CheckState.Unchecked)
    assert editor.rules()[0].enabled is False
    editor.list.setCurrentRow(0)
    assert not editor.enabled.isChecked()
    editor.remove_current()  # the selected one: the export rule
    assert [r.kind for r in editor.rules()] == [RuleKind.CERT_EXPIRING]
    assert editor.threshold.suffix() == " days"  # the remaining rule is now selected
    editor.defaults_button.click()
    assert editor.rules() == default_rules()


def test_editor_shows_every_kind_in_its_add_menu(qtbot):
    editor = RulesEditor([])
    qtbot.addWidget(editor)
    actions = editor.add_button.menu().actions()
    assert {a.data() for a in actions} == {k.value for k in RuleKind}
    next(a for a in actions if a.data() == "stale_data").trigger()
    assert editor.rules()[0].kind is RuleKind.STALE


# -- controller ------------------------------------------------------------------------------------------


class RecordingNotifier(Notifier):
    """Stands in for the desktop's notification service; the real ones are tested against dunst."""

    name = "recording"

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Alert] = []

    def notify(self, alert: Alert) -> None:
        self.sent.append(alert)
        self.delivered.emit(alert)


def make_controller(tmp_path, rules, clock):
    store = RulesStore(tmp_path / "alerts.json")
    store.save(rules)
    notifier = RecordingNotifier()
    controller = AlertsController(
        notifier,
        rules_store=store,
        history=AlertHistory(tmp_path / "history.json"),
        state_store=EngineStateStore(tmp_path / "state.json"),
        clock=clock,
        tz=DENVER,
    )
    return controller, notifier


def test_controller_notifies_once_records_history_and_survives_restart(qtbot, tmp_path):
    clock = FakeClock(local(12, 0))
    rule = AlertRule(RuleKind.USAGE_ABOVE, threshold=3000, duration_min=1, cooldown_min=60, id="usage")
    controller, notifier = make_controller(tmp_path, [rule], clock)
    for _ in range(40):
        clock.advance(5)
        controller.on_demand(3600.0)
    assert [a.rule_id for a in notifier.sent] == ["usage"]
    assert [a.title for a in controller.alerts()] == ["High electricity use: 3.6 kW"]
    controller.shutdown()

    again, notifier2 = make_controller(tmp_path, [rule], clock)
    assert [a.title for a in again.alerts()] == ["High electricity use: 3.6 kW"]  # history kept
    for _ in range(40):
        clock.advance(5)
        again.on_demand(3600.0)
    assert notifier2.sent == []  # still disarmed after the restart
    again.shutdown()


def test_controller_coalesces_alerts_that_fire_together(qtbot, tmp_path):
    clock = FakeClock(local(12, 0))
    rules = [
        AlertRule(RuleKind.CERT_EXPIRING, threshold=7, quiet_start=None, quiet_end=None, id="cert"),
        AlertRule(RuleKind.UNREACHABLE, threshold=15, quiet_start=None, quiet_end=None, id="unreachable"),
    ]
    controller, notifier = make_controller(tmp_path, rules, clock)
    controller.on_state("unreachable")
    clock.advance(16 * 60)
    controller.engine._obs.cert_not_after = clock.now + 3 * 86400  # learnt while offline
    with qtbot.waitSignal(controller.historyChanged):
        controller.tick()
    assert len(notifier.sent) == 1
    assert notifier.sent[0].title == "2 alerts from Xcelsior Desktop" and notifier.sent[0].view == "alerts"
    assert len(controller.alerts()) == 2  # the list keeps both
    controller.shutdown()


def test_controller_maps_worker_states_and_forwards_clicks(qtbot, tmp_path):
    assert connection_for_state("connected") is Connection.ONLINE
    assert connection_for_state("busy") is Connection.OFFLINE
    assert connection_for_state("paused") is Connection.INACTIVE
    assert connection_for_state("connecting") is None
    clock = FakeClock(local(12, 0))
    controller, notifier = make_controller(tmp_path, default_rules(), clock)
    with qtbot.waitSignal(controller.openView) as opened:
        notifier.activated.emit("device")
    assert opened.args == ["device"]
    controller.on_certificate(dt.datetime.fromtimestamp(clock.now, DENVER) + dt.timedelta(days=20))
    assert [a.rule_id for a in notifier.sent] == ["cert-30"]  # no quiet hours on certificate rules
    controller.clear_history()
    assert controller.alerts() == []
    controller.shutdown()


def test_coalesce_names_every_alert():
    merged = coalesce(sample_alerts()[:2])
    assert merged.body == "High electricity use: 4.3 kW; Meter unreachable for 15 min"
