"""The simulator's TOU schedule (simulator/tariff_schedule.json) and the xcel-co-tou preset never disagree, and the
simulated meter's own tier registers match the app's per-period energy for the same slots."""

from __future__ import annotations

import datetime as dt

import pytest

from xcelsior_desktop.money import load_preset, period_at, price_intervals
from xcelsior_desktop.simulator.model import HouseholdModel
from xcelsior_desktop.simulator.tou import TouSchedule

UTC = dt.UTC


@pytest.fixture(scope="module")
def preset():  # type: ignore[no-untyped-def]
    return load_preset("xcel-co-tou")


def test_every_hour_of_ten_years_has_the_same_period(preset) -> None:  # type: ignore[no-untyped-def]
    schedule = TouSchedule.default()
    start = dt.datetime(2022, 1, 1, tzinfo=preset.zone).astimezone(UTC)
    end = dt.datetime(2032, 1, 1, tzinfo=preset.zone).astimezone(UTC)
    disagreements = []
    # every period edge of both schedules is on the hour: probe each hour at its first and its last minute
    t = start
    while t < end:
        for probe in (t, t + dt.timedelta(minutes=59)):
            simulator = schedule.tier_names[schedule.tier_at(probe.timestamp())]
            found = period_at(preset, probe)
            assert found is not None
            if simulator != found.period:
                disagreements.append((probe.astimezone(preset.zone).isoformat(), simulator, found.period))
        t += dt.timedelta(hours=1)
    assert disagreements == []


def test_the_simulated_meters_tier_registers_match_the_apps_periods(preset) -> None:  # type: ignore[no-untyped-def]
    model = HouseholdModel(seed=0)
    first = int(dt.datetime(2026, 11, 16, tzinfo=preset.zone).timestamp())  # Monday .. Sunday, local
    last = int(dt.datetime(2026, 11, 23, tzinfo=preset.zone).timestamp())

    class Slot:
        def __init__(self, start: int) -> None:
            interval = model.interval(start)
            self.start = dt.datetime.fromtimestamp(start, UTC)
            self.duration_s = 900
            self.imported_wh = float(interval.delivered_wh)
            self.exported_wh = float(interval.received_wh)

    slots = [Slot(s) for s in range(first, last, 900)]
    per_period: dict[str, float] = {}
    for priced in price_intervals(preset, slots):
        assert priced.cost is not None
        per_period[priced.period] = per_period.get(priced.period, 0.0) + priced.interval.imported_wh
    before, after = model.registers(first), model.registers(last)
    names = TouSchedule.default().tier_names
    tiers = {names[t]: after.tou_delivered[t] - before.tou_delivered[t] for t in names}
    assert set(per_period) == {"on-peak", "off-peak"}
    for name, wh in per_period.items():
        # slots are whole Wh (the meter's integer registers): at most 1 Wh of rounding per slot
        assert wh == pytest.approx(tiers[name], abs=len(slots))
    assert tiers["mid-peak"] == 0
