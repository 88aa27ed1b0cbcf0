"""Soak of the tray app in demo mode: does it leak memory, file descriptors or threads over hours?

    python bench/soak.py                               # 2 hours at 2-second polling (the default)
    python bench/soak.py --duration 600 --warmup 300   # a quick check

Runs `xcelsior-desktop demo --interval 2` as a subprocess, offscreen, with a private HOME. Nothing is measured
during the warm-up (default: the first hour, while the live chart fills); after it, RSS is sampled every
``--sample`` seconds and fitted with a least-squares line (slope in MB per hour), and open file descriptors,
threads and CPU time are compared between the end of the warm-up and the end. CPU is in % of one core over
the measuring window. Target: slope <= 0.5 MB/h, no fd or thread growth.
The last line is exactly: rss_slope_mb_per_h=<x> fds_delta=<n> threads_delta=<m> cpu_pct=<y>
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

import psutil


def slope_per_hour(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) samples, in MB per hour."""
    n = len(samples)
    if n < 2:
        return 0.0
    mean_t = sum(t for t, _ in samples) / n
    mean_v = sum(v for _, v in samples) / n
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    if var == 0:
        return 0.0
    cov = sum((t - mean_t) * (v - mean_v) for t, v in samples)
    return cov / var * 3600.0


def open_fds(proc: psutil.Process) -> int:
    try:
        return proc.num_fds()
    except AttributeError:  # Windows
        return proc.num_handles()  # type: ignore[attr-defined,no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=7200.0, help="total seconds after first watts (2 h)")
    parser.add_argument("--warmup", type=float, default=3600.0,
                        help="seconds after first watts before measuring (default: the first hour)")
    parser.add_argument("--interval", type=float, default=2.0, help="poll interval (default 2 s)")
    parser.add_argument("--sample", type=float, default=10.0, help="seconds between RSS samples (default 10)")
    args = parser.parse_args()
    if args.warmup >= args.duration:
        parser.error("--warmup must be shorter than --duration")

    home = tempfile.mkdtemp(prefix="xcelsior-soak-")
    env = {**os.environ, "XCELSIOR_BENCH": "1", "HOME": home, "XDG_CONFIG_HOME": f"{home}/.config",
           "XDG_STATE_HOME": f"{home}/.local/state", "XDG_DATA_HOME": f"{home}/.local/share",
           "XDG_CACHE_HOME": f"{home}/.cache", "QT_QPA_PLATFORM": "offscreen"}
    env.pop("DISPLAY", None)
    app = subprocess.Popen([sys.executable, "-m", "xcelsior_desktop", "demo", "--interval", str(args.interval)],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
    proc = psutil.Process(app.pid)
    got_first = threading.Event()

    def reader() -> None:
        assert app.stdout is not None
        for line in app.stdout:  # keep the pipe drained for hours
            if line.startswith("FIRST_WATTS"):
                got_first.set()

    threading.Thread(target=reader, daemon=True).start()
    try:
        if not got_first.wait(60):
            print("no watts within 60 s", file=sys.stderr)
            return 1
        started = time.monotonic()
        print(f"first watts; warming up {args.warmup:.0f} s, then measuring {args.duration - args.warmup:.0f} s",
              flush=True)
        while time.monotonic() - started < args.warmup:
            if app.poll() is not None:
                print(f"the demo exited during the warm-up (code {app.returncode})", file=sys.stderr)
                return 1
            time.sleep(min(5.0, args.warmup))
        fds0, threads0 = open_fds(proc), proc.num_threads()
        cpu0, wall0 = sum(proc.cpu_times()[:2]), time.monotonic()
        samples: list[tuple[float, float]] = []
        while True:
            now = time.monotonic()
            if app.poll() is not None:
                print(f"the demo exited while measuring (code {app.returncode})", file=sys.stderr)
                return 1
            samples.append((now - wall0, proc.memory_info().rss / 1e6))
            if now - started >= args.duration:
                break
            time.sleep(max(0.0, min(args.sample, args.duration - (now - started))))
        fds1, threads1 = open_fds(proc), proc.num_threads()
        cpu1, wall1 = sum(proc.cpu_times()[:2]), time.monotonic()
    finally:
        app.terminate()
        try:
            app.wait(20)
        except subprocess.TimeoutExpired:
            app.kill()
        shutil.rmtree(home, ignore_errors=True)
    print(f"rss {samples[0][1]:.1f} MB -> {samples[-1][1]:.1f} MB over {len(samples)} samples", flush=True)
    cpu_pct = (cpu1 - cpu0) / max(1e-9, wall1 - wall0) * 100.0
    print(f"rss_slope_mb_per_h={slope_per_hour(samples):.3f} fds_delta={fds1 - fds0} "
          f"threads_delta={threads1 - threads0} cpu_pct={cpu_pct:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
