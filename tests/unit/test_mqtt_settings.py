"""MQTT settings (no secret in them) and the broker password in the keyring."""

from __future__ import annotations

import keyring
import pytest

from xcelsior_desktop.home_assistant.broker_url import BrokerUrlError, parse_broker_url
from xcelsior_desktop.home_assistant.settings import (
    KEYRING_SERVICE,
    BrokerTarget,
    MqttSettings,
    PasswordStoreError,
    TopicError,
    check_topic_prefix,
    delete_password,
    load_password,
    save_password,
)
from xcelsior_desktop.platform.secrets.memory_keyring import MemoryKeyring
from xcelsior_desktop.platform.settings import Settings


def test_round_trip_through_the_app_settings_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    mqtt = MqttSettings(enabled=True, broker_url="mqtts://broker.lan", username="ha", tls=True, topic_base="home/x",
                        discovery=False, ca_file="/etc/ssl/my-ca.pem")
    settings = Settings()
    mqtt.store_in(settings)
    path = tmp_path / "settings.json"
    settings.save(path)
    assert "password" not in path.read_text()
    assert MqttSettings.from_app_settings(Settings.load(path)) == mqtt
    assert MqttSettings.from_app_settings(Settings()) == MqttSettings()  # never set: off


@pytest.mark.parametrize("saved", [None, "garbage", [1], {"enabled": "yes", "topic_base": 5, "ca_file": ""}])
def test_damaged_settings_fall_back_to_defaults(saved: object) -> None:
    assert MqttSettings.from_dict(saved) == MqttSettings()


def test_check_lists_every_problem_in_words() -> None:
    assert MqttSettings(broker_url="mqtt://broker").check() == []
    problems = MqttSettings(broker_url="broker", topic_base="a/+/b", discovery_prefix="").check()
    assert len(problems) == 3
    assert "no scheme" in problems[0] and "topic base 'a/+/b'" in problems[1] and "discovery prefix" in problems[2]


def test_topic_prefixes() -> None:
    assert check_topic_prefix(" /home/xcel/ ", "topic base") == "home/xcel"
    for bad in ("", "a//b", "#", "a/+"):
        with pytest.raises(TopicError):
            check_topic_prefix(bad, "topic base")


def test_the_password_lives_in_the_keyring() -> None:
    assert load_password("ha") is None
    save_password("ha", "s3cret")
    assert keyring.get_password(KEYRING_SERVICE, "ha") == "s3cret"
    target = MqttSettings(enabled=True, broker_url="mqtts://broker.lan", username="ha").target()
    assert target == BrokerTarget(host="broker.lan", port=8883, tls=True, username="ha", password="s3cret")
    assert "s3cret" not in repr(target)
    delete_password("ha")
    delete_password("ha")  # forgetting twice is fine
    assert MqttSettings(broker_url="mqtt://broker.lan", username="ha").target().password is None


def test_a_password_in_the_url_wins_and_tls_can_be_switched_on() -> None:
    save_password("ha", "from keyring")
    target = MqttSettings(broker_url="mqtt://ha:from%20url@broker", tls=True).target()
    assert (target.username, target.password, target.tls, target.port) == ("ha", "from url", True, 1883)


def test_a_locked_keyring_says_what_to_do() -> None:
    MemoryKeyring.set_locked(True)
    with pytest.raises(PasswordStoreError) as caught:
        MqttSettings(broker_url="mqtt://broker", username="ha").target()
    assert "keyring" in caught.value.user_message
    with pytest.raises(PasswordStoreError):
        save_password("ha", "x")


def test_the_command_line_flag_makes_settings_for_one_run() -> None:
    saved = MqttSettings(topic_base="home", discovery=False)
    run = MqttSettings.from_flag(parse_broker_url("mqtts://ha:pw@broker:8884"), saved)
    assert (run.enabled, run.broker_url, run.username, run.tls, run.topic_base, run.discovery) == \
        (True, "mqtts://ha@broker:8884", "ha", True, "home", False)
    assert "pw" not in run.broker_url  # never saved with the settings: it goes straight to the target
    assert run.target(password=parse_broker_url("mqtts://ha:pw@broker:8884").password).password == "pw"


def test_a_bad_url_in_settings_raises_its_message() -> None:
    with pytest.raises(BrokerUrlError, match="no scheme"):
        MqttSettings(broker_url="broker").target()
