"""The usage rules: the quarter hour in progress near the month's 15-minute peak, the always-on baseline up over a
week; off by default, offered in the rules editor, fed by the store's figures."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.overview_support import DENVER, NOW, fill_history
from xcelsior_desktop.alerts import AlertEngine, AlertRule, RuleKind, default_rules
from xcelsior_desktop.alerts.usage_facts import UsageFacts, UsageFactsSource
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.simulator.model import HouseholdModel

AT = 1_800_000_000.0


def facts(quarter_w: float, *, elapsed: float = 600, days: int = 10, always_on: float | None = 200,
          before: float | None = 180) -> UsageFacts:
    return UsageFacts(AT, 5000.0, AT - 86400, days, quarter_w, elapsed, always_on, before)


def engine(rule: AlertRule, source) -> AlertEngine:  # type: ignore[no-untyped-def]
    found = AlertEngine([rule], clock=lambda: AT, tz=dt.UTC)
    found.set_usage_source(source)
    return found


def test_both_rules_are_there_and_off_by_default():
    rules = {r.kind: r for r in default_rules()}
    assert not rules[RuleKind.PEAK_NEAR].enabled and not rules[RuleKind.ALWAYS_ON_RISE].enabled
    assert rules[RuleKind.PEAK_NEAR].describe() == "This month's 15-minute peak within 10 %"


@pytest.mark.parametrize(("quarter", "elapsed", "days", "fires"), [
    (4600, 600, 10, True),  # 92 % of 5 kW
    (4400, 600, 10, False),  # 88 %
    (4600, 120, 10, False),  # two minutes say little yet
    (4600, 600, 1, False),  # the month's first day sets its own peak
])
def test_peak_near(quarter, elapsed, days, fires):
    rule = AlertRule(RuleKind.PEAK_NEAR, threshold=10, quiet_start=None, quiet_end=None)
    alerts = engine(rule, lambda _now: facts(quarter, elapsed=elapsed, days=days)).tick()
    assert bool(alerts) is fires
    if fires:
        assert alerts[0].title == "Near this month's peak: 4.6 kW" and "within 10 % of the month's" in alerts[0].body


def test_always_on_rise_fires_over_the_threshold_only():
    rule = AlertRule(RuleKind.ALWAYS_ON_RISE, threshold=50, quiet_start=None, quiet_end=None)
    assert not engine(rule, lambda _now: facts(0, always_on=220, before=180)).tick()
    alerts = engine(rule, lambda _now: facts(0, always_on=260, before=180)).tick()
    assert [a.title for a in alerts] == ["Always-on up 80 W in a week"]
    assert not engine(rule, lambda _now: facts(0, always_on=260, before=None)).tick()  # no figure a week ago


def test_the_facts_come_from_the_store():
    with HistoryStore.in_memory() as store:
        fill_history(store, HouseholdModel(0), every_s=30)
        found = UsageFactsSource(lambda: store, zone=DENVER)(NOW.timestamp())
    assert found is not None and found.month_peak_w is not None and found.month_days >= 28
    assert found.quarter_w is not None and found.quarter_elapsed_s == pytest.approx(600, abs=60)
    assert found.always_on_w is not None and found.always_on_week_ago_w is None  # two days of demand only
