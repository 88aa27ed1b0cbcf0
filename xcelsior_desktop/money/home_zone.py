"""The home's time zone: the one zone every day and billing cycle of the app is counted in (charts, "today", the
cycle, alerts, Home Assistant, CSV days).

Qt-free. A setting (``Settings.home_timezone``); left automatic it is the chosen tariff's zone (the household's
prices follow that clock), else this computer's. A tariff's periods are always evaluated in its own zone, whatever
the home zone: on-peak at 5 pm in Denver is 5 pm in Denver.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING

from xcelsior_desktop.energy.system_zone import SystemZone

if TYPE_CHECKING:
    from xcelsior_desktop.money.model import Tariff
    from xcelsior_desktop.platform.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HomeZone:
    zone: dt.tzinfo
    name: str  # "America/Denver", or the computer's abbreviation
    source: str  # "setting", "tariff" or "computer"

    def differs_from_computer(self, at: dt.datetime) -> bool:
        """Whether this computer's clock shows another time of day than the home's at ``at``."""
        return at.astimezone(self.zone).utcoffset() != at.astimezone().utcoffset()

    def notice(self, at: dt.datetime) -> str | None:
        """Once, for the window: days are counted in the home zone, not in this computer's."""
        if not self.differs_from_computer(at):
            return None
        why = {"setting": "as set in Settings", "tariff": "your tariff's zone"}.get(self.source, "")
        return (f"Days and billing cycles are counted in {self.name} ({why}), not in this computer's time zone: "
                f"midnight there is {_computer_time(at, self.zone)} here. Change it in Settings, General.")


def _computer_time(at: dt.datetime, zone: dt.tzinfo) -> str:
    local = at.astimezone(zone)
    midnight = dt.datetime.combine(local.date(), dt.time(), zone)
    return midnight.astimezone().strftime("%H:%M")


def resolve_home_zone(setting: str | None, tariff: Tariff | None) -> HomeZone:
    """The home zone from the setting (an IANA name) or the tariff, else the computer's."""
    if setting:
        try:
            return HomeZone(zoneinfo.ZoneInfo(setting), setting, "setting")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            log.warning("the home time zone %r is not known here: using the automatic one", setting)
    if tariff is not None:
        return HomeZone(tariff.zone, tariff.timezone, "tariff")
    return HomeZone(SystemZone(), dt.datetime.now().astimezone().tzname() or "this computer's", "computer")


def home_zone(settings: Settings) -> HomeZone:
    """The home zone of these settings (loads the chosen tariff when the setting is automatic)."""
    tariff = None
    if not settings.home_timezone:
        from xcelsior_desktop.money.cost_settings import chosen_tariff

        tariff = chosen_tariff(settings)
    return resolve_home_zone(settings.home_timezone, tariff)
