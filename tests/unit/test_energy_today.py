"""Today's energy from the history store: its slots plus the register delta since the newest slot; gaps stay
gaps, and no register tail is invented without readings around the newest slot's end."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.cost_support import fill_store, register_reading
from xcelsior_desktop.services.history.store import HistoryStore
from xcelsior_desktop.services.history.today import energy_today_by_slot
from xcelsior_desktop.simulator.model import HouseholdModel

DENVER = ZoneInfo("America/Denver")
MIDNIGHT = dt.datetime(2026, 11, 18, tzinfo=DENVER).astimezone(dt.UTC)


@pytest.fixture
def model():
    return HouseholdModel(seed=0)


def test_slots_plus_the_register_delta_since_the_newest_slot(model):
    now = MIDNIGHT + dt.timedelta(hours=14, minutes=7)
    slot_end = MIDNIGHT + dt.timedelta(hours=14)
    with HistoryStore.in_memory() as store:
        slots = fill_store(store, model, MIDNIGHT - dt.timedelta(hours=2), slot_end)
        store.add_register_readings([register_reading(model, slot_end - dt.timedelta(minutes=1))])
        latest = register_reading(model, now)
        today = energy_today_by_slot(store, now, DENVER, latest)
    today_slots = [s for s in slots if s.start >= MIDNIGHT]
    assert len(today.slots) == len(today_slots) == 56
    from_slots = sum(s.imported_wh for s in today_slots)
    # the whole figure agrees with the model's registers since midnight (slots are whole Wh: within 57 Wh)
    exact = model.registers(now.timestamp()).delivered_wh - model.registers(MIDNIGHT.timestamp()).delivered_wh
    assert today.imported_wh == pytest.approx(exact, abs=57)
    assert today.imported_wh > from_slots  # the 7 minutes after the newest slot count
    assert today.tail_s == pytest.approx(7 * 60)
    assert today.counted_until == now and today.complete


def test_a_gap_is_not_filled_and_no_tail_without_readings(model):
    now = MIDNIGHT + dt.timedelta(hours=6, minutes=3)
    with HistoryStore.in_memory() as store:
        slots = fill_store(store, model, MIDNIGHT, MIDNIGHT + dt.timedelta(hours=6), skip=frozenset({4, 5}))
        today = energy_today_by_slot(store, now, DENVER)  # no register reading at all
    assert today.imported_wh == pytest.approx(sum(s.imported_wh for s in slots))
    assert today.tail_s == 0 and today.counted_until == MIDNIGHT + dt.timedelta(hours=6)
    assert today.missing_s == 2 * 900 and not today.complete


def test_an_empty_day_counts_from_midnight_by_the_registers(model):
    now = MIDNIGHT + dt.timedelta(minutes=20)
    with HistoryStore.in_memory() as store:
        store.add_register_readings([register_reading(model, MIDNIGHT - dt.timedelta(minutes=2))])
        today = energy_today_by_slot(store, now, DENVER, register_reading(model, now))
    exact = model.registers(now.timestamp()).delivered_wh - model.registers(MIDNIGHT.timestamp()).delivered_wh
    assert today.slots == () and today.imported_wh == pytest.approx(exact, rel=0.2, abs=5)
