"""The MQTT publisher against a real Mosquitto on 127.0.0.1: discovery, states, availability, the last will,
a broker restart, refused passwords, TLS, and the bounded queue."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.integration.mqtt_support import Listener, Mosquitto, free_port
from tests.waiting import wait_until
from xcelsior_desktop.home_assistant import BrokerState, BrokerTarget, MqttPublisher, PublisherOptions, test_connection
from xcelsior_desktop.meter.identity import sfdi_from_lfdi
from xcelsior_desktop.meter.values import DeviceInfo, Measurement, Registers
from xcelsior_desktop.session.poller import State, Status

LFDI = "3E4F45AB31EDFE5B67E343E5E4562E31984E23E5"
SFDI = 167261211391
INFO = DeviceInfo(lfdi=LFDI, sfdi=SFDI, sw_version="4.1.2", mf_id=1233, manufacturer="Itron", model="Gen5 Riva")
BASE = f"xcelsior/{SFDI}"
CONFIG = f"homeassistant/sensor/xcelsior_{SFDI}"
NOW = dt.datetime(2026, 11, 29, 15, 0, tzinfo=dt.UTC)
FAST = PublisherOptions(backoff_min_s=0.05, backoff_max_s=0.5, connect_timeout_s=5)


def demand(watts: float) -> Measurement:
    return Measurement(value=watts, unit="W", timestamp=NOW)


def status(state: State) -> Status:
    return Status(state=state, since=0.0, next_retry=None, detail="", last_reading=None)


def start_publisher(port: int, options: PublisherOptions = FAST, **target: object) -> MqttPublisher:
    return MqttPublisher(BrokerTarget(host="127.0.0.1", port=port, tls=False, **target), options).start()  # type: ignore[arg-type]


def test_discovery_configs_and_states(broker: Mosquitto, listener: Listener) -> None:
    publisher = start_publisher(broker.port)
    try:
        publisher.on_device_info(INFO)
        publisher.on_status(status(State.CONNECTED))
        publisher.on_demand(demand(-1234.5))
        publisher.on_registers(Registers(delivered_wh=12_345_678.0, received_wh=2_345.0,
                                         tou_delivered={1: 10_000_000.0, 2: 2_345_678.0}))
        publisher.on_cost_today(1.234, "usd", dt.datetime(2026, 11, 29, 7, 0, tzinfo=dt.UTC))

        assert listener.wait_for(f"{BASE}/availability") == "online"
        assert listener.wait_for(f"{BASE}/power") == "-1234.5"
        assert listener.wait_for(f"{BASE}/energy_imported") == "12345.678"
        assert listener.wait_for(f"{BASE}/energy_exported") == "2.345"
        assert listener.wait_for(f"{BASE}/energy_imported_tier1") == "10000"
        assert listener.wait_for(f"{BASE}/energy_imported_tier2") == "2345.678"
        assert listener.wait_for(f"{BASE}/meter_state") == "connected"
        cost = listener.wait_json(f"{BASE}/cost_today")
        assert cost == {"amount": 1.23, "currency": "USD", "last_reset": "2026-11-29T07:00:00+00:00"}

        power = listener.wait_json(f"{CONFIG}/power/config")
        assert power["device_class"] == "power"
        assert power["state_class"] == "measurement"
        assert power["unit_of_measurement"] == "W"
        assert power["state_topic"] == f"{BASE}/power"
        assert power["availability_topic"] == f"{BASE}/availability"
        assert power["unique_id"] == f"xcelsior_{SFDI}_power"
        assert power["device"]["identifiers"] == [LFDI]
        assert power["device"]["manufacturer"] == "Itron"
        assert power["device"]["model"] == "Gen5 Riva"
        assert power["device"]["sw_version"] == "4.1.2"
        for object_id in ("energy_imported", "energy_exported", "energy_imported_tier1", "energy_imported_tier2"):
            config = listener.wait_json(f"{CONFIG}/{object_id}/config")
            assert (config["device_class"], config["state_class"], config["unit_of_measurement"]) == \
                ("energy", "total_increasing", "kWh")
            assert config["state_topic"] == f"{BASE}/{object_id}"
        money = listener.wait_json(f"{CONFIG}/cost_today/config")
        assert (money["device_class"], money["unit_of_measurement"], money["state_class"]) == \
            ("monetary", "USD", "total")
        state = listener.wait_json(f"{CONFIG}/meter_state/config")
        assert state["device_class"] == "enum"
        assert {"connected", "busy", "unreachable"} <= set(state["options"])
        # no tier the meter did not show
        assert not listener.payloads(f"{CONFIG}/energy_exported_tier1/config")
        assert publisher.status().state is BrokerState.CONNECTED
        assert publisher.status().message == "Connected to broker"
    finally:
        publisher.stop()

    # everything is retained: a client arriving later sees it, and the clean stop left "offline"
    late = Listener(broker.port)
    try:
        assert late.wait_for(f"{BASE}/availability") == "offline"
        assert late.wait_for(f"{BASE}/energy_imported") == "12345.678"
        assert late.wait_json(f"{CONFIG}/power/config")["unique_id"] == f"xcelsior_{SFDI}_power"
        assert all(retain for _topic, _payload, retain in late.messages)
    finally:
        late.close()
    assert publisher.status().state is BrokerState.STOPPED


def test_nothing_before_the_meter_is_known_and_no_state_for_a_failed_register(broker: Mosquitto,
                                                                            listener: Listener) -> None:
    publisher = start_publisher(broker.port)
    try:
        publisher.on_demand(demand(111))  # the meter has not said who it is: not published, not queued
        assert publisher.status().state is BrokerState.WAITING_FOR_METER
        assert publisher.status().queued == 0
        publisher.on_device_info(DeviceInfo(lfdi=None, sfdi=None, sw_version=None, mf_id=None, manufacturer=None))
        publisher.on_demand(demand(112))
        publisher.on_device_info(INFO)
        publisher.on_demand(demand(222))
        publisher.on_registers(Registers(delivered_wh=None, received_wh=5_000.0))  # import register missing
        publisher.on_registers(Registers(delivered_wh=1_000.0, received_wh=5_000.0))
        publisher.on_registers(Registers(delivered_wh=900.0, received_wh=float("nan")))  # backwards, garbage
        publisher.on_registers(Registers(delivered_wh=1_100.0, received_wh=5_001.0))
        listener.wait_for(f"{BASE}/energy_exported", "5.001")
        listener.wait_for(f"{BASE}/energy_imported", "1.1")
        assert listener.payloads(f"{BASE}/power") == ["222"]
        assert listener.payloads(f"{BASE}/energy_imported") == ["1", "1.1"]
        assert listener.payloads(f"{BASE}/energy_exported") == ["5", "5", "5.001"]
        assert "" not in [payload for topic, payload, _ in listener.messages if topic.startswith(BASE)]
    finally:
        publisher.stop()


PUBLISHER_SCRIPT = textwrap.dedent("""
    import sys, threading
    from xcelsior_desktop.meter.values import DeviceInfo
    from xcelsior_desktop.home_assistant import BrokerState, BrokerTarget, MqttPublisher
    connected = threading.Event()
    publisher = MqttPublisher(BrokerTarget(host="127.0.0.1", port=int(sys.argv[1]), tls=False),
                              on_status_change=lambda s: s.state is BrokerState.CONNECTED and connected.set()).start()
    publisher.on_device_info(DeviceInfo(lfdi=sys.argv[2], sfdi=None, sw_version="1", mf_id=1233, manufacturer=None))
    print("CONNECTED" if connected.wait(30) else f"NOT CONNECTED: {publisher.status()}", flush=True)
    threading.Event().wait()
""")


def test_last_will_says_offline_when_the_app_is_killed(broker: Mosquitto, listener: Listener,
                                                       tmp_path: Path) -> None:
    script = tmp_path / "publish.py"
    script.write_text(PUBLISHER_SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    process = subprocess.Popen([sys.executable, str(script), str(broker.port), LFDI], stdout=subprocess.PIPE,
                               text=True, env=env)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "CONNECTED"
        listener.wait_for(f"{BASE}/availability", "online")
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        listener.wait_for(f"{BASE}/availability", "offline")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_broker_restart_is_survived(broker: Mosquitto) -> None:
    publisher = start_publisher(broker.port)
    try:
        publisher.on_device_info(INFO)
        publisher.on_status(status(State.BUSY))
        publisher.on_demand(demand(500))
        first = Listener(broker.port)
        first.wait_for(f"{BASE}/power", "500")
        first.close()

        broker.stop()  # no persistence: the broker forgets every retained message
        wait_until(lambda: publisher.status().state is BrokerState.UNREACHABLE, 15, "the publisher to notice")
        assert publisher.status().failed and publisher.status().next_retry is not None
        broker.start()
        wait_until(lambda: publisher.status().state is BrokerState.CONNECTED, 15, "the publisher to reconnect")

        second = Listener(broker.port)
        try:
            assert second.wait_for(f"{BASE}/availability") == "online"
            assert second.wait_json(f"{CONFIG}/power/config")["state_topic"] == f"{BASE}/power"
            assert second.wait_for(f"{BASE}/meter_state") == "busy"  # the latest state is published again
            assert second.wait_for(f"{BASE}/power") == "500"
            publisher.on_demand(demand(600))
            second.wait_for(f"{BASE}/power", "600")
        finally:
            second.close()
    finally:
        publisher.stop()


def test_a_broker_that_refuses_the_password(tmp_path: Path) -> None:
    broker = Mosquitto(tmp_path / "broker", users={"homeassistant": "right horse"}).start()
    try:
        target = BrokerTarget(host="127.0.0.1", port=broker.port, tls=False, username="homeassistant",
                              password="wrong")
        result = test_connection(target, timeout_s=10)
        assert not result.ok and result.state is BrokerState.AUTH_REFUSED
        assert result.message.startswith("Broker refused the user name or password: check them in Settings")

        publisher = start_publisher(broker.port, username="homeassistant", password="wrong")
        try:
            publisher.on_device_info(INFO)
            publisher.on_demand(demand(1))  # queued, not lost, not raised
            wait_until(lambda: publisher.status().state is BrokerState.AUTH_REFUSED, 15, "the refusal")
            assert publisher.status().queued == 1
        finally:
            publisher.stop()

        good = BrokerTarget(host="127.0.0.1", port=broker.port, tls=False, username="homeassistant",
                            password="right horse")
        assert test_connection(good).ok
        listener = Listener(broker.port, username="homeassistant", password="right horse")
        publisher = MqttPublisher(good, FAST).start()
        try:
            publisher.on_device_info(INFO)
            publisher.on_demand(demand(42))
            assert listener.wait_for(f"{BASE}/power") == "42"
        finally:
            publisher.stop()
            listener.close()
    finally:
        broker.stop()


def test_tls_trusted_and_untrusted(tmp_path: Path) -> None:
    broker = Mosquitto(tmp_path / "broker", tls=True).start()
    try:
        untrusted = BrokerTarget(host="127.0.0.1", port=broker.port, tls=True)
        result = test_connection(untrusted, timeout_s=10)
        assert result.state is BrokerState.TLS_FAILED and "not trusted" in result.detail
        assert test_connection(BrokerTarget(host="127.0.0.1", port=broker.port, tls=False), timeout_s=10).state \
            is BrokerState.REFUSED  # plain MQTT to a TLS port: the broker hangs up, and we say to turn TLS on
        trusted = BrokerTarget(host="127.0.0.1", port=broker.port, tls=True, ca_file=str(broker.cert_path))
        assert test_connection(trusted).ok
    finally:
        broker.stop()


def test_nothing_listening_is_unreachable() -> None:
    result = test_connection(BrokerTarget(host="127.0.0.1", port=free_port(), tls=False), timeout_s=5)
    assert result.state is BrokerState.UNREACHABLE and not result.ok
    assert "check that it is running" in result.message


def test_the_queue_keeps_the_newest_when_the_broker_is_down(tmp_path: Path) -> None:
    """The broker is down while readings arrive: the oldest are dropped and counted, the newest reach the
    broker in order once it is back (seen by a listener whose persistent session the broker kept)."""
    broker = Mosquitto(tmp_path / "broker", persistence=True).start()
    subscriber = Listener(broker.port, f"{BASE}/power", client_id="queue-listener", clean_session=False)
    subscriber.close()  # offline now: the broker queues for it, and keeps that across its restart
    broker.stop()
    publisher = start_publisher(broker.port, PublisherOptions(queue_size=5, backoff_min_s=0.05, backoff_max_s=0.3))
    try:
        publisher.on_device_info(INFO)
        for watts in range(1, 13):
            publisher.on_demand(demand(watts))  # never waits for the missing broker
        wait_until(lambda: publisher.status().state is BrokerState.UNREACHABLE, 15, "the failure")
        assert (publisher.status().queued, publisher.status().dropped) == (5, 7)
        broker.start()
        wait_until(lambda: publisher.status().queued == 0 and publisher.status().published == 5, 15, "the drain")
        subscriber = Listener(broker.port, f"{BASE}/power", client_id="queue-listener", clean_session=False)
        try:
            subscriber.wait_for(f"{BASE}/power", "12")
            assert subscriber.payloads(f"{BASE}/power", live_only=True) == ["8", "9", "10", "11", "12"]
        finally:
            subscriber.close()
    finally:
        publisher.stop()
        broker.stop()


def test_a_stalled_broker_never_stalls_the_caller(broker: Mosquitto) -> None:
    """The broker stops reading (SIGSTOP) while readings pour in faster than they can leave: the caller goes on,
    the queue stays bounded, the oldest are dropped and counted, and once the broker reads again every offered
    message is accounted for (published or dropped) and the newest one has arrived."""
    publisher = start_publisher(broker.port, PublisherOptions(queue_size=100))
    assert broker.process is not None
    try:
        publisher.on_device_info(INFO)
        wait_until(lambda: publisher.status().state is BrokerState.CONNECTED, 15, "the connection")
        broker.process.send_signal(signal.SIGSTOP)
        offered = 0
        try:
            while publisher.status().dropped < 1000 and offered < 2_000_000:  # kernel buffers are finite
                for _ in range(1000):
                    offered += 1
                    publisher.on_demand(demand(offered))
                assert publisher.status().queued <= 100
            stalled = publisher.status()
        finally:
            broker.process.send_signal(signal.SIGCONT)
        assert stalled.dropped >= 1000
        wait_until(lambda: publisher.status().queued == 0, 30, "the backlog to drain")
        final = publisher.status()
        assert final.published + final.dropped == offered
        late = Listener(broker.port)
        try:
            late.wait_for(f"{BASE}/power", str(offered))  # the newest reading is never the one dropped
        finally:
            late.close()
    finally:
        publisher.stop()


def test_another_meter_signs_the_first_one_off(broker: Mosquitto, listener: Listener) -> None:
    other_lfdi = "0123456789ABCDEF0123456789ABCDEF01234567"
    other = DeviceInfo(lfdi=other_lfdi, sfdi=None, sw_version="5", mf_id=1233, manufacturer="Itron")
    other_sfdi = sfdi_from_lfdi(other_lfdi)
    publisher = start_publisher(broker.port)
    try:
        publisher.on_device_info(INFO)
        publisher.on_demand(demand(1))
        listener.wait_for(f"{BASE}/power", "1")
        publisher.on_device_info(other)
        publisher.on_demand(demand(2))
        listener.wait_for(f"xcelsior/{other_sfdi}/power", "2")
        listener.wait_for(f"{BASE}/availability", "offline")
        listener.wait_for(f"xcelsior/{other_sfdi}/availability", "online")
        config = listener.wait_json(f"homeassistant/sensor/xcelsior_{other_sfdi}/power/config")
        assert config["device"]["identifiers"] == [other_lfdi]
    finally:
        publisher.stop()


def test_own_topic_base_and_discovery_off(broker: Mosquitto, listener: Listener) -> None:
    publisher = start_publisher(broker.port, PublisherOptions(topic_base="/home/meter/", discovery=False))
    try:
        publisher.on_device_info(INFO)
        publisher.on_demand(demand(7))
        assert listener.wait_for(f"home/meter/{SFDI}/availability") == "online"
        assert listener.wait_for(f"home/meter/{SFDI}/power") == "7"
    finally:
        publisher.stop()
    listener.wait_for(f"home/meter/{SFDI}/availability", "offline")
    assert not [topic for topic, _payload, _retain in listener.messages if topic.startswith("homeassistant/")]
