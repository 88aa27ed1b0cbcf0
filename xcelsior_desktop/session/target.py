"""Which meter, which certificate, registered or not: one immutable value the meter session owns.

The session (session/session.py) is the only one that changes its target; everyone else sends it a command and
listens for :class:`~xcelsior_desktop.session.events.TargetChanged`. The target is saved in two places by one
listener (the app's): the settings file, and the pin file below, which a damaged settings file cannot take along
(after a reset the app must not search the network for "any meter" when it knew which one it wanted).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xcelsior_desktop.common.atomic_file import set_aside, write_json_atomic
from xcelsior_desktop.meter.identity import Identity, is_lfdi, normalize_lfdi, sfdi_from_lfdi
from xcelsior_desktop.platform import paths

if TYPE_CHECKING:
    from xcelsior_desktop.platform.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_PORT = 8081
PIN_FILE = "meter-pin.json"


@dataclass(frozen=True)
class MeterTarget:
    """Where and as whom to talk to the meter.

    ``host`` is where to connect: the address the user typed (``automatic=False``) or the one discovery last
    found (``automatic=True``, discovery may move it). ``meter_lfdi`` pins the meter (learned on first contact).
    ``registered``: the meter has accepted ``identity`` before, so a refusal now means "certificate refused"
    rather than "waiting for registration".
    """

    identity: Identity | None = None
    host: str | None = None
    port: int = DEFAULT_PORT
    automatic: bool = True
    meter_lfdi: str | None = None
    registered: bool = False

    @property
    def meter_sfdi(self) -> int | None:
        return sfdi_from_lfdi(self.meter_lfdi) if self.meter_lfdi else None

    @property
    def address(self) -> tuple[str, int] | None:
        return (self.host, self.port) if self.host else None

    def replace(self, **changes: Any) -> MeterTarget:
        return dataclasses.replace(self, **changes)

    # -- the saved form ----------------------------------------------------------------------------

    @classmethod
    def from_settings(cls, settings: Settings, identity: Identity | None) -> MeterTarget:
        """The target a settings file describes (with the pin file filling what a reset lost)."""
        pin = MeterPin.load()
        manual = settings.meter_host
        host = manual or settings.last_meter_host
        lfdi = settings.meter_lfdi
        registered_lfdi = settings.registered_lfdi
        port = int(settings.meter_port or DEFAULT_PORT)
        if pin is not None and lfdi is None and manual is None and settings.last_meter_host is None:
            lfdi = pin.meter_lfdi
            manual = pin.manual_host
            host = pin.manual_host or pin.last_host
            port = pin.port
            registered_lfdi = registered_lfdi or pin.registered_lfdi
        return cls(
            identity=identity,
            host=host,
            port=port,
            automatic=manual is None,
            meter_lfdi=lfdi,
            registered=identity is not None and registered_lfdi == identity.lfdi,
        )

    def write_to(self, settings: Settings) -> None:
        """Record this target in ``settings`` (the listener that saves it calls this, nobody else)."""
        settings.meter_port = int(self.port)
        settings.meter_host = None if self.automatic else self.host
        if self.host is not None:
            settings.last_meter_host = self.host
        settings.meter_lfdi = self.meter_lfdi
        settings.meter_sfdi = str(self.meter_sfdi) if self.meter_sfdi is not None else None
        if self.identity is None:
            settings.registered_lfdi = None
        elif self.registered:
            settings.registered_lfdi = self.identity.lfdi


@dataclass(frozen=True)
class MeterPin:
    """The pinned meter, kept apart from the settings so that resetting a damaged settings file keeps it."""

    meter_lfdi: str | None
    manual_host: str | None
    last_host: str | None
    port: int
    registered_lfdi: str | None

    @staticmethod
    def path() -> Path:
        return paths.config_dir() / PIN_FILE

    @classmethod
    def of(cls, target: MeterTarget) -> MeterPin:
        return cls(
            meter_lfdi=target.meter_lfdi,
            manual_host=None if target.automatic else target.host,
            last_host=target.host,
            port=target.port,
            registered_lfdi=target.identity.lfdi if target.identity is not None and target.registered else None,
        )

    def save(self, path: Path | None = None) -> None:
        write_json_atomic(path or self.path(), dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def load(cls, path: Path | None = None) -> MeterPin | None:
        """The saved pin, or None (a damaged pin file is set aside: the settings file still has the pin)."""
        path = path or cls.path()
        try:
            data = json.loads(path.read_bytes().decode("utf-8"))
            return cls._validated(data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, UnicodeDecodeError, RecursionError) as exc:
            log.warning("the meter pin file %s is unusable (%s); it was set aside", path, exc)
            set_aside(path)
            return None

    @classmethod
    def _validated(cls, data: Any) -> MeterPin:
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        lfdi = data.get("meter_lfdi")
        if lfdi is not None:
            if not isinstance(lfdi, str):
                raise ValueError("meter_lfdi is not text")
            lfdi = normalize_lfdi(lfdi)  # ValueError: not 40 hex digits
        hosts = {}
        for key in ("manual_host", "last_host"):
            value = data.get(key)
            if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > 255):
                raise ValueError(f"{key} is not a host name")
            hosts[key] = value
        port = data.get("port", DEFAULT_PORT)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ValueError("port is not a port number")
        registered = data.get("registered_lfdi")
        if registered is not None and (not isinstance(registered, str) or not is_lfdi(registered)):
            raise ValueError("registered_lfdi is not 40 hex digits")
        return cls(meter_lfdi=lfdi, manual_host=hosts["manual_host"], last_host=hosts["last_host"], port=port,
                   registered_lfdi=registered)


def save_target(target: MeterTarget, settings: Settings, settings_path: Path | None = None, *,
                keep_pin: bool = True) -> None:
    """The one way a target is saved: into the settings file and (``keep_pin``) the pin file beside it.

    The app calls it from its "target changed" listener; a standalone wizard, with no session running, directly.
    Raises OSError when the disk refuses (the caller logs it; the session keeps the target in memory).
    """
    target.write_to(settings)
    settings.save(settings_path)
    if keep_pin:
        MeterPin.of(target).save()
