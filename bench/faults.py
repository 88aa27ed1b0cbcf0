"""The fault matrix with the demo's settings: every simulator fault switched on while a real meter
session is connected (5 s polling, the app's real timeouts, real TLS over loopback), held, then switched off.

Prints one line per fault: the state shown while it was on, seconds from the fault switched off to the next demand
reading, connection attempts per minute while it was on (TCP connects for a handshake and plain port probes, as
the meter sees them, refused ones included), and the most connections the simulator saw open at once. Rows run
side by side, each with its own simulator and session (see tests/integration/fault_matrix_support.py). The last
line is:

    faults=<n> worst_watts_back_s=<x> max_concurrent=<m>

Targets: watts within 15 s of the fault going off; at most 6 connection attempts a minute while the meter is
away (unreachable or busy); max_concurrent = 1.
Usage: python bench/faults.py [--hold 60] [--only outage,busy] [--quick]
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.integration.fault_matrix_support import (  # noqa: E402
    DEMO_OPTIONS,
    QUICK_OPTIONS,
    RowResult,
    cases,
    run_matrix,
)


def _state(row: RowResult) -> str:
    """The state the window reached while the fault was on (the one the row looks for when it showed)."""
    states = [state.value for state in row.states_on]
    shown = row.case.shows.value if row.case.shows.value in states else (row.shown.value if row.shown else "-")
    flags = sorted({flag.what for flag in row.flags})
    return shown + (f" + flagged {'/'.join(flags)}" if flags else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hold", type=float, default=60.0, help="seconds each fault stays on at least (default 60)")
    parser.add_argument("--only", default="", help="comma-separated fault names (default: all)")
    parser.add_argument("--quick", action="store_true", help="the tests' short timeouts and fault parameters")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the session logs every flagged reading: not the table's business
    rows = cases(quick=args.quick)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",") if name.strip()}
        rows = [row for row in rows if row.fault in wanted]
    options = QUICK_OPTIONS if args.quick else DEMO_OPTIONS
    results = run_matrix(rows, options, hold_s=max(0.0, args.hold), busy_hold=0.5 if args.quick else 5.0)

    print(f"{'fault':26} {'state shown':34} {'watts back s':>12} {'attempts/min on':>16} {'max conc':>8}")
    for row in results:
        back = f"{row.watts_back_s:.1f}" if row.watts_back_s is not None else "never"
        print(f"{row.case.name:26} {_state(row):34} {back:>12} {row.attempts_per_minute:>16.1f} "
              f"{row.max_concurrent:>8}" + (f"  ! {row.error}" if row.error else ""))
    for row in results:
        if row.sim_events:
            print(f"{row.case.name}: two connections at once; the simulator's last events: {row.sim_events}")
    backs = [row.watts_back_s for row in results]
    worst = "inf" if any(b is None for b in backs) else f"{max(b for b in backs if b is not None):.1f}"
    most = max((row.max_concurrent for row in results), default=0)
    print(f"faults={len(results)} worst_watts_back_s={worst} max_concurrent={most}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
