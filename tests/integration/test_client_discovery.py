"""Discovery against the simulator's mDNS responder, on loopback only."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.simulators import running_simulator
from xcelsior_desktop.meter.discovery import discover, sfdi_from_instance
from xcelsior_desktop.simulator import MeterSimulator


@pytest.fixture(scope="module")
def sim() -> Iterator[MeterSimulator]:
    with running_simulator(mdns=True, mdns_interfaces=["127.0.0.1"]) as simulator:  # one responder for the module
        yield simulator


def test_finds_the_meter_by_sfdi(sim: MeterSimulator) -> None:
    found = discover(timeout=15, interfaces=["127.0.0.1"], sfdi=sim.sfdi)
    assert len(found) == 1
    meter = found[0]
    assert (meter.host, meter.port, meter.sfdi, meter.dcap_path) == ("127.0.0.1", sim.port, sim.sfdi, "/dcap")
    assert meter.name.startswith(f"itrondnsserver-{sim.sfdi}.")


def test_zero_padded_sfdi_compares_as_integer(sim: MeterSimulator) -> None:
    found = discover(timeout=15, interfaces=["127.0.0.1"], sfdi=f"000{sim.sfdi}")
    assert [m.sfdi for m in found] == [sim.sfdi]


def test_other_sfdi_is_not_returned(sim: MeterSimulator) -> None:
    assert discover(timeout=1.5, interfaces=["127.0.0.1"], sfdi=sim.sfdi + 10) == []


def test_cli_discover_json(sim: MeterSimulator) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "xcelsior_desktop", "discover", "--timeout", "15", "--interface", "127.0.0.1",
         "--sfdi", str(sim.sfdi), "--json"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert [(m["host"], m["port"], m["sfdi"]) for m in json.loads(done.stdout)] == [("127.0.0.1", sim.port, sim.sfdi)]


def test_instance_name_parsing() -> None:
    assert sfdi_from_instance("itrondnsserver-651057190448._smartenergy._tcp.local.") == 651057190448
    assert sfdi_from_instance("something-else._smartenergy._tcp.local.") is None


def test_discovery_can_be_cancelled_from_another_thread() -> None:
    """An app quitting must not wait out the discovery timeout."""
    import threading

    from xcelsior_desktop.meter.discovery import discover

    cancel = threading.Event()
    results: list[list] = []
    search = threading.Thread(
        target=lambda: results.append(discover(timeout=20.0, interfaces=["127.0.0.1"], sfdi=1, cancel=cancel)),
        daemon=True,
    )
    search.start()
    threading.Timer(0.3, cancel.set).start()  # while the search is under way
    search.join(timeout=10.0)  # an uncancelled search runs its full 20 s: only the cancel can end it this soon
    assert not search.is_alive(), "discovery went on after its cancel was set"
    assert results == [[]]
