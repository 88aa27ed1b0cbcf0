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
import ipaddress
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from xcelsior_desktop.common.atomic_file import write_json_atomic
from xcelsior_desktop.meter.identity import sfdi_is_valid
from xcelsior_desktop.platform import paths
from xcelsior_desktop.platform.state_files import (
    anything,
    integer,
    lfdi,
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
    home_timezone: str | None = None  # the zone days and billing cycles are counted in; None: automatic
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
        """The saved settings, or defaults; ``load_message`` (and the reset notices) say what was dropped or reset.

        The file is checked field by field (:data:`SCHEMA`): a bad value (``"meter_lfdi": "zz"``) is dropped and
        named, the rest kept; a file that is not a JSON object at all is set aside and the defaults used.
        """
        path = path or cls.path()
        cls.load_message = None
        loaded = load_json_file(
            path, SCHEMA, title="The settings file",
            on_reset="The defaults are in use: open Settings to set the meter address and poll interval again.",
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
    check_host(host)  # what the dialog accepts, the settings file accepts at the next start
    return host, port


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise ValueError(f"not a port number: {text!r}") from None
    if not 0 < port < 65536:
        raise ValueError(f"port out of range: {port}")
    return port


_HOST_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_\-.]{0,251}[A-Za-z0-9_\-])?\.?")


def check_host(text: str) -> None:
    """Raise ValueError unless ``text`` is a host name or an IP address (IPv6 may carry a ``%zone``)."""
    if _HOST_NAME.fullmatch(text):
        return
    try:
        ipaddress.ip_address(text.split("%", 1)[0] if text.count("%") == 1 and ":" in text else text)
    except ValueError:
        raise ValueError("not a host name or IP address") from None
    if "%" in text and not re.fullmatch(r"[A-Za-z0-9_.\-]{1,64}", text.split("%", 1)[1]):
        raise ValueError("bad IPv6 zone")


def _check_sfdi(text: str) -> None:
    if not text.isascii() or not text.isdigit() or len(text) > 15 or not sfdi_is_valid(text):
        raise ValueError("an SFDI is digits with a valid check digit")


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


_HOST = string(max_len=253, check=check_host, what="a host name or IP address")
_LFDI = lfdi()

#: settings.json: every known field is checked; a bad one is dropped (named in the notice), unknown keys are kept.
SCHEMA = record(
    {
        "poll_interval_s": number(-1e9, 1e9),
        "meter_host": optional(_HOST),
        "meter_port": integer(1, 65535),
        "meter_lfdi": optional(_LFDI),
        "meter_sfdi": optional(string(max_len=15, check=_check_sfdi, what="an SFDI")),
        "last_meter_host": optional(_HOST),
        "units": one_of("W", "kW"),
        "registered_lfdi": optional(_LFDI),
        "window_geometry": optional(string(max_len=20_000, check=_check_base64, what="saved window geometry")),
        "window_view": string(max_len=40, check=_check_view, what="a view name"),
        "home_timezone": optional(string(max_len=160, check=check_zone_name, what="a time zone (America/Denver)")),
        "extra": mapping(string(max_len=200), anything()),
    },
    lenient=True,
    unknown=anything(),
    what="a settings object",
)
