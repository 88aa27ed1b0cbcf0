"""Figures for the standalone build: bundle size, .deb size, and how fast the frozen demo shows its first watts.

    python bench/bundle.py              # build what is missing (bundle, .deb), then measure
    python bench/bundle.py --no-build   # measure what dist/ holds (fails if the bundle is missing)

The last line is exactly ``bundle_mb=<x> deb_mb=<y> frozen_first_watts_s=<z>`` (MB = 10^6 bytes; the
first-watts time is the median of ``--runs`` launches, each from process start to the demo's first-watts line).
Targets: bundle <= 150 MB, .deb <= 60 MB, frozen first watts <= 3 s.

The demo runs offscreen with its own HOME/XDG folders (no keyring, no settings, no other instance), talking only
to its in-process simulator on 127.0.0.1. The first watts are detected the way bench/app.py does it: with
XCELSIOR_BENCH=1 the demo prints ``FIRST_WATTS`` on stdout when the tray first shows a value.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
BUNDLE = DIST / "windows" / "xcelsior-desktop" if sys.platform == "win32" else DIST / "xcelsior-desktop"
EXECUTABLE = BUNDLE / ("xcelsior-desktop.exe" if sys.platform == "win32" else "xcelsior-desktop")
FIRST_WATTS = re.compile(r"^FIRST_WATTS\b")  # printed by commands/demo.py when XCELSIOR_BENCH=1
LAUNCH_TIMEOUT_S = 60.0


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink()) / 1e6


def find_deb() -> Path | None:
    debs = sorted(DIST.glob("xcelsior-desktop_*.deb"), key=lambda p: p.stat().st_mtime)
    return debs[-1] if debs else None


def build(need_bundle: bool, need_deb: bool) -> None:
    args = [sys.executable, str(ROOT / "packaging" / "build.py")]
    if not need_bundle:
        args.append("--no-bundle")
    if need_deb:
        args.append("--deb")
    subprocess.run(args, check=True, cwd=ROOT)


def _pump(stream, lines: queue.Queue[tuple[float, str]]) -> None:  # type: ignore[no-untyped-def]
    for raw in iter(stream.readline, b""):
        lines.put((time.monotonic(), raw.decode("utf-8", "replace").rstrip()))
    stream.close()


def first_watts_once(executable: Path) -> float:
    """Seconds from launching ``xcelsior-desktop demo`` to its first-watts line; raises on failure."""
    with tempfile.TemporaryDirectory(prefix="xcelsior-bench-") as tmp:
        home = Path(tmp)
        env = {
            **os.environ,
            "HOME": str(home),
            "USERPROFILE": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local/share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_STATE_HOME": str(home / ".local/state"),
            "XDG_RUNTIME_DIR": str(home / "run"),
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHONUNBUFFERED": "1",
            "XCELSIOR_BENCH": "1",
        }
        (home / "run").mkdir(mode=0o700)
        lines: queue.Queue[tuple[float, str]] = queue.Queue()
        started = time.monotonic()
        process = subprocess.Popen(
            [str(executable), "demo"], env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp,
        )
        pumps = [threading.Thread(target=_pump, args=(s, lines), daemon=True) for s in (process.stdout, process.stderr)]
        for pump in pumps:
            pump.start()
        seen: list[str] = []
        try:
            deadline = started + LAUNCH_TIMEOUT_S
            while time.monotonic() < deadline:
                try:
                    at, line = lines.get(timeout=0.1)
                except queue.Empty:
                    if process.poll() is not None and lines.empty():
                        raise RuntimeError(f"the demo exited with status {process.returncode}: {seen[-5:]}") from None
                    continue
                seen.append(line)
                if FIRST_WATTS.search(line):
                    return at - started
            raise RuntimeError(f"no first-watts line within {LAUNCH_TIMEOUT_S:.0f} s; last output: {seen[-5:]}")
        finally:
            _stop(process)


def _stop(process: subprocess.Popen) -> None:  # type: ignore[type-arg]
    if process.poll() is not None:
        return
    process.terminate()  # SIGTERM on POSIX: the app quits cleanly; TerminateProcess on Windows
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bundle size, .deb size and frozen first-watts time.")
    parser.add_argument("--no-build", action="store_true", help="measure dist/ as it is")
    parser.add_argument("--runs", type=int, default=3, help="demo launches to take the median of (default 3)")
    args = parser.parse_args(argv)

    if not args.no_build and (not EXECUTABLE.exists() or (sys.platform.startswith("linux") and find_deb() is None)):
        build(need_bundle=not EXECUTABLE.exists(), need_deb=sys.platform.startswith("linux"))
    if not EXECUTABLE.exists():
        print(f"bench: {EXECUTABLE} is missing: run python packaging/build.py first", file=sys.stderr)
        return 1

    bundle_mb = size_mb(BUNDLE)
    deb = find_deb()
    deb_mb = size_mb(deb) if deb else float("nan")
    print(f"bundle: {BUNDLE} {bundle_mb:.1f} MB (target <= 150)")
    print(f"deb: {deb.name if deb else 'none (Linux only)'} {deb_mb:.1f} MB (target <= 60)")

    times: list[float] = []
    status = 0
    for run in range(1, args.runs + 1):
        try:
            seconds = first_watts_once(EXECUTABLE)
        except RuntimeError as exc:
            print(f"frozen demo run {run}: FAILED: {exc}", file=sys.stderr)
            status = 1
            break
        times.append(seconds)
        print(f"frozen demo run {run}: first watts after {seconds:.2f} s{' (cold)' if run == 1 else ''}")
    first_watts = statistics.median(times) if times and status == 0 else float("nan")
    print(f"frozen first watts: median {first_watts:.2f} s of {len(times)} runs (target <= 3)")
    print(f"bundle_mb={bundle_mb:.1f} deb_mb={deb_mb:.1f} frozen_first_watts_s={first_watts:.2f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
