"""The alert engine driven by sample streams on a fake clock."""

import datetime as dt

from tests.unit.alerts_streams import DENVER, FakeClock, Household, local, wobble
from xcelsior_desktop.alerts import AlertEngine, AlertRule, Connection, RuleKind, default_rules
from xcelsior_desktop.alerts.cost_facts import CostFactsSource
from xcelsior_desktop.energy.store import HistoryStore


def make(rules, start=None):
    clock = FakeClock(start or local(12, 0))
    engine = AlertEngine(rules, clock=clock, tz=DENVER)
    return engine, clock, Household(engine, clock)


def usage_rule(**kw):
    values = {
        "threshold": 3000,
        "rearm": 2000,
        "duration_min": 10,
        "cooldown_min": 30,
        "quiet_start": None,
        "quiet_end": None,
        "id": "usage",
    }
    values.update(kw)
    return AlertRule(RuleKind.USAGE_ABOVE, **values)


# -- usage / export: duration, hysteresis, cooldown, quiet hours -------------------------------------------


def test_usage_fires_only_after_the_duration_and_only_once():
    engine, clock, home = make([usage_rule()])
    assert home.run(600, 500) == []
    assert home.run(595, 3500) == []  # 9 min 55 s above
    fired = home.run(10, 3500)
    assert [a.rule_id for a in fired] == ["usage"]
    alert = fired[0]
    assert alert.title == "High electricity use: 3.5 kW" and "10 min" in alert.body and alert.view == "live"
    assert alert.notify and not alert.resolved
    assert home.run(3600, wobble(3500)) == []  # still above: disarmed, says nothing more


def test_a_dip_that_stays_above_the_rearm_mark_does_not_rearm():
    engine, clock, home = make([usage_rule(cooldown_min=0)])
    assert len(home.run(660, 3500)) == 1
    home.run(60, 2500)  # below the threshold, above the 2000 W re-arm mark
    assert home.run(1200, 3500) == []
    home.run(60, 1500)  # below the mark: re-armed
    assert home.run(540, 3500) == []  # the new run needs its 10 minutes again
    assert len(home.run(120, 3500)) == 1


def test_a_dip_below_the_threshold_restarts_the_run():
    engine, clock, home = make([usage_rule()])
    home.run(540, 3500)
    home.run(10, 2900)
    assert home.run(540, 3500) == []
    assert len(home.run(120, 3500)) == 1


def test_cooldown_delays_a_rearmed_alert_until_it_ends():
    engine, clock, home = make([usage_rule(cooldown_min=60, duration_min=1)])
    first = home.run(65, 3500)
    assert len(first) == 1
    home.run(60, 1000)  # re-armed
    assert home.run(60 * 50, 3500) == []  # holds again, but within the hour
    later = home.run(15 * 60, 3500)
    assert len(later) == 1
    assert 3600 <= later[0].at - first[0].at < 3600 + 10


def test_quiet_hours_record_without_notifying():
    engine, clock, home = make([usage_rule(quiet_start="22:00", quiet_end="07:00", duration_min=1)], local(23, 0))
    fired = home.run(70, 4000)
    assert len(fired) == 1 and fired[0].notify is False


def test_a_gap_in_readings_breaks_the_run():
    engine, clock, home = make([usage_rule()])
    home.run(500, 3500)
    home.silence(300)  # app asleep / meter silent: we do not know what happened
    assert home.run(500, 3500) == []
    assert len(home.run(120, 3500)) == 1


def test_export_uses_negative_demand():
    rule = AlertRule(
        RuleKind.EXPORT_ABOVE,
        threshold=1500,
        rearm=500,
        duration_min=5,
        cooldown_min=0,
        quiet_start=None,
        quiet_end=None,
        id="export",
    )
    engine, clock, home = make([rule, usage_rule()])
    assert home.run(600, 1800) == []  # importing 1.8 kW is not a surplus
    fired = home.run(310, wobble(-2000))
    assert [a.rule_id for a in fired] == ["export"]
    assert "to the grid" in fired[0].title and "dishwasher" in fired[0].body


def test_disabled_rules_never_fire():
    engine, clock, home = make([usage_rule(enabled=False, duration_min=0)])
    assert home.run(3600, 5000) == []


def test_changing_rules_keeps_cooldown_for_the_same_id():
    engine, clock, home = make([usage_rule(duration_min=1, cooldown_min=120)])
    assert len(home.run(70, 4000)) == 1
    home.run(30, 100)
    engine.set_rules([usage_rule(duration_min=1, cooldown_min=120, threshold=3500)])
    assert home.run(600, 4000) == []  # same rule id: still in its cooldown


# -- daily import budget --------------------------------------------------------------------------------


def budget_rule(kwh=5.0):
    return AlertRule(
        RuleKind.DAILY_IMPORT, threshold=kwh, cooldown_min=0, quiet_start=None, quiet_end=None, id="budget"
    )


def budget_home(start: dt.datetime, kwh: float) -> tuple[AlertEngine, FakeClock, Household, HistoryStore]:
    """An engine whose daily budget reads today's kWh from a store the household's registers go into (the one
    energy function, with no tariff: the budget needs none)."""
    store = HistoryStore.in_memory()
    engine, clock, home = make([budget_rule(kwh)], start)
    engine.set_cost_source(CostFactsSource(None, lambda: store, zone=DENVER))
    home.store = store
    return engine, clock, home, store


def test_daily_budget_counts_from_local_midnight():
    engine, clock, home, store = budget_home(local(23, 0, day=9), 5.0)
    with store:
        home.run(3600, 1000)  # 1 kWh yesterday evening: not today
        assert home.run(4 * 3600, 1000) == []  # 00:00 -> 04:00: 4 kWh
        fired = home.run(3600 + 120, 1000)
        assert [a.rule_id for a in fired] == ["budget"]
        assert "5.0 kWh" in fired[0].title and "counted since" not in fired[0].body
        assert home.run(12 * 3600, 1000) == []  # once a day
        # local midnight re-arms it (the clock is MST: 07:00 UTC)
        home.run(7 * 3600, 1000)  # up to ~00:02 on day 11
        assert clock.now > local(0, 0, day=11).timestamp()
        assert len(home.run(5 * 3600 + 300, 1000)) == 1


def test_daily_budget_started_mid_day_says_since_when():
    engine, clock, home, store = budget_home(local(15, 0), 1.0)
    with store:
        fired = home.run(3600 + 300, 1000)
    assert len(fired) == 1
    assert "counted since 15:01" in fired[0].body


def test_without_the_history_the_daily_budget_stays_silent():
    """No store, no figure: the budget never guesses today's energy from anything but the one function."""
    engine, clock, home = make([budget_rule(0.5)], local(8, 0))
    assert home.run(3 * 3600, 2000) == []


# -- meter unreachable ----------------------------------------------------------------------------------


def unreachable_rule(minutes=15, **kw):
    return AlertRule(
        RuleKind.UNREACHABLE,
        threshold=minutes,
        cooldown_min=kw.pop("cooldown_min", 60),
        quiet_start=None,
        quiet_end=None,
        id="unreachable",
        **kw,
    )


def test_unreachable_after_n_minutes_then_back_again():
    engine, clock, home = make([unreachable_rule()])
    home.run(300, wobble(800))
    assert engine.feed_connection(Connection.OFFLINE) == []
    assert home.silence(14 * 60) == []
    fired = home.silence(90)
    assert len(fired) == 1 and fired[0].title.startswith("Meter unreachable for 15 min")
    assert "12:05" in fired[0].body and fired[0].view == "device"
    assert home.silence(3 * 3600) == []  # one alert per outage
    back = home.run(5, 800)
    assert len(back) == 1 and back[0].resolved and back[0].title == "Meter back online"
    assert home.run(600, wobble(800)) == []


def test_short_outages_and_pauses_say_nothing():
    engine, clock, home = make([unreachable_rule()])
    home.run(60, 800)
    engine.feed_connection(Connection.OFFLINE)
    home.silence(10 * 60)
    assert home.run(60, 800) == []  # back before 15 min: no alert, no "back online"
    engine.feed_connection(Connection.INACTIVE)  # the user paused polling
    assert home.silence(3600) == []


def test_repeated_offline_reports_do_not_restart_the_outage():
    engine, clock, home = make([unreachable_rule()])
    engine.feed_connection(Connection.OFFLINE)
    fired = []
    for _ in range(20):
        clock.advance(60)
        fired += engine.feed_connection(Connection.OFFLINE)  # the worker reports every failed retry
    assert len(fired) == 1


def test_flapping_meter_is_limited_by_the_cooldown():
    engine, clock, home = make([unreachable_rule(minutes=2, cooldown_min=60)])
    notes = []
    for _ in range(6):  # 6 outages of 3 minutes within an hour
        engine.feed_connection(Connection.OFFLINE)
        notes += home.silence(180)
        notes += home.run(300, 800)
    assert [a.title for a in notes if not a.resolved] == ["Meter unreachable for 2 min"]
    assert [a.title for a in notes if a.resolved] == ["Meter back online"]


# -- stale data -------------------------------------------------------------------------------------------


def stale_rule(minutes=20):
    return AlertRule(RuleKind.STALE, threshold=minutes, cooldown_min=360, quiet_start=None, quiet_end=None, id="stale")


def test_frozen_import_register_while_demand_flows():
    engine, clock, home = make([stale_rule()])
    home.run(1800, wobble(1200))
    assert home.alerts == []
    home.freeze_delivered = True
    assert home.run(19 * 60, wobble(1200)) == []
    fired = home.run(3 * 60, wobble(1200))
    assert len(fired) == 1 and "import register has not moved" in fired[0].body
    home.freeze_delivered = False
    assert home.run(3600, wobble(1200)) == []  # thawed; re-armed but in its cooldown


def test_frozen_demand_while_the_registers_move():
    engine, clock, home = make([stale_rule()])
    home.run(600, wobble(900))
    home.freeze_demand_at = 900.0
    fired = home.run(25 * 60, wobble(900))
    assert len(fired) == 1 and "Demand has stayed at exactly 900 W" in fired[0].body


def test_no_false_stale_for_quiet_or_constant_homes():
    engine, clock, home = make([stale_rule()])
    home.run(2 * 3600, 0.0)  # balanced solar: demand 0, registers still: nothing is wrong
    # a steady 60 W fridge-and-router night: a real meter's reading still jitters by a watt or two, and the
    # import register moves only 20 Wh per 20 minutes, under the 50 Wh a frozen register must have missed
    home.run(2 * 3600, lambda t: 60.0 + (int(t // 20) % 3))
    home.run(3600, wobble(700))
    assert home.alerts == []


def test_registers_not_being_read_is_not_stale():
    engine, clock, home = make([stale_rule()])
    home.run(600, wobble(1500))
    home.registers_every = 10**9  # the app stopped reading registers (e.g. paused that poll)
    home.run(3600, wobble(1500))
    assert home.alerts == []


# -- certificate -------------------------------------------------------------------------------------------


def cert_rules():
    return [r for r in default_rules() if r.kind is RuleKind.CERT_EXPIRING]


def test_certificate_warnings_at_30_and_7_days_once_each():
    engine, clock, home = make(cert_rules())
    expiry = dt.datetime.fromtimestamp(clock.now, DENVER) + dt.timedelta(days=40)
    assert engine.feed_certificate(expiry) == []
    fired = []
    for _ in range(40 * 24):
        clock.advance(3600)
        fired += engine.tick()
    assert [a.rule_id for a in fired] == ["cert-30", "cert-7"]
    assert fired[0].title == "Certificate expires in 30 days" and fired[0].view == "device"
    assert fired[1].title == "Certificate expires in 7 days"
    assert "Launchpad" in fired[1].body


def test_certificate_already_close_gives_one_notification_and_renewal_rearms():
    engine, clock, home = make(cert_rules())
    now = dt.datetime.fromtimestamp(clock.now, DENVER)
    fired = engine.feed_certificate(now + dt.timedelta(days=5, hours=1))
    assert [a.rule_id for a in fired] == ["cert-7"]
    assert engine.feed_certificate(now + dt.timedelta(days=1094)) == []  # renewed: re-armed
    fired = engine.feed_certificate(now - dt.timedelta(days=1))
    assert [a.title for a in fired] == ["Certificate expired"]


def test_snapshot_restore_means_a_restart_repeats_nothing():
    engine, clock, home, store = budget_home(local(9, 0), 1.0)
    engine.set_rules(cert_rules() + [budget_rule(1.0)])
    now = dt.datetime.fromtimestamp(clock.now, DENVER)
    assert len(engine.feed_certificate(now + dt.timedelta(days=20))) == 1
    assert [a.rule_id for a in home.run(3600 + 300, 1000)] == ["budget"]
    saved = engine.snapshot()

    again = AlertEngine(cert_rules() + [budget_rule(1.0)], clock=clock, tz=DENVER)
    again.set_cost_source(CostFactsSource(None, lambda: store, zone=DENVER))
    again.restore(saved)
    assert again.feed_certificate(now + dt.timedelta(days=20)) == []
    clock.advance(90)
    assert again.feed_registers(home.delivered_wh + 10, home.received_wh) == []  # the budget fired already today
    store.close()
    fresh = AlertEngine(cert_rules(), clock=clock, tz=DENVER)
    fresh.restore({"rules": "garbage", "day": 7})
    assert len(fresh.feed_certificate(now + dt.timedelta(days=20))) == 1
