"""The MQTT publisher against a real Mosquitto on 127.0.0.1: the device message, states, availability and
freshness, the last will, the hand-over from per-entity configs, a replaced meter, a broker restart, refused
passwords, TLS, and the bounded queue."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
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
DEVICE = f"homeassistant/device/xcelsior_{SFDI}/config"
LEGACY = f"homeassistant/sensor/xcelsior_{SFDI}"
ME = "0123456789abcdef"
NOW = dt.datetime(2026, 11, 29, 15, 0, tzinfo=dt.UTC)
FAST = PublisherOptions(backoff_min_s=0.05, backoff_max_s=0.5, connect_timeout_s=5, installation_id=ME)


def demand(watts: float) -> Measurement:
    return Measurement(value=watts, unit="W", timestamp=NOW)


def status(state: State) -> Status:
    return Status(state=state, since=0.0, next_retry=None, detail="", last_reading=None)


def options(**changes: object) -> PublisherOptions:
    return dataclasses.replace(FAST, **changes)  # type: ignore[arg-type]


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

        listener.wait_for(f"{BASE}/fresh", "online")  # a trusted reading arrived while connected
        assert listener.wait_for(f"{BASE}/last_reading") == "2026-11-29T15:00:00+00:00"
        assert listener.wait_for(f"{BASE}/installations/{ME}").startswith("Xcelsior Desktop ")

        def device() -> dict:
            return json.loads(listener.wait_for(DEVICE))

        wait_until(lambda: "cost_today" in device()["cmps"], 15, "the cost sensor in the device message")
        message = device()
        assert message["dev"]["identifiers"] == [LFDI]
        assert (message["dev"]["manufacturer"], message["dev"]["model"], message["dev"]["sw_version"]) == \
            ("Itron", "Gen5 Riva", "4.1.2")
        assert message["o"]["name"] == "Xcelsior Desktop" and message["o"]["support_url"].startswith("https://")
        assert [a["topic"] for a in message["availability"]] == [f"{BASE}/availability", f"{BASE}/fresh"]
        assert message["availability_mode"] == "all"
        components = message["cmps"]
        power = components["power"]
        assert (power["device_class"], power["state_class"], power["unit_of_measurement"]) == \
            ("power", "measurement", "W")
        assert power["state_topic"] == f"{BASE}/power" and power["unique_id"] == f"xcelsior_{SFDI}_power"
        for key in ("energy_imported", "energy_exported", "energy_imported_tier1", "energy_imported_tier2"):
            config = components[key]
            assert (config["device_class"], config["state_class"], config["unit_of_measurement"]) == \
                ("energy", "total_increasing", "kWh")
            assert config["state_topic"] == f"{BASE}/{key}"
        money = components["cost_today"]
        assert (money["device_class"], money["unit_of_measurement"], money["state_class"]) == \
            ("monetary", "USD", "total")
        state = components["meter_state"]
        assert state["device_class"] == "enum"
        assert {"connected", "busy", "unreachable"} <= set(state["options"])
        assert "energy_exported_tier1" not in components  # no tier the meter did not show
        assert not [t for t, _p, _r in listener.messages if t.startswith("homeassistant/sensor/")]  # one message
        assert publisher.status().state is BrokerState.CONNECTED
        assert publisher.status().message == "Connected to broker"
    finally:
        publisher.stop()

    # everything is retained: a client arriving later sees it, and the clean stop left "offline"
    late = Listener(broker.port)
    try:
        assert late.wait_for(f"{BASE}/availability") == "offline"
        assert late.wait_for(f"{BASE}/energy_imported") == "12345.678"
        assert late.wait_json(DEVICE)["cmps"]["power"]["unique_id"] == f"xcelsior_{SFDI}_power"
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
            assert second.wait_json(DEVICE)["cmps"]["power"]["state_topic"] == f"{BASE}/power"
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
            assert publisher.status().queued == 2  # the power and when it was read: queued, not lost
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
    publisher = start_publisher(broker.port, options(queue_size=10, backoff_max_s=0.3))
    try:
        publisher.on_device_info(INFO)
        for watts in range(1, 13):
            publisher.on_demand(demand(watts))  # never waits for the missing broker
        wait_until(lambda: publisher.status().state is BrokerState.UNREACHABLE, 15, "the failure")
        # each reading is two messages (the watts, and when the meter took them)
        assert (publisher.status().queued, publisher.status().dropped) == (10, 14)
        broker.start()
        wait_until(lambda: publisher.status().queued == 0 and publisher.status().published == 10, 15, "the drain")
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
    publisher = start_publisher(broker.port, options(queue_size=100))
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
        assert final.published + final.dropped == 2 * offered  # the watts and their time, each
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
        listener.wait_for(f"xcelsior/{other_sfdi}/availability", "online")
        assert "offline" in listener.payloads(f"{BASE}/availability")  # signed off before it was cleared
        config = listener.wait_json(f"homeassistant/device/xcelsior_{other_sfdi}/config")
        assert config["dev"]["identifiers"] == [other_lfdi]
        # the first meter is this installation's alone: its device message and states are cleared
        listener.wait_for(DEVICE, "")
        listener.wait_for(f"{BASE}/power", "")
        assert listener.wait_for(f"xcelsior/{other_sfdi}/installations/{ME}")
    finally:
        publisher.stop()


def test_own_topic_base_and_discovery_off(broker: Mosquitto, listener: Listener) -> None:
    publisher = start_publisher(broker.port, options(topic_base="/home/meter/", discovery=False))
    try:
        publisher.on_device_info(INFO)
        publisher.on_demand(demand(7))
        assert listener.wait_for(f"home/meter/{SFDI}/availability") == "online"
        assert listener.wait_for(f"home/meter/{SFDI}/power") == "7"
    finally:
        publisher.stop()
    listener.wait_for(f"home/meter/{SFDI}/availability", "offline")
    assert not [topic for topic, _payload, _retain in listener.messages if topic.startswith("homeassistant/")]


def legacy_config(object_id: str, name: str) -> str:
    """A per-entity config as version 0.1 published it."""
    return json.dumps({"name": name, "unique_id": f"xcelsior_{SFDI}_{object_id}", "state_topic": f"{BASE}/{object_id}",
                       "availability_topic": f"{BASE}/availability", "device": {"identifiers": [LFDI]}})


def test_per_entity_configs_are_handed_over_to_the_device_message(broker: Mosquitto) -> None:
    seed = Listener(broker.port, "nothing/#")
    for object_id, name in (("power", "Power"), ("energy_imported", "Energy imported")):
        seed.client.publish(f"{LEGACY}/{object_id}/config", legacy_config(object_id, name), qos=1,
                            retain=True).wait_for_publish(5)
    seed.close()
    watcher = Listener(broker.port, "homeassistant/#")
    try:
        watcher.wait_for(f"{LEGACY}/power/config")
        publisher = start_publisher(broker.port)
        try:
            publisher.on_device_info(INFO)
            watcher.wait_for(DEVICE)
            wait_until(lambda: publisher.last_tidy is not None, 10, "the tidying")
            assert publisher.last_tidy is not None and publisher.last_tidy.migrated == [
                f"{LEGACY}/energy_imported/config", f"{LEGACY}/power/config"]
            live = [(t, p) for t, p, retained in watcher.messages if not retained]
            for object_id in ("power", "energy_imported"):
                topic = f"{LEGACY}/{object_id}/config"
                handed_over = live.index((topic, '{"migrate_discovery": true}'))
                cleared = live.index((topic, ""))
                assert handed_over < cleared < live.index((DEVICE, watcher.latest(DEVICE)))
        finally:
            publisher.stop()
    finally:
        watcher.close()
    late = Listener(broker.port, "homeassistant/#")
    try:
        late.wait_for(DEVICE)
        assert [t for t, _p, _r in late.messages] == [DEVICE]  # nothing per-entity is retained any more
    finally:
        late.close()
    again = start_publisher(broker.port)  # the next start finds nothing to hand over
    try:
        again.on_device_info(INFO)
        wait_until(lambda: again.last_tidy is not None, 10, "the tidying")
        assert again.last_tidy is not None and again.last_tidy.migrated == []
    finally:
        again.stop()


def test_a_meter_another_computer_publishes_is_left_to_it(broker: Mosquitto, listener: Listener) -> None:
    other_info = DeviceInfo(lfdi="0123456789ABCDEF0123456789ABCDEF01234567", sfdi=None, sw_version="5", mf_id=1233,
                            manufacturer="Itron")
    second = start_publisher(broker.port, options(installation_id="fedcba9876543210"))
    first = start_publisher(broker.port)
    try:
        second.on_device_info(INFO)  # another computer publishes the same meter
        first.on_device_info(INFO)
        listener.wait_for(f"{BASE}/installations/fedcba9876543210")
        listener.wait_for(f"{BASE}/installations/{ME}")
        first.on_device_info(other_info)  # this one now reads another meter
        wait_until(lambda: listener.latest(f"{BASE}/installations/{ME}") == "", 15, "this installation's claim to go")
        assert json.loads(listener.latest(DEVICE) or "{}")["cmps"]  # the other computer's device stays
        assert listener.latest(f"{BASE}/installations/fedcba9876543210")
    finally:
        first.stop()
        second.stop()


def test_freshness_follows_the_readings_and_the_session_state(broker: Mosquitto, listener: Listener) -> None:
    publisher = start_publisher(broker.port, options(poll_interval_s=0.5))
    try:
        publisher.on_device_info(INFO)
        assert listener.wait_for(f"{BASE}/fresh") == "offline"  # no reading yet
        publisher.on_status(status(State.CONNECTED))
        publisher.on_demand(demand(100))
        listener.wait_for(f"{BASE}/fresh", "online")
        publisher.on_flagged("registers")  # a frozen register is left out; the watts are still current
        publisher.on_flagged("demand")  # stale or suspect watts: not current
        listener.wait_for(f"{BASE}/fresh", "offline")
        publisher.on_demand(demand(101))
        listener.wait_for(f"{BASE}/fresh", "online")
        publisher.on_status(status(State.UNREACHABLE))
        listener.wait_for(f"{BASE}/fresh", "offline")
        publisher.on_status(status(State.CONNECTED))
        publisher.on_demand(demand(102))
        listener.wait_for(f"{BASE}/fresh", "online")
        publisher.on_status(status(State.BUSY))  # offline once busy for more than a poll interval
        listener.wait_for(f"{BASE}/fresh", "offline", timeout=5)
        assert listener.payloads(f"{BASE}/fresh")[-2:] == ["online", "offline"]
        power = listener.payloads(f"{BASE}/power")
        assert power == ["100", "101", "102"]
    finally:
        publisher.stop()


def test_extras_and_tier_names_appear_with_their_first_valid_value(broker: Mosquitto, listener: Listener) -> None:
    from xcelsior_desktop.home_assistant.feed_extras import FeedExtras
    from xcelsior_desktop.meter.channels import Channel

    publisher = start_publisher(broker.port)
    try:
        publisher.on_device_info(INFO)
        listener.wait_for(DEVICE)
        listed = frozenset({Channel.POWER_FACTOR, Channel.MAX_DEMAND_RECEIVED, Channel.VARH_DELIVERED})
        publisher.on_extras(FeedExtras({}, listed))  # listed, no values yet: nothing at all
        publisher.on_extras(FeedExtras({Channel.POWER_FACTOR: Measurement(0.918, "", NOW),
                                        Channel.VARH_DELIVERED: Measurement(1_234_500.0, "varh", NOW)}, listed))
        publisher.on_registers(Registers(delivered_wh=1.0, received_wh=1.0, tou_delivered={1: 500.0}))
        publisher.set_tier_names({1: "on-peak", 3: "off-peak"})
        wait_until(lambda: "energy_imported_tier1" in json.loads(listener.latest(DEVICE) or "{}").get("cmps", {}),
                   15, "the tier in the device message")
        listener.wait_for(f"{BASE}/power_factor", "0.918")
        listener.wait_for(f"{BASE}/reactive_energy_imported", "1234.5")
        components = json.loads(listener.latest(DEVICE) or "{}")["cmps"]
        wait_until(lambda: "on-peak" in json.loads(listener.latest(DEVICE) or "{}")["cmps"]
                   ["energy_imported_tier1"]["name"], 15, "the tier's name")
        assert {"power_factor", "reactive_energy_imported"} <= set(components)
        assert "max_demand_exported" not in components  # the meter lists it empty, as real meters do
        assert listener.payloads(f"{BASE}/max_demand_exported") == []
        publisher.on_extras(FeedExtras({Channel.VARH_DELIVERED: Measurement(1_000.0, "varh", NOW)}, listed))
        publisher.on_demand(demand(5))
        listener.wait_for(f"{BASE}/power", "5")
        assert listener.payloads(f"{BASE}/reactive_energy_imported") == ["1234.5"]  # never backwards
    finally:
        publisher.stop()
