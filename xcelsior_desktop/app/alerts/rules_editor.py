"""The alert rules editor for Settings: add, remove, enable, thresholds, durations, cooldown, quiet hours.

The widget edits a copy of the rules; the owner reads :meth:`RulesEditor.rules` when the user confirms and
hands them to the controller (which saves them). Every edit is validated at once; a problem is shown in words
and :meth:`RulesEditor.is_valid` stays False until it is fixed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from PySide6.QtCore import QSignalBlocker, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QTimeEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from xcelsior_desktop.alerts import KINDS, AlertRule, RuleKind, default_rules, new_rule
from xcelsior_desktop.alerts.rules import MAX_LEAD_MIN

RULE_ROLE = Qt.ItemDataRole.UserRole + 1


class RulesEditor(QWidget):
    rulesChanged = Signal()

    def __init__(self, rules: Iterable[AlertRule] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertRulesEditor")
        self._rules: list[AlertRule] = []
        self._problem: str | None = None

        self.list = QListWidget()
        self.list.setObjectName("rulesList")
        self.list.currentRowChanged.connect(self._select)
        self.list.itemChanged.connect(self._check_toggled)

        self.add_button = QToolButton()
        self.add_button.setText("Add")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.add_button)
        for kind, info in KINDS.items():
            action = menu.addAction(info.label)
            action.setData(kind.value)
            action.triggered.connect(lambda _checked=False, k=kind: self.add_rule(k))
        self.add_button.setMenu(menu)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_current)
        self.defaults_button = QPushButton("Restore defaults")
        self.defaults_button.clicked.connect(lambda: self.set_rules(default_rules(), changed=True))

        self.kind_label = QLabel()
        self.kind_label.setObjectName("ruleKind")
        self.enabled = QCheckBox("Enabled")
        self.threshold = QDoubleSpinBox()
        self.threshold.setObjectName("threshold")
        self.rearm = QDoubleSpinBox()
        self.rearm.setObjectName("rearm")
        self.rearm.setToolTip(
            "Hysteresis: after an alert, the rule waits until the value has gone back past this mark before it "
            "can fire again."
        )
        self.duration = QDoubleSpinBox()
        self.duration.setObjectName("duration")
        self.duration.setRange(0, 24 * 60)
        self.duration.setDecimals(0)
        self.duration.setSuffix(" min")
        self.lead = QDoubleSpinBox()
        self.lead.setObjectName("lead")
        self.lead.setRange(1, MAX_LEAD_MIN)
        self.lead.setDecimals(0)
        self.lead.setSuffix(" min")
        self.lead.setToolTip("How long before on-peak starts to warn.")
        self.cooldown = QDoubleSpinBox()
        self.cooldown.setObjectName("cooldown")
        self.cooldown.setRange(0, 30 * 24 * 60)
        self.cooldown.setDecimals(0)
        self.cooldown.setSuffix(" min")
        self.cooldown.setToolTip("At most one notification from this rule in this time.")
        self.quiet = QCheckBox("Quiet hours")
        self.quiet.setToolTip("During quiet hours alerts go to the alerts list only, without a notification.")
        self.quiet_start = QTimeEdit()
        self.quiet_start.setObjectName("quietStart")
        self.quiet_start.setDisplayFormat("HH:mm")
        self.quiet_end = QTimeEdit()
        self.quiet_end.setObjectName("quietEnd")
        self.quiet_end.setDisplayFormat("HH:mm")
        self.problem_label = QLabel()
        self.problem_label.setObjectName("ruleProblem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #b00020;")

        quiet_row = QHBoxLayout()
        quiet_row.addWidget(self.quiet)
        quiet_row.addWidget(QLabel("from"))
        quiet_row.addWidget(self.quiet_start)
        quiet_row.addWidget(QLabel("to"))
        quiet_row.addWidget(self.quiet_end)
        quiet_row.addStretch(1)

        self.form = QFormLayout()
        self.form.addRow(self.kind_label)
        self.form.addRow(self.enabled)
        self.form.addRow("Threshold:", self.threshold)
        self.form.addRow("Re-arm:", self.rearm)
        self.form.addRow("For at least:", self.duration)
        self.form.addRow("Before on-peak:", self.lead)
        self.form.addRow("Cooldown:", self.cooldown)
        self.form.addRow(quiet_row)
        self.form.addRow(self.problem_label)
        self.details = QWidget()
        self.details.setLayout(self.form)

        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.defaults_button)
        left.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        layout.addWidget(self.details, 3)

        for spin in (self.threshold, self.rearm, self.duration, self.lead, self.cooldown):
            spin.valueChanged.connect(self._edited)
        for box in (self.enabled, self.quiet):
            box.toggled.connect(self._edited)
        for edit in (self.quiet_start, self.quiet_end):
            edit.timeChanged.connect(self._edited)
        self.set_rules(rules)

    # -- public --------------------------------------------------------------------------------------------

    def set_rules(self, rules: Iterable[AlertRule], changed: bool = False) -> None:
        self._rules = [replace(rule) for rule in rules]
        self._problem = None
        with QSignalBlocker(self.list):
            self.list.clear()
            for rule in self._rules:
                self.list.addItem(self._item(rule))
        self.list.setCurrentRow(0 if self._rules else -1)
        self._select(self.list.currentRow())
        if changed:
            self.rulesChanged.emit()

    def rules(self) -> list[AlertRule]:
        """The edited rules, validated. Raises ValueError (a sentence for the user) if one is not valid."""
        if self._problem:
            raise ValueError(self._problem)
        return [rule.validated() for rule in self._rules]

    def is_valid(self) -> bool:
        return self._problem is None

    def add_rule(self, kind: RuleKind) -> None:
        rule = new_rule(kind)
        self._rules.append(rule)
        with QSignalBlocker(self.list):
            self.list.addItem(self._item(rule))
        self.list.setCurrentRow(len(self._rules) - 1)
        self.rulesChanged.emit()

    def remove_current(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        del self._rules[row]
        with QSignalBlocker(self.list):
            self.list.takeItem(row)
        self._problem = None
        self.list.setCurrentRow(min(row, len(self._rules) - 1))
        self._select(self.list.currentRow())
        self.rulesChanged.emit()

    # -- internals ------------------------------------------------------------------------------------------

    def _item(self, rule: AlertRule) -> QListWidgetItem:
        item = QListWidgetItem(rule.describe())
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if rule.enabled else Qt.CheckState.Unchecked)
        item.setToolTip("Tick to enable this rule")
        return item

    def _select(self, row: int) -> None:
        self.details.setEnabled(0 <= row < len(self._rules))
        self.remove_button.setEnabled(0 <= row < len(self._rules))
        if not 0 <= row < len(self._rules):
            self.kind_label.setText("No rule selected. Add one with Add.")
            return
        rule = self._rules[row]
        info = rule.info
        blockers = [
            QSignalBlocker(w)
            for w in (
                self.enabled,
                self.threshold,
                self.rearm,
                self.duration,
                self.lead,
                self.cooldown,
                self.quiet,
                self.quiet_start,
                self.quiet_end,
            )
        ]
        self.kind_label.setText(f"<b>{info.label}</b> \u2014 {info.threshold_label}")
        self.enabled.setChecked(rule.enabled)
        decimals = 1 if info.unit == "kWh" else 2 if info.unit == "$" else 0
        for spin in (self.threshold, self.rearm):
            spin.setDecimals(decimals)
            money = info.unit == "$"
            spin.setPrefix("$" if money else "")
            spin.setSuffix("" if money else f" {info.unit}")
        self.threshold.setRange(info.minimum, info.maximum)
        self.threshold.setValue(rule.threshold)
        self.rearm.setRange(0, info.maximum)
        self.rearm.setValue(rule.effective_rearm)
        self.rearm.setEnabled(info.uses_rearm)
        self._label_for(self.rearm).setText(f"{info.rearm_label or 'Re-arm'}:")
        self.duration.setValue(rule.duration_min)
        self.duration.setEnabled(info.uses_duration)
        self.lead.setValue(rule.lead_min)
        self.lead.setEnabled(rule.kind is RuleKind.ONPEAK_SOON)
        self.cooldown.setValue(rule.cooldown_min)
        has_quiet = bool(rule.quiet_start and rule.quiet_end)
        self.quiet.setChecked(has_quiet)
        self.quiet_start.setTime(QTime.fromString(rule.quiet_start or "22:00", "HH:mm"))
        self.quiet_end.setTime(QTime.fromString(rule.quiet_end or "07:00", "HH:mm"))
        self.quiet_start.setEnabled(has_quiet)
        self.quiet_end.setEnabled(has_quiet)
        del blockers
        self._show_problem(self._problem)

    def _label_for(self, field: QWidget) -> QLabel:
        label = self.form.labelForField(field)
        assert isinstance(label, QLabel)
        return label

    def _edited(self, *_args: object) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self._rules):
            return
        rule = self._rules[row]
        quiet = self.quiet.isChecked()
        self.quiet_start.setEnabled(quiet)
        self.quiet_end.setEnabled(quiet)
        edited = replace(
            rule,
            enabled=self.enabled.isChecked(),
            threshold=self.threshold.value(),
            rearm=self.rearm.value() if rule.info.uses_rearm else None,
            duration_min=self.duration.value(),
            lead_min=self.lead.value(),
            cooldown_min=self.cooldown.value(),
            quiet_start=self.quiet_start.time().toString("HH:mm") if quiet else None,
            quiet_end=self.quiet_end.time().toString("HH:mm") if quiet else None,
        )
        try:
            edited = edited.validated()
        except ValueError as exc:
            self._problem = str(exc)
        else:
            self._problem = None
        self._rules[row] = edited
        item = self.list.item(row)
        with QSignalBlocker(self.list):
            item.setText(edited.describe())
            item.setCheckState(Qt.CheckState.Checked if edited.enabled else Qt.CheckState.Unchecked)
        self._show_problem(self._problem)
        self.rulesChanged.emit()

    def _check_toggled(self, item: QListWidgetItem) -> None:
        row = self.list.row(item)
        if 0 <= row < len(self._rules):
            enabled = item.checkState() == Qt.CheckState.Checked
            self._rules[row] = replace(self._rules[row], enabled=enabled)
            if row == self.list.currentRow():
                with QSignalBlocker(self.enabled):
                    self.enabled.setChecked(enabled)
            self.rulesChanged.emit()

    def _show_problem(self, problem: str | None) -> None:
        self.problem_label.setText(problem or "")
        self.problem_label.setVisible(bool(problem))
