"""Where alert rules, past alerts and the engine's state are kept (JSON, atomic writes).

- rules: ``config_dir()/alerts.json``; a corrupt file is moved aside as ``alerts.json.bad`` and the defaults
  are used, with :attr:`RulesStore.message` saying so; a single bad rule is dropped, the others kept.
- history: ``data_dir()/alerts-history.json``, the newest ``limit`` alerts.
- state: ``state_dir()/alerts-state.json`` (cooldowns, armed flags, today's baseline) so a restart never
  repeats an alert.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from xcelsior_desktop.services.alerts.engine import Alert
from xcelsior_desktop.services.alerts.rules import AlertRule, default_rules
from xcelsior_desktop.services.atomic_file import set_aside, write_json_atomic

log = logging.getLogger(__name__)

RULES_FILE = "alerts.json"
HISTORY_FILE = "alerts-history.json"
STATE_FILE = "alerts-state.json"
FORMAT_VERSION = 1
HISTORY_LIMIT = 500


def read_json(path: Path) -> tuple[Any, str | None]:
    """(data, None), or (None, message) after moving an unreadable file aside; (None, None) if absent."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"Could not read {path} ({exc.strerror or exc})."
    try:
        return json.loads(raw), None
    except ValueError as exc:
        bad = set_aside(path)
        return None, f"{path} was damaged ({exc}); it was kept as {bad.name}."


def _config_dir() -> Path:
    from xcelsior_desktop.services import paths

    return paths.config_dir()


def _data_dir() -> Path:
    from xcelsior_desktop.services import paths

    return paths.data_dir()


def _state_dir() -> Path:
    from xcelsior_desktop.services import paths

    return paths.state_dir()


class RulesStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or _config_dir() / RULES_FILE
        self.message: str | None = None  # what went wrong at the last load, for the app to show

    def load(self) -> list[AlertRule]:
        self.message = None
        data, problem = read_json(self.path)
        if problem:
            self.message = f"{problem} Default alert rules are used."
            log.warning(self.message)
            return default_rules()
        if data is None:
            return default_rules()
        items = data.get("rules") if isinstance(data, dict) else None
        if not isinstance(items, list):
            bad = set_aside(self.path)
            self.message = f"{self.path} is not an alert rules file; it was kept as {bad.name}. Defaults are used."
            log.warning(self.message)
            return default_rules()
        rules: list[AlertRule] = []
        dropped: list[str] = []
        for item in items:
            try:
                rules.append(AlertRule.from_dict(item))
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                dropped.append(str(exc))
        if dropped:
            self.message = f"{len(dropped)} alert rule(s) in {self.path} could not be used: {'; '.join(dropped)}"
            log.warning(self.message)
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
        data, self.message = read_json(self.path)
        alerts: list[Alert] = []
        for item in data.get("alerts", []) if isinstance(data, dict) else []:
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
        data, problem = read_json(self.path)
        if problem:
            log.warning(problem)
        return data if isinstance(data, dict) else {}

    def save(self, snapshot: dict[str, Any]) -> None:
        try:
            write_json_atomic(self.path, snapshot)
        except OSError as exc:
            log.warning("could not save the alert state to %s: %s", self.path, exc)
