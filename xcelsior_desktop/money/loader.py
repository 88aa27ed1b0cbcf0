"""Read a tariff file (TOML, format in docs/tariffs.md) into a :class:`~.model.Tariff`, checking every field.

Every problem is reported with the field's path and the line it is on, all at once (not just the first), so a
user can fix a file in one go. ``tomllib`` gives no positions for values, so :func:`key_lines` maps key paths to
lines by reading the text alongside.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from xcelsior_desktop.common.regular_file import read_regular_file
from xcelsior_desktop.money import limits
from xcelsior_desktop.money.errors import Problem, TariffError
from xcelsior_desktop.money.holidays import KNOWN_RULES, OBSERVANCES, WEEKDAY_NAMES, HolidayCalendar, HolidayRule
from xcelsior_desktop.money.model import DAY_SECONDS, HOLIDAY, ExportCredit, Period, Season, Tariff, TariffVersion, Tier
from xcelsior_desktop.money.toml_screen import MAX_CHARS, load_toml

PathKey = tuple[str | int, ...]

DAY_WORDS: dict[str, frozenset[str]] = {
    **{name: frozenset({name}) for name in WEEKDAY_NAMES},
    "weekdays": frozenset(WEEKDAY_NAMES[:5]),
    "weekends": frozenset(WEEKDAY_NAMES[5:]),
    "every-day": frozenset(WEEKDAY_NAMES),
    HOLIDAY: frozenset({HOLIDAY}),
}
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
TOP_KEYS = {"format", "name", "title", "timezone", "currency", "source", "checked", "notes", "holidays", "versions"}
VERSION_KEYS = {"from", "daily_charge", "monthly_charge", "export_credit", "default_period", "seasons", "periods",
                "prices", "tiers", "note"}
FROM_BILL = "from-bill"  # prices = "from-bill": the preset knows the hours, the user enters the prices
ALL_YEAR = "all-year"


# -- where each key is -------------------------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")


def _split_key(text: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", text)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def key_lines(text: str) -> dict[PathKey, int]:
    """Map each key path (table names, array-of-table indexes, keys) to the 1-based line it is written on."""
    lines: dict[PathKey, int] = {}
    array_counts: dict[PathKey, int] = {}
    table: PathKey = ()
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if line.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            parts = _split_key(header.group(2))
            resolved: list[str | int] = []
            for index, part in enumerate(parts):
                resolved.append(part)
                key = tuple(resolved)
                last = index == len(parts) - 1
                if last and header.group(1) == "[[":
                    lines.setdefault(key, number)  # the array itself: where its first table is
                    array_counts[key] = array_counts.get(key, 0) + 1
                    resolved.append(array_counts[key] - 1)
                elif key in array_counts:
                    resolved.append(array_counts[key] - 1)
            table = tuple(resolved)
            lines.setdefault(table, number)
            continue
        match = _KEY.match(line)
        if match:
            lines.setdefault((*table, *_split_key(match.group(1))), number)
            rest = line[match.end():]
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_multiline = quote
    return lines


# -- the checker -----------------------------------------------------------------------------------------------


class _Checker:
    def __init__(self, lines: dict[PathKey, int]) -> None:
        self.lines = lines
        self.problems: list[Problem] = []

    def line_of(self, path: PathKey) -> int | None:
        for size in range(len(path), 0, -1):
            if path[:size] in self.lines:
                return self.lines[path[:size]]
        return None

    def error(self, path: PathKey, message: str) -> None:
        self.problems.append(Problem(_field(path), self.line_of(path), message))

    def get(self, table: Mapping[str, Any], path: PathKey, key: str, kind: type | tuple[type, ...],
            what: str, *, required: bool = False, default: Any = None) -> Any:
        if key not in table:
            if required:
                self.error(path, f"'{key}' is missing: {what}")
            return default
        value = table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
            self.error((*path, key), f"expected {what}, found {_show(value)}")
            return default
        return value

    def unknown_keys(self, table: Mapping[str, Any], path: PathKey, allowed: set[str]) -> None:
        for key in table:
            if key not in allowed:
                self.error((*path, key), f"unknown field '{key}' (known here: {', '.join(sorted(allowed))})")


def _field(path: PathKey) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + (part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else f'"{part}"')
    return text


_show = limits.show


def _price(check: _Checker, path: PathKey, value: Any, seasons: list[str]) -> dict[str, float] | None:
    """A price: one number for every season, or a table season -> number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        problem = limits.PRICE.problem(value)
        if problem:
            check.error(path, problem)
            return None
        return {season: float(value) for season in seasons}
    if isinstance(value, dict):
        prices: dict[str, float] = {}
        for season, amount in value.items():
            problem = limits.PRICE.problem(amount)
            if season not in seasons:
                check.error((*path, season), f"no season named '{season}' (seasons: {', '.join(seasons)})")
            elif problem:
                check.error((*path, season), problem)
            else:
                prices[season] = float(amount)
        missing = [s for s in seasons if s not in value]
        if missing:
            check.error(path, f"no price for season {', '.join(missing)}")
            return None
        return prices if len(prices) == len(seasons) else None
    check.error(path, f"expected a price per kWh (a number, or a table season = number), found {_show(value)}")
    return None


def _time_of_day(check: _Checker, path: PathKey, value: Any) -> int | None:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value) if isinstance(value, str) else None
    if not match or int(match.group(1)) > 24 or int(match.group(2)) > 59 \
            or (int(match.group(1)) == 24 and int(match.group(2)) != 0):
        check.error(path, f'expected a time of day "HH:MM" (00:00 to 24:00), found {_show(value)}')
        return None
    return int(match.group(1)) * 3600 + int(match.group(2)) * 60


def _month_day(check: _Checker, path: PathKey, value: Any) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d{2})-(\d{2})", value) if isinstance(value, str) else None
    if match:
        month, day = int(match.group(1)), int(match.group(2))
        try:
            dt.date(2000, month, day)  # a leap year: 02-29 is allowed
            return month, day
        except ValueError:
            pass
    check.error(path, f'expected a month and day "MM-DD", found {_show(value)}')
    return None


def _seasons(check: _Checker, path: PathKey, value: Any) -> tuple[Season, ...] | None:
    if value is None:
        return (Season(ALL_YEAR, (1, 1), (12, 31)),)
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        check.error(path, "expected one or more [[versions.seasons]] tables")
        return None
    seasons: list[Season] = []
    for index, item in enumerate(value):
        here = (*path, index)
        check.unknown_keys(item, here, {"name", "start", "end"})
        name = check.get(item, here, "name", str, "the season's name", required=True)
        start = _month_day(check, (*here, "start"), item.get("start"))
        end = _month_day(check, (*here, "end"), item.get("end"))
        if name and start and end:
            if any(s.name == name for s in seasons):
                check.error((*here, "name"), f"season '{name}' is given twice")
            seasons.append(Season(name, start, end))
    if len(seasons) != len(value):
        return None
    day = dt.date(2000, 1, 1)  # every day of a leap year in exactly one season
    while day.year == 2000:
        owners = [s.name for s in seasons if s.contains(day)]
        if len(owners) != 1:
            problem = "is in no season" if not owners else f"is in more than one season ({', '.join(owners)})"
            check.error(path, f"{day:%m-%d} {problem}: seasons must cover the year exactly once")
            return None
        day += dt.timedelta(days=1)
    return tuple(seasons)


def _periods(check: _Checker, path: PathKey, value: Any, season_names: list[str]) -> tuple[Period, ...] | None:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        check.error(path, "expected [[versions.periods]] tables")
        return None
    periods: list[Period] = []
    for index, item in enumerate(value):
        here = (*path, index)
        check.unknown_keys(item, here, {"name", "start", "end", "days", "seasons"})
        name = check.get(item, here, "name", str, "the period's name, e.g. \"on-peak\"", required=True)
        start = _time_of_day(check, (*here, "start"), item.get("start"))
        end = _time_of_day(check, (*here, "end"), item.get("end"))
        if start is not None and end is not None and start % DAY_SECONDS == end % DAY_SECONDS:
            check.error((*here, "end"), "a period must not start and end at the same time of day")
            end = None
        days_value = item.get("days", ["weekdays"])
        days: set[str] = set()
        if not isinstance(days_value, list) or not days_value:
            check.error((*here, "days"), f"expected a list such as [\"weekdays\"], found {_show(days_value)}")
        else:
            for word in days_value:
                if word not in DAY_WORDS:
                    check.error((*here, "days"), f"unknown day {_show(word)} (use {', '.join(DAY_WORDS)})")
                else:
                    days |= DAY_WORDS[word]
        seasons_value = item.get("seasons")
        seasons: frozenset[str] | None = None
        if seasons_value is not None:
            if not isinstance(seasons_value, list) or not seasons_value:
                check.error((*here, "seasons"), f"expected a list of season names, found {_show(seasons_value)}")
            else:
                for season in seasons_value:
                    if season not in season_names:
                        check.error((*here, "seasons"),
                                    f"no season named {_show(season)} (seasons: {', '.join(season_names)})")
                seasons = frozenset(seasons_value)
        if name and start is not None and end is not None and days:
            periods.append(Period(name, start, end, frozenset(days), seasons))
    if len(periods) != len(value):
        return None
    _check_overlaps(check, path, periods, season_names)
    return tuple(periods)


def _check_overlaps(check: _Checker, path: PathKey, periods: list[Period], season_names: list[str]) -> None:
    """Two periods may not claim the same minute of the same day type and season."""
    for i, later in enumerate(periods):
        for j, earlier in enumerate(periods[:i]):
            shared_days = later.days & earlier.days
            seasons_later = later.seasons if later.seasons is not None else frozenset(season_names)
            seasons_earlier = earlier.seasons if earlier.seasons is not None else frozenset(season_names)
            if not shared_days or not seasons_later & seasons_earlier:
                continue
            clash = next((m for m in range(0, DAY_SECONDS, 60) if later.covers(m) and earlier.covers(m)), None)
            if clash is not None:
                check.error((*path, i), f"'{later.name}' overlaps '{earlier.name}' (periods[{j}]) at "
                                        f"{clash // 3600:02d}:{clash % 3600 // 60:02d}; periods must not overlap")


def _tiers(check: _Checker, path: PathKey, value: Any, season_names: list[str]) -> tuple[Tier, ...] | None:
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        check.error(path, "expected one or more [[versions.tiers]] tables")
        return None
    tiers: list[Tier] = []
    previous = 0.0
    for index, item in enumerate(value):
        here = (*path, index)
        check.unknown_keys(item, here, {"name", "up_to_kwh", "price"})
        name = check.get(item, here, "name", str, "the tier's name", default=f"tier {index + 1}")
        last = index == len(value) - 1
        up_to = check.get(item, here, "up_to_kwh", (int, float), "the kWh in the billing cycle this tier ends at",
                          required=not last)
        if last and up_to is not None:
            check.error((*here, "up_to_kwh"), "the last tier has no upper limit: remove up_to_kwh")
        if up_to is not None and (problem := limits.TIER_KWH.problem(up_to)):
            check.error((*here, "up_to_kwh"), problem)
            up_to = None
        elif up_to is not None and up_to <= previous:
            check.error((*here, "up_to_kwh"), f"tiers must rise: {up_to} is not above {previous}")
        if "price" not in item:
            check.error(here, "'price' is missing: the price per kWh in this tier")
            continue
        prices = _price(check, (*here, "price"), item["price"], season_names)
        if prices is not None and (up_to is not None or last):
            tiers.append(Tier(name, None if last else float(up_to), prices))
            previous = float(up_to) if up_to is not None else previous
    return tuple(tiers) if len(tiers) == len(value) else None


def _export_credit(check: _Checker, path: PathKey, value: Any) -> ExportCredit | None:
    if value in ("net", "none"):
        return ExportCredit(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        problem = limits.PRICE.problem(value)
        if problem is None:
            return ExportCredit("fixed", float(value))
        check.error(path, problem)
        return None
    check.error(path, f'expected "net", "none" or a price per kWh (a number), found {_show(value)}')
    return None


def _version(check: _Checker, path: PathKey, item: dict[str, Any]) -> TariffVersion | None:
    check.unknown_keys(item, path, VERSION_KEYS)
    valid_from = check.get(item, path, "from", dt.date, "the first day this version applies (a date, 2025-11-01)",
                           required=True)
    if isinstance(valid_from, dt.datetime):
        check.error((*path, "from"), "expected a date without a time of day (2025-11-01)")
        valid_from = None
    daily = check.get(item, path, "daily_charge", (int, float), "a fixed charge per day (a number)", default=0.0)
    if daily is not None and (problem := limits.DAILY_CHARGE.problem(daily)):
        check.error((*path, "daily_charge"), problem)
        daily = None
    monthly = check.get(item, path, "monthly_charge", (int, float), "a fixed charge per billing cycle (a number)",
                        default=0.0)
    if monthly is not None and (problem := limits.MONTHLY_CHARGE.problem(monthly)):
        check.error((*path, "monthly_charge"), problem)
        monthly = None
    credit = _export_credit(check, (*path, "export_credit"), item.get("export_credit", "none"))
    seasons = _seasons(check, (*path, "seasons"), item.get("seasons"))
    season_names = [s.name for s in seasons] if seasons else []
    periods = _periods(check, (*path, "periods"), item.get("periods"), season_names)
    has_tiers = "tiers" in item
    if has_tiers and (item.get("periods") or "prices" in item):
        check.error((*path, "tiers"), "a version has either tiers or periods with prices, not both")
        return None
    tiers: tuple[Tier, ...] = ()
    prices: dict[str, dict[str, float]] = {}
    default_period = check.get(item, path, "default_period", str, "the name of the hours no period covers",
                               default="off-peak" if periods else "flat")
    from_bill = item.get("prices") == FROM_BILL
    if has_tiers and from_bill:
        check.error((*path, "prices"), f'prices = "{FROM_BILL}" is for periods, not tiers')
        return None
    if from_bill:
        pass  # no prices yet: the user enters them from a bill (Settings, Cost); nothing is priced until then
    elif has_tiers:
        tiers = _tiers(check, (*path, "tiers"), item["tiers"], season_names) or ()
        if not tiers:
            return None
    elif seasons is not None and periods is not None and default_period:
        table = check.get(item, path, "prices", dict, "a [versions.prices] table: period = price", required=True)
        if table is None:
            return None
        needed = list(dict.fromkeys([*(p.name for p in periods), default_period]))
        for name, value in table.items():
            if name not in needed:
                check.error((*path, "prices", name), f"no period named '{name}' (periods: {', '.join(needed)})")
                continue
            price = _price(check, (*path, "prices", name), value, season_names)
            if price is not None:
                prices[name] = price
        for name in needed:
            if name not in table:
                check.error((*path, "prices"), f"no price for period '{name}'")
        if set(prices) != set(needed):
            return None
    if valid_from is None or daily is None or monthly is None or credit is None or seasons is None or periods is None:
        return None
    note = check.get(item, path, "note", str, "a note (text)", default="")
    return TariffVersion(valid_from, seasons, periods, default_period, prices, tiers, float(daily), credit,
                         note or "", float(monthly), from_bill)


def _holidays(check: _Checker, value: Any) -> HolidayCalendar | None:
    path: PathKey = ("holidays",)
    if value is None:
        return HolidayCalendar()
    if not isinstance(value, dict):
        check.error(path, "expected a [holidays] table")
        return None
    check.unknown_keys(value, path, {"observance", "names", "rules", "dates"})
    observance = check.get(value, path, "observance", str, f"one of {', '.join(OBSERVANCES)}",
                           default="nearest-weekday")
    if observance not in OBSERVANCES:
        check.error((*path, "observance"), f"expected one of {', '.join(OBSERVANCES)}, found {_show(observance)}")
        return None
    rules: list[HolidayRule] = []
    for name in check.get(value, path, "names", list, "a list of holiday names", default=[]):
        if name not in KNOWN_RULES:
            check.error((*path, "names"), f"unknown holiday {_show(name)} (known: {', '.join(KNOWN_RULES)}; "
                                          "or add it under [[holidays.rules]])")
        else:
            rules.append(KNOWN_RULES[name])
    for index, item in enumerate(check.get(value, path, "rules", list, "[[holidays.rules]] tables", default=[])):
        here = (*path, "rules", index)
        if not isinstance(item, dict):
            check.error(here, "expected a table with name, month and day (or weekday and nth)")
            continue
        check.unknown_keys(item, here, {"name", "month", "day", "weekday", "nth"})
        name = check.get(item, here, "name", str, "the holiday's name", required=True)
        month = check.get(item, here, "month", int, "a month number 1-12", required=True)
        day = check.get(item, here, "day", int, "a day of the month")
        weekday = check.get(item, here, "weekday", str, "mon .. sun")
        nth = check.get(item, here, "nth", int, "1-4, or -1 for the last")
        if month is not None and not 1 <= month <= 12:
            check.error((*here, "month"), f"expected a month number 1-12, found {month}")
            continue
        if (day is None) == (weekday is None):
            check.error(here, "give either day (a fixed date) or weekday and nth (the nth weekday of the month)")
            continue
        if weekday is not None and (weekday not in WEEKDAY_NAMES or nth not in (1, 2, 3, 4, -1)):
            check.error(here, "weekday must be mon .. sun and nth 1-4 or -1 (the last): not every month "
                              "has a fifth one")
            continue
        if name is None or month is None:
            continue
        rule = HolidayRule(name, month, day=day) if day is not None else \
            HolidayRule(name, month, weekday=WEEKDAY_NAMES.index(weekday), nth=nth)
        try:
            rule.date_in(2000)
        except ValueError as exc:
            check.error(here, str(exc))
            continue
        rules.append(rule)
    dates = check.get(value, path, "dates", list, "a list of dates", default=[])
    for day in dates:
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            check.error((*path, "dates"), f"expected dates such as 2026-12-24, found {_show(day)}")
    extra = frozenset(d for d in dates if isinstance(d, dt.date) and not isinstance(d, dt.datetime))
    return HolidayCalendar(tuple(rules), observance, extra)


def _zone(check: _Checker, name: Any) -> dt.tzinfo | None:
    if not isinstance(name, str):
        return None
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    except ImportError:  # pragma: no cover - zoneinfo is in every supported Python
        check.error(("timezone",), "this Python has no time zone support")
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        check.error(("timezone",), f"unknown time zone {_show(name)}: use an IANA name such as America/Denver "
                                   "(on Windows, install the 'tzdata' package if every name is unknown)")
        return None


def parse_tariff(text: str, origin: str = "tariff") -> Tariff:
    """A tariff from TOML text; ``origin`` names the file in messages. Raises :class:`TariffError`."""
    data, problems = load_toml(text)
    if data is None:
        raise TariffError(origin, problems)
    check = _Checker(key_lines(text))
    check.unknown_keys(data, (), TOP_KEYS)
    file_format = data.get("format", 1)
    if file_format != 1:
        check.error(("format",), f"this build reads tariff format 1, the file says {_show(file_format)}: "
                                 "update Xcelsior Desktop")
    name = check.get(data, (), "name", str, "a short name such as \"my-tariff\"", required=True)
    if name is not None and not NAME_PATTERN.match(name):
        check.error(("name",), f"{_show(name)}: use lower-case letters, digits, '-', '.' or '_'")
    title = check.get(data, (), "title", str, "a title (text)", default=name or "")
    zone_name = check.get(data, (), "timezone", str, "the household's time zone, e.g. \"America/Denver\"",
                          required=True)
    zone = _zone(check, zone_name)
    currency = check.get(data, (), "currency", str, "a currency code such as \"USD\"", default="USD")
    source = check.get(data, (), "source", str, "where the figures come from (text)", default="")
    checked = check.get(data, (), "checked", dt.date, "the date the figures were checked (2026-11-29)")
    notes = check.get(data, (), "notes", str, "notes (text)", default="")
    holidays = _holidays(check, data.get("holidays"))
    versions: list[TariffVersion] = []
    raw_versions = check.get(data, (), "versions", list, "one or more [[versions]] tables", required=True)
    if raw_versions is not None:
        if not raw_versions:
            check.error(("versions",), "at least one [[versions]] table is needed")
        for index, item in enumerate(raw_versions):
            if not isinstance(item, dict):
                check.error(("versions", index), "expected a [[versions]] table")
                continue
            version = _version(check, ("versions", index), item)
            if version is not None:
                if any(v.valid_from == version.valid_from for v in versions):
                    check.error(("versions", index, "from"), f"two versions start on {version.valid_from}")
                versions.append(version)
    if check.problems:
        raise TariffError(origin, check.problems)
    assert name is not None and zone is not None and zone_name is not None and holidays is not None
    return Tariff(name=name, title=title, timezone=zone_name, zone=zone,
                  versions=tuple(sorted(versions, key=lambda v: v.valid_from)), holidays=holidays,
                  currency=currency, source=source, checked=checked, notes=notes.strip(), origin=origin)


def load_tariff(path: Path | str) -> Tariff:
    """A tariff from a file. Raises :class:`TariffError` (unreadable file or bad content)."""
    path = Path(path)
    try:
        text = read_regular_file(path, limit=MAX_CHARS).decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise TariffError(str(path), [Problem("", None, f"cannot read the file ({reason})")],
                          next_step="Check the file name and that it is a UTF-8 text file, then try again.",
                          path=path, missing=isinstance(exc, FileNotFoundError)) from None
    try:
        return parse_tariff(text, str(path))
    except TariffError as exc:
        exc.path = path
        raise
