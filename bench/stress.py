"""The suite's order under load: a test folder run several times in a row while CPU burners keep every core busy,
the way a slow CI machine runs it. It shows that tests which wait on threads, sockets and the simulator (the fault
matrix's one-connection rule above all) hold when the machine is late, and that no test leaks a running client,
session or thread into the ones after it.

Prints one line per run (passed, failed, errors, seconds, the failed tests' ids) and last:

    runs=<n> clean_runs=<k> failed_tests=<f> worst_run_s=<x> burners=<b>

Target: clean_runs = runs.
Usage: python bench/stress.py [tests/integration] [--runs 3] [--burners N] [-- extra pytest arguments]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class RunResult:
    passed: int = 0
    failed: list[str] = field(default_factory=list)  # failed and errored tests, as pytest ids
    skipped: int = 0
    seconds: float = 0.0


def _burn() -> None:
    while True:
        pass


def _read_junit(path: Path) -> RunResult:
    result = RunResult()
    root = ElementTree.parse(path).getroot()  # our own pytest's report, not outside input
    for case in root.iter("testcase"):
        test_id = f"{case.get('classname', '')}::{case.get('name', '')}"
        if case.find("failure") is not None or case.find("error") is not None:
            result.failed.append(test_id)
        elif case.find("skipped") is not None:
            result.skipped += 1
        else:
            result.passed += 1
    return result


def run_once(folder: str, extra: list[str]) -> RunResult:
    with tempfile.TemporaryDirectory(prefix="xcelsior-stress-") as tmp:
        report = Path(tmp) / "junit.xml"
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", folder,
                        f"--junitxml={report}", *extra], cwd=ROOT, stdout=subprocess.DEVNULL, check=False)
        seconds = time.monotonic() - started
        if not report.exists():
            return RunResult(failed=["(pytest wrote no report)"], seconds=seconds)
        result = _read_junit(report)
        result.seconds = seconds
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", default="tests/integration")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--burners", type=int, default=os.cpu_count() or 1,
                        help="processes that each keep one core busy (default: one per core)")
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)  # what follows -- goes to pytest as it is
    args = parser.parse_args(argv[:cut])
    extra = argv[cut + 1:]
    burners = [multiprocessing.Process(target=_burn, daemon=True) for _ in range(args.burners)]
    for burner in burners:
        burner.start()
    results: list[RunResult] = []
    try:
        for number in range(1, args.runs + 1):
            result = run_once(args.folder, extra)
            results.append(result)
            failed = " ".join(result.failed) or "-"
            print(f"run {number}: passed={result.passed} failed={len(result.failed)} skipped={result.skipped} "
                  f"seconds={result.seconds:.0f} failures={failed}", flush=True)
    finally:
        for burner in burners:
            burner.terminate()
            burner.join(5)
    clean = sum(1 for result in results if not result.failed)
    print(f"runs={len(results)} clean_runs={clean} failed_tests={sum(len(r.failed) for r in results)} "
          f"worst_run_s={max(r.seconds for r in results):.0f} burners={args.burners}")
    return 0 if clean == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
