"""Benchmark of the MQTT publisher against a local Mosquitto: what a listener call costs the meter session,
and how fast the backlog leaves.

    python bench/mqtt.py               # 20000 readings per measure
    python bench/mqtt.py --count 5000

call_us = the time of one ``on_demand`` call (the session's side: format and enqueue), mean and 99th percentile,
with the broker connected and with the broker down (nothing listening; the queue drops the oldest).
drain_per_s = readings handed to the broker per second from a full backlog (queue as large as the count).
The last line is exactly: call_us_mean=<x> call_us_p99=<y> down_call_us_mean=<z> drain_per_s=<n>
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root, for the shared test helpers
from tests.integration.mqtt_support import Mosquitto, free_port  # noqa: E402
from xcelsior_desktop.home_assistant import BrokerState, BrokerTarget, MqttPublisher, PublisherOptions  # noqa: E402
from xcelsior_desktop.meter.values import DeviceInfo, Measurement  # noqa: E402

INFO = DeviceInfo(lfdi="3E4F45AB31EDFE5B67E343E5E4562E31984E23E5", sfdi=None, sw_version="1", mf_id=1233,
                  manufacturer="Itron")
NOW = dt.datetime.now(dt.UTC)


def wait(condition, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.005)


def call_times(publisher: MqttPublisher, count: int) -> list[float]:
    times = []
    for i in range(count):
        start = time.perf_counter()
        publisher.on_demand(Measurement(float(i), "W", NOW))
        times.append((time.perf_counter() - start) * 1e6)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        broker = Mosquitto(Path(tmp)).start()
        try:
            publisher = MqttPublisher(BrokerTarget("127.0.0.1", broker.port, tls=False),
                                      PublisherOptions(queue_size=args.count)).start()
            publisher.on_device_info(INFO)
            wait(lambda: publisher.status().state is BrokerState.CONNECTED)
            up = call_times(publisher, args.count)
            wait(lambda: publisher.status().queued == 0)

            # drain rate: readings offered faster than they leave build a backlog; time until it is gone
            before = publisher.status().published
            start = time.perf_counter()
            call_times(publisher, args.count)
            wait(lambda: publisher.status().queued == 0)
            elapsed = time.perf_counter() - start
            sent = publisher.status().published - before
            publisher.stop()
        finally:
            broker.stop()
    down_publisher = MqttPublisher(BrokerTarget("127.0.0.1", free_port(), tls=False),
                                   PublisherOptions(queue_size=1000, backoff_min_s=60)).start()
    down_publisher.on_device_info(INFO)
    wait(lambda: down_publisher.status().failed)
    down = call_times(down_publisher, args.count)
    dropped = down_publisher.status().dropped
    down_publisher.stop()

    p99 = statistics.quantiles(up, n=100)[98]
    print(f"connected: {len(up)} calls, mean {statistics.fmean(up):.1f} us, p99 {p99:.1f} us, max {max(up):.0f} us")
    print(f"broker down: mean {statistics.fmean(down):.1f} us, {dropped} of {len(down)} dropped (queue 1000)")
    print(f"drain: {sent} readings in {elapsed:.2f} s")
    print(f"call_us_mean={statistics.fmean(up):.1f} call_us_p99={p99:.1f} "
          f"down_call_us_mean={statistics.fmean(down):.1f} drain_per_s={sent / elapsed:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
