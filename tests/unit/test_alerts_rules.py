import datetime as dt

import pytest

from xcelsior_desktop.alerts import AlertRule, RuleKind, default_rules, new_rule
from xcelsior_desktop.alerts.rules import in_quiet_hours, parse_hhmm


@pytest.mark.parametrize(
    ("start", "end", "at", "quiet"),
    [
        ("22:00", "07:00", "23:30", True),
        ("22:00", "07:00", "00:00", True),
        ("22:00", "07:00", "06:59", True),
        ("22:00", "07:00", "07:00", False),
        ("22:00", "07:00", "21:59", False),
        ("22:00", "07:00", "22:00", True),
        ("13:00", "14:00", "13:30", True),
        ("13:00", "14:00", "14:00", False),
        ("13:00", "14:00", "12:59", False),
        ("08:00", "08:00", "08:00", False),
        (None, None, "03:00", False),
    ],
)
def test_quiet_hours_span_midnight(start, end, at, quiet):
    assert in_quiet_hours(parse_hhmm(start), parse_hhmm(end), parse_hhmm(at)) is quiet


def test_defaults_are_valid_and_cover_every_kind():
    rules = default_rules()
    assert {r.kind for r in rules} == set(RuleKind)
    assert len({r.id for r in rules}) == len(rules)
    for rule in rules:
        assert rule.validated() == rule
    usage = next(r for r in rules if r.kind is RuleKind.USAGE_ABOVE)
    assert usage.effective_rearm < usage.threshold


def test_rearm_mark_defaults_and_never_crosses_the_threshold():
    assert AlertRule(RuleKind.USAGE_ABOVE, threshold=1000).effective_rearm == 800
    assert AlertRule(RuleKind.CERT_EXPIRING, threshold=30).effective_rearm == 30
    with pytest.raises(ValueError, match="re-arm"):
        AlertRule(RuleKind.USAGE_ABOVE, threshold=1000, rearm=1200).validated()
    with pytest.raises(ValueError, match="re-arm"):
        AlertRule(RuleKind.CERT_EXPIRING, threshold=30, rearm=10).validated()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"threshold": 0}, "threshold"),
        ({"duration_min": -1}, "duration"),
        ({"cooldown_min": -5}, "cooldown"),
        ({"quiet_start": "25:00"}, "quiet hours"),
        ({"quiet_start": "lunch"}, "quiet hours"),
        ({"quiet_start": "22:00", "quiet_end": None}, "both"),
    ],
)
def test_invalid_rules_say_what_is_wrong(changes, message):
    rule = AlertRule(RuleKind.USAGE_ABOVE, threshold=3000, **{k: v for k, v in changes.items() if k != "threshold"})
    if "threshold" in changes:
        rule.threshold = changes["threshold"]
    with pytest.raises(ValueError, match=message):
        rule.validated()


def test_quiet_hours_are_normalised():
    rule = AlertRule(RuleKind.STALE, threshold=20, quiet_start=" 9:5", quiet_end="")
    with pytest.raises(ValueError, match="both"):
        rule.validated()
    rule = AlertRule(RuleKind.STALE, threshold=20, quiet_start="9:05", quiet_end="7").validated()
    assert (rule.quiet_start, rule.quiet_end) == ("09:05", "07:00")
    assert rule.quiet_now(dt.time(23, 0))
    assert not rule.quiet_now(dt.time(8, 0))


def test_json_round_trip_ignores_unknown_keys():
    for rule in default_rules():
        data = rule.to_dict() | {"from_a_newer_version": 1}
        assert AlertRule.from_dict(data) == rule
    with pytest.raises(ValueError):
        AlertRule.from_dict({"kind": "moon_phase", "threshold": 1})


def test_new_rule_has_a_fresh_id_and_kind_defaults():
    a, b = new_rule(RuleKind.EXPORT_ABOVE), new_rule(RuleKind.EXPORT_ABOVE)
    assert a.id != b.id and a.kind is RuleKind.EXPORT_ABOVE and a.threshold == b.threshold
    assert a.describe() == "Export above 1500 W for 5 min"
