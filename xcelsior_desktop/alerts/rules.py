"""Alert rules: what the user asked to be told about, with thresholds, hysteresis, cooldown and quiet hours.

A rule is plain data (saved as JSON); :mod:`.engine` decides when it fires. Units depend on the kind:
``threshold`` is in W (usage, export, on-peak soon), kWh (daily import), minutes (unreachable, stale), days
(certificate) or money in the tariff's currency (daily cost, billing cycle projection).
``rearm`` is the hysteresis mark in the same unit: an "above" rule re-arms only once the value has gone back
below it; the certificate rule re-arms once the days left are above it again (a new certificate).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any


class RuleKind(StrEnum):
    USAGE_ABOVE = "usage_above"
    EXPORT_ABOVE = "export_above"
    DAILY_IMPORT = "daily_import"
    UNREACHABLE = "meter_unreachable"
    STALE = "stale_data"
    CERT_EXPIRING = "certificate_expiring"
    ONPEAK_SOON = "onpeak_soon"  # on-peak starts in ``lead_min`` minutes while drawing more than ``threshold`` W
    DAILY_COST = "daily_cost"  # the daily budget in money
    CYCLE_PROJECTED = "cycle_projected"  # the billing cycle is projected above ``threshold``
    PEAK_NEAR = "peak_near"  # the quarter hour in progress within ``threshold`` % of the month's 15-minute peak
    ALWAYS_ON_RISE = "always_on_rise"  # the always-on baseline rose more than ``threshold`` W over a week


@dataclass(frozen=True)
class KindInfo:
    """How a kind of rule reads in the editor."""

    label: str
    threshold_label: str
    unit: str
    uses_duration: bool  # the condition must hold for ``duration_min``
    uses_rearm: bool  # the user can set the hysteresis mark
    rearm_label: str
    view: str  # the window's view a click on its notification opens
    minimum: float
    maximum: float


KINDS: dict[RuleKind, KindInfo] = {
    RuleKind.USAGE_ABOVE: KindInfo(
        "Usage above", "Power drawn from the grid at least", "W", True, True, "Re-arm below", "live", 1, 100_000
    ),
    RuleKind.EXPORT_ABOVE: KindInfo(
        "Solar surplus (export) above",
        "Power sent to the grid at least",
        "W",
        True,
        True,
        "Re-arm below",
        "live",
        1,
        100_000,
    ),
    RuleKind.DAILY_IMPORT: KindInfo(
        "Today's import above budget", "Energy imported today at least", "kWh", False, False, "", "live", 0.1, 1000
    ),
    RuleKind.UNREACHABLE: KindInfo(
        "Meter unreachable", "No answer from the meter for", "min", False, False, "", "device", 1, 24 * 60
    ),
    RuleKind.STALE: KindInfo(
        "Data stale (a value frozen)",
        "A value frozen while the other moves for",
        "min",
        False,
        False,
        "",
        "device",
        2,
        24 * 60,
    ),
    RuleKind.CERT_EXPIRING: KindInfo(
        "Certificate expiring", "Days left at most", "days", False, True, "Re-arm above", "device", 0, 3650
    ),
    RuleKind.ONPEAK_SOON: KindInfo(
        "On-peak starts soon while drawing a lot", "Power drawn from the grid at least", "W", False, False, "",
        "cost", 1, 100_000
    ),
    RuleKind.DAILY_COST: KindInfo(
        "Today's cost above budget", "Cost of today's energy at least", "$", False, False, "", "cost", 0.01, 10_000
    ),
    RuleKind.CYCLE_PROJECTED: KindInfo(
        "Billing cycle projected above", "Projected cost of the billing cycle at least", "$", False, False, "",
        "cost", 1, 100_000
    ),
    RuleKind.PEAK_NEAR: KindInfo(
        "This month's 15-minute peak is near", "The quarter hour in progress within", "%", False, False, "",
        "overview", 1, 50
    ),
    RuleKind.ALWAYS_ON_RISE: KindInfo(
        "Always-on rose over the last week", "The always-on baseline rose by more than", "W", False, False, "",
        "overview", 1, 10_000
    ),
}
USAGE_KINDS = frozenset({RuleKind.PEAK_NEAR, RuleKind.ALWAYS_ON_RISE})
COST_KINDS = frozenset({RuleKind.ONPEAK_SOON, RuleKind.DAILY_COST, RuleKind.CYCLE_PROJECTED})
MAX_LEAD_MIN = 24 * 60

_ABOVE_KINDS = (RuleKind.USAGE_ABOVE, RuleKind.EXPORT_ABOVE)


def parse_hhmm(text: str | None) -> dt.time | None:
    """``"22:30"`` -> ``time(22, 30)``; ``None`` or ``""`` -> ``None``. Raises ValueError on anything else."""
    if text is None or not str(text).strip():
        return None
    hours, _, minutes = str(text).strip().partition(":")
    value = dt.time(int(hours), int(minutes or 0))
    return value


def in_quiet_hours(start: dt.time | None, end: dt.time | None, local: dt.time) -> bool:
    """Whether ``local`` falls in [start, end); the span may cross midnight (22:00-07:00). start == end: never."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


@dataclass
class AlertRule:
    kind: RuleKind
    threshold: float
    rearm: float | None = None  # None: the kind's natural mark (see effective_rearm)
    duration_min: float = 0.0
    cooldown_min: float = 60.0
    quiet_start: str | None = "22:00"
    quiet_end: str | None = "07:00"
    enabled: bool = True
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    lead_min: float = 30.0  # on-peak soon: how many minutes before on-peak starts

    @property
    def info(self) -> KindInfo:
        return KINDS[self.kind]

    @property
    def effective_rearm(self) -> float:
        """The hysteresis mark actually used."""
        if self.kind in _ABOVE_KINDS:
            mark = self.threshold * 0.8 if self.rearm is None else self.rearm
            return min(mark, self.threshold)
        if self.kind is RuleKind.CERT_EXPIRING:
            mark = self.threshold if self.rearm is None else self.rearm
            return max(mark, self.threshold)
        return self.threshold

    def quiet_now(self, local: dt.time) -> bool:
        return in_quiet_hours(parse_hhmm(self.quiet_start), parse_hhmm(self.quiet_end), local)

    def describe(self) -> str:
        """One line for lists: "Usage above 4000 W for 15 min"."""
        info = self.info
        value = f"{self.threshold:g} {info.unit}"
        text = {
            RuleKind.USAGE_ABOVE: f"Usage above {value} for {self.duration_min:g} min",
            RuleKind.EXPORT_ABOVE: f"Export above {value} for {self.duration_min:g} min",
            RuleKind.DAILY_IMPORT: f"Today's import above {value}",
            RuleKind.UNREACHABLE: f"Meter unreachable for {value}",
            RuleKind.STALE: f"Data frozen for {value}",
            RuleKind.CERT_EXPIRING: f"Certificate expires within {value}",
            RuleKind.ONPEAK_SOON: f"On-peak in {self.lead_min:g} min while drawing over {value}",
            RuleKind.DAILY_COST: f"Today's energy cost above ${self.threshold:,.2f}",
            RuleKind.CYCLE_PROJECTED: f"Billing cycle projected above ${self.threshold:,.2f}",
            RuleKind.PEAK_NEAR: f"This month's 15-minute peak within {self.threshold:g} %",
            RuleKind.ALWAYS_ON_RISE: f"Always-on up more than {value} in a week",
        }[self.kind]
        return text

    def validated(self) -> AlertRule:
        """A copy with every field in range; raises ValueError with a sentence the user can act on."""
        info = self.info
        threshold = float(self.threshold)
        if not info.minimum <= threshold <= info.maximum:
            raise ValueError(
                f"{info.label}: the threshold must be between {info.minimum:g} and {info.maximum:g} {info.unit}."
            )
        rearm = None if self.rearm is None else float(self.rearm)
        if rearm is not None and self.kind in _ABOVE_KINDS and not 0 <= rearm <= threshold:
            raise ValueError(f"{info.label}: the re-arm mark must be between 0 and the threshold ({threshold:g}).")
        if rearm is not None and self.kind is RuleKind.CERT_EXPIRING and rearm < threshold:
            raise ValueError(f"{info.label}: the re-arm mark must be at least the threshold ({threshold:g} days).")
        duration = float(self.duration_min)
        cooldown = float(self.cooldown_min)
        if not 0 <= duration <= 24 * 60:
            raise ValueError(f"{info.label}: the duration must be between 0 and 1440 minutes.")
        if not 0 <= cooldown <= 30 * 24 * 60:
            raise ValueError(f"{info.label}: the cooldown must be between 0 minutes and 30 days.")
        lead = float(self.lead_min)
        if not 1 <= lead <= MAX_LEAD_MIN:
            raise ValueError(f"{info.label}: the warning must come 1 to {MAX_LEAD_MIN} minutes before on-peak.")
        try:
            start, end = parse_hhmm(self.quiet_start), parse_hhmm(self.quiet_end)
        except ValueError as exc:
            raise ValueError(f"{info.label}: quiet hours must look like 22:00 ({exc}).") from None
        if (start is None) != (end is None):
            raise ValueError(f"{info.label}: give both the start and the end of the quiet hours, or neither.")
        return replace(
            self,
            kind=RuleKind(self.kind),
            threshold=threshold,
            rearm=rearm,
            duration_min=duration,
            cooldown_min=cooldown,
            quiet_start=start.strftime("%H:%M") if start else None,
            quiet_end=end.strftime("%H:%M") if end else None,
            enabled=bool(self.enabled),
            id=str(self.id),
            lead_min=lead,
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AlertRule:
        """Build and validate a rule from JSON; unknown keys are ignored. Raises ValueError/KeyError/TypeError."""
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        known["kind"] = RuleKind(known["kind"])
        return cls(**known).validated()


def default_rules() -> list[AlertRule]:
    """What a new user gets: useful, quiet at night, and never chatty."""
    return [
        AlertRule(RuleKind.USAGE_ABOVE, threshold=4000, rearm=3000, duration_min=15, cooldown_min=60, id="usage"),
        AlertRule(RuleKind.EXPORT_ABOVE, threshold=1500, rearm=500, duration_min=5, cooldown_min=180, id="export"),
        AlertRule(RuleKind.DAILY_IMPORT, threshold=30, cooldown_min=0, id="daily-import"),
        AlertRule(RuleKind.UNREACHABLE, threshold=15, cooldown_min=60, id="unreachable"),
        AlertRule(RuleKind.STALE, threshold=20, cooldown_min=360, id="stale"),
        AlertRule(RuleKind.CERT_EXPIRING, threshold=30, cooldown_min=0, quiet_start=None, quiet_end=None, id="cert-30"),
        AlertRule(RuleKind.CERT_EXPIRING, threshold=7, cooldown_min=0, quiet_start=None, quiet_end=None, id="cert-7"),
        # cost rules start switched off: the tariff's prices are not checked against a bill yet
        AlertRule(RuleKind.ONPEAK_SOON, threshold=2000, lead_min=30, cooldown_min=0, enabled=False, id="onpeak-soon"),
        AlertRule(RuleKind.DAILY_COST, threshold=5.0, cooldown_min=0, enabled=False, id="daily-cost"),
        AlertRule(RuleKind.CYCLE_PROJECTED, threshold=150.0, cooldown_min=24 * 60, enabled=False,
                  id="cycle-projected"),
        # usage rules start switched off: a demand charge is not on residential bills, a baseline drifts
        AlertRule(RuleKind.PEAK_NEAR, threshold=10, cooldown_min=60, enabled=False, id="peak-near"),
        AlertRule(RuleKind.ALWAYS_ON_RISE, threshold=50, cooldown_min=7 * 24 * 60, quiet_start=None, quiet_end=None,
                  enabled=False, id="always-on-rise"),
    ]


def new_rule(kind: RuleKind) -> AlertRule:
    """A fresh rule of ``kind`` with the default values of that kind (for the editor's Add button)."""
    for rule in default_rules():
        if rule.kind is kind:
            return replace(rule, id=uuid.uuid4().hex[:12], enabled=True)
    raise ValueError(f"unknown rule kind {kind!r}")
