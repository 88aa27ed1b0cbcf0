"""A saved profile whose hrefs fail is dropped and the meter walked again once, never in a loop,
over mutual TLS against the simulator."""

from __future__ import annotations

import pytest

from tests.simulators import running_simulator
from xcelsior_desktop.meter import ProtocolError
from xcelsior_desktop.meter.channels import Channel
from xcelsior_desktop.meter.client import MeterClient
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.meter.profile import MeterProfile
from xcelsior_desktop.simulator import MeterSimulator

T0 = 1791261644.0


@pytest.fixture
def sim(start_simulator, identity: Identity) -> MeterSimulator:
    return start_simulator(identity, clock=lambda: T0, idle_timeout=5.0)


def client_for(sim: MeterSimulator, identity: Identity, profile: MeterProfile | None = None) -> MeterClient:
    return MeterClient(sim.host, sim.port, identity=identity, connect_timeout=2, handshake_timeout=3, read_timeout=3,
                       profile=profile)


def saved_profile(sim: MeterSimulator, identity: Identity) -> MeterProfile:
    with client_for(sim, identity) as client:
        profile = client.ensure_profile()
    return MeterProfile.from_json(profile.to_json())  # as the app saves and loads it


def walks(sim: MeterSimulator) -> int:
    return sum(1 for target, _ in sim.log.requests if target == "/dcap")


def test_a_saved_profile_with_vanished_hrefs_is_relearned_once(sim: MeterSimulator, identity: Identity) -> None:
    profile = saved_profile(sim, identity)
    demand = profile.channels[Channel.DEMAND]
    demand.reading_href = "/upt/1/mr/77/r"  # the layout moved: 404
    before = walks(sim)
    with client_for(sim, identity, profile) as client:
        assert client.read_demand().unit == "W"
        assert client.profile_relearned == 1 and "404" in (client.profile_drop_reason or "")
        fresh = client.cached_profile
        assert fresh is not None and fresh is not profile
        assert fresh.channels[Channel.DEMAND].reading_href == "/upt/1/mr/1/r"
        client.read_demand()
        client.read_registers()
    assert walks(sim) == before + 1 and client.profile_relearned == 1


@pytest.mark.parametrize("garbage", ["/sdev/ns", "/dcap", "/upt/1/mr/1"])
def test_a_saved_profile_pointing_at_garbage_is_relearned_once(sim: MeterSimulator, identity: Identity,
                                                                garbage: str) -> None:
    profile = saved_profile(sim, identity)
    profile.channels[Channel.DEMAND].reading_href = garbage  # 405, or another resource than a Reading
    with client_for(sim, identity, profile) as client:
        assert client.read_demand().unit == "W"
        assert client.profile_relearned == 1


def test_a_profile_from_another_firmware_is_relearned_without_the_missing_readings(identity: Identity) -> None:
    with running_simulator(identity, clock=lambda: T0) as newer:
        profile = saved_profile(newer, identity)
    assert Channel.TOU_DELIVERED_WH in profile.channels
    with running_simulator(identity, clock=lambda: T0, firmware="3.2.39") as older, \
            client_for(older, identity, profile) as client:
        registers = client.read_registers(include_tou=True)
        assert registers.delivered_wh is not None and registers.tou_delivered == {}
        assert client.profile_relearned == 1
        assert client.cached_profile is not None
        assert Channel.TOU_DELIVERED_WH not in client.cached_profile.channels
        assert client.device_info().sw_version == "3.2.39"
        client.read_registers(include_tou=True)
        assert client.profile_relearned == 1


def test_a_failing_reading_never_makes_the_client_walk_in_a_loop(sim: MeterSimulator, identity: Identity) -> None:
    profile = saved_profile(sim, identity)
    sim.set_fault("malformed_xml", path="/upt/1/mr/1/r")  # the meter garbles demand; the profile is fine
    before = walks(sim)
    with client_for(sim, identity, profile) as client:
        for _ in range(5):
            with pytest.raises(ProtocolError):
                client.read_demand()
        assert client.profile_relearned == 1  # the unproven saved profile was blamed once, then not again
        assert walks(sim) == before + 1
        assert client.read_registers().delivered_wh is not None  # everything else still reads
        sim.clear_faults()
        assert client.read_demand().unit == "W"
    assert walks(sim) == before + 1


def test_a_walked_profile_is_not_walked_again_for_a_missing_reading(sim: MeterSimulator, identity: Identity) -> None:
    with client_for(sim, identity) as client:
        client.read_demand()
        assert walks(sim) == 1
        info = client.cached_profile.channels[Channel.DEMAND]  # type: ignore[union-attr]
        info.reading_href = "/upt/1/mr/77/r"
        for _ in range(3):
            with pytest.raises(ProtocolError, match="404"):
                client.read_demand()
        assert walks(sim) == 1 and client.profile_relearned == 0
