"""Benchmark of the tray app in demo mode: time to first watts, CPU, peak RSS, meter requests per minute.

    python bench/app.py                 # 5 minutes of 5-second polling (the default)
    python bench/app.py --duration 60   # a quick check

Runs `xcelsior-desktop demo` as a subprocess (offscreen unless DISPLAY is set and --xvfb is not given;
``--xvfb`` starts a private Xvfb with trayer). First watts = launch to the demo's FIRST_WATTS line (printed
when the tray icon gets its first value). CPU = process CPU time over the measuring window (after first
watts) / wall time, in % of one core. RSS = the peak resident size sampled every second (psutil).
Requests per minute = GETs the in-process simulator served after first contact, per minute; the one-off
first-contact cost (the profile walk from /dcap, ~25 GETs, cached afterwards) is printed separately.
The last line is exactly: first_watts_s=<x> cpu_pct=<y> rss_mb=<z> meter_requests_per_min=<n> (the net meter's;
with --meters 2 also meter_requests_per_min_production=<m>)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root, for the shared test helper
from tests.xserver import start_xvfb as start_xvfb_display  # noqa: E402


def start_xvfb() -> tuple[dict[str, str], list[subprocess.Popen[bytes]]]:
    xvfb, display = start_xvfb_display()
    env = {"DISPLAY": display}
    procs = [xvfb]
    if shutil.which("trayer"):
        procs.append(subprocess.Popen(["trayer", "--edge", "top", "--SetDockType", "true"], env={**os.environ, **env},
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(0.5)
    return env, procs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=300.0, help="seconds to measure after first watts")
    parser.add_argument("--interval", type=float, default=5.0, help="poll interval (default 5 s)")
    parser.add_argument("--xvfb", action="store_true", help="run under a private Xvfb + trayer")
    parser.add_argument("--mqtt", metavar="URL", help="also publish to this MQTT broker (demo --mqtt URL)")
    parser.add_argument("--meters", type=int, choices=(1, 2), default=1,
                        help="2: the household's net and solar meters (demo --meters 2); requests are per meter")
    args = parser.parse_args()

    home = tempfile.mkdtemp(prefix="xcelsior-bench-")
    env = {**os.environ, "XCELSIOR_BENCH": "1", "HOME": home, "XDG_CONFIG_HOME": f"{home}/.config",
           "XDG_STATE_HOME": f"{home}/.local/state", "XDG_DATA_HOME": f"{home}/.local/share",
           "XDG_CACHE_HOME": f"{home}/.cache"}
    helpers: list[subprocess.Popen[bytes]] = []
    if args.xvfb:
        extra, helpers = start_xvfb()
        env.update(extra)
        env.pop("QT_QPA_PLATFORM", None)
    elif not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"

    launched = time.monotonic()
    mqtt = ["--mqtt", args.mqtt] if args.mqtt else []
    app = subprocess.Popen([sys.executable, "-m", "xcelsior_desktop", "demo", "--interval", str(args.interval),
                            "--meters", str(args.meters), *mqtt],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    proc = psutil.Process(app.pid)
    first_watts: float | None = None
    requests: dict[str, list[tuple[float, int]]] = {}  # per meter: (when, GETs so far)
    got_first = threading.Event()

    def reader() -> None:
        nonlocal first_watts
        assert app.stdout is not None
        for line in app.stdout:
            if line.startswith("FIRST_WATTS") and first_watts is None:
                first_watts = time.monotonic() - launched
                got_first.set()
            elif line.startswith("METER_REQUESTS"):
                _, role, count = line.split()
                requests.setdefault(role, []).append((time.monotonic(), int(count)))

    threading.Thread(target=reader, daemon=True).start()
    peak_rss = 0
    try:
        deadline = time.monotonic() + 60
        while not got_first.is_set() and time.monotonic() < deadline:
            peak_rss = max(peak_rss, proc.memory_info().rss)
            got_first.wait(0.05)
        if first_watts is None:
            print("no watts within 60 s", file=sys.stderr)
            return 1
        # measure from the first request report after first watts, so the first-contact walk is excluded
        report_deadline = time.monotonic() + 30
        while len(requests) < args.meters and app.poll() is None and time.monotonic() < report_deadline:
            time.sleep(0.1)
        if len(requests) < args.meters:
            print("the demo reported no meter requests within 30 s (or exited)", file=sys.stderr)
            return 1
        starts = {role: reports[-1] for role, reports in requests.items()}
        start_n = starts["net"][1]
        cpu0 = sum(proc.cpu_times()[:2])
        wall0 = time.monotonic()
        print(f"first watts after {first_watts:.2f} s; first contact cost {start_n} GETs; measuring {args.duration:.0f} s",
              flush=True)
        while time.monotonic() - wall0 < args.duration:
            peak_rss = max(peak_rss, proc.memory_info().rss)
            time.sleep(1.0)
        cpu1 = sum(proc.cpu_times()[:2])
        wall1 = time.monotonic()
        ends = {role: reports[-1] for role, reports in requests.items()}
    finally:
        app.terminate()
        try:
            app.wait(20)
        except subprocess.TimeoutExpired:
            app.kill()
        for helper in helpers:
            helper.terminate()
        shutil.rmtree(home, ignore_errors=True)
    cpu_pct = (cpu1 - cpu0) / (wall1 - wall0) * 100.0
    per_min = {role: (ends[role][1] - starts[role][1]) / max(1e-9, (ends[role][0] - starts[role][0]) / 60.0)
               for role in starts}
    others = "".join(f" meter_requests_per_min_{role}={rate:.1f}" for role, rate in per_min.items() if role != "net")
    print(f"first_watts_s={first_watts:.2f} cpu_pct={cpu_pct:.2f} rss_mb={peak_rss / 1e6:.1f} "
          f"meter_requests_per_min={per_min['net']:.1f}{others}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
