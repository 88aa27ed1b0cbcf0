"""Recovery against the simulator over mutual TLS, one test per finding: the real
client and the Poller's quick recovery, the policy's clock moved by the test (see recovery_support)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.recovery_support import PollLoop
from tests.simulators import running_simulator
from tests.waiting import wait_until
from xcelsior_desktop.meter.client import MeterClient
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.session.poller import PROBE_EVERY_S, QUICK_RETRY_S, State, Task
from xcelsior_desktop.session.target import MeterTarget
from xcelsior_desktop.simulator import MeterSimulator

T0 = 1791261644.0
BACK_WITHIN_S = 15.0  # watts within 15 s of the meter answering normally again


@pytest.fixture
def sim(start_simulator, identity: Identity) -> MeterSimulator:
    return start_simulator(identity, clock=lambda: T0, idle_timeout=30.0,
                        busy_hold=0.3)


@pytest.fixture
def loop(sim: MeterSimulator, identity: Identity) -> Iterator[PollLoop]:
    client = MeterClient(sim.host, sim.port, identity=identity, connect_timeout=1.0, handshake_timeout=0.5,
                         read_timeout=0.5)
    with client:
        yield PollLoop(client, MeterTarget(identity=identity, host=sim.host, port=sim.port, automatic=False))


def back_within(loop: PollLoop, back: float, limit: float) -> None:
    seconds = loop.seconds_to_watts(back)
    assert seconds is not None and seconds <= limit, f"watts {seconds} s after the meter came back"


def connected(loop: PollLoop) -> None:
    loop.run_for(12)
    assert loop.poller.state is State.CONNECTED and loop.watts_at


@pytest.mark.parametrize(("fault", "path"), [("malformed_xml", "/upt/1/mr/1/r"), ("empty_body", "/upt/1/mr/1/r"),
                                             ("malformed_xml", "/upt")])
def test_no_reading_from_first_contact_is_never_connected(sim: MeterSimulator, loop: PollLoop, fault: str,
                                                          path: str) -> None:
    sim.set_fault(fault, path=path)
    loop.run_for(120)
    assert Task.DEVICE_INFO in loop.done  # the meter answers, device information comes in
    assert State.CONNECTED not in loop.states and not loop.watts_at
    assert loop.poller.state is State.STALE  # "No fresh readings", and why
    assert "could not be understood" in loop.details[-1]
    sim.set_fault(fault, False)
    back = loop.clock.mono
    loop.run_for(30)
    assert loop.poller.state is State.CONNECTED
    back_within(loop, back, QUICK_RETRY_S + 0.1)
    assert loop.most_contacts_in_a_minute(0) <= 6


@pytest.mark.parametrize("minutes", [2, 30])
def test_closed_port_probes_without_handshakes_and_watts_come_back_quickly(sim: MeterSimulator, loop: PollLoop,
                                                                           minutes: int) -> None:
    connected(loop)
    sim.set_fault("outage", seconds=0)
    gone = loop.clock.mono
    loop.run_for(minutes * 60)
    assert loop.poller.state is State.UNREACHABLE
    during = [kind for t, kind in loop.contacts if t > gone]
    assert during.count("tcp") == 1 and during[0] == "tcp"  # the attempt that met the closed port; then probes only
    assert loop.most_contacts_in_a_minute(gone) <= 6
    status = loop.poller.status()
    assert status.next_retry is not None and 0 < status.next_retry - loop.clock.wall <= PROBE_EVERY_S * 1.05
    sim.set_fault("outage", False)
    back = loop.clock.mono
    loop.run_for(60)
    assert loop.poller.state is State.CONNECTED
    back_within(loop, back, BACK_WITHIN_S)
    assert sim.log.max_concurrent == 1


def test_hung_handshake_is_retried_on_a_fixed_cadence_and_recovers(sim: MeterSimulator, loop: PollLoop) -> None:
    connected(loop)
    loop.client.disconnect()
    sim.set_fault("blackhole")
    gone = loop.clock.mono
    loop.run_for(120)
    assert loop.poller.state is State.UNREACHABLE
    assert {kind for t, kind in loop.contacts if t > gone} == {"tcp"}  # TCP answers: probes would tell nothing
    assert loop.most_contacts_in_a_minute(gone) <= 6
    sim.set_fault("blackhole", False)
    wait_until(lambda: sim.log.open_connections == 0, what="the held connections to end")
    back = loop.clock.mono
    loop.run_for(60)
    assert loop.poller.state is State.CONNECTED
    back_within(loop, back, BACK_WITHIN_S)


def test_read_stall_while_connected_retries_on_a_short_fixed_cadence(sim: MeterSimulator, loop: PollLoop) -> None:
    connected(loop)
    sim.set_fault("read_stall", seconds=0.6)
    stalled = loop.clock.mono
    loop.run_for(150)
    assert State.UNREACHABLE not in loop.states  # the meter is there; its agent stalls
    assert loop.poller.state is State.STALE
    assert loop.most_contacts_in_a_minute(stalled) <= 6
    sim.set_fault("read_stall", False)
    wait_until(lambda: sim.log.open_connections == 0, timeout=5, what="the stalled connection to end")
    back = loop.clock.mono
    loop.run_for(60)
    assert loop.poller.state is State.CONNECTED
    back_within(loop, back, BACK_WITHIN_S)


def test_malformed_xml_while_connected_recovers_on_the_next_try(sim: MeterSimulator, loop: PollLoop) -> None:
    connected(loop)
    sim.set_fault("malformed_xml")
    loop.run_for(150)
    assert loop.poller.state is State.STALE
    sim.set_fault("malformed_xml", False)
    back = loop.clock.mono
    loop.run_for(60)
    assert loop.poller.state is State.CONNECTED
    back_within(loop, back, QUICK_RETRY_S + 0.1)


def test_busy_meter_is_tried_on_a_fixed_cadence(sim: MeterSimulator, loop: PollLoop) -> None:
    connected(loop)
    loop.client.disconnect()
    sim.set_fault("busy")
    gone = loop.clock.mono
    loop.run_for(120)
    assert loop.poller.state is State.BUSY
    assert loop.most_contacts_in_a_minute(gone) <= 6
    sim.set_fault("busy", False)
    back = loop.clock.mono
    loop.run_for(60)
    assert loop.poller.state is State.CONNECTED
    back_within(loop, back, BACK_WITHIN_S)


def test_flaky_reads_keep_data_flowing(identity: Identity) -> None:
    with running_simulator(identity, clock=lambda: T0, seed=4, busy_hold=2.0) as sim, \
            MeterClient(sim.host, sim.port, identity=identity, connect_timeout=1.0, handshake_timeout=1.0,
                        read_timeout=0.3) as client:
        loop = PollLoop(client, MeterTarget(identity=identity, host=sim.host, port=sim.port, automatic=False))
        connected(loop)
        sim.set_fault("flaky_reads", chance=0.1, seconds=0.5)
        start = loop.clock.mono
        loop.run_for(150)
        assert any("flaky read" in event for event in sim.log.events)
        assert State.UNREACHABLE not in loop.states and State.BUSY not in loop.states
        assert len([t for t in loop.watts_at if t > start]) >= 150 / 5 * 0.6


def test_retry_now_reaches_a_meter_that_came_back(sim: MeterSimulator, loop: PollLoop) -> None:
    connected(loop)
    sim.set_fault("outage", seconds=0)
    loop.run_for(60)
    sim.set_fault("outage", False)
    loop.poller.retry_now()
    back = loop.clock.mono
    loop.run_due()
    assert loop.poller.state is State.CONNECTED and loop.seconds_to_watts(back) == 0


def test_answers_broken_off_pause_the_reads_instead_of_reconnecting(sim: MeterSimulator, loop: PollLoop) -> None:
    connected(loop)
    sim.set_fault("reset_mid_response")
    broken = loop.clock.mono
    loop.run_for(150)
    assert State.UNREACHABLE not in loop.states and loop.poller.state is State.STALE
    assert loop.most_contacts_in_a_minute(broken) <= 6  # one new connection per try, not a storm of retries
    sim.set_fault("reset_mid_response", False)
    back = loop.clock.mono
    loop.run_for(60)
    assert loop.poller.state is State.CONNECTED
    back_within(loop, back, BACK_WITHIN_S)


def test_certificate_accepted_again_brings_watts_back_quickly(sim: MeterSimulator, loop: PollLoop,
                                                             identity: Identity) -> None:
    connected(loop)
    sim.unregister(identity.cert_pem)
    loop.client.disconnect()  # the next request handshakes again, and is refused
    gone = loop.clock.mono
    loop.run_for(180)
    assert loop.poller.state is State.CERT_REFUSED and loop.poller.status().offers_retry_now
    assert loop.most_contacts_in_a_minute(gone) <= 6
    sim.register(identity.cert_pem)
    back = loop.clock.mono
    loop.run_for(60)
    assert loop.poller.state is State.CONNECTED
    back_within(loop, back, BACK_WITHIN_S)
