"""The feed and the history against a real Home Assistant core (2025.4.4, tests/integration/ha_core.py), through
a real Mosquitto, from the simulator over mutual TLS: what Home Assistant makes of the feed (entities, classes,
units, state classes, one device), the hand-over from the per-entity configs of version 0.1 keeping entity ids,
unavailable while the meter has an outage and back after, and the history's hours in its long-term statistics,
joined to its own with no step and no double count, checked in its recorder database and through its websocket API.

One Home Assistant runs for the module. It and the simulator share a clock three days behind the real one (Home
Assistant's through libfaketime), so the store's 30 days of backfill and Home Assistant's hours are the same hours;
moving that clock past an hour's end and restarting Home Assistant makes it compile that hour's statistics (it
compiles the periods it missed at start), where a test could not wait for the hour to end.

Set ``XCELSIOR_DOCS_STATISTICS=FILE`` to write the recorder query docs/mqtt.md shows (a month of daily energy).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.integration.fault_matrix_support import SessionLoop
from tests.integration.ha_core import HaCoreUnavailable, HomeAssistantCore, ensure_venv, libfaketime
from tests.integration.mqtt_support import Listener, Mosquitto, free_port
from tests.tools import IN_CI, require_tool
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.home_assistant import BrokerTarget, MqttPublisher, PublisherOptions
from xcelsior_desktop.home_assistant.feed_extras import feed_extras_job
from xcelsior_desktop.home_assistant.hourly_energy import hourly_energy
from xcelsior_desktop.home_assistant.session_feed import SessionFeed
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.session.commands import UseHistory
from xcelsior_desktop.session.connection import SessionOptions
from xcelsior_desktop.session.events import Event, RegistersRead
from xcelsior_desktop.session.history_recorder import BACKFILL_JOB, HistoryRecorder
from xcelsior_desktop.session.session import MeterSession
from xcelsior_desktop.session.target import MeterTarget
from xcelsior_desktop.simulator import MeterSimulator

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
INSTALLATION = "00112233445566ff"
OPTIONS = SessionOptions(interval_s=2.0, register_interval_s=4.0, connect_timeout=2.0, handshake_timeout=3.0,
                         read_timeout=3.0)
HOUR = dt.timedelta(hours=1)


class WorldClock:
    """The simulator's and Home Assistant's clock: real time plus an offset the test moves forward."""

    def __init__(self, start: dt.datetime) -> None:
        self.offset = start.timestamp() - time.time()

    def __call__(self) -> float:
        return time.time() + self.offset

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self(), dt.UTC)

    def move_to(self, when: dt.datetime) -> None:
        assert when > self.now(), "the world's clock only moves forward"
        self.offset += (when - self.now()).total_seconds()


class Feed:
    """The app's feed without Qt: the meter session on its thread, the history recorder, the publisher, and one
    read of the extras, as the MQTT plug-in wires them."""

    def __init__(self, world: World, sim: MeterSimulator | None = None) -> None:
        sim = sim or world.sim
        target = MeterTarget(identity=world.identity, host=sim.host, port=sim.port, automatic=False)
        self.session = MeterSession(target, OPTIONS)
        self.publisher = MqttPublisher(BrokerTarget("127.0.0.1", world.broker.port, tls=False),
                                       PublisherOptions(installation_id=INSTALLATION, poll_interval_s=2.0,
                                                        backoff_min_s=0.1, backoff_max_s=1.0)).start()
        self.recorder = HistoryRecorder(world.store, self.session.post, tz=dt.UTC)
        self.events: list[Event] = []
        SessionFeed(self.publisher).listen(self.session.events)
        self.session.events.on_any(self._on_event)
        self.session.post(UseHistory(self.recorder))
        self._extras_asked = False
        self.loop = SessionLoop(self.session)
        self.loop.start()

    def _on_event(self, event: Event) -> None:
        self.events.append(event)
        if isinstance(event, RegistersRead) and not self._extras_asked:
            self._extras_asked = True
            self.session.post(feed_extras_job(self.publisher.on_extras))

    def backfilled(self) -> bool:
        return any(name == BACKFILL_JOB for name, _summary in self.recorder.summaries)

    def stop(self) -> None:
        self.loop.stop()
        self.publisher.stop()


@dataclass
class World:
    identity: Identity
    clock: WorldClock
    sim: MeterSimulator
    broker: Mosquitto
    store: HistoryStore
    ha: HomeAssistantCore
    feed: Feed | None = None

    def start_feed(self) -> Feed:
        self.feed = Feed(self)
        return self.feed

    def stop_feed(self) -> None:
        if self.feed is not None:
            self.feed.stop()
            self.feed = None


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.25)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, identity: Identity) -> Iterator[World]:
    require_tool("mosquitto", "faketime")
    try:
        venv = ensure_venv(log=lambda line: print(f"ha_core: {line}", file=sys.stderr))
        libfaketime()
    except HaCoreUnavailable as exc:
        if IN_CI:
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    base = tmp_path_factory.mktemp("ha-world")
    start = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).replace(minute=50, second=0, microsecond=0)
    clock = WorldClock(start)
    sim = MeterSimulator(host="127.0.0.1", port=0, allowed_certs=[identity.cert_pem], seed=3, clock=clock,
                         idle_timeout=10.0).start()
    broker = Mosquitto(base / "broker").start()
    store = HistoryStore(base / "history.sqlite3")
    ha = HomeAssistantCore(venv, base / "ha", free_port())
    world = World(identity, clock, sim, broker, store, ha)
    try:
        ha.start(clock.now())
        ha.onboard()
        ha.add_mqtt(broker.port)
        yield world
    finally:
        world.stop_feed()
        ha.stop()
        broker.stop()
        sim.stop()
        store.close()


def registry(world: World) -> dict[str, dict[str, Any]]:
    """unique_id -> entity registry entry, for the feed's entities."""
    with world.ha.websocket() as ws:
        entries = ws.call("config/entity_registry/list")
    return {e["unique_id"]: e for e in entries if str(e.get("unique_id", "")).startswith("xcelsior_")}


def states(world: World) -> dict[str, dict[str, Any]]:
    with world.ha.websocket() as ws:
        return {s["entity_id"]: s for s in ws.call("get_states")}


def our_warnings(world: World) -> list[str]:
    """Home Assistant's warnings and errors about the feed: its topics, its device, its entities (a log entry's
    first line names them; the lines after it are a traceback, whose paths may name the test's folders)."""
    return [entry for entry in world.ha.log_lines("WARNING", "ERROR")
            if re.search(r"xcelsior[_/]|xcel_energy_meter", entry.splitlines()[0], re.IGNORECASE)]


def legacy_configs(sfdi: int, lfdi: str) -> dict[str, str]:
    """The per-entity discovery configs version 0.1 retained on users' brokers."""
    base = f"xcelsior/{sfdi}"
    device = {"identifiers": [lfdi], "name": f"Xcel Energy meter {sfdi}", "manufacturer": "Itron"}
    energy = {"device_class": "energy", "state_class": "total_increasing", "unit_of_measurement": "kWh",
              "suggested_display_precision": 3}
    sensors = {"power": ("Power", {"device_class": "power", "state_class": "measurement", "unit_of_measurement": "W",
                                   "suggested_display_precision": 0}),
               "energy_imported": ("Energy imported", energy), "energy_exported": ("Energy exported", energy),
               "meter_state": ("Meter connection", {"device_class": "enum", "entity_category": "diagnostic",
                                                    "options": ["connected", "unreachable"]})}
    out = {}
    for object_id, (name, options) in sensors.items():
        out[f"homeassistant/sensor/xcelsior_{sfdi}/{object_id}/config"] = json.dumps({
            "name": name, "unique_id": f"xcelsior_{sfdi}_{object_id}", "state_topic": f"{base}/{object_id}",
            "availability_topic": f"{base}/availability", "payload_available": "online",
            "payload_not_available": "offline", **options, "device": device,
            "origin": {"name": "Xcelsior Desktop", "sw_version": "0.1.0"}})
    return out


def test_the_feed_in_home_assistant_after_the_hand_over_from_per_entity_configs(world: World) -> None:
    sim = world.sim
    old = Listener(world.broker.port, "nothing/#")
    for topic, payload in legacy_configs(sim.sfdi, sim.lfdi).items():
        old.client.publish(topic, payload, qos=1, retain=True).wait_for_publish(5)
    for topic, payload in (("availability", "online"), ("power", "512"), ("meter_state", "connected")):
        old.client.publish(f"xcelsior/{sim.sfdi}/{topic}", payload, qos=1, retain=True).wait_for_publish(5)
    old.close()
    before = wait_for(lambda: (found := registry(world)) and len(found) == 4 and found, "version 0.1's entities")
    wait_for(lambda: states(world).get(before[f"xcelsior_{sim.sfdi}_power"]["entity_id"], {}).get("state") == "512",
             "version 0.1's power state")

    feed = world.start_feed()
    wait_for(feed.backfilled, "the backfill of the meter's 30 days", timeout=120)
    unique = f"xcelsior_{sim.sfdi}"
    after = wait_for(lambda: (found := registry(world)) and {f"{unique}_connectivity", f"{unique}_power_factor"}
                     <= set(found) and found, "the device message's entities")
    for key, entry in before.items():  # the same registry entries: entity ids, and so their statistics, kept
        assert (after[key]["entity_id"], after[key]["id"]) == (entry["entity_id"], entry["id"])

    def current() -> dict[str, dict[str, Any]]:
        now = states(world)
        return {key: now[entry["entity_id"]] for key, entry in registry(world).items() if entry["entity_id"] in now}

    shown = wait_for(lambda: (s := current()) and all(v["state"] not in ("unavailable", "unknown") for k, v in s.items()
                                                      if not k.endswith("max_demand_exported")) and s,
                     "every sensor with a state")
    expected = {"power": ("power", "W", "measurement"), "energy_imported": ("energy", "kWh", "total_increasing"),
                "energy_exported": ("energy", "kWh", "total_increasing"),
                "power_factor": ("power_factor", None, "measurement"),
                "max_demand_imported": ("power", "W", "measurement"),
                "apparent_energy_imported": (None, "kVAh", "total_increasing"),
                "reactive_energy_exported": (None, "kvarh", "total_increasing"),
                "last_reading": ("timestamp", None, None), "connectivity": ("connectivity", None, None),
                "meter_state": ("enum", None, None)}
    for key, (device_class, unit, state_class) in expected.items():
        attributes = shown[f"{unique}_{key}"]["attributes"]
        assert (attributes.get("device_class"), attributes.get("unit_of_measurement"),
                attributes.get("state_class")) == (device_class, unit, state_class), key
    assert shown[f"{unique}_connectivity"]["state"] == "on"
    assert float(shown[f"{unique}_energy_imported"]["state"]) > 0
    assert dt.datetime.fromisoformat(shown[f"{unique}_last_reading"]["state"]) > world.clock.now() - HOUR
    assert f"{unique}_max_demand_exported" not in shown  # the simulated meter lists it empty, as real ones do
    with world.ha.websocket() as ws:
        devices = [d for d in ws.call("config/device_registry/list") if ["mqtt", sim.lfdi] in d["identifiers"]]
        listed = {s["statistic_id"]: s for s in ws.call("recorder/list_statistic_ids")}
    assert len(devices) == 1 and devices[0]["manufacturer"] == "Itron"
    energy_id = after[f"{unique}_energy_imported"]["entity_id"]
    assert (listed[energy_id]["has_sum"], listed[energy_id]["statistics_unit_of_measurement"]) == (True, "kWh")
    assert listed[after[f"{unique}_power"]["entity_id"]]["has_mean"]
    late = Listener(world.broker.port, "homeassistant/#")
    try:
        late.wait_for(f"homeassistant/device/xcelsior_{sim.sfdi}/config")
        assert not [t for t, _p, _r in late.messages if t.startswith("homeassistant/sensor/")]
    finally:
        late.close()
    assert our_warnings(world) == []


def test_unavailable_while_the_meter_has_an_outage_and_back_after(world: World) -> None:
    sim = world.sim
    feed = world.feed or world.start_feed()
    entries = registry(world)
    power = entries[f"xcelsior_{sim.sfdi}_power"]["entity_id"]
    energy = entries[f"xcelsior_{sim.sfdi}_energy_imported"]["entity_id"]
    connectivity = entries[f"xcelsior_{sim.sfdi}_connectivity"]["entity_id"]
    meter_state = entries[f"xcelsior_{sim.sfdi}_meter_state"]["entity_id"]
    wait_for(lambda: states(world).get(power, {}).get("state") not in (None, "unavailable", "unknown"),
             "a power reading")
    sim.set_fault("outage", seconds=0)
    try:
        wait_for(lambda: states(world)[power]["state"] == "unavailable", "power unavailable in the outage", 60)
        now = states(world)
        assert now[energy]["state"] == "unavailable" and now[connectivity]["state"] == "off"
        assert now[meter_state]["state"] not in ("unavailable", "connected")  # it says why
    finally:
        sim.set_fault("outage", False)
    wait_for(lambda: states(world)[power]["state"] not in ("unavailable", "unknown"), "power back", 90)
    assert states(world)[connectivity]["state"] == "on"
    assert feed.session.status() is not None
    assert our_warnings(world) == []


def recorder_rows(world: World, statistic_id: str, table: str = "statistics") -> list[tuple[dt.datetime, float, float]]:
    """(start, sum, state) of a statistic straight from Home Assistant's recorder database."""
    with sqlite3.connect(f"file:{world.ha.db_path}?mode=ro", uri=True) as db:
        rows = db.execute(f"SELECT s.start_ts, s.sum, s.state FROM {table} s JOIN statistics_meta m "  # noqa: S608
                          "ON s.metadata_id = m.id WHERE m.statistic_id = ? ORDER BY s.start_ts",
                          (statistic_id,)).fetchall()
    return [(dt.datetime.fromtimestamp(start, dt.UTC), total, state) for start, total, state in rows]


def changes(rows: list[tuple[dt.datetime, float, float]]) -> dict[dt.datetime, float]:
    """What the Energy dashboard shows per hour: each row's sum minus the previous row's (a first row: its sum)."""
    out, previous = {}, 0.0
    for start, total, _state in rows:
        out[start] = total - previous
        previous = total
    return out


def send(world: World, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HA_TOKEN": token if token is not None else world.ha.token}
    return subprocess.run([sys.executable, "-m", "xcelsior_desktop", "history", "to-home-assistant", *args],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def test_history_goes_into_the_statistics_and_joins_the_live_ones(world: World) -> None:
    """Home Assistant's own hours (two runs of the feed, an hour apart, with an hour between them it has no row
    for), then the history sent by the command line: every hour it lacked now holds the store's energy, and every
    hour it had shows what it showed before, except the hour after the hole, which loses only the hole's energy."""
    sim, ha = world.sim, world.ha
    world.stop_feed()
    ha.stop()
    world.clock.move_to((world.clock.now() + 2 * HOUR).replace(minute=5, second=0, microsecond=0))
    ha.start(world.clock.now())  # compiles the hour of the first run
    feed = world.start_feed()
    wait_for(feed.backfilled, "the backfill after the gap", timeout=120)
    entries = registry(world)
    ids = {d: entries[f"xcelsior_{sim.sfdi}_energy_{d}"]["entity_id"] for d in ("imported", "exported")}
    wait_for(lambda: states(world).get(ids["imported"], {}).get("state") not in (None, "unavailable", "unknown"),
             "a live state")
    time.sleep(6)  # a second register reading in this hour, so it grows here too
    world.stop_feed()
    ha.stop()
    world.clock.move_to((world.clock.now() + HOUR).replace(minute=5, second=0, microsecond=0))
    ha.start(world.clock.now())  # compiles the hour of the second run

    def with_a_hole(statistic_id: str) -> bool:
        starts = [row[0] for row in recorder_rows(world, statistic_id)]
        return any(b - a > HOUR for a, b in zip(starts, starts[1:], strict=False))

    for statistic_id in ids.values():  # its recorder compiles the missed periods just after it starts
        wait_for(lambda statistic_id=statistic_id: with_a_hole(statistic_id),
                 f"Home Assistant's own hours, with a hole between them, for {statistic_id}")
    hours = hourly_energy(world.store)
    before = {d: recorder_rows(world, ids[d]) for d in ids}
    short_before = {d: recorder_rows(world, ids[d], "statistics_short_term")[-1] for d in ids}

    result = send(world, "--url", ha.url, "--token-env", "HA_TOKEN", "--db", str(world.store.path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout
    for line, d in zip(lines, ("imported", "exported"), strict=True):
        match = re.fullmatch(r"sent (\d+) hours \((\S+)Z \.\. (\S+)Z\) to (\S+)", line)
        assert match is not None, line
        assert match.group(4) == ids[d]

    for d, statistic_id in ids.items():
        kwh = {hour: wh / 1000 for hour, wh in hours.wh[d].items()}
        old = changes(before[d])
        now_rows = recorder_rows(world, statistic_id)
        now = changes(now_rows)
        own = [row[0] for row in before[d]]
        added = sorted(set(now) - set(own))
        assert added and all(h in kwh for h in added)
        assert all(h in added for h in kwh if h < own[0])  # every hour of the history before Home Assistant's
        for hour in added:
            assert now[hour] == pytest.approx(kwh[hour], abs=1e-6), hour  # the store's hourly totals
        hole_energy = {b: sum(kwh.get(h, 0.0) for h in added if a < h < b) for a, b in zip(own, own[1:], strict=False)}
        for index, hour in enumerate(own):  # Home Assistant's own hours: as they were, less what the hole took
            taken = hole_energy.get(hour, 0.0) if index else 0.0
            assert now[hour] == pytest.approx(old[hour] - taken, abs=1e-6), hour
            assert now[hour] >= -1e-6
        first = now_rows[0]
        assert first[1] == pytest.approx(kwh[first[0]], abs=1e-6)  # the sums start at the history's first hour
        # the 5-minute rows the live statistics continue from were raised as much: no step at the next hour
        shift = now_rows[[r[0] for r in now_rows].index(own[0])][1] - before[d][0][1]
        short_now = recorder_rows(world, statistic_id, "statistics_short_term")[-1]
        assert short_now[1] == pytest.approx(short_before[d][1] + shift, abs=1e-6)
        # the registers at each hour's end move with the sums
        states_now = [row[2] for row in now_rows if row[0] in added and row[0] < own[0]]
        assert states_now == sorted(states_now) and states_now[-1] <= before[d][0][2] + 1e-6

    # the Energy dashboard reads the same through the websocket API
    with ha.websocket() as ws:
        answer = ws.call("recorder/statistics_during_period", start_time=recorder_rows(world, ids["imported"])[0][0]
                         .isoformat(), statistic_ids=[ids["imported"]], period="hour", types=["change"],
                         units={"energy": "kWh"})
    dashboard = {dt.datetime.fromtimestamp(r["start"] / 1000, dt.UTC): r["change"] for r in answer[ids["imported"]]}
    assert dashboard == pytest.approx(changes(recorder_rows(world, ids["imported"])), abs=1e-6)

    again = send(world, "--url", ha.url, "--token-env", "HA_TOKEN", "--db", str(world.store.path))
    assert again.returncode == 0 and again.stdout.splitlines() == [f"sent 0 hours to {ids[d]}" for d in ids]
    assert our_warnings(world) == []
    if os.environ.get("XCELSIOR_DOCS_STATISTICS"):
        write_docs_query(world, ids["imported"], Path(os.environ["XCELSIOR_DOCS_STATISTICS"]), before["imported"])


def test_the_command_line_refuses_in_words(world: World) -> None:
    ha, db = world.ha, str(world.store.path)
    refused = send(world, "--url", ha.url, "--token-env", "HA_TOKEN", "--db", db, token="not-a-token")
    assert refused.returncode == 3
    assert "refused the access token. Create a long-lived access token" in refused.stderr
    mqtt = send(world, "--url", f"http://127.0.0.1:{world.broker.port}", "--token-env", "HA_TOKEN", "--db", db)
    assert mqtt.returncode == 7 and "is not Home Assistant" in mqtt.stderr  # a broker's port: not even HTTP
    nothing = send(world, "--url", f"http://127.0.0.1:{free_port()}", "--token-env", "HA_TOKEN", "--db", db)
    assert nothing.returncode == 4 and "Nothing answers at" in nothing.stderr
    unset = send(world, "--url", ha.url, "--token-env", "NO_SUCH_VARIABLE_HERE", "--db", db)
    assert unset.returncode == 2 and "holds no access token" in unset.stderr
    for result in (refused, mqtt, nothing, unset):
        assert result.stdout == "" and len(result.stderr.splitlines()) == 1  # one line, nothing half sent


def test_a_new_meter_takes_the_old_ones_place_in_home_assistant(world: World) -> None:
    """Xcel replaced the meter: this installation publishes the new one, and the old one's device goes from Home
    Assistant (its discovery message cleared, since no other computer claims it)."""
    old = world.sim
    world.stop_feed()

    def devices() -> list[list[list[str]]]:
        with world.ha.websocket() as ws:
            return [d["identifiers"] for d in ws.call("config/device_registry/list")]

    assert ["mqtt", old.lfdi] in [i for ids in devices() for i in ids]
    with MeterSimulator(host="127.0.0.1", port=0, allowed_certs=[world.identity.cert_pem], seed=4,
                        clock=world.clock, idle_timeout=10.0) as new:
        feed = Feed(world, new)
        try:
            wait_for(lambda: ["mqtt", new.lfdi] in [i for ids in devices() for i in ids], "the new meter's device")
            wait_for(lambda: ["mqtt", old.lfdi] not in [i for ids in devices() for i in ids],
                     "the old meter's device to go")
            assert not [key for key in registry(world) if key.startswith(f"xcelsior_{old.sfdi}_")]
        finally:
            feed.stop()
    assert our_warnings(world) == []


def write_docs_query(world: World, statistic_id: str, path: Path,
                     own: list[tuple[dt.datetime, float, float]]) -> None:
    """The recorder queries of docs/mqtt.md and their output: a month of daily energy from the statistics, and the
    hours around the seam (``own``: Home Assistant's rows before the history was sent)."""
    query = ("SELECT date(start_ts, 'unixepoch') AS day, count(*) AS hours, round(sum(change), 3) AS kwh\n"
             "FROM (SELECT s.start_ts, s.sum - coalesce(lag(s.sum) OVER (ORDER BY s.start_ts), 0) AS change\n"
             "      FROM statistics s JOIN statistics_meta m ON s.metadata_id = m.id\n"
             f"      WHERE m.statistic_id = '{statistic_id}')\n"
             "GROUP BY day ORDER BY day;")
    with sqlite3.connect(f"file:{world.ha.db_path}?mode=ro", uri=True) as db:
        rows = db.execute(query).fetchall()
    lines = [query, "", "day         hours  kWh"] + [f"{day}  {count:>5}  {kwh:8.3f}" for day, count, kwh in rows]
    seam = own[0][0]
    after = recorder_rows(world, statistic_id)
    shown = changes(after)
    lines += ["", f"hours around the seam (Home Assistant's own rows from {seam:%H:%M}, its sums before and after):",
              "hour (UTC)          sum before  sum after   change   state"]
    own_sums = {start: total for start, total, _state in own}
    for start, total, state in after:
        if seam - 3 * HOUR <= start <= own[-1][0]:
            old = f"{own_sums[start]:10.3f}" if start in own_sums else "         -"
            lines.append(f"{start:%Y-%m-%d %H:%M}   {old}  {total:10.3f}  {shown[start]:7.3f}  {state:10.3f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
