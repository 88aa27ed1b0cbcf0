"""Alert rules on streams from the simulator's household model, with its frozen_register and outage faults.

The feed reads the model the way the simulator serves it (integer watts, integer Wh registers, a frozen
register held at its value from the moment the fault is switched on, an outage = no answer at all) and hands
the values to the engine the way the app does (demand every 5 s, registers every minute, failed polls as
"offline"). The network side of the same faults is covered in tests/integration/test_alerts_simulator.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.unit.alerts_streams import DENVER, FakeClock
from xcelsior_desktop.alerts import Alert, AlertEngine, Connection, RuleKind, default_rules
from xcelsior_desktop.simulator.model import HouseholdModel

SEED = 3
DAY = 86_400


@dataclass
class SimulatedFeed:
    model: HouseholdModel
    engine: AlertEngine
    clock: FakeClock
    frozen: str | None = None  # "delivered" | "received" | "both", as the simulator's frozen_register fault
    frozen_at: float = 0.0
    outage: bool = False
    alerts: list[Alert] = field(default_factory=list)
    _next_registers: float = 0.0

    def freeze(self, which: str) -> None:
        self.frozen, self.frozen_at = which, self.clock.now

    def run(self, seconds: float) -> list[Alert]:
        fired: list[Alert] = []
        end = self.clock.now + seconds
        while self.clock.now < end:
            self.clock.advance(5)
            t = self.clock.now
            if self.outage:  # connection refused: the worker reports the failure, then backs off
                fired += self.engine.feed_connection(Connection.OFFLINE)
                continue
            fired += self.engine.feed_demand(int(round(self.model.demand_w(t))))
            if t >= self._next_registers:
                self._next_registers = t + 60
                now = self.model.registers(t)
                then = self.model.registers(self.frozen_at) if self.frozen else now
                delivered = then.delivered_wh if self.frozen in ("delivered", "both") else now.delivered_wh
                received = then.received_wh if self.frozen in ("received", "both") else now.received_wh
                fired += self.engine.feed_registers(int(delivered), int(received))
        self.alerts += fired
        return fired


def sunny_day(model: HouseholdModel) -> int:
    return model.sunny_days(20_600, 30)[0]  # a June day, 2026


def feed_at(model: HouseholdModel, start: float, rules=None) -> SimulatedFeed:  # type: ignore[no-untyped-def]
    clock = FakeClock.__new__(FakeClock)
    clock.now = start
    engine = AlertEngine(rules if rules is not None else default_rules(), clock=clock, tz=DENVER)
    return SimulatedFeed(model, engine, clock)


@pytest.fixture(scope="module")
def model() -> HouseholdModel:
    return HouseholdModel.for_seed(SEED)


def test_a_healthy_sunny_day_gives_a_surplus_tip_and_no_false_health_alarms(model):
    day = sunny_day(model)
    midnight = model.solar_noon(day) - 12 * 3600
    feed = feed_at(model, midnight)
    feed.run(DAY)
    kinds = [a.kind for a in feed.alerts]
    assert RuleKind.STALE.value not in kinds and RuleKind.UNREACHABLE.value not in kinds
    export = [a for a in feed.alerts if a.kind == RuleKind.EXPORT_ABOVE.value]
    assert export, "a sunny day should produce a solar-surplus tip"
    for alert in export:
        assert 7 <= (alert.at - midnight) / 3600 <= 17  # daylight hours, local time
    for rule in default_rules():  # never more than one per cooldown
        times = [a.at for a in feed.alerts if a.rule_id == rule.id and not a.resolved]
        assert all(b - a >= rule.cooldown_min * 60 for a, b in zip(times, times[1:], strict=False))


@pytest.mark.parametrize("seed", range(4))
def test_no_false_health_alarms_over_two_days_of_any_household(seed):
    model = HouseholdModel.for_seed(seed)
    first = model.sunny_days(20_600, 30)[0] - 1  # a day of any weather, then a sunny one
    feed = feed_at(model, model.solar_noon(first) - 12 * 3600)
    feed.run(2 * DAY)
    assert [a.title for a in feed.alerts if a.kind in ("stale_data", "meter_unreachable")] == []


def test_frozen_import_register_is_flagged_within_the_rule_time(model):
    day = sunny_day(model)
    evening = model.solar_noon(day) + 7 * 3600  # 19:00: importing
    feed = feed_at(model, evening)
    feed.run(1800)
    assert not [a for a in feed.alerts if a.kind == "stale_data"]
    feed.freeze("delivered")
    fired = [a for a in feed.run(40 * 60) if a.kind == "stale_data"]
    assert len(fired) == 1
    stale_rule = next(r for r in default_rules() if r.kind is RuleKind.STALE)
    delay = fired[0].at - feed.frozen_at
    assert stale_rule.threshold * 60 <= delay <= stale_rule.threshold * 60 + 15 * 60
    assert "import register has not moved" in fired[0].body and fired[0].view == "device"


def test_frozen_export_register_at_midday_is_flagged(model):
    day = sunny_day(model)
    feed = feed_at(model, model.solar_noon(day) - 2.5 * 3600)  # 09:30, about 4 kW to the grid on this day
    feed.run(600)
    feed.freeze("received")
    fired = [a for a in feed.run(45 * 60) if a.kind == "stale_data"]
    assert len(fired) == 1 and "export register has not moved" in fired[0].body


def test_outage_longer_than_the_rule_then_back(model):
    start = model.solar_noon(sunny_day(model)) + 3 * 3600
    feed = feed_at(model, start)
    feed.run(600)
    feed.outage = True
    fired = feed.run(20 * 60)
    assert [a.title for a in fired] == ["Meter unreachable for 15 min"]
    feed.outage = False
    back = feed.run(60)
    assert [a.title for a in back] == ["Meter back online"]
    # values resume: the registers jumped by the outage's energy, which is not "frozen" and not an alarm
    assert [a for a in feed.run(3600) if a.kind in ("stale_data", "meter_unreachable")] == []


def test_short_outage_says_nothing(model):
    feed = feed_at(model, model.solar_noon(sunny_day(model)) + 5 * 3600)
    feed.run(300)
    feed.outage = True
    feed.run(5 * 60)
    feed.outage = False
    feed.run(30 * 60)
    assert [a for a in feed.alerts if a.kind in ("stale_data", "meter_unreachable")] == []
