"""The cost alert rules on an injected clock, with the real tariff and a history store filled from the simulator's
household: on-peak soon while drawing a lot, the daily budget in money (and in kWh, read from the store), the
billing cycle's projection."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.cost_support import fill_store, register_reading, tou_2022
from tests.unit.alerts_streams import FakeClock
from xcelsior_desktop.alerts import AlertEngine, AlertRule, RuleKind
from xcelsior_desktop.alerts.cost_facts import CostFacts, CostFactsSource
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.money.overview import cost_overview
from xcelsior_desktop.simulator.model import HouseholdModel

UTC = dt.UTC
TOU = tou_2022()  # the 2022 prices: the figures below are worked out by hand from them
ZONE = TOU.zone


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ZONE)


def rule(kind: RuleKind, threshold: float, **kw: object) -> AlertRule:
    values: dict[str, object] = {"cooldown_min": 0, "quiet_start": None, "quiet_end": None, "id": kind.value}
    values.update(kw)
    return AlertRule(kind, threshold=threshold, **values)  # type: ignore[arg-type]


def engine_at(start: dt.datetime, rules: list[AlertRule],
              store: HistoryStore | None = None) -> tuple[AlertEngine, FakeClock]:
    clock = FakeClock(start)
    engine = AlertEngine(rules, clock=clock, tz=ZONE)
    engine.set_cost_source(CostFactsSource(TOU, lambda: store, zone=ZONE))
    return engine, clock


def run(engine: AlertEngine, clock: FakeClock, seconds: float, watts: float) -> list:  # type: ignore[type-arg]
    fired = []
    for _ in range(int(seconds // 5)):
        clock.advance(5)
        fired += engine.feed_demand(watts)
    return fired


def test_on_peak_soon_fires_inside_the_lead_time_while_drawing_a_lot():
    engine, clock = engine_at(local(2026, 11, 30, 16, 20), [rule(RuleKind.ONPEAK_SOON, 2000, lead_min=30)])
    assert run(engine, clock, 9 * 60, 2500) == []  # 16:20-16:29: on-peak is more than 30 min away
    fired = run(engine, clock, 120, 2500)
    assert len(fired) == 1
    alert = fired[0]
    assert alert.title.startswith("On-peak in ") and "2.5 kW" in alert.title
    assert "17:00" in alert.body and "17.3 \u00a2/kWh" in alert.body and alert.view == "cost"
    assert run(engine, clock, 50 * 60, 2500) == []  # once per on-peak start, also during on-peak
    clock.advance(23 * 3600 + 10 * 60)  # from Monday 17:21 to Tuesday 16:31
    assert len(run(engine, clock, 60, 3000)) == 1


def test_on_peak_soon_is_quiet_under_the_mark_and_before_a_weekend():
    engine, clock = engine_at(local(2026, 11, 30, 16, 35), [rule(RuleKind.ONPEAK_SOON, 2000, lead_min=30)])
    assert run(engine, clock, 10 * 60, 1500) == []
    engine, clock = engine_at(local(2026, 12, 5, 16, 35), [rule(RuleKind.ONPEAK_SOON, 2000, lead_min=30)])
    assert run(engine, clock, 10 * 60, 4000) == []  # Saturday: no on-peak


@pytest.fixture(scope="module")
def model() -> HouseholdModel:
    return HouseholdModel(seed=0)


def test_the_daily_budget_in_money_and_in_kwh_read_the_store(model):
    now = local(2026, 11, 18, 20, 7)
    with HistoryStore.in_memory() as store:
        fill_store(store, model, local(2026, 11, 1).astimezone(UTC), local(2026, 11, 18, 20).astimezone(UTC))
        store.add_register_readings([register_reading(model, local(2026, 11, 18, 19, 59).astimezone(UTC)),
                                     register_reading(model, now.astimezone(UTC))])
        overview = cost_overview(TOU, store, now, zone=ZONE)
        assert overview.today.energy.imported_wh is not None
        cost, kwh = overview.today.total, overview.today.energy.imported_wh / 1000
        rules = [rule(RuleKind.DAILY_COST, round(cost - 0.01, 2), id="money"),
                 rule(RuleKind.DAILY_COST, round(cost + 0.5, 2), id="money-high"),
                 rule(RuleKind.DAILY_IMPORT, round(kwh - 0.1, 1), id="kwh")]
        engine, clock = engine_at(now, rules, store)
        fired = {a.rule_id: a for a in engine.tick()}  # no register was fed to the engine: the store decides
    assert set(fired) == {"money", "kwh"}
    assert fired["money"].title == f"Daily budget reached: ${cost:,.2f}"
    assert f"{kwh:.1f} kWh" in fired["kwh"].title
    assert "at least" not in fired["money"].body


def test_the_billing_cycle_projection(model):
    now = local(2026, 11, 18, 12)
    with HistoryStore.in_memory() as store:
        fill_store(store, model, local(2026, 11, 1).astimezone(UTC), local(2026, 11, 18, 12).astimezone(UTC))
        projected = cost_overview(TOU, store, now, zone=ZONE).cycle.projection.projected_total
        assert projected is not None
        rules = [rule(RuleKind.CYCLE_PROJECTED, float(int(projected)), id="low"),
                 rule(RuleKind.CYCLE_PROJECTED, float(int(projected) + 5), id="high")]
        engine, _clock = engine_at(now, rules, store)
        fired = engine.tick()
    assert [a.rule_id for a in fired] == ["low"]
    assert fired[0].title == f"Billing cycle projected at ${projected:,.2f}"
    assert "Mon 30 Nov" in fired[0].body


def test_without_a_cost_source_the_cost_rules_stay_silent():
    clock = FakeClock(local(2026, 11, 30, 16, 40))
    engine = AlertEngine([rule(RuleKind.ONPEAK_SOON, 100), rule(RuleKind.DAILY_COST, 0.01)], clock=clock, tz=ZONE)
    assert run(engine, clock, 60, 5000) == []


def test_facts_given_directly_drive_the_rules():
    at = local(2026, 11, 30, 10).timestamp()
    facts = CostFacts(at, "USD", 12.0, False, local(2026, 11, 30).timestamp(), 3.2, 180.0, dt.date(2026, 12, 10),
                      False, None, None)
    clock = FakeClock(local(2026, 11, 30, 10))
    engine = AlertEngine([rule(RuleKind.DAILY_COST, 3.0)], clock=clock, tz=ZONE)
    engine.set_cost_source(lambda _now: facts)
    fired = engine.tick()
    assert len(fired) == 1 and "at least $3.20" in fired[0].body  # some of today's slots are missing
