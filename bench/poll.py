"""Demand polling against the simulator (loopback only): what keep-alive and TLS session resumption buy.

Prints the median time per demand poll on the kept-alive connection and with a fresh connection (full
handshake) per poll, handshakes per 100 polls, the share of reconnects after the meter's idle close that
resumed the TLS session, and the most connections the simulator ever saw open at once. The last line is:

    keepalive_speedup=<x> resumed_share=<0..1> max_concurrent=<n>

Goals: keepalive_speedup >= 3, resumed_share >= 0.95, max_concurrent = 1.
Usage: python bench/poll.py [--polls 100] [--idle-rounds 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xcelsior_desktop.meter.client import MeterClient  # noqa: E402
from xcelsior_desktop.meter.identity import generate_identity  # noqa: E402
from xcelsior_desktop.simulator import MeterSimulator  # noqa: E402


def timed_poll(client: MeterClient) -> float:
    started = time.perf_counter()
    client.read_demand()
    return time.perf_counter() - started


def wait_for(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polls", type=int, default=100)
    parser.add_argument("--idle-rounds", type=int, default=20)
    parser.add_argument("--idle-timeout", type=float, default=0.2, help="the simulator's idle close (s)")
    args = parser.parse_args()
    polls = max(10, min(args.polls, 1000))
    rounds = max(5, min(args.idle_rounds, 200))
    me = generate_identity()
    max_concurrent = 0

    # 1. kept alive vs a fresh connection (full handshake) per poll
    with MeterSimulator(allowed_certs=[me.cert_pem], idle_timeout=30.0) as sim:
        with MeterClient(sim.host, sim.port, identity=me) as client:
            client.read_demand()  # learn the profile and open the connection
            profile = client.cached_profile
            before = client.stats.handshakes
            kept = [timed_poll(client) for _ in range(polls)]
            handshakes_per_100 = (client.stats.handshakes - before) * 100 / polls
        fresh = []
        fresh_handshakes = 0
        for _ in range(polls):
            with MeterClient(sim.host, sim.port, identity=me, profile=profile) as one_shot:
                fresh.append(timed_poll(one_shot))
                fresh_handshakes += one_shot.stats.handshakes
            wait_for(lambda: sim.log.open_connections == 0, 5.0)  # the meter takes one connection at a time
        max_concurrent = max(max_concurrent, sim.log.max_concurrent)

    # 2. reconnects after the meter's idle close: do they resume the TLS session?
    with MeterSimulator(allowed_certs=[me.cert_pem], idle_timeout=args.idle_timeout) as sim:
        with MeterClient(sim.host, sim.port, identity=me, profile=profile) as client:
            client.read_demand()
            resumed_before = client.stats.resumed_handshakes
            reconnects_before = client.stats.reconnects
            resumed_times = []
            for _ in range(rounds):
                closes = sim.log.idle_closes
                if not wait_for(lambda closes=closes: sim.log.idle_closes > closes, 10 * args.idle_timeout + 2):
                    print("warning: the simulator did not close the idle connection in time", file=sys.stderr)
                wait_for(lambda: sim.log.open_connections == 0, 2.0)
                resumed_times.append(timed_poll(client))
            reconnects = client.stats.reconnects - reconnects_before
            resumed = client.stats.resumed_handshakes - resumed_before
        max_concurrent = max(max_concurrent, sim.log.max_concurrent)

    kept_ms = statistics.median(kept) * 1000
    fresh_ms = statistics.median(fresh) * 1000
    resumed_ms = statistics.median(resumed_times) * 1000
    speedup = fresh_ms / kept_ms if kept_ms > 0 else float("inf")
    share = resumed / reconnects if reconnects else 0.0
    print(f"polls={polls} median kept-alive poll: {kept_ms:.2f} ms")
    print(f"polls={polls} median fresh-connection poll (full handshake): {fresh_ms:.2f} ms")
    print(f"median poll after an idle close (resumed handshake): {resumed_ms:.2f} ms")
    print(f"handshakes per 100 polls: kept-alive {handshakes_per_100:.0f}, fresh {fresh_handshakes * 100 / polls:.0f}")
    print(f"idle closes: {rounds}, reconnects: {reconnects}, resumed: {resumed}")
    print(f"keepalive_speedup={speedup:.2f} resumed_share={share:.2f} max_concurrent={max_concurrent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
