"""User settings as a dataclass saved as JSON in ``config_dir()/settings.json``.

Writes are atomic (temp file + ``os.replace``). A corrupt file is moved aside as ``settings.json.bad`` and
defaults are used; :attr:`Settings.load_message` says so, for the app to show. Never a key or certificate here.
Other parts add fields with small edits; unknown keys in the file are kept (``extra``) so an older build
never drops a newer build's settings.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from xcelsior_desktop.services import paths
from xcelsior_desktop.services.atomic_file import set_aside, write_json_atomic

log = logging.getLogger(__name__)

MIN_POLL_INTERVAL_S = 2.0
MAX_POLL_INTERVAL_S = 3600.0
FILE_NAME = "settings.json"


@dataclass
class Settings:
    poll_interval_s: float = 5.0
    meter_host: str | None = None  # None = automatic discovery
    meter_port: int = 8081
    meter_lfdi: str | None = None  # pinned on first contact
    meter_sfdi: str | None = None
    last_meter_host: str | None = None  # where discovery last found the meter
    units: str = "W"  # "W" or "kW"
    registered_lfdi: str | None = None  # our LFDI once the meter has accepted it at least once
    window_geometry: str | None = None  # base64 of QWidget.saveGeometry()
    window_view: str = "live"
    extra: dict[str, Any] = field(default_factory=dict)

    load_message: ClassVar[str | None] = None

    def __post_init__(self) -> None:
        self.poll_interval_s = clamp_interval(self.poll_interval_s)
        if self.units not in ("W", "kW"):
            self.units = "W"
        try:
            self.meter_port = int(self.meter_port)
        except (TypeError, ValueError):
            self.meter_port = 8081
        if not 0 < self.meter_port < 65536:
            self.meter_port = 8081

    # -- persistence -------------------------------------------------------------------------------

    @staticmethod
    def path() -> Path:
        return paths.config_dir() / FILE_NAME

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """The saved settings, or defaults (with ``load_message`` set when the file was unusable)."""
        path = path or cls.path()
        cls.load_message = None
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls()
        except OSError as exc:
            cls.load_message = f"Could not read the settings file {path} ({exc}); using defaults."
            log.warning(cls.load_message)
            return cls()
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            return cls.from_dict(data)
        except (ValueError, TypeError) as exc:
            bad = set_aside(path)
            cls.load_message = (
                f"The settings file was damaged ({exc}); it was kept as {bad} and the defaults are in use. "
                "Open Settings to set the meter address and poll interval again."
            )
            log.warning(cls.load_message)
            return cls()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        known = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        values = {k: v for k, v in data.items() if k in known}
        extra = {k: v for k, v in data.items() if k not in known and k != "extra"}
        if isinstance(data.get("extra"), dict):
            extra.update(data["extra"])
        return cls(**values, extra=extra)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        extra = data.pop("extra")
        return {**extra, **data}

    def save(self, path: Path | None = None) -> None:
        """Atomic write: a temp file in the same folder, flushed, then renamed over the old file."""
        path = path or self.path()
        write_json_atomic(path, self.to_dict(), sort_keys=True)

    # -- helpers -----------------------------------------------------------------------------------

    @property
    def manual_address(self) -> tuple[str, int] | None:
        return (self.meter_host, self.meter_port) if self.meter_host else None


def clamp_interval(value: Any) -> float:
    """The poll interval as a number within [2 s, 1 h]; junk becomes the 5 s default."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return 5.0
    if seconds != seconds:  # NaN
        return 5.0
    return min(MAX_POLL_INTERVAL_S, max(MIN_POLL_INTERVAL_S, seconds))


def parse_address(text: str, default_port: int = 8081) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]:port`` or a bare IPv6 address -> (host, port). Raises ValueError."""
    text = text.strip()
    if not text:
        raise ValueError("empty address")
    host, port = text, default_port
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError(f"unclosed '[' in {text!r}")
        host = text[1:end]
        rest = text[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"unexpected {rest!r} after the address")
            port = _port(rest[1:])
    elif text.count(":") == 1:
        host, port_text = text.split(":")
        port = _port(port_text)
    if not host or any(c.isspace() for c in host):
        raise ValueError(f"not a host name or address: {text!r}")
    return host, port


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise ValueError(f"not a port number: {text!r}") from None
    if not 0 < port < 65536:
        raise ValueError(f"port out of range: {port}")
    return port
