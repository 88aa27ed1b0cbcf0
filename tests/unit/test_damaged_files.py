"""Six damaged files and bad values in settings, file by file: the app starts,
the file is kept aside, what was reset or dropped is named once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xcelsior_desktop.alerts import AlertHistory, EngineStateStore, RulesStore, default_rules
from xcelsior_desktop.meter.identity import generate_identity
from xcelsior_desktop.onboarding.activation import ActivationTracker
from xcelsior_desktop.platform import paths
from xcelsior_desktop.platform.secrets import IdentityStore
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.platform.state_files import take_reset_notices
from xcelsior_desktop.session.profile_cache import ProfileCache

# ------------------------------------------------------------------------------------- settings.json (items 1, 2)

LFDI = "9C68A150BD81D49819655B0C440E183D3EEADEAE"


def test_settings_not_utf8_start_with_defaults() -> None:
    Settings.path().write_bytes(b'{"units": "m\xe9ter"}')
    assert Settings.load() == Settings()
    assert (paths.config_dir() / "settings.json.bad").read_bytes() == b'{"units": "m\xe9ter"}'
    assert "not UTF-8" in (Settings.load_message or "")
    assert take_reset_notices() == [Settings.load_message]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("window_geometry", 5),
        ("window_geometry", "g\u00e9om\u00e9trie"),
        ("units", "MW"),
        ("poll_interval_s", "often"),
        ("home_timezone", "Mars/Base"),
    ],
)
def test_a_bad_value_drops_that_field_only_and_names_it(field: str, value: object) -> None:
    good = {"home_timezone": "America/Denver", "window_view": "history", "poll_interval_s": 7, "units": "kW",
            "alerts_w": 3000}
    original = json.dumps({**good, field: value})
    Settings.path().write_text(original)
    loaded = Settings.load()
    assert getattr(loaded, field) == getattr(Settings(), field)  # the default, not the bad value
    kept = {k: v for k, v in good.items() if k != field and k != "alerts_w"}
    assert {k: getattr(loaded, k) for k in kept} == kept
    assert loaded.extra == {"alerts_w": 3000}
    message = Settings.load_message or ""
    assert field in message and "dropped" in message
    assert take_reset_notices() == [message]
    # the original is kept aside, the file now holds the cleaned settings: the next start is quiet
    assert (paths.config_dir() / "settings.json.bad").read_text() == original
    assert field not in json.loads(Settings.path().read_text()) or field == "window_geometry"
    assert Settings.load() == loaded and Settings.load_message is None


def test_a_good_settings_file_is_not_touched() -> None:
    Settings(home_timezone="America/Denver", units="kW", window_geometry="AdnQyw==").save()
    before = Settings.path().read_bytes()
    loaded = Settings.load()
    assert loaded.home_timezone == "America/Denver" and loaded.window_geometry == "AdnQyw=="
    assert Settings.load_message is None and Settings.path().read_bytes() == before
    assert not (paths.config_dir() / "settings.json.bad").exists()


# ------------------------------------------------------------------------------------- alerts.json, history, state


def test_alert_rules_not_utf8_use_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "alerts.json"
    path.write_bytes(b'{"rules": [{"kind": "usage_above", "id": "\xff"}]}')
    store = RulesStore(path)
    assert store.load() == default_rules()
    assert "alerts.json.bad" in (store.message or "") and (tmp_path / "alerts.json.bad").exists()
    assert take_reset_notices() == [store.message]


def test_alert_history_with_alerts_not_a_list_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "alerts-history.json"
    path.write_text('{"alerts": 5}')
    history = AlertHistory(path)
    assert history.load() == []
    assert (tmp_path / "alerts-history.json.bad").read_text() == '{"alerts": 5}'
    assert take_reset_notices() == [history.message]


def test_a_rule_with_a_huge_number_is_dropped_and_the_file_kept(tmp_path: Path) -> None:
    path = tmp_path / "alerts.json"
    good = default_rules()[0].to_dict()
    original = json.dumps({"version": 1, "rules": [good, {**good, "id": "x", "threshold": 10**400}]})
    path.write_text(original)
    store = RulesStore(path)
    assert [r.id for r in store.load()] == [good["id"]]
    assert (tmp_path / "alerts.json.bad").read_text() == original
    assert [r.id for r in RulesStore(path).load()] == [good["id"]]  # rewritten without the bad rule
    assert take_reset_notices() == [store.message]


def test_engine_state_of_the_wrong_shape_is_reset(tmp_path: Path) -> None:
    path = tmp_path / "alerts-state.json"
    path.write_text('{"rules": {"usage": {"armed": "no", "last_at": 1e308}}}')
    assert EngineStateStore(path).load() == {}
    assert (tmp_path / "alerts-state.json.bad").exists() and len(take_reset_notices()) == 1


# ------------------------------------------------------------------------------------- identity.json


@pytest.mark.parametrize("text", ['{"storage": "keyring", "slots": []}', '{"storage": "keyring", "slots": '
                                  '{"current": {"lfdi": 5}}}', '{"storage": "tape"}', '"x"'])
def test_a_damaged_identity_record_reads_as_none_and_the_key_stays(text: str) -> None:
    store = IdentityStore()
    ident = generate_identity()
    store.save(ident)
    store.record_path.write_text(text)
    assert store.summary() is None and store.certificate_pem() is None and not store.has_identity()
    assert store.record_path.with_name("identity.json.bad").read_text() == text
    loaded = store.load()  # the keyring still holds the key: nothing was lost
    assert loaded is not None and loaded.lfdi == ident.lfdi
    summary = store.summary()  # and the record is written again, so expiry warnings work without an unlock
    assert summary is not None and summary["lfdi"] == ident.lfdi and store.storage == "keyring"
    notices = take_reset_notices()
    assert len(notices) == 1 and "untouched" in notices[0]


# ------------------------------------------------------------------------------------- activation.json


@pytest.mark.parametrize("text", ["[]", '{"lfdi": "zz", "host": "h", "port": 1, "started_at": 0}',
                                  '{"lfdi": "' + LFDI + '", "host": "h", "port": 1, "started_at": NaN}', "\xff"])
def test_a_damaged_activation_wait_is_dropped(tmp_path: Path, text: str) -> None:
    path = tmp_path / "activation.json"
    path.write_text(text, encoding="latin-1")
    tracker = ActivationTracker(path)
    assert tracker.state is None and not tracker.waiting
    assert (tmp_path / "activation.json.bad").exists() and len(take_reset_notices()) == 1


def test_a_bad_optional_activation_field_is_dropped_the_wait_kept(tmp_path: Path) -> None:
    path = tmp_path / "activation.json"
    path.write_text(json.dumps({"lfdi": LFDI, "host": "10.0.0.5", "port": 8081, "started_at": 100.0,
                                "attempts": "many", "last_outcome": "exploded"}))
    tracker = ActivationTracker(path, clock=lambda: 200.0)
    assert tracker.state is not None and tracker.state.attempts == 0 and tracker.state.last_outcome is None
    assert "Waiting for activation" in tracker.status_text()
    notices = take_reset_notices()
    assert len(notices) == 1 and "attempts" in notices[0] and "last_outcome" in notices[0]


# ------------------------------------------------------------------------------------- meter-profile.json


@pytest.mark.parametrize("profile", [
    {"version": 1, "channels": [{"reading_href": 5, "reading_type": {}}]},
    {"version": 1, "time_href": "https://elsewhere/tm"},
    {"version": 1, "channels": [{"reading_type": {"power_of_ten_multiplier": "3"}}]},
])
def test_a_profile_with_wrong_types_is_set_aside(tmp_path: Path, profile: dict[str, object]) -> None:
    cache = ProfileCache(tmp_path / "meter-profile.json")
    cache.path.write_text(json.dumps({"format": 1, "meter_lfdi": LFDI, "firmware": "3.2.50", "profile": profile}))
    assert cache.load(LFDI) is None and cache.firmware(LFDI) is None
    assert (tmp_path / "meter-profile.json.bad").exists() and len(take_reset_notices()) == 1


@pytest.mark.parametrize("text", ["z\u00e4hler.local", "a/b", "-meter", "[fe80::1%wl an0]:8081"])
def test_the_settings_dialog_refuses_a_host_the_file_would_drop(text: str) -> None:
    from xcelsior_desktop.meter.address import parse_address

    with pytest.raises(ValueError):
        parse_address(text)
