import json

from xcelsior_desktop.alerts import (
    Alert,
    AlertHistory,
    AlertRule,
    EngineStateStore,
    RuleKind,
    RulesStore,
    default_rules,
)
from xcelsior_desktop.platform import paths


def test_rules_default_when_absent_and_round_trip(tmp_path):
    store = RulesStore(tmp_path / "alerts.json")
    assert store.load() == default_rules() and store.message is None
    rules = default_rules()[:2] + [AlertRule(RuleKind.USAGE_ABOVE, threshold=9000, duration_min=1, id="oven")]
    store.save(rules)
    assert RulesStore(tmp_path / "alerts.json").load() == rules
    assert [p.name for p in tmp_path.iterdir()] == ["alerts.json"]  # no temp file left behind
    assert json.loads((tmp_path / "alerts.json").read_text())["version"] == 1


def test_rules_live_in_the_config_dir():
    store = RulesStore()
    store.save(default_rules())
    assert store.path == paths.config_dir() / "alerts.json" and store.path.exists()
    assert AlertHistory().path.parent == paths.data_dir()
    assert EngineStateStore().path.parent == paths.state_dir()


def test_corrupt_rules_file_is_kept_aside_and_defaults_used(tmp_path):
    path = tmp_path / "alerts.json"
    path.write_text('{"rules": [ {"kind": ')
    store = RulesStore(path)
    assert store.load() == default_rules()
    assert "damaged" in store.message and "alerts.json.bad" in store.message
    assert (tmp_path / "alerts.json.bad").read_text().startswith('{"rules"')
    assert not path.exists()


def test_wrong_shape_is_kept_aside_too(tmp_path):
    path = tmp_path / "alerts.json"
    path.write_text("[1, 2, 3]")
    store = RulesStore(path)
    assert store.load() == default_rules()
    assert (tmp_path / "alerts.json.bad").exists() and "not an alert rules file" in store.message


def test_one_bad_rule_is_dropped_the_others_kept(tmp_path):
    path = tmp_path / "alerts.json"
    good = AlertRule(RuleKind.STALE, threshold=30, id="s").to_dict()
    path.write_text(json.dumps({"version": 1, "rules": [good, {"kind": "usage_above", "threshold": -4}, "x"]}))
    store = RulesStore(path)
    assert [r.id for r in store.load()] == ["s"]
    assert "2 alert rule(s)" in store.message


def test_history_is_bounded_and_survives_a_restart(tmp_path):
    history = AlertHistory(tmp_path / "h.json", limit=5)
    history.append(Alert("r", "usage_above", f"alert {i}", "body", 1000.0 + i, "live") for i in range(8))
    assert [a.title for a in history.alerts] == [f"alert {i}" for i in range(3, 8)]
    again = AlertHistory(tmp_path / "h.json", limit=5)
    assert again.load() == history.alerts
    again.clear()
    assert AlertHistory(tmp_path / "h.json").load() == []


def test_damaged_history_starts_empty(tmp_path):
    (tmp_path / "h.json").write_text("\x00\x01")
    history = AlertHistory(tmp_path / "h.json")
    assert history.load() == [] and "damaged" in history.message
    (tmp_path / "h2.json").write_text(
        json.dumps(
            {
                "alerts": [
                    {"title": 3},
                    {"rule_id": "r", "kind": "k", "title": "ok", "body": "", "at": 5, "view": "live"},
                ]
            }
        )
    )
    assert [a.title for a in AlertHistory(tmp_path / "h2.json").load()] == ["ok"]


def test_engine_state_store(tmp_path):
    store = EngineStateStore(tmp_path / "s.json")
    assert store.load() == {}
    store.save({"rules": {"a": {"armed": False}}})
    assert store.load() == {"rules": {"a": {"armed": False}}}
