"""Alerts: rules (what to watch), the engine (when to speak up) and the stores (rules, history, state)."""

from xcelsior_desktop.alerts.engine import Alert, AlertEngine, Clock, Connection
from xcelsior_desktop.alerts.rules import KINDS, AlertRule, KindInfo, RuleKind, default_rules, new_rule
from xcelsior_desktop.alerts.store import AlertHistory, EngineStateStore, RulesStore

__all__ = [
    "KINDS",
    "Alert",
    "AlertEngine",
    "AlertHistory",
    "AlertRule",
    "Clock",
    "Connection",
    "EngineStateStore",
    "KindInfo",
    "RuleKind",
    "RulesStore",
    "default_rules",
    "new_rule",
]
