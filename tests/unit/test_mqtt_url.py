"""Broker URLs as users write them, and the --mqtt flag of `app` and `demo`."""

from __future__ import annotations

import pytest

from xcelsior_desktop.cli import build_parser, main
from xcelsior_desktop.home_assistant.broker_url import BrokerUrl, BrokerUrlError, parse_broker_url


@pytest.mark.parametrize(("text", "expected"), [
    ("mqtt://broker", BrokerUrl("broker", 1883, False)),
    ("mqtts://broker", BrokerUrl("broker", 8883, True)),
    ("MQTT://Broker.local:1884", BrokerUrl("broker.local", 1884, False)),
    ("mqtt://ha@10.0.0.2", BrokerUrl("10.0.0.2", 1883, False, "ha")),
    ("mqtts://ha:p%40ss:w@host:8884/", BrokerUrl("host", 8884, True, "ha", "p@ss:w")),
    ("mqtt://user:@host", BrokerUrl("host", 1883, False, "user", "")),
    ("  mqtt://[::1]:1883 ", BrokerUrl("::1", 1883, False)),
])
def test_good_urls(text: str, expected: BrokerUrl) -> None:
    assert parse_broker_url(text) == expected
    assert parse_broker_url(text).password == expected.password


@pytest.mark.parametrize(("text", "words"), [
    ("", "empty"),
    ("broker:1883", "no scheme"),
    ("http://broker", "http:// is not a broker address"),
    ("mqtt://", "names no host"),
    ("mqtt://broker:99999", "not a number from 1 to 65535"),
    ("mqtt://broker:port", "not a number from 1 to 65535"),
    ("mqtt://broker:0", "not a number from 1 to 65535"),
    ("mqtt://broker/topic", "no path or query"),
    ("mqtt://broker?x=1", "no path or query"),
    ("mqtt://:secret@broker", "password but no user name"),
])
def test_bad_urls_say_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(BrokerUrlError, match=words):
        parse_broker_url(text)


def test_errors_and_display_never_show_the_password() -> None:
    with pytest.raises(BrokerUrlError) as caught:
        parse_broker_url("mqtt://ha:hunter2@broker:port")
    assert "hunter2" not in str(caught.value) and "***" in str(caught.value)
    url = parse_broker_url("mqtts://ha:hunter2@[::1]")
    assert url.display() == "mqtts://ha@[::1]:8883"
    assert "hunter2" not in repr(url)


@pytest.mark.parametrize("command", ["app", "demo"])
def test_the_mqtt_flag_of_app_and_demo(command: str) -> None:
    args = build_parser().parse_args([command, "--mqtt", "mqtt://ha:pw@broker:1884"])
    assert args.mqtt == BrokerUrl("broker", 1884, False, "ha", "pw")
    assert build_parser().parse_args([command]).mqtt is None


@pytest.mark.parametrize("command", ["app", "demo"])
def test_a_bad_mqtt_flag_is_a_usage_error(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main([command, "--mqtt", "broker.local"])
    assert caught.value.code == 2
    error = capsys.readouterr().err
    assert "argument --mqtt: The broker address 'broker.local' has no scheme. Start it with mqtt://" in error
