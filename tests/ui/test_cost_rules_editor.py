"""The rules editor offers the cost rules: on-peak soon (with how many minutes before), the daily budget in money
and the billing cycle's projection; they survive a save and load of the rules file."""

from __future__ import annotations

from xcelsior_desktop.alerts import RuleKind, RulesStore, default_rules
from xcelsior_desktop.app.alerts.rules_editor import RulesEditor


def test_cost_rules_are_in_the_defaults_switched_off():
    cost = [r for r in default_rules() if r.kind in (RuleKind.ONPEAK_SOON, RuleKind.DAILY_COST,
                                                       RuleKind.CYCLE_PROJECTED)]
    assert len(cost) == 3 and not any(r.enabled for r in cost)


def test_on_peak_soon_edits_its_lead_time_and_money_rules_read_in_dollars(qtbot, tmp_path):
    editor = RulesEditor([])
    qtbot.addWidget(editor)
    editor.add_rule(RuleKind.ONPEAK_SOON)
    assert editor.lead.isEnabled() and not editor.duration.isEnabled()
    editor.lead.setValue(45)
    editor.threshold.setValue(2500)
    editor.add_rule(RuleKind.DAILY_COST)
    assert not editor.lead.isEnabled()
    assert editor.threshold.prefix() == "$" and editor.threshold.suffix() == ""
    editor.threshold.setValue(4.5)
    rules = editor.rules()
    assert [(r.kind, r.threshold, r.enabled) for r in rules] == [(RuleKind.ONPEAK_SOON, 2500, True),
                                                                (RuleKind.DAILY_COST, 4.5, True)]
    assert rules[0].lead_min == 45
    assert rules[0].describe() == "On-peak in 45 min while drawing over 2500 W"
    assert rules[1].describe() == "Today's energy cost above $4.50"
    store = RulesStore(tmp_path / "alerts.json")
    store.save(rules)
    assert store.load() == rules and store.message is None


def test_a_lead_time_out_of_range_is_refused():
    import pytest

    from xcelsior_desktop.alerts import AlertRule

    with pytest.raises(ValueError, match="1 to 1440 minutes before on-peak"):
        AlertRule(RuleKind.ONPEAK_SOON, threshold=2000, lead_min=0).validated()
