"""User settings as a dataclass saved as JSON in ``config_dir()/settings.json``.

Writes are atomic (temp file + ``os.replace``). The file is read through :mod:`.state_files` against
:data:`SCHEMA`: a bad value is dropped and named, a file that cannot be used at all is moved aside as
``settings.json.bad`` and defaults are used; :attr:`Settings.load_message` (and the reset notices) say so, for the
app to show. Never a key or certificate here.
Other parts add fields with small edits; unknown keys in the file are kept (``extra``) so an older build
never drops a newer build's settings.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from xcelsior_desktop.common.atomic_file import write_json_atomic
from xcelsior_desktop.platform import paths
from xcelsior_desktop.platform.state_files import (
    anything,
    load_json_file,
    mapping,
    number,
    one_of,
    optional,
    record,
    string,
)

log = logging.getLogger(__name__)

MIN_POLL_INTERVAL_S = 2.0
MAX_POLL_INTERVAL_S = 3600.0
FILE_NAME = "settings.json"


@dataclass
class Settings:
    """Preferences. Facts about the meters (where, which, registered) live in meters.json (session/meters_file.py)."""

    poll_interval_s: float = 5.0
    units: str = "W"  # "W" or "kW"
    window_geometry: str | None = None  # base64 of QWidget.saveGeometry()
    window_view: str = "live"
    home_timezone: str | None = None  # the zone days and billing cycles are counted in; None: automatic
    extra: dict[str, Any] = field(default_factory=dict)

    load_message: ClassVar[str | None] = None

    def __post_init__(self) -> None:
        self.poll_interval_s = clamp_interval(self.poll_interval_s)
        if self.units not in ("W", "kW"):
            self.units = "W"

    # -- persistence -------------------------------------------------------------------------------

    @staticmethod
    def path() -> Path:
        return paths.config_dir() / FILE_NAME

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """The saved settings, or defaults; ``load_message`` (and the reset notices) say what was dropped or reset.

        The file is checked field by field (:data:`SCHEMA`): a bad value (``"units": "MW"``) is dropped and
        named, the rest kept; a file that is not a JSON object at all is set aside and the defaults used.
        """
        path = path or cls.path()
        cls.load_message = None
        loaded = load_json_file(
            path, SCHEMA, title="The settings file",
            on_reset="The defaults are in use: open Settings to set the poll interval and units again.",
            on_drop="Their defaults are in use; open Settings to check them.",
        )
        cls.load_message = loaded.notice
        return cls() if loaded.data is None else cls.from_dict(loaded.data)

    @classmethod
    def peek(cls, path: Path | None = None) -> Settings:
        """The saved settings for a command that only reads: what can be used, the defaults for the rest, and
        the file never moved or rewritten."""
        loaded = load_json_file(path or cls.path(), SCHEMA, title="The settings file", on_reset="", repair=False)
        return cls() if loaded.data is None else cls.from_dict(loaded.data)

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


def clamp_interval(value: Any) -> float:
    """The poll interval as a number within [2 s, 1 h]; junk becomes the 5 s default."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return 5.0
    if seconds != seconds:  # NaN
        return 5.0
    return min(MAX_POLL_INTERVAL_S, max(MIN_POLL_INTERVAL_S, seconds))


def _check_base64(text: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9+/=\s]*", text):
        raise ValueError("not base64")


def check_zone_name(text: str) -> None:
    """Raise ValueError unless ``text`` names a time zone this computer knows (an IANA name)."""
    import zoneinfo

    if not re.fullmatch(r"[A-Za-z0-9_+\-]{1,40}(/[A-Za-z0-9_+\-]{1,40}){0,3}", text):
        raise ValueError("not a time zone name")
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError("no such time zone on this computer") from None


def _check_view(text: str) -> None:
    if not re.fullmatch(r"[a-z0-9_\-]{1,40}", text):
        raise ValueError("not a view name")


# What an earlier release kept here about the one meter; meters.json holds it now (session/meters_file.py moves
# it there at the first start and drops it from this file)
LEGACY_METER_KEYS = ("meter_host", "meter_port", "meter_lfdi", "meter_sfdi", "last_meter_host", "registered_lfdi")

#: settings.json: every known field is checked; a bad one is dropped (named in the notice), unknown keys are kept.
SCHEMA = record(
    {
        "poll_interval_s": number(-1e9, 1e9),
        "units": one_of("W", "kW"),
        "window_geometry": optional(string(max_len=20_000, check=_check_base64, what="saved window geometry")),
        "window_view": string(max_len=40, check=_check_view, what="a view name"),
        "home_timezone": optional(string(max_len=160, check=check_zone_name, what="a time zone (America/Denver)")),
        "extra": mapping(string(max_len=200), anything()),
    },
    lenient=True,
    unknown=anything(),
    what="a settings object",
)
