"""The publisher with no broker to talk to: its listeners never wait and never raise, the queue keeps the
newest messages, and the failure is a state in words. (With a real broker: tests/integration/test_mqtt_broker.py.)"""

from __future__ import annotations

import datetime as dt
import socket
import threading

import pytest

from tests.waiting import wait_until
from xcelsior_desktop.home_assistant import BrokerState, BrokerTarget, MqttPublisher, PublisherOptions, PublisherStatus
from xcelsior_desktop.home_assistant.settings import TopicError
from xcelsior_desktop.meter.values import DeviceInfo, Measurement, Registers
from xcelsior_desktop.session.poller import State, Status

INFO = DeviceInfo(lfdi="3E4F45AB31EDFE5B67E343E5E4562E31984E23E5", sfdi=167261211391, sw_version="1", mf_id=1233,
                  manufacturer="Itron")
NOW = dt.datetime(2026, 11, 29, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def closed_port() -> int:
    """A loopback port where nothing listens (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_full_queue_drops_the_oldest_and_counts_them(closed_port: int) -> None:
    seen: list[PublisherStatus] = []
    failed = threading.Event()

    def on_change(status: PublisherStatus) -> None:
        seen.append(status)
        if status.failed:
            failed.set()

    publisher = MqttPublisher(BrokerTarget("127.0.0.1", closed_port, tls=False),
                              PublisherOptions(queue_size=3, backoff_min_s=5, backoff_max_s=5),
                              on_status_change=on_change).start()
    try:
        publisher.on_device_info(INFO)
        assert failed.wait(15)
        for watts in range(10):
            publisher.on_demand(Measurement(float(watts), "W", NOW))
        publisher.on_registers(Registers(delivered_wh=1000.0, received_wh=None))
        publisher.on_status(Status(State.CONNECTED, 0.0, None, "", None))
        status = publisher.status()
        # 10 demands (the power and when the meter took it, each), 1 register, 1 state
        assert (status.queued, status.dropped, status.published) == (3, 22 - 3, 0)
        assert status.state is BrokerState.UNREACHABLE
        assert status.message.startswith("Broker unreachable: check that it is running")
        assert f"127.0.0.1:{closed_port}" in status.detail
        assert status.next_retry is not None and status.next_retry > status.since
        assert [s.state for s in seen] == [BrokerState.CONNECTING, BrokerState.UNREACHABLE]
    finally:
        publisher.stop()
    assert publisher.status().state is BrokerState.STOPPED


def test_listeners_never_raise_on_garbage(closed_port: int) -> None:
    publisher = MqttPublisher(BrokerTarget("127.0.0.1", closed_port, tls=False))  # not even started
    publisher.on_device_info(INFO)
    publisher.on_demand(None)  # type: ignore[arg-type]
    publisher.on_registers("garbage")  # type: ignore[arg-type]
    publisher.on_status(object())  # type: ignore[arg-type]
    midnight = dt.datetime(2026, 11, 30, 7, tzinfo=dt.UTC)
    publisher.on_cost_today(float("nan"), "usd", midnight)
    publisher.on_cost_today(None, "usd", midnight)
    publisher.on_device_info(None)  # type: ignore[arg-type]
    assert publisher.status().queued == 0
    publisher.on_cost_today(1.0, "usd", midnight)
    assert publisher.status().queued == 1
    publisher.stop()


def test_waits_for_the_meter_before_connecting(closed_port: int) -> None:
    publisher = MqttPublisher(BrokerTarget("127.0.0.1", closed_port, tls=False)).start()
    try:
        publisher.on_demand(Measurement(5.0, "W", NOW))
        status = publisher.status()
        assert status.state is BrokerState.WAITING_FOR_METER and status.queued == 0
        assert status.message == "Waiting for the meter to answer before connecting to the broker"
        publisher.on_device_info(INFO)
        wait_until(lambda: publisher.status().state is BrokerState.UNREACHABLE, 15, "a connection attempt")
    finally:
        publisher.stop()


def test_bad_options_are_refused_at_once() -> None:
    with pytest.raises(TopicError, match="topic base"):
        PublisherOptions(topic_base="xcelsior/#")
    with pytest.raises(ValueError, match="queue_size"):
        PublisherOptions(queue_size=0)


def test_a_missing_ca_file_is_a_tls_failure(tmp_path, closed_port: int) -> None:  # type: ignore[no-untyped-def]
    from xcelsior_desktop.home_assistant import test_connection

    missing = tmp_path / "nowhere.pem"
    result = test_connection(BrokerTarget("127.0.0.1", closed_port, tls=True, ca_file=str(missing)), timeout_s=5)
    assert result.state is BrokerState.TLS_FAILED and not result.ok
    assert str(missing) in result.detail and "No such file" in result.detail
    assert result.message.startswith("Secure connection (TLS) to the broker failed")


def test_built_from_settings_and_the_command_line_flag() -> None:
    from xcelsior_desktop.home_assistant.broker_url import parse_broker_url
    from xcelsior_desktop.home_assistant.settings import MqttSettings, save_password

    saved = MqttSettings(enabled=False, broker_url="mqtt://saved", username="ha", topic_base="home")
    assert MqttPublisher.from_settings(saved) is None  # off

    save_password("ha", "from keyring")
    publisher = MqttPublisher.from_settings(MqttSettings(enabled=True, broker_url="mqtt://saved", username="ha"))
    assert publisher is not None
    assert publisher.target == BrokerTarget("saved", 1883, tls=False, username="ha", password="from keyring")
    publisher.stop()  # never started: stop only releases its wake-up socket

    run = MqttPublisher.from_settings(saved, parse_broker_url("mqtts://ha:from%20flag@flagged:9883"))
    assert run is not None
    assert run.target == BrokerTarget("flagged", 9883, tls=True, username="ha", password="from flag")
    assert run.options.topic_base == "home"
    keyring_user = MqttPublisher.from_settings(saved, parse_broker_url("mqtt://ha@flagged"))
    assert keyring_user is not None and keyring_user.target.password == "from keyring"
    for built in (run, keyring_user):
        built.stop()
