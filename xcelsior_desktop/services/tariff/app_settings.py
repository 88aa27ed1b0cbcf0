"""What the user chose for cost (a Qt-free dataclass kept in the app's settings file under ``"cost"``).

- ``tariff``: a preset name (``xcel-co-tou``) or the path of a tariff file;
- ``prices``: the figures on the user's bill, which replace the tariff's prices in the version in force today
  (``"on-peak/summer": 0.279`` per kWh; ``"daily_charge"`` per day). Older versions keep their own prices, so
  history before a rate change is priced at the old rate;
- ``cycle_start_day``: the day of the month the billing cycle starts (1-31; in a shorter month its last day);
- ``tier_names``: what the meter's TOU tier registers are taken to mean (Xcel does not publish it: tiers are
  labels; 1 = on-peak, 2 = mid-peak, 3 = off-peak fits the magnitudes seen on real meters).

:meth:`CostSettings.from_dict` never raises (a bad value falls back to its default, named in ``dropped``);
:meth:`CostSettings.check` says in words what cannot be used; :meth:`CostSettings.load_tariff` gives the tariff
with the bill's prices applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xcelsior_desktop.services.atomic_file import set_aside
from xcelsior_desktop.services.state_files import add_notice
from xcelsior_desktop.services.tariff import limits
from xcelsior_desktop.services.tariff.errors import Problem, TariffError
from xcelsior_desktop.services.tariff.model import Tariff, TariffVersion
from xcelsior_desktop.services.tariff.presets import resolve, user_dir

if TYPE_CHECKING:
    from xcelsior_desktop.services.settings import Settings

SETTINGS_KEY = "cost"
DEFAULT_TARIFF = "xcel-co-tou"
DAILY_CHARGE = "daily_charge"
DEFAULT_TIER_NAMES: dict[int, str] = {1: "on-peak", 2: "mid-peak", 3: "off-peak"}


def price_key(period: str, season: str) -> str:
    return f"{period}/{season}"


@dataclass
class CostSettings:
    tariff: str = DEFAULT_TARIFF
    prices: dict[str, float] = field(default_factory=dict)  # "period/season" or "daily_charge" -> value
    cycle_start_day: int = 1
    tier_names: dict[int, str] = field(default_factory=lambda: dict(DEFAULT_TIER_NAMES))
    dropped: list[str] = field(default_factory=list, compare=False, repr=False)  # what from_dict could not use

    # -- the settings file ------------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Any) -> CostSettings:
        """Settings from saved JSON; a wrong value falls back to its default (named in ``dropped``), never raises."""
        out = cls()
        if not isinstance(data, dict):
            if data is not None:
                out.dropped.append("the cost settings (not an object)")
            return out
        tariff = data.get("tariff", out.tariff)
        if isinstance(tariff, str) and tariff.strip() and len(tariff) <= 4096:
            out.tariff = tariff.strip()
        else:
            out.dropped.append("tariff")
        day = data.get("cycle_start_day", 1)
        if isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= 31:
            out.cycle_start_day = day
        else:
            out.dropped.append("cycle_start_day")
        prices = data.get("prices", {})
        if isinstance(prices, dict):
            for key, value in prices.items():
                if _price_ok(key, value):
                    out.prices[str(key)] = float(value)
                else:
                    out.dropped.append(f"prices.{key}")
        else:
            out.dropped.append("prices")
        names = data.get("tier_names")
        if names is not None:
            parsed: dict[int, str] = {}
            if isinstance(names, dict):
                for key, value in names.items():
                    tier = int(key) if isinstance(key, str) and key.isdigit() else None
                    if tier is not None and 1 <= tier <= 8 and isinstance(value, str) and 0 < len(value) <= 40:
                        parsed[tier] = value
                    else:
                        out.dropped.append(f"tier_names.{key}")
                out.tier_names = parsed
            else:
                out.dropped.append("tier_names")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "tariff": self.tariff,
            "prices": dict(self.prices),
            "cycle_start_day": self.cycle_start_day,
            "tier_names": {str(k): v for k, v in sorted(self.tier_names.items())},
        }

    @classmethod
    def from_app_settings(cls, app_settings: Settings) -> CostSettings:
        return cls.from_dict(app_settings.extra.get(SETTINGS_KEY))

    def store_in(self, app_settings: Settings) -> None:
        """Put these settings into the app's settings (the caller saves them)."""
        app_settings.extra[SETTINGS_KEY] = self.as_dict()

    # -- using them ---------------------------------------------------------------------------------------------

    def check(self) -> list[str]:
        """What cannot be used, in sentences (empty: fine). Loads the tariff to check the prices against it."""
        problems = []
        if not 1 <= self.cycle_start_day <= 31:
            problems.append(f"The billing cycle's start day must be 1 to 31, not {self.cycle_start_day}.")
        try:
            self.load_tariff()
        except TariffError as exc:
            problems.append(exc.user_message)
        return problems

    def load_tariff(self) -> Tariff:
        """The chosen tariff with the bill's prices put into the version in force now. Raises TariffError."""
        base = resolve(self.tariff)
        return with_bill_prices(base, self.prices)

    def load_tariff_at_start(self) -> tuple[Tariff | None, str | None]:
        """The tariff for the app at start, or (None, what happened). A damaged tariff file never stops the app:
        one in the app's own tariffs folder is set aside like any damaged file the app keeps (``NAME.toml.bad``);
        one elsewhere is the user's own document and is left as it is. Either way no tariff is used until the
        user chooses one, and a notice says so."""
        try:
            return self.load_tariff(), None
        except TariffError as exc:
            path = exc.path
            if path is None or exc.missing:
                return None, exc.user_message
            kept = None
            if _inside(path, user_dir()):
                kept = set_aside(path)
            where = f"The old file is kept as {kept}." if kept is not None else (
                f"The file {path} was left as it is." if not _inside(path, user_dir()) else
                f"It could not be moved aside; remove {path} by hand.")
            problems = "; ".join(p.describe(path.name) for p in exc.problems)
            notice = (f"The tariff file {path.name} could not be used ({problems}), so no costs are shown. Fix it "
                      f"or choose another tariff in Settings, Cost. {where}")
            add_notice(notice)
            return None, notice

    def tier_period(self, tier: int) -> str | None:
        return self.tier_names.get(tier)


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().parent == folder.resolve()
    except OSError:
        return False


def limit_of(key: str) -> limits.Limit:
    """The range a bill's figure under ``key`` must be in (the tariff loader's, so both ways in agree)."""
    return limits.DAILY_CHARGE if key == DAILY_CHARGE else limits.PRICE


def _price_ok(key: Any, value: Any) -> bool:
    if not isinstance(key, str) or not key or len(key) > 100:
        return False
    return limit_of(key).accepts(value) and (key == DAILY_CHARGE or key.count("/") == 1)


def current_version(tariff: Tariff) -> TariffVersion:
    """The newest version (the one the bill's figures are for)."""
    return tariff.versions[-1]


def editable_prices(tariff: Tariff) -> list[tuple[str, str, float]]:
    """(period, season, price per kWh) of the newest version, in the tariff's order; empty for a tiered one."""
    version = current_version(tariff)
    if version.tiered:
        return []
    rows = []
    for period in version.period_names:
        for season in (s.name for s in version.seasons):
            rows.append((period, season, version.price(period, season)))
    return rows


def with_bill_prices(tariff: Tariff, prices: dict[str, float]) -> Tariff:
    """``tariff`` with its newest version's prices (and daily charge) replaced by ``prices``.

    A price for a period or season the tariff does not have is an error (the tariff changed since it was set):
    the user is told to look at the table again rather than have it silently ignored."""
    if not prices:
        return tariff
    version = current_version(tariff)
    problems = []
    new_prices = {period: dict(by_season) for period, by_season in version.prices.items()}
    daily = version.daily_charge
    for key, value in prices.items():
        if key == DAILY_CHARGE:
            daily = value
            continue
        period, _, season = key.partition("/")
        if version.tiered or period not in new_prices or season not in new_prices[period]:
            problems.append(Problem(f"prices.{key}", None, "the tariff has no such period and season (it was "
                                                         "changed since the prices were entered)"))
            continue
        new_prices[period][season] = value
    if problems:
        raise TariffError("your bill's prices", problems,
                          next_step="Open Settings, Cost: check the price table and press OK to save it again.")
    updated = replace(version, prices=new_prices, daily_charge=daily)
    return replace(tariff, versions=(*tariff.versions[:-1], updated))
