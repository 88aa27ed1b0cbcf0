"""Where alert rules, past alerts and the engine's state are kept (JSON, atomic writes).

- rules: ``config_dir()/alerts.json``; a corrupt file is moved aside as ``alerts.json.bad`` and the defaults
  are used, with :attr:`RulesStore.message` saying so; a single bad rule is dropped, the others kept (the
  original file is kept aside then too).

Every file is read through :mod:`xcelsior_desktop.platform.state_files` against its schema below.
- history: ``data_dir()/alerts-history.json``, the newest ``limit`` alerts.
- state: ``state_dir()/alerts-state.json`` (cooldowns, armed flags, today's baseline) so a restart never
  repeats an alert.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from xcelsior_desktop.alerts.engine import Alert
from xcelsior_desktop.alerts.rules import AlertRule, default_rules
from xcelsior_desktop.common.atomic_file import set_aside, write_json_atomic
from xcelsior_desktop.platform.state_files import (
    add_notice,
    anything,
    boolean,
    list_of,
    load_json_file,
    mapping,
    number,
    optional,
    record,
    string,
)

log = logging.getLogger(__name__)

RULES_FILE = "alerts.json"
HISTORY_FILE = "alerts-history.json"
STATE_FILE = "alerts-state.json"
FORMAT_VERSION = 1
HISTORY_LIMIT = 500


_ALERT = record(
    {
        "rule_id": string(max_len=200), "kind": string(max_len=100), "title": string(max_len=2000),
        "body": string(max_len=10_000), "at": number(0, 1e11), "view": string(max_len=100),
        "notify": boolean(), "resolved": boolean(), "id": string(max_len=200),
    },
    required=("rule_id", "kind", "title", "body", "at", "view"),
    what="an alert",
)
#: alerts.json: the rules list must be there; each rule is checked by AlertRule.from_dict (a bad one is dropped)
RULES_SCHEMA = record({"version": anything(), "rules": list_of(anything(), max_items=1000)}, required=("rules",),
                      unknown=anything(), what="an alert rules file")
#: alerts-history.json: a damaged entry is dropped, the others kept
HISTORY_SCHEMA = record({"version": anything(), "alerts": list_of(_ALERT, max_items=100_000, skip_bad=True)},
                        unknown=anything(), what="an alert history file")
_RULE_STATE = record({"armed": boolean(), "last_at": optional(number(0, 1e11)), "fired": boolean()},
                     unknown=anything())
#: alerts-state.json: cooldowns and today's baseline (EngineState.snapshot)
STATE_SCHEMA = record(
    {
        "rules": mapping(string(max_len=200), _RULE_STATE),
        "day": record({"date": optional(string(max_len=20)), "baseline_wh": optional(number(-1e15, 1e15)),
                       "since": optional(number(0, 1e11))}, unknown=anything()),
    },
    unknown=anything(),
    what="an alert state file",
)


def _config_dir() -> Path:
    from xcelsior_desktop.platform import paths

    return paths.config_dir()


def _data_dir() -> Path:
    from xcelsior_desktop.platform import paths

    return paths.data_dir()


def _state_dir() -> Path:
    from xcelsior_desktop.platform import paths

    return paths.state_dir()


class RulesStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or _config_dir() / RULES_FILE
        self.message: str | None = None  # what went wrong at the last load, for the app to show

    def load(self) -> list[AlertRule]:
        self.message = None
        loaded = load_json_file(self.path, RULES_SCHEMA, title="The alert rules file",
                                on_reset="Default alert rules are used; open Settings, Alerts to change them.")
        if loaded.data is None:
            self.message = loaded.notice
            return default_rules()
        rules: list[AlertRule] = []
        dropped: list[str] = []
        for item in loaded.data["rules"]:
            try:
                rules.append(AlertRule.from_dict(item))
            except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
                dropped.append(str(exc))
        if dropped:
            bad = set_aside(self.path)
            with contextlib.suppress(OSError):
                self.save(rules)
            kept = f" The original file is kept as {bad}." if bad else ""
            self.message = (f"{len(dropped)} alert rule(s) in {self.path} could not be used and were dropped: "
                            f"{'; '.join(dropped)}.{kept}")
            log.warning(self.message)
            add_notice(self.message)
        return rules

    def save(self, rules: Iterable[AlertRule]) -> None:
        write_json_atomic(self.path, {"version": FORMAT_VERSION, "rules": [r.validated().to_dict() for r in rules]})


class AlertHistory:
    """The newest ``limit`` alerts, oldest first, saved after every change."""

    def __init__(self, path: Path | None = None, limit: int = HISTORY_LIMIT) -> None:
        self.path = path or _data_dir() / HISTORY_FILE
        self.limit = limit
        self.message: str | None = None
        self._alerts: list[Alert] = []

    @property
    def alerts(self) -> list[Alert]:
        return list(self._alerts)

    def load(self) -> list[Alert]:
        loaded = load_json_file(self.path, HISTORY_SCHEMA, title="The list of past alerts",
                                on_reset="It starts empty; the alert rules are unchanged.",
                                on_drop="The other past alerts are kept.")
        self.message = loaded.notice
        alerts: list[Alert] = []
        for item in (loaded.data or {}).get("alerts", []):
            try:
                alerts.append(Alert.from_dict(item))
            except (TypeError, ValueError):
                continue
        self._alerts = alerts[-self.limit :]
        return self.alerts

    def append(self, alerts: Iterable[Alert]) -> None:
        new = list(alerts)
        if not new:
            return
        self._alerts = (self._alerts + new)[-self.limit :]
        self._save()

    def clear(self) -> None:
        self._alerts = []
        self._save()

    def _save(self) -> None:
        try:
            write_json_atomic(self.path, {"version": FORMAT_VERSION, "alerts": [a.to_dict() for a in self._alerts]})
        except OSError as exc:
            log.warning("could not save the alert history to %s: %s", self.path, exc)


class EngineStateStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or _state_dir() / STATE_FILE

    def load(self) -> dict[str, Any]:
        loaded = load_json_file(self.path, STATE_SCHEMA, title="The alerts' saved state",
                                on_reset="Cooldowns start afresh, so an alert may repeat once.")
        return loaded.data or {}

    def save(self, snapshot: dict[str, Any]) -> None:
        try:
            write_json_atomic(self.path, snapshot)
        except OSError as exc:
            log.warning("could not save the alert state to %s: %s", self.path, exc)
