"""The MQTT plug-in in the whole app (offscreen) against the simulator and a real Mosquitto on 127.0.0.1:
--mqtt publishing discovery, states and availability, "offline" on quit, settings changes, the Settings page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import http.server
import json
import math
import threading
from pathlib import Path

import keyring
import pytest

from tests.integration.mqtt_support import Listener, Mosquitto, free_port
from tests.meters import meter_at
from xcelsior_desktop.app.application import XcelsiorApp
from xcelsior_desktop.app.home_assistant import HistoryToHomeAssistant, MqttController
from xcelsior_desktop.app.home_assistant.settings_page import MqttSettingsPage
from xcelsior_desktop.app.settings_dialog import SettingsDialog
from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore
from xcelsior_desktop.home_assistant import KEYRING_SERVICE, MqttSettings, parse_broker_url
from xcelsior_desktop.home_assistant.cost_today import cost_today
from xcelsior_desktop.home_assistant.ha_settings import TOKEN_SERVICE, HomeAssistantSettings
from xcelsior_desktop.home_assistant.installation import installation_id
from xcelsior_desktop.meter.values import DeviceInfo
from xcelsior_desktop.money import resolve
from xcelsior_desktop.platform.secrets.memory_keyring import MemoryKeyring
from xcelsior_desktop.platform.settings import Settings
from xcelsior_desktop.session.events import DemandRead

WAIT_MS = 20000


@pytest.fixture
def sim(start_simulator, identity):  # type: ignore[no-untyped-def]
    return start_simulator(identity, seed=7)


def make_app(qapp, identity, sim, tmp_path: Path, settings: Settings | None = None, **kwargs) -> XcelsiorApp:  # type: ignore[no-untyped-def]
    settings = settings or Settings()
    settings = dataclasses.replace(settings, poll_interval_s=2)
    app = XcelsiorApp(qapp, identity=identity, settings=settings, settings_path=tmp_path / "settings.json",
                      meters=meter_at(sim.host, sim.port),
                      worker_options={"handshake_timeout": 3.0, "read_timeout": 3.0}, **kwargs)
    app.start()
    return app


def number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def test_the_flag_publishes_discovery_states_and_availability_then_offline_on_quit(
        qtbot, qapp, identity, sim, tmp_path, broker: Mosquitto, listener: Listener) -> None:  # type: ignore[no-untyped-def]
    flag = parse_broker_url(f"mqtt://127.0.0.1:{broker.port}")
    app = make_app(qapp, identity, sim, tmp_path, mqtt_flag=flag)
    base, device = f"xcelsior/{sim.sfdi}", f"homeassistant/device/xcelsior_{sim.sfdi}/config"
    seen: list[float] = []
    app.events.on(DemandRead, lambda event: seen.append(float(event.measurement.value)))
    try:
        qtbot.waitUntil(lambda: listener.latest(f"{base}/availability") == "online", timeout=WAIT_MS)
        qtbot.waitUntil(lambda: listener.latest(f"{base}/meter_state") == "connected", timeout=WAIT_MS)
        # the power published is what the session read (signed watts)
        qtbot.waitUntil(lambda: any(abs(watts - (number(listener.latest(f"{base}/power")) or math.inf)) <= 0.05
                                    for watts in seen), timeout=WAIT_MS)  # published with one decimal
        qtbot.waitUntil(lambda: number(listener.latest(f"{base}/energy_imported")) is not None, timeout=WAIT_MS)
        assert number(listener.latest(f"{base}/energy_imported")) > 0  # type: ignore[operator]

        qtbot.waitUntil(lambda: listener.latest(f"{base}/fresh") == "online", timeout=WAIT_MS)
        message = json.loads(listener.latest(device) or "{}")
        power = message["cmps"]["power"]
        assert (power["device_class"], power["state_class"], power["unit_of_measurement"]) == \
            ("power", "measurement", "W")
        assert power["state_topic"] == f"{base}/power"
        assert [a["topic"] for a in message["availability"]] == [f"{base}/availability", f"{base}/fresh"]
        assert message["dev"]["identifiers"] == [sim.lfdi] and message["dev"]["manufacturer"] == "Itron"
        energy = message["cmps"]["energy_imported"]
        assert (energy["device_class"], energy["state_class"], energy["unit_of_measurement"]) == \
            ("energy", "total_increasing", "kWh")
        assert "Connected to broker" in app.mqtt.current_state().message
    finally:
        app.shutdown()
    # quitting signs off: "offline", then a clean DISCONNECT
    qtbot.waitUntil(lambda: listener.latest(f"{base}/availability") == "offline", timeout=WAIT_MS)
    assert listener.payloads(f"{base}/availability", live_only=True)[-1] == "offline"
    broker.stop()  # its log is complete once it has stopped: a clean DISCONNECT, not the last will
    assert f"Client xcelsior-desktop-{installation_id()} disconnected." in broker.log_path.read_text()


def test_turned_on_in_settings_then_rebuilt_for_another_topic_base(
        qtbot, qapp, identity, sim, tmp_path, broker: Mosquitto, listener: Listener) -> None:  # type: ignore[no-untyped-def]
    app = make_app(qapp, identity, sim, tmp_path)
    try:
        qtbot.waitUntil(lambda: app.status is not None and app.status.state.value == "connected", timeout=WAIT_MS)
        assert app.mqtt.publisher is None and app.mqtt.current_state().message.startswith("Not publishing")
        assert listener.messages == []

        dialog = SettingsDialog(app.settings, pages=app.shell.settings_pages)
        page = dialog.findChild(MqttSettingsPage)
        page.enabled.setChecked(True)
        page.broker.setText(f"mqtt://127.0.0.1:{broker.port}")
        dialog.accept()
        app.apply_settings(dialog.result_settings)
        # the device information read before MQTT was on is handed to the new publisher: it names the meter
        qtbot.waitUntil(lambda: listener.latest(f"xcelsior/{sim.sfdi}/availability") == "online", timeout=WAIT_MS)
        qtbot.waitUntil(lambda: listener.latest(f"xcelsior/{sim.sfdi}/meter_state") == "connected",
                        timeout=WAIT_MS)
        assert MqttSettings.from_app_settings(Settings.load(app.settings_path)).enabled

        publisher = app.mqtt.publisher
        assert publisher is not None
        app.apply_settings(dataclasses.replace(app.settings, units="kW"))  # not about MQTT: no reconnection
        assert app.mqtt.publisher is publisher

        edited = dataclasses.replace(app.settings, extra=dict(app.settings.extra))
        mqtt = dataclasses.replace(MqttSettings.from_app_settings(edited), topic_base="home/meter")
        mqtt.store_in(edited)
        app.apply_settings(edited)
        # the old publisher signs off before the new one connects
        qtbot.waitUntil(lambda: listener.latest(f"home/meter/{sim.sfdi}/availability") == "online", timeout=WAIT_MS)
        assert listener.latest(f"xcelsior/{sim.sfdi}/availability") == "offline"  # delivered before "online"
        assert app.mqtt.publisher is not publisher
    finally:
        app.shutdown()


def test_a_broker_that_is_down_is_said_on_the_page_and_polling_goes_on(qtbot, qapp, identity, sim,
                                                                      tmp_path) -> None:  # type: ignore[no-untyped-def]
    flag = parse_broker_url(f"mqtt://127.0.0.1:{free_port()}")
    app = make_app(qapp, identity, sim, tmp_path, mqtt_flag=flag)
    try:
        qtbot.waitUntil(lambda: app.mqtt.current_state().failed, timeout=WAIT_MS)
        page = MqttSettingsPage(app.mqtt, app.settings)
        qtbot.addWidget(page)
        assert page.state.text().startswith("Publisher: Broker unreachable: check that it is running")
        assert "we keep retrying" in page.state.text()
        assert page.findChild(type(page.enabled), "mqtt-enabled") is page.enabled
        assert "started with --mqtt" in page.findChild(type(page.state), "mqtt-flag-note").text()
        readings: list[object] = []
        app.events.on(DemandRead, lambda event: readings.append(event.measurement))
        qtbot.waitUntil(lambda: len(readings) >= 2, timeout=WAIT_MS)  # the meter is read all the same
    finally:
        app.shutdown()


def test_a_locked_keyring_turns_publishing_off_in_words(qtbot, qapp) -> None:  # type: ignore[no-untyped-def]
    MemoryKeyring.set_locked(True)
    settings = MqttSettings(enabled=True, broker_url="mqtt://127.0.0.1:1883", username="ha")
    told: list[tuple[str, str]] = []
    controller = MqttController(settings, announce=lambda title, body: told.append((title, body)))
    try:
        qtbot.waitUntil(lambda: controller.current_state().failed, timeout=WAIT_MS)
        message = controller.current_state().message
        assert message.startswith("MQTT publishing is off: The broker password could not be read")
        assert "Unlock or start your desktop's keyring" in message
        assert told == [("MQTT publishing needs attention", message)]  # the user hears of it without Settings
        MemoryKeyring.set_locked(False)
        controller.apply(settings)  # the same settings saved again: tried again
        qtbot.waitUntil(lambda: controller.publisher is not None, timeout=WAIT_MS)
        assert controller.current_state().message.startswith("Waiting for the meter")
    finally:
        controller.shutdown()
        MemoryKeyring.set_locked(False)


def test_the_settings_page_round_trip_keeps_the_password_in_the_keyring(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    controller = MqttController(MqttSettings())
    try:
        page = MqttSettingsPage(controller, Settings())
        qtbot.addWidget(page)
        assert not page.enabled.isChecked() and page.topic_base.text() == "xcelsior"
        ca = tmp_path / "ca.pem"
        ca.write_text("-----BEGIN CERTIFICATE-----\n")
        page.enabled.setChecked(True)
        page.broker.setText("mqtts://ha:pa55%20word@broker.lan:8884")  # user and password move out of the URL
        assert page.tls.isChecked() and not page.tls.isEnabled()
        page.ca_file.setText(str(ca))
        page.topic_base.setText("home/xcel")
        page.discovery.setChecked(False)
        settings = Settings()
        page.validate(settings)
        page.commit()
        path = tmp_path / "settings.json"
        settings.save(path)

        text = path.read_text()
        assert "pa55" not in text and "password" not in text
        assert keyring.get_password(KEYRING_SERVICE, "ha") == "pa55 word"
        saved = MqttSettings.from_app_settings(Settings.load(path))
        assert saved == MqttSettings(enabled=True, broker_url="mqtts://broker.lan:8884", username="ha", tls=True,
                                     topic_base="home/xcel", discovery=False, ca_file=str(ca))

        again = MqttSettingsPage(controller, Settings.load(path))
        qtbot.addWidget(again)
        assert (again.broker.text(), again.username.text(), again.password.text()) == \
            ("mqtts://broker.lan:8884", "ha", "")
        assert "saved in the keyring" in again.password.placeholderText()
        assert (again.tls.isChecked(), again.ca_file.text(), again.topic_base.text()) == (True, str(ca), "home/xcel")
        assert not again.discovery.isChecked() and not again.discovery_prefix.isEnabled()
        again.forget.click()
        again.validate(Settings())
        again.commit()
        assert keyring.get_password(KEYRING_SERVICE, "ha") is None
    finally:
        controller.shutdown()


def test_the_settings_page_refuses_bad_fields_in_words(qtbot) -> None:  # type: ignore[no-untyped-def]
    controller = MqttController(MqttSettings())
    try:
        page = MqttSettingsPage(controller, Settings())
        qtbot.addWidget(page)
        page.enabled.setChecked(True)
        page.broker.setText("homeassistant.local")
        page.topic_base.setText("a/#")
        page.password.setText("secret")
        with pytest.raises(ValueError) as caught:
            page.validate(Settings())
        text = str(caught.value)
        assert "no scheme" in text and "topic base 'a/#'" in text and "needs a user name" in text
        assert keyring.get_password(KEYRING_SERVICE, "") is None
    finally:
        controller.shutdown()


def test_test_connection_answers_in_words(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    broker = Mosquitto(tmp_path / "broker", users={"homeassistant": "right horse"}).start()
    controller = MqttController(MqttSettings())
    try:
        page = MqttSettingsPage(controller, Settings())
        qtbot.addWidget(page)
        page.broker.setText(f"mqtt://127.0.0.1:{broker.port}")
        page.username.setText("homeassistant")
        page.password.setText("wrong")
        page.test_button.click()
        assert not page.test_button.isEnabled()  # the test runs off the GUI thread
        qtbot.waitUntil(lambda: page.test_button.isEnabled(), timeout=WAIT_MS)
        assert page.test_result.text().startswith("Broker refused the user name or password: check them in "
                                                  "Settings. The broker answered:")
        keyring.set_password(KEYRING_SERVICE, "homeassistant", "right horse")
        page.password.clear()  # empty: the keyring's password is tried
        page.test_button.click()
        qtbot.waitUntil(lambda: page.test_button.isEnabled(), timeout=WAIT_MS)
        assert page.test_result.text() == "Connected to broker."
        page.broker.setText("broker.lan")
        page.test_button.click()
        qtbot.waitUntil(lambda: page.test_button.isEnabled(), timeout=WAIT_MS)
        assert "has no scheme. Start it with mqtt:// or mqtts://" in page.test_result.text()
    finally:
        controller.shutdown()
        broker.stop()


def test_cost_today_from_the_history_store_and_a_tariff(qtbot, tmp_path, broker: Mosquitto,
                                                        listener: Listener) -> None:  # type: ignore[no-untyped-def]
    now = dt.datetime(2026, 11, 29, 20, 0, tzinfo=dt.UTC)  # 13:00 in Denver, the preset's zone
    lfdi = "3E4F45AB31EDFE5B67E343E5E4562E31984E23E5"
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        store.add_intervals([EnergyInterval(dt.datetime(2026, 11, 29, 7, 0, tzinfo=dt.UTC) + dt.timedelta(
            minutes=15 * i), 900, 2000.0, 0.0) for i in range(4)])
        flat = resolve("xcel-co-flat")
        controller = MqttController(MqttSettings(enabled=True, broker_url=f"mqtt://127.0.0.1:{broker.port}"),
                                    cost_today=lambda at: cost_today(store, flat, at, zone=flat.zone),
                                    clock=lambda: now)
        try:
            qtbot.waitUntil(lambda: controller.publisher is not None, timeout=WAIT_MS)
            controller.on_device_info(DeviceInfo(lfdi=lfdi, sfdi=167261211391, sw_version="1", mf_id=1233,
                                                 manufacturer="Itron"))
            qtbot.waitUntil(lambda: listener.latest("xcelsior/167261211391/cost_today") is not None, timeout=WAIT_MS)
            cost = json.loads(listener.latest("xcelsior/167261211391/cost_today") or "{}")
            # 8 kWh at R-OO's winter price and a day's share of the $8.17 monthly charge (a 30-day cycle)
            assert cost == {"amount": round(8 * 0.15612 + 8.17 / 30, 2), "currency": "USD",
                            "last_reset": "2026-11-29T07:00:00+00:00"}
            device = "homeassistant/device/xcelsior_167261211391/config"
            qtbot.waitUntil(lambda: "cost_today" in json.loads(listener.latest(device) or "{}").get("cmps", {}),
                            timeout=WAIT_MS)
            config = json.loads(listener.latest(device) or "{}")["cmps"]["cost_today"]
            assert config["device_class"] == "monetary" and config["unit_of_measurement"] == "USD"
        finally:
            controller.shutdown()


def test_a_refused_password_is_on_the_page_in_the_alerts_and_polling_goes_on(qtbot, qapp, identity, sim,
                                                                             tmp_path) -> None:  # type: ignore[no-untyped-def]
    broker = Mosquitto(tmp_path / "broker", users={"homeassistant": "right horse"}).start()
    keyring.set_password(KEYRING_SERVICE, "homeassistant", "wrong horse")
    settings = Settings()
    MqttSettings(enabled=True, broker_url=f"mqtt://127.0.0.1:{broker.port}", username="homeassistant").store_in(
        settings)
    app = make_app(qapp, identity, sim, tmp_path, settings)
    try:
        qtbot.waitUntil(lambda: app.mqtt.current_state().failed, timeout=WAIT_MS)
        page = MqttSettingsPage(app.mqtt, app.settings)
        qtbot.addWidget(page)
        assert page.state.text().startswith("Publisher: Broker refused the user name or password: check them in "
                                            "Settings. The broker answered:")
        qtbot.waitUntil(lambda: any(a.kind == "mqtt" for a in app.alerts.alerts()), timeout=WAIT_MS)
        alert = next(a for a in app.alerts.alerts() if a.kind == "mqtt")
        assert alert.body.startswith("Broker refused the user name or password")
        readings: list[object] = []
        app.events.on(DemandRead, lambda event: readings.append(event.measurement))
        qtbot.waitUntil(lambda: len(readings) >= 2, timeout=WAIT_MS)

        page.password.setText("right horse")  # fixed in Settings: the publisher is rebuilt with it
        edited = dataclasses.replace(app.settings, extra=dict(app.settings.extra))
        page.validate(edited)
        page.commit()
        app.apply_settings(edited)
        qtbot.waitUntil(lambda: app.mqtt.current_state().message.startswith("Connected to broker"),
                        timeout=WAIT_MS)
    finally:
        app.shutdown()
        broker.stop()


class NotHomeAssistant(http.server.BaseHTTPRequestHandler):
    """A web server on loopback that is not Home Assistant: 404 for everything."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_error(404)

    def log_message(self, *_args: object) -> None:
        return


def test_the_home_assistant_fields_keep_the_token_in_the_keyring_and_sending_answers_in_words(
        qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotHomeAssistant)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    store = HistoryStore(tmp_path / "history.sqlite3")
    controller = MqttController(MqttSettings())
    controller.history = HistoryToHomeAssistant(HomeAssistantSettings(), store=lambda: store,
                                                meter_sfdi=lambda: None, parent=controller)
    try:
        page = MqttSettingsPage(controller, Settings())
        qtbot.addWidget(page)
        section = page.home_assistant
        section.url.setText("homeassistant.local:8123")
        with pytest.raises(ValueError, match="Home Assistant: The Home Assistant address .* has no scheme"):
            page.validate(Settings())
        section.url.setText(f"http://127.0.0.1:{server.server_address[1]}")
        section.token.setText("a-long-lived-token")
        settings = Settings()
        page.validate(settings)
        assert keyring.get_password(TOKEN_SERVICE, f"http://127.0.0.1:{server.server_address[1]}") is None
        undo = page.commit()  # only now the token goes to the keyring, and it can be taken back
        assert undo is not None and keyring.get_password(TOKEN_SERVICE, section.url.text()) == "a-long-lived-token"
        undo()
        assert keyring.get_password(TOKEN_SERVICE, section.url.text()) is None
        page.commit()
        path = tmp_path / "settings.json"
        settings.save(path)
        assert "a-long-lived-token" not in path.read_text()
        assert keyring.get_password(TOKEN_SERVICE, f"http://127.0.0.1:{server.server_address[1]}") == \
            "a-long-lived-token"
        again = MqttSettingsPage(controller, Settings.load(path))
        qtbot.addWidget(again)
        assert again.home_assistant.url.text() == f"http://127.0.0.1:{server.server_address[1]}"
        assert "saved in the keyring" in again.home_assistant.token.placeholderText()

        again.home_assistant.send.click()  # the sending runs off the GUI thread; its outcome in words
        assert not again.home_assistant.send.isEnabled()
        qtbot.waitUntil(lambda: again.home_assistant.send.isEnabled(), timeout=WAIT_MS)
        assert again.home_assistant.result.text().startswith(
            f"http://127.0.0.1:{server.server_address[1]} is not Home Assistant: ")
        again.home_assistant.url.setText(f"http://127.0.0.1:{free_port()}")
        again.home_assistant.send.click()
        qtbot.waitUntil(lambda: again.home_assistant.send.isEnabled(), timeout=WAIT_MS)
        assert again.home_assistant.result.text().startswith("No access token is saved for http://127.0.0.1:")
    finally:
        controller.shutdown()
        server.shutdown()
        server.server_close()
        store.close()


def test_a_solar_meter_is_its_own_device_with_the_homes_use(
        qtbot, qapp, identity, tmp_path, broker: Mosquitto, listener: Listener) -> None:  # type: ignore[no-untyped-def]
    import time

    from xcelsior_desktop.session.target import PRODUCTION, MeterTarget
    from xcelsior_desktop.simulator.household import HouseholdMeters

    noon, started = 1_781_805_600.0, time.monotonic()  # 2026-06-18 12:00 Denver: the panels make power
    household = HouseholdMeters(3, host="127.0.0.1", allowed_certs=[identity.cert_pem], mdns=False,
                                clock=lambda: noon + (time.monotonic() - started)).start()
    net, solar = household.net, household.production
    targets = [MeterTarget(host=net.host, port=net.port, automatic=False),
               MeterTarget(host=solar.host, port=solar.port, automatic=False, role=PRODUCTION)]
    app = XcelsiorApp(qapp, identity=identity, settings=Settings(poll_interval_s=2), meters=targets,
                      settings_path=tmp_path / "settings.json", mqtt_flag=parse_broker_url(f"mqtt://127.0.0.1:{broker.port}"),
                      worker_options={"handshake_timeout": 3.0, "read_timeout": 3.0})
    app.start()
    solar_base = f"xcelsior/{solar.sfdi}"
    solar_device = f"homeassistant/device/xcelsior_{solar.sfdi}/config"
    try:
        qtbot.waitUntil(lambda: listener.latest(f"xcelsior/{net.sfdi}/availability") == "online", timeout=WAIT_MS)
        qtbot.waitUntil(lambda: listener.latest(f"{solar_base}/availability") == "online", timeout=WAIT_MS)
        qtbot.waitUntil(lambda: number(listener.latest(f"{solar_base}/power")) is not None, timeout=WAIT_MS)
        assert number(listener.latest(f"{solar_base}/power")) > 0  # type: ignore[operator]
        qtbot.waitUntil(lambda: number(listener.latest(f"{solar_base}/home_power")) is not None, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: "home_power" in json.loads(listener.latest(solar_device) or "{}").get("cmps", {}),
                        timeout=WAIT_MS)
        message = json.loads(listener.latest(solar_device) or "{}")
        assert message["dev"]["identifiers"] == [solar.lfdi]
        assert message["dev"]["name"] == f"Xcel Energy solar meter {solar.sfdi}"
        home = message["cmps"]["home_power"]
        assert (home["name"], home["device_class"], home["unit_of_measurement"], home["state_topic"]) == \
            ("Home use", "power", "W", f"{solar_base}/home_power")
        # the house draws at least what comes from the grid, and never less than nothing
        assert number(listener.latest(f"{solar_base}/home_power")) >= 0  # type: ignore[operator]
        net_device = json.loads(listener.latest(f"homeassistant/device/xcelsior_{net.sfdi}/config") or "{}")
        assert net_device["dev"]["name"] == f"Xcel Energy meter {net.sfdi}" and "home_power" not in net_device["cmps"]
    finally:
        app.shutdown()
        household.stop()
    # both sign off, each on its own client id: neither threw the other off the broker
    qtbot.waitUntil(lambda: listener.latest(f"{solar_base}/availability") == "offline", timeout=WAIT_MS)
    broker.stop()
    log = broker.log_path.read_text()
    assert f"Client xcelsior-desktop-{installation_id()}-solar disconnected." in log
    assert f"Client xcelsior-desktop-{installation_id()} disconnected." in log
    assert "already connected, closing old connection" not in log
