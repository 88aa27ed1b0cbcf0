"""The simulator's `latency` fault: every response waits the given seconds; switched off, answers come at once."""

from __future__ import annotations

import time

import pytest

from tests.integration.simulator_support import connect, get
from tests.simulators import running_simulator


def test_latency_delays_every_response(identity):
    with running_simulator(identity, clock=lambda: 1791261391.0) as sim:
        sim.set_fault("latency", seconds=0.3)
        with connect(sim.port, identity) as conn:
            for path in ("/dcap", "/upt/1/mr/12/rs?s=0&l=100", "/no/such/thing"):
                started = time.monotonic()
                status, _, _ = get(conn, path)
                assert time.monotonic() - started >= 0.3
                assert status in (200, 404)
            sim.set_fault("latency", False)
            assert get(conn, "/dcap")[0] == 200
        assert "latency" not in sim.faults
    with pytest.raises(ValueError, match="takes"):
        sim.set_fault("latency", every=2)
