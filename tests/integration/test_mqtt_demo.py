"""`xcelsior-desktop demo --mqtt URL` as a process, against a real Mosquitto on 127.0.0.1: discovery configs,
states and availability; a quit (SIGTERM) publishes "offline"; a SIGKILL leaves it to the broker's last will."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.mqtt_support import Listener, Mosquitto
from tests.waiting import wait_until
from xcelsior_desktop.home_assistant.installation import installation_id

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 60.0  # a cold start of the app (PySide6 imports) on a busy machine


@pytest.fixture
def demo_settings(isolated_home: Path) -> Path:
    """The demo's own settings file (written by a test before the demo starts, to choose a tariff)."""
    return Path(os.environ["XDG_CONFIG_HOME"]) / "xcelsior-desktop" / "demo-settings.json"


@pytest.fixture
def demo(broker: Mosquitto, demo_settings: Path, request: pytest.FixtureRequest) -> Iterator[subprocess.Popen[str]]:
    saved = getattr(request, "param", None)
    if saved is not None:
        demo_settings.parent.mkdir(parents=True, exist_ok=True)
        demo_settings.write_text(json.dumps(saved), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen([sys.executable, "-m", "xcelsior_desktop", "demo", "--interval", "2",
                                "--mqtt", f"mqtt://127.0.0.1:{broker.port}"], env=env, cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    yield process
    if process.poll() is None:
        process.kill()
    process.communicate(timeout=30)


def meter_base(listener: Listener) -> str:
    """``xcelsior/<SFDI>`` of the demo's meter, once its availability topic has a message."""
    found: list[str] = []

    def seen() -> bool:
        found[:] = [topic.rsplit("/", 1)[0] for topic, _payload, _retained in list(listener.messages)
                    if topic.startswith("xcelsior/") and topic.endswith("/availability")]
        return bool(found)

    wait_until(seen, WAIT_S, "the demo's availability topic")
    return found[0]


def test_the_demo_publishes_discovery_states_and_availability_and_offline_on_quit(
        broker: Mosquitto, listener: Listener, demo: subprocess.Popen[str]) -> None:
    base = meter_base(listener)
    sfdi = base.split("/")[1]
    assert listener.wait_for(f"{base}/availability", "online", WAIT_S) == "online"
    assert listener.wait_for(f"{base}/meter_state", "connected", WAIT_S) == "connected"
    float(listener.wait_for(f"{base}/power", timeout=WAIT_S))
    assert float(listener.wait_for(f"{base}/energy_imported", timeout=WAIT_S)) > 0
    assert listener.wait_for(f"{base}/fresh", "online", WAIT_S) == "online"
    message = listener.wait_json(f"homeassistant/device/xcelsior_{sfdi}/config", WAIT_S)
    assert message["dev"]["manufacturer"] == "Itron"
    assert [a["topic"] for a in message["availability"]] == [f"{base}/availability", f"{base}/fresh"]
    for sensor, device_class in (("power", "power"), ("energy_imported", "energy"), ("energy_exported", "energy"),
                                 ("meter_state", "enum")):
        assert message["cmps"][sensor]["device_class"] == device_class
    demo.send_signal(signal.SIGTERM)  # the app quits as from the tray: "offline", then a clean disconnect
    assert demo.wait(30) == 0
    assert listener.wait_for(f"{base}/availability", "offline", WAIT_S) == "offline"
    broker.stop()  # its log is complete once it has stopped
    # signed off under the demo's own client id (never the real installation's), no will
    assert f"Client xcelsior-desktop-{installation_id(demo=True)} disconnected." in broker.log_path.read_text()


def test_a_killed_demo_leaves_offline_to_the_last_will(broker: Mosquitto, listener: Listener,
                                                       demo: subprocess.Popen[str]) -> None:
    base = meter_base(listener)
    listener.wait_for(f"{base}/availability", "online", WAIT_S)
    listener.wait_for(f"{base}/power", timeout=WAIT_S)
    demo.send_signal(signal.SIGKILL)
    demo.wait(30)
    assert listener.wait_for(f"{base}/availability", "offline", WAIT_S) == "offline"
    assert listener.payloads(f"{base}/availability", live_only=True)[-1] == "offline"
    broker.stop()  # its log is complete once it has stopped
    assert f"Client xcelsior-desktop-{installation_id(demo=True)} closed its connection." in \
        broker.log_path.read_text()


@pytest.mark.parametrize("demo", [{"units": "kW", "cost": {"tariff": "xcel-co-tou", "cycle_start_day": 5}}],
                         indirect=True)
def test_the_demo_keeps_the_users_tariff_and_publishes_todays_cost_once_the_history_has_it(
        broker: Mosquitto, listener: Listener, demo: subprocess.Popen[str], demo_settings: Path) -> None:
    base = meter_base(listener)
    cost = json.loads(listener.wait_for(f"{base}/cost_today", timeout=WAIT_S))  # not 5 minutes later
    assert cost["currency"] == "USD" and isinstance(cost["amount"], int | float)
    saved = json.loads(demo_settings.read_text(encoding="utf-8"))
    assert saved["cost"] == {"tariff": "xcel-co-tou", "cycle_start_day": 5} and saved["units"] == "kW"
