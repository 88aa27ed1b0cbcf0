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

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xcelsior_desktop.common.atomic_file import set_aside
from xcelsior_desktop.money import limits
from xcelsior_desktop.money.errors import Problem, TariffError
from xcelsior_desktop.money.model import Tariff, TariffVersion
from xcelsior_desktop.money.presets import resolve, user_dir
from xcelsior_desktop.platform.state_files import add_notice

if TYPE_CHECKING:
    from xcelsior_desktop.platform.settings import Settings

SETTINGS_KEY = "cost"
DEFAULT_TARIFF = "xcel-co-tou"
DAILY_CHARGE = "daily_charge"
MONTHLY_CHARGE = "monthly_charge"
CHARGES = (DAILY_CHARGE, MONTHLY_CHARGE)
MAX_BILL_VERSIONS = 120  # ten years of monthly bills
DEFAULT_TIER_NAMES: dict[int, str] = {1: "on-peak", 2: "mid-peak", 3: "off-peak"}


def price_key(period: str, season: str) -> str:
    return f"{period}/{season}"


@dataclass(frozen=True)
class BillPrices:
    """Prices taken from a bill ("Compare with my bill"): from ``valid_from`` on, as a version of their own, so
    older history keeps the prices of its time."""

    valid_from: dt.date
    prices: dict[str, float]  # "period/season" -> price per kWh

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.valid_from.isoformat(), "prices": dict(self.prices)}


@dataclass
class CostSettings:
    tariff: str = DEFAULT_TARIFF
    prices: dict[str, float] = field(default_factory=dict)  # "period/season", "daily_charge", "monthly_charge"
    cycle_start_day: int = 1
    bills: list[BillPrices] = field(default_factory=list)  # prices from bills, oldest first
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
        bills = data.get("bills", [])
        if isinstance(bills, list):
            for index, item in enumerate(bills[:MAX_BILL_VERSIONS]):
                bill = _bill(item)
                if bill is None:
                    out.dropped.append(f"bills[{index}]")
                else:
                    out.bills.append(bill)
            out.bills.sort(key=lambda b: b.valid_from)
        else:
            out.dropped.append("bills")
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
        out: dict[str, Any] = {
            "tariff": self.tariff,
            "prices": dict(self.prices),
            "cycle_start_day": self.cycle_start_day,
            "tier_names": {str(k): v for k, v in sorted(self.tier_names.items())},
        }
        if self.bills:
            out["bills"] = [bill.as_dict() for bill in self.bills]
        return out

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
            missing = self.missing_prices(dt.date.today())
        except TariffError as exc:
            problems.append(exc.user_message)
        else:
            if missing:
                names = ", ".join(f"{period} ({season})" for period, season in missing)
                problems.append(f"{self.tariff} has no prices yet: enter the prices on your bill for {names}. "
                                "Nothing is priced until you do.")
        return problems

    def load_tariff(self) -> Tariff:
        """The chosen tariff with the bill's prices put into the version in force now, and each bill taken with
        "Compare with my bill" as a version from its first day. Raises TariffError."""
        base = resolve(self.tariff)
        return with_bills(with_bill_prices(base, self.prices), self.bills)

    def missing_prices(self, today: dt.date) -> list[tuple[str, str]]:
        """(period, season) of today's season that the chosen tariff has no price for yet (a preset whose prices
        come from the bill, like xcel-mn-tou): asked for before anything is priced. Raises TariffError."""
        tariff = self.load_tariff()
        version = tariff.version_on(today) or current_version(tariff)
        season = version.season_of(today)
        return [(p, s) for p, s in version.missing_prices() if s == season]

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


def chosen_settings(app_settings: Settings) -> CostSettings:
    """The cost settings the household chose, or the defaults (the ``xcel-co-tou`` preset) when none are saved:
    the one rule every surface uses for "the chosen tariff"."""
    return CostSettings.from_app_settings(app_settings)


def chosen_tariff(app_settings: Settings) -> Tariff | None:
    """The chosen tariff with the bill's prices applied, or None when it cannot be used (said in the Cost tab)."""
    try:
        return chosen_settings(app_settings).load_tariff()
    except TariffError:
        return None


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().parent == folder.resolve()
    except OSError:
        return False


def limit_of(key: str) -> limits.Limit:
    """The range a bill's figure under ``key`` must be in (the tariff loader's, so both ways in agree)."""
    return {DAILY_CHARGE: limits.DAILY_CHARGE, MONTHLY_CHARGE: limits.MONTHLY_CHARGE}.get(key, limits.PRICE)


def _price_ok(key: Any, value: Any) -> bool:
    if not isinstance(key, str) or not key or len(key) > 100:
        return False
    return limit_of(key).accepts(value) and (key in CHARGES or key.count("/") == 1)


def _bill(item: Any) -> BillPrices | None:
    if not isinstance(item, dict) or not isinstance(item.get("from"), str) or not isinstance(item.get("prices"), dict):
        return None
    try:
        valid_from = dt.date.fromisoformat(item["from"])
    except ValueError:
        return None
    prices = item["prices"]
    if not prices or not all(_price_ok(k, v) and k not in CHARGES for k, v in prices.items()):
        return None
    return BillPrices(valid_from, {str(k): float(v) for k, v in prices.items()})


def current_version(tariff: Tariff) -> TariffVersion:
    """The newest version (the one the bill's figures are for)."""
    return tariff.versions[-1]


def editable_prices(tariff: Tariff) -> list[tuple[str, str, float | None]]:
    """(period, season, price per kWh or None: not entered yet) of the newest version, in the tariff's order;
    empty for a tiered one."""
    version = current_version(tariff)
    if version.tiered:
        return []
    rows: list[tuple[str, str, float | None]] = []
    for period in version.period_names:
        for season in (s.name for s in version.seasons):
            rows.append((period, season, version.price(period, season) if version.has_price(period, season)
                         else None))
    return rows


def with_bill_prices(tariff: Tariff, prices: dict[str, float]) -> Tariff:
    """``tariff`` with its newest version's prices (and daily charge) replaced by ``prices``.

    A price for a period or season the tariff does not have is an error (the tariff changed since it was set):
    the user is told to look at the table again rather than have it silently ignored."""
    if not prices:
        return tariff
    version = current_version(tariff)
    new_prices, problems = _priced(version, {k: v for k, v in prices.items() if k not in CHARGES}, "prices")
    if problems:
        raise TariffError("your bill's prices", problems,
                          next_step="Open Settings, Cost: check the price table and press OK to save it again.")
    updated = replace(version, prices=new_prices, daily_charge=prices.get(DAILY_CHARGE, version.daily_charge),
                      monthly_charge=prices.get(MONTHLY_CHARGE, version.monthly_charge))
    return replace(tariff, versions=(*tariff.versions[:-1], updated))


def _priced(version: TariffVersion, prices: dict[str, float],
            where: str) -> tuple[dict[str, dict[str, float]], list[Problem]]:
    """``version``'s prices with ``prices`` ("period/season" -> price) put in, and what did not fit."""
    new_prices = {period: dict(by_season) for period, by_season in version.prices.items()}
    seasons = {s.name for s in version.seasons}
    problems = []
    for key, value in prices.items():
        period, _, season = key.partition("/")
        if version.tiered or period not in version.period_names or season not in seasons:
            problems.append(Problem(f"{where}.{key}", None, "the tariff has no such period and season (it was "
                                                            "changed since the prices were entered)"))
            continue
        new_prices.setdefault(period, {})[season] = value
    return new_prices, problems


def with_bills(tariff: Tariff, bills: list[BillPrices]) -> Tariff:
    """``tariff`` with each bill's prices as a version from the bill's first day (the version in force then,
    repriced), so older history keeps its prices and the bill's period onward is priced as billed."""
    versions = list(tariff.versions)
    for bill in sorted(bills, key=lambda b: b.valid_from):
        base = next((v for v in reversed(versions) if v.valid_from <= bill.valid_from), None)
        if base is None:
            continue  # before the tariff's first version: nothing to reprice
        prices, problems = _priced(base, bill.prices, f"bills[{bill.valid_from}]")
        if problems:
            raise TariffError("the prices from your bill", problems, next_step=(
                "The tariff changed since the bill was compared: compare the bill again in the Cost tab."))
        note = f"prices from your bill starting {bill.valid_from:%d %b %Y}"
        updated = replace(base, valid_from=bill.valid_from, prices=prices, note=note, prices_from_bill=False)
        versions = [v for v in versions if v.valid_from != bill.valid_from] + [updated]
        versions.sort(key=lambda v: v.valid_from)
    return replace(tariff, versions=tuple(versions))
