"""The fault matrix: every simulator fault, switched on while a real MeterSession is connected and off
again, in real time over real mutual TLS (see fault_matrix_support). Checked per fault: the state shown while it
is on, demand readings back once it is off, never two connections at once, and nothing suspect passed on as a
reading. The rows run side by side once per module (about a minute and a half: stuck demand needs a minute of
repeats before it is called stale); each fault is its own test."""

from __future__ import annotations

import pytest

from tests.integration.fault_matrix_support import EPOCH_FLOOR, QUICK_OPTIONS, FaultCase, RowResult, cases, run_matrix
from xcelsior_desktop.session.plausibility import MAX_POWER_W
from xcelsior_desktop.session.poller import State

pytestmark = pytest.mark.slow

CASES = cases(quick=True)


@pytest.fixture(scope="module")
def matrix() -> dict[str, RowResult]:
    rows = run_matrix(CASES, QUICK_OPTIONS, hold_s=0.0, busy_hold=0.5, back_timeout_s=60.0)
    return {row.case.name: row for row in rows}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_fault_is_shown_and_watts_come_back(matrix: dict[str, RowResult], case: FaultCase) -> None:
    row = matrix[case.name]
    assert not row.error, row.error
    assert case.shows in row.states_on or (case.shows is State.CONNECTED and row.shown is State.CONNECTED), (
        f"{case.name}: showed {row.states_on}")
    unexpected = set(row.states_on) - case.allowed
    assert not unexpected, f"{case.name}: showed {sorted(unexpected)} while on ({row.states_on})"
    assert row.watts_back_s is not None  # a DemandRead came after the fault went off (waited on, 60 s at most)
    assert row.max_concurrent == 1, row.sim_events
    assert not row.impossible_demand  # a reading beyond the service never reaches the app as demand


def test_demand_spike_is_flagged_never_read(matrix: dict[str, RowResult]) -> None:
    row = matrix["spike (demand)"]
    assert any(flag.what == "demand" and "more than" in flag.reason for flag in row.flags)
    assert all(abs(watts) <= MAX_POWER_W for watts in row.demand_on)


def test_import_register_spike_is_a_gap_never_a_value(matrix: dict[str, RowResult]) -> None:
    row = matrix["spike (import register)"]
    assert row.baseline_delivered_wh is not None and row.registers_on
    assert any(flag.what == "registers" for flag in row.flags)
    for read in row.registers_on:
        delivered = read.registers.delivered_wh
        assert delivered is None or delivered < row.baseline_delivered_wh + 1_000.0  # never the +1 GWh


def test_stuck_demand_stops_reaching_the_app_once_stale(matrix: dict[str, RowResult]) -> None:
    row = matrix["stuck_demand"]
    assert any("repeated" in flag.reason for flag in row.flags)
    assert row.demand_after_stale == 0


def test_empty_interval_lists_stay_gaps(matrix: dict[str, RowResult]) -> None:
    row = matrix["empty_intervals"]
    assert row.intervals_on, "the history read during the fault returned no slots at all"
    assert all(slot.delivered_wh is None and slot.received_wh is None for slot in row.intervals_on)


def test_zero_start_summations_are_never_dated_1970(matrix: dict[str, RowResult]) -> None:
    row = matrix["zero_start"]
    assert row.registers_on
    for read in row.registers_on:
        for stamp in (read.registers.delivered_at, read.registers.received_at):
            assert stamp is None or stamp > EPOCH_FLOOR


def test_handshake_faults_met_a_new_connection(matrix: dict[str, RowResult]) -> None:
    for name in ("busy", "blackhole", "handshake_failure", "slow_handshake", "outage"):
        assert matrix[name].attempts_on >= 1, f"{name}: the fault never met a connection attempt"
