"""The alert engine: observations in, alerts out. Qt-free, driven by an injected clock.

Feed it what the meter worker sees (:meth:`AlertEngine.feed_demand`, :meth:`~AlertEngine.feed_registers`,
:meth:`~AlertEngine.feed_connection`, :meth:`~AlertEngine.feed_certificate`) and call :meth:`~AlertEngine.tick`
now and then (time-based rules fire even when nothing arrives). Every call returns the alerts that fired.

Each rule fires once, then stays disarmed until its value has crossed back past the re-arm mark (hysteresis),
and never fires again within its cooldown. During its quiet hours an alert is still returned (for the in-app
list) but with ``notify=False``.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from xcelsior_desktop.alerts.cost_facts import CostFacts
from xcelsior_desktop.alerts.rules import COST_KINDS, USAGE_KINDS, AlertRule, RuleKind
from xcelsior_desktop.alerts.usage_facts import UsageFacts

log = logging.getLogger(__name__)

Clock = Callable[[], float]  # unix seconds
CostSource = Callable[[float], CostFacts | None]  # unix seconds -> what the cost rules look at
UsageSource = Callable[[float], UsageFacts | None]  # unix seconds -> the month's peak and the always-on baseline
PEAK_MIN_ELAPSED_S = 300.0  # the quarter hour's average says little before five minutes of it
PEAK_MIN_DAYS = 2  # a month's first day sets its own peak: nothing to warn about yet

MAX_DEMAND_GAP_S = 180.0  # a longer silence between two demand readings breaks a "for N minutes" run
MAX_REGISTER_GAP_S = 300.0  # registers older than this cannot be called frozen: we are just not reading them
STALE_MIN_ENERGY_WH = 100.0  # energy demand says flowed before a frozen register counts as stale
DEMAND_EPSILON_W = 0.5  # demand readings closer than this are "the same value"


class Connection(StrEnum):
    ONLINE = "online"  # readings arrive
    OFFLINE = "offline"  # we are trying and the meter does not answer (unreachable, busy, refused, ...)
    INACTIVE = "inactive"  # we are not trying (paused, no identity, setup): no "unreachable" alert


@dataclass(frozen=True)
class Alert:
    rule_id: str
    kind: str
    title: str
    body: str
    at: float  # unix seconds
    view: str  # the window's view to open on click
    notify: bool = True  # False: recorded only (quiet hours)
    resolved: bool = False  # a "back to normal" follow-up
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        alert = cls(**known)
        if not isinstance(alert.title, str) or not isinstance(alert.at, int | float):
            raise ValueError("not an alert")
        return alert


@dataclass
class _RuleState:
    armed: bool = True
    last_at: float | None = None  # when it last fired
    run_since: float | None = None  # when the condition started holding (usage/export)
    fired: bool = False  # fired and not yet resolved (for "back online")


@dataclass
class _Observations:
    demand_w: float | None = None
    demand_at: float | None = None
    demand_changed_at: float | None = None
    delivered_wh: float | None = None
    received_wh: float | None = None
    registers_at: float | None = None
    delivered_changed_at: float | None = None
    received_changed_at: float | None = None
    # register values when demand last changed (to see registers move under a frozen demand)
    registers_at_demand_change: tuple[float, float] | None = None
    # energy integrated from demand readings (running totals), the totals when each register last moved, and
    # what the registers should have taken in by their last reading (energy after that reading is not counted:
    # registers are read less often than demand, so they always lag a little)
    import_total_wh: float = 0.0
    export_total_wh: float = 0.0
    import_mark_wh: float = 0.0
    export_mark_wh: float = 0.0
    import_unseen_wh: float = 0.0
    export_unseen_wh: float = 0.0
    connection: Connection = Connection.INACTIVE
    offline_since: float | None = None
    cert_not_after: float | None = None


def _fmt_power(watts: float) -> str:
    if abs(watts) >= 1000:
        return f"{watts / 1000:.1f} kW"
    return f"{watts:.0f} W"


def _fmt_minutes(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


class AlertEngine:
    def __init__(self, rules: Iterable[AlertRule], clock: Clock = time.time, tz: dt.tzinfo | None = None) -> None:
        self._clock = clock
        self._tz = tz
        self._rules: list[AlertRule] = []
        self._state: dict[str, _RuleState] = {}
        self._obs = _Observations()
        self._cost_source: CostSource | None = None
        self._facts: CostFacts | None = None  # computed once per evaluation, when a rule needs them
        self._usage_source: UsageSource | None = None
        self.set_rules(rules)

    # -- configuration ------------------------------------------------------------------------------

    @property
    def rules(self) -> list[AlertRule]:
        return list(self._rules)

    def set_rules(self, rules: Iterable[AlertRule]) -> None:
        """Replace the rules; a rule keeping its id keeps its cooldown and armed state."""
        self._rules = [rule for rule in rules]
        self._state = {rule.id: self._state.get(rule.id, _RuleState()) for rule in self._rules}
        for state in self._state.values():
            state.run_since = None

    def _local(self, at: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(at, tz=self._tz) if self._tz else dt.datetime.fromtimestamp(at).astimezone()

    def set_zone(self, tz: dt.tzinfo | None) -> None:
        """The home zone: the days of the budget rules and the quiet hours follow it."""
        self._tz = tz

    def set_cost_source(self, source: CostSource | None) -> None:
        """Where the cost rules (and the daily import budget) get today's energy and cost, the billing cycle's
        projection and the next on-peak start: the history store through the tariff. None: no tariff/store;
        the cost rules stay silent and the daily import budget counts from the registers."""
        self._cost_source = source

    def set_usage_source(self, source: UsageSource | None) -> None:
        """Where the usage rules (peak near, always-on rise) read the store's figures; None: they stay silent."""
        self._usage_source = source

    # -- observations ---------------------------------------------------------------------------------

    def feed_demand(self, watts: float) -> list[Alert]:
        """A fresh instantaneous demand reading (W, negative while exporting)."""
        if watts is None or not math.isfinite(watts):
            return self.tick()
        now = self._clock()
        obs = self._obs
        gap = None if obs.demand_at is None else now - obs.demand_at
        broken = gap is None or gap > MAX_DEMAND_GAP_S
        if broken:
            obs.demand_changed_at = now
            obs.registers_at_demand_change = self._registers_tuple()
            obs.import_mark_wh, obs.export_mark_wh = obs.import_total_wh, obs.export_total_wh
            obs.import_unseen_wh = obs.export_unseen_wh = 0.0
            for state in self._state.values():
                state.run_since = None
        else:
            assert gap is not None and obs.demand_w is not None
            # energy over the gap, at the previous reading's power (what the meter reported then)
            wh = obs.demand_w * gap / 3600.0
            if wh > 0:
                obs.import_total_wh += wh
            else:
                obs.export_total_wh += -wh
            if abs(watts - obs.demand_w) > DEMAND_EPSILON_W:
                obs.demand_changed_at = now
                obs.registers_at_demand_change = self._registers_tuple()
        obs.demand_w = float(watts)
        obs.demand_at = now
        self._set_connection(Connection.ONLINE, now)
        return self._evaluate(now)

    def feed_registers(self, delivered_wh: float | None, received_wh: float | None) -> list[Alert]:
        """Fresh summation registers (Wh; either may be missing)."""
        now = self._clock()
        obs = self._obs
        if delivered_wh is not None and math.isfinite(delivered_wh):
            if obs.delivered_wh is None or delivered_wh != obs.delivered_wh:
                obs.delivered_changed_at = now
                obs.import_mark_wh = obs.import_total_wh
            obs.delivered_wh = float(delivered_wh)
        if received_wh is not None and math.isfinite(received_wh):
            if obs.received_wh is None or received_wh != obs.received_wh:
                obs.received_changed_at = now
                obs.export_mark_wh = obs.export_total_wh
            obs.received_wh = float(received_wh)
        if obs.registers_at is None or now - obs.registers_at > MAX_REGISTER_GAP_S:
            # after a gap nothing is known to be frozen yet
            obs.delivered_changed_at = obs.received_changed_at = now
            obs.import_mark_wh, obs.export_mark_wh = obs.import_total_wh, obs.export_total_wh
        obs.import_unseen_wh = obs.import_total_wh - obs.import_mark_wh
        obs.export_unseen_wh = obs.export_total_wh - obs.export_mark_wh
        obs.registers_at = now
        if obs.registers_at_demand_change is None:
            obs.registers_at_demand_change = self._registers_tuple()
        self._set_connection(Connection.ONLINE, now)
        return self._evaluate(now)

    def feed_connection(self, connection: Connection) -> list[Alert]:
        """The worker's state, reduced to online / offline / inactive."""
        now = self._clock()
        self._set_connection(Connection(connection), now)
        return self._evaluate(now)

    def feed_certificate(self, not_after: dt.datetime | None) -> list[Alert]:
        """Our client certificate's expiry (None: no identity)."""
        self._obs.cert_not_after = None if not_after is None else not_after.timestamp()
        return self.tick()

    def tick(self) -> list[Alert]:
        """Re-evaluate time-based rules (call every 30 s or so)."""
        return self._evaluate(self._clock())

    # -- persistence ------------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """What must survive a restart so nothing fires twice: per-rule state."""
        return {
            "rules": {
                rule_id: {"armed": st.armed, "last_at": st.last_at, "fired": st.fired}
                for rule_id, st in self._state.items()
            },
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Undo :meth:`snapshot`; anything malformed is ignored (fresh state)."""
        try:
            for rule_id, saved in dict(data.get("rules", {})).items():
                if rule_id in self._state:
                    last_at = saved.get("last_at")
                    self._state[rule_id] = _RuleState(
                        armed=bool(saved.get("armed", True)),
                        last_at=float(last_at) if last_at is not None else None,
                        fired=bool(saved.get("fired", False)),
                    )
        except (TypeError, ValueError, AttributeError) as exc:
            log.warning("ignoring unreadable alert state: %s", exc)

    # -- derived values -------------------------------------------------------------------------------

    def _registers_tuple(self) -> tuple[float, float] | None:
        obs = self._obs
        if obs.delivered_wh is None and obs.received_wh is None:
            return None
        return (obs.delivered_wh or 0.0, obs.received_wh or 0.0)

    def _set_connection(self, connection: Connection, now: float) -> None:
        obs = self._obs
        if connection is Connection.OFFLINE:
            if obs.connection is not Connection.OFFLINE or obs.offline_since is None:
                obs.offline_since = now
        else:
            obs.offline_since = None
        obs.connection = connection

    def _demand_fresh(self, now: float) -> bool:
        obs = self._obs
        return obs.demand_at is not None and now - obs.demand_at <= MAX_DEMAND_GAP_S

    def _stale_reason(self, rule: AlertRule, now: float) -> str | None:
        """Why the data looks frozen (a sentence), or None."""
        obs = self._obs
        limit = rule.threshold * 60.0
        if not self._demand_fresh(now) or obs.registers_at is None or now - obs.registers_at > MAX_REGISTER_GAP_S:
            return None
        assert obs.demand_w is not None
        frozen_for = _fmt_minutes
        if (
            obs.delivered_changed_at is not None
            and now - obs.delivered_changed_at >= limit
            and obs.import_unseen_wh >= STALE_MIN_ENERGY_WH
        ):
            return (
                f"The import register has not moved for {frozen_for(now - obs.delivered_changed_at)} although "
                f"demand shows about {obs.import_unseen_wh:.0f} Wh taken from the grid."
            )
        if (
            obs.received_changed_at is not None
            and now - obs.received_changed_at >= limit
            and obs.export_unseen_wh >= STALE_MIN_ENERGY_WH
        ):
            return (
                f"The export register has not moved for {frozen_for(now - obs.received_changed_at)} although "
                f"demand shows about {obs.export_unseen_wh:.0f} Wh sent to the grid."
            )
        if obs.demand_changed_at is not None and now - obs.demand_changed_at >= limit:
            before = obs.registers_at_demand_change
            current = self._registers_tuple()
            if before is not None and current is not None:
                moved = (current[0] - before[0]) + (current[1] - before[1])
                if moved >= STALE_MIN_ENERGY_WH:
                    return (
                        f"Demand has stayed at exactly {_fmt_power(obs.demand_w)} for "
                        f"{frozen_for(now - obs.demand_changed_at)} while the registers moved {moved:.0f} Wh."
                    )
        return None

    # -- the rules --------------------------------------------------------------------------------------

    def _check(self, rule: AlertRule, state: _RuleState, now: float) -> tuple[bool, bool, tuple[str, str] | None]:
        """(condition holds, value is past the re-arm mark, (title, body) if it holds)."""
        obs = self._obs
        kind = rule.kind
        if kind in (RuleKind.USAGE_ABOVE, RuleKind.EXPORT_ABOVE):
            if not self._demand_fresh(now) or obs.demand_w is None:
                state.run_since = None
                return False, False, None
            value = obs.demand_w if kind is RuleKind.USAGE_ABOVE else -obs.demand_w
            if value >= rule.threshold:
                if state.run_since is None:
                    state.run_since = obs.demand_at
            else:
                state.run_since = None
            rearm = value < rule.effective_rearm
            # the run lasts as far as readings cover it, never into a silence
            covered = (obs.demand_at or now) - state.run_since if state.run_since is not None else -1.0
            if covered < rule.duration_min * 60.0:
                return False, rearm, None
            lasted = _fmt_minutes(covered)
            if kind is RuleKind.USAGE_ABOVE:
                return (
                    True,
                    rearm,
                    (
                        f"High electricity use: {_fmt_power(value)}",
                        f"Drawing {_fmt_power(value)} from the grid for {lasted} (your limit: {_fmt_power(rule.threshold)}"
                        "). Something left on?",
                    ),
                )
            return (
                True,
                rearm,
                (
                    f"Solar surplus: {_fmt_power(value)} to the grid",
                    f"Exporting {_fmt_power(value)} for {lasted}: a good time to run the dishwasher, the washing "
                    "machine or charge the car.",
                ),
            )
        if kind in COST_KINDS:
            return self._check_cost(rule, now)
        if kind in USAGE_KINDS:
            return self._check_usage(rule, now)
        if kind is RuleKind.DAILY_IMPORT:
            facts = self._cost_facts(now)
            kwh = facts.today_import_kwh if facts is not None else None
            if kwh is None or facts is None:
                return False, False, None
            since = ""
            if facts.today_since is not None and self._local(facts.today_since).time() != dt.time(0, 0):
                since = f" (counted since {self._local(facts.today_since):%H:%M}, when the meter was first read today)"
            elif not facts.today_complete:
                since = " (at least: the history lacks some of today's 15-minute slots)"
            return (
                kwh >= rule.threshold,
                kwh < rule.effective_rearm,
                (
                    f"Daily budget reached: {kwh:.1f} kWh",
                    f"You have taken {kwh:.1f} kWh from the grid today{since}; your budget is {rule.threshold:g} kWh.",
                ),
            )
        if kind is RuleKind.UNREACHABLE:
            online = obs.connection is Connection.ONLINE
            if obs.connection is not Connection.OFFLINE or obs.offline_since is None:
                return False, online, None
            down = now - obs.offline_since
            return (
                down >= rule.threshold * 60.0,
                False,
                (
                    f"Meter unreachable for {_fmt_minutes(down)}",
                    f"No answer from the meter since {self._local(obs.offline_since):%H:%M}. The app keeps retrying; "
                    "if this lasts, check the meter's Wi-Fi in Xcel's Launchpad or close other apps that read it.",
                ),
            )
        if kind is RuleKind.STALE:
            reason = self._stale_reason(rule, now)
            fresh = self._demand_fresh(now)
            if reason is None:
                return False, fresh, None
            return (
                True,
                False,
                (
                    "Meter data looks frozen",
                    f"{reason} The meter's software may be stuck; readings may be wrong until it recovers.",
                ),
            )
        if kind is RuleKind.CERT_EXPIRING:
            if obs.cert_not_after is None:
                return False, False, None
            days = (obs.cert_not_after - now) / 86400.0
            when = self._local(obs.cert_not_after).strftime("%Y-%m-%d")
            if days <= 0:
                title = "Certificate expired"
                body = (
                    f"Your meter certificate expired on {when}; the meter no longer answers. Create a new "
                    "certificate and register its LFDI in Xcel's Launchpad."
                )
            else:
                left = math.ceil(days)
                title = f"Certificate expires in {left} day{'s' if left != 1 else ''}"
                body = (
                    f"Your meter certificate expires on {when}. Create a new one and register its LFDI in "
                    "Xcel's Launchpad before then: the meter stops answering without warning."
                )
            return days <= rule.threshold, days > rule.effective_rearm, (title, body)
        return False, False, None

    def _cost_facts(self, now: float) -> CostFacts | None:
        if self._facts is None and self._cost_source is not None:
            try:
                self._facts = self._cost_source(now)
            except Exception:  # a cost figure that cannot be computed must not stop the other alerts
                log.exception("cost facts could not be computed")
                self._cost_source = None
        return self._facts

    def _evaluate(self, now: float) -> list[Alert]:
        alerts: list[Alert] = []
        local = self._local(now).time()
        self._facts = None
        for rule in self._rules:
            state = self._state[rule.id]
            if not rule.enabled:
                state.run_since = None
                continue
            holds, rearm, text = self._check(rule, state, now)
            if not state.armed and rearm:
                state.armed = True
                if rule.kind is RuleKind.UNREACHABLE and state.fired:
                    alerts.append(self._back_online(rule, now, local))
                state.fired = False
            if not (state.armed and holds and text):
                continue
            if state.last_at is not None and now - state.last_at < rule.cooldown_min * 60.0:
                continue  # still armed: fires when the cooldown ends if the condition still holds
            state.armed = False
            state.fired = True
            state.last_at = now
            alerts.append(
                Alert(rule.id, rule.kind.value, text[0], text[1], now, rule.info.view, notify=not rule.quiet_now(local))
            )
        return self._coalesce(alerts)

    def _check_cost(self, rule: AlertRule, now: float) -> tuple[bool, bool, tuple[str, str] | None]:
        """The cost rules: on-peak soon while drawing a lot, today's cost, the billing cycle's projection."""
        facts = self._cost_facts(now)
        if facts is None:
            return False, False, None
        if rule.kind is RuleKind.ONPEAK_SOON:
            obs = self._obs
            if facts.next_peak_at is None:
                return False, True, None
            minutes = (facts.next_peak_at - now) / 60.0
            soon = 0 < minutes <= rule.lead_min
            if not soon or not self._demand_fresh(now) or obs.demand_w is None:
                return False, not soon, None
            starts = self._local(facts.next_peak_at)
            price = f" ({facts.price(facts.next_peak_price)})" if facts.next_peak_price is not None else ""
            return (
                obs.demand_w >= rule.threshold,
                False,
                (
                    f"On-peak in {max(1, round(minutes))} min: drawing {_fmt_power(obs.demand_w)}",
                    f"On-peak prices{price} start at {starts:%H:%M} and you are drawing {_fmt_power(obs.demand_w)} "
                    f"from the grid (your mark: {_fmt_power(rule.threshold)}). Big loads started now run into "
                    "on-peak; after it ends they cost less.",
                ),
            )
        if rule.kind is RuleKind.DAILY_COST:
            if facts.today_cost is None:
                return False, False, None
            cost = facts.today_cost
            at_least = "" if facts.today_complete else " at least"
            return (
                cost >= rule.threshold,
                cost < rule.threshold,
                (
                    f"Daily budget reached: {facts.money(cost)}",
                    f"Today's electricity has cost{at_least} {facts.money(cost)} so far (energy and the daily "
                    f"charge, at your tariff's prices); your budget is {facts.money(rule.threshold)}.",
                ),
            )
        if rule.kind is RuleKind.CYCLE_PROJECTED:
            if facts.cycle_projected is None:
                return False, False, None
            projected = facts.cycle_projected
            ends = ""
            if facts.cycle_next_first_day is not None:
                last = facts.cycle_next_first_day - dt.timedelta(days=1)
                ends = f" (the cycle ends {last:%a %d %b})"
            return (
                projected >= rule.threshold,
                projected < rule.threshold,
                (
                    f"Billing cycle projected at {facts.money(projected)}",
                    f"At the rate so far this billing cycle is projected to cost {facts.money(projected)}{ends}, "
                    f"above your mark of {facts.money(rule.threshold)}. Check your bill: the projection uses your "
                    "tariff's prices.",
                ),
            )
        return False, False, None

    def _check_usage(self, rule: AlertRule, now: float) -> tuple[bool, bool, tuple[str, str] | None]:
        """The month's 15-minute peak approached; the always-on baseline up over a week."""
        facts = None
        if self._usage_source is not None:
            try:
                facts = self._usage_source(now)
            except Exception:  # a figure that cannot be worked out must not stop the other alerts
                log.exception("usage facts could not be computed")
                self._usage_source = None
        if facts is None:
            return False, False, None
        if rule.kind is RuleKind.PEAK_NEAR:
            peak, quarter = facts.month_peak_w, facts.quarter_w
            if peak is None or quarter is None or facts.month_days < PEAK_MIN_DAYS or \
                    facts.quarter_elapsed_s < PEAK_MIN_ELAPSED_S:
                return False, True, None
            mark = peak * (1 - rule.threshold / 100)
            when = f" ({self._local(facts.month_peak_at):%d %b %H:%M})" if facts.month_peak_at else ""
            return (
                quarter >= mark,
                quarter < mark,
                (
                    f"Near this month's peak: {_fmt_power(quarter)}",
                    f"This quarter hour averages {_fmt_power(quarter)} so far, within {rule.threshold:g} % of "
                    f"the month's highest 15 minutes, {_fmt_power(peak)}{when}. Waiting with a big load keeps the "
                    "month's peak lower.",
                ),
            )
        now_w, before_w = facts.always_on_w, facts.always_on_week_ago_w
        if now_w is None or before_w is None:
            return False, False, None
        rise = now_w - before_w
        return (
            rise > rule.threshold,
            rise <= rule.threshold,
            (
                f"Always-on up {rise:.0f} W in a week",
                f"Your home's always-on baseline is {now_w:.0f} W, {rise:.0f} W more than a week ago "
                f"({before_w:.0f} W). Something new may run day and night.",
            ),
        )

    def _back_online(self, rule: AlertRule, now: float, local: dt.time) -> Alert:
        state = self._state[rule.id]
        since = f" since {self._local(state.last_at):%H:%M}" if state.last_at is not None else ""
        return Alert(
            rule.id,
            rule.kind.value,
            "Meter back online",
            f"Readings have resumed (it was unreachable{since}).",
            now,
            "live",
            notify=not rule.quiet_now(local),
            resolved=True,
        )

    def _coalesce(self, alerts: list[Alert]) -> list[Alert]:
        """Several certificate rules firing together (a 5-day-old certificate seen at start): keep the nearest."""
        certs = [a for a in alerts if a.kind == RuleKind.CERT_EXPIRING.value]
        if len(certs) < 2:
            return alerts
        thresholds = {rule.id: rule.threshold for rule in self._rules}
        keep = min(certs, key=lambda a: thresholds.get(a.rule_id, math.inf))
        return [a for a in alerts if a.kind != RuleKind.CERT_EXPIRING.value or a is keep]
