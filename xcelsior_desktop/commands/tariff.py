"""``xcelsior-desktop tariff list|show|check``: the tariffs the app can price with (presets and the user's own
files), and what the history cost between two days under one of them.

``check --from DATE --to DATE [--tariff NAME|FILE] [--db PATH]`` prints one line per period
``PERIOD KWH kWh $AMOUNT`` (the energy imported in it and its cost, export credit taken off), then
``monthly charge $AMOUNT`` (the monthly charge's share of those days), a ``daily charge $AMOUNT`` line only when
the tariff has one, a ``not priced H h: REASONS`` line only when some hours could not be priced, then
``total $AMOUNT``. The days are inclusive and local in the home zone; amounts have two decimals. It is the same
computation as the Cost tab's (money/cost.py), to set beside a bill.

Exit status: 0 ok, 1 the tariff cannot be used, dates that are not dates, a span with no data, a tariff without
prices yet (one line on stderr), 2 usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xcelsior_desktop.money import Tariff, TariffVersion
    from xcelsior_desktop.money.model import Period

HELP = "list the tariffs, show one (periods, prices, holidays), or check what days cost under one"
EXIT_FAILED = 1
DAY_ORDER = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="tariff_action", metavar="ACTION", parser_class=type(parser))
    sub.required = True
    sub.add_parser("list", help="the presets and your own tariff files")
    show = sub.add_parser("show", help="one tariff's periods, prices, holidays and notes")
    show.add_argument("name", metavar="NAME", help="a preset or tariff name, or the path of a tariff file (.toml)")
    show.add_argument("--toml", action="store_true", help="print the file itself (a starting point for your own)")
    show.add_argument("--year", type=int, help="list the holidays of this year (default: this year)")
    check = sub.add_parser("check", help="what the history cost between two days (to set beside a bill)",
                           description="What the energy history cost from one day to another, both included, "
                                       "by period, with the monthly charge: the figures to set beside a bill.")
    check.add_argument("--from", dest="date_from", required=True, metavar="DATE", help="the first day (YYYY-MM-DD)")
    check.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="the last day, included")
    check.add_argument("--tariff", metavar="NAME|FILE",
                       help="a preset, your own tariff's name, or a .toml file (default: the one chosen in the app)")
    check.add_argument("--db", type=Path, metavar="PATH", help="the history file (default: the app's)")


def run(args: argparse.Namespace) -> int:
    if args.tariff_action == "list":
        return _list()
    if args.tariff_action == "check":
        return _check(args)
    return _show(args.name, toml=args.toml, year=args.year)


def _fail(message: str) -> int:
    print(f"xcelsior-desktop tariff check: {message}", file=sys.stderr)
    return EXIT_FAILED


def _money(amount: float, currency: str) -> str:
    """$12.34, -$0.15 (no thousands separator: scripts read it); another currency: 12.34 EUR."""
    cents = round(amount * 100)
    if currency.upper() == "USD":
        return f"-${-cents / 100:.2f}" if cents < 0 else f"${cents / 100:.2f}"
    return f"{cents / 100:.2f} {currency}"


def _check(args: argparse.Namespace) -> int:
    from xcelsior_desktop.energy.days import local_midnight
    from xcelsior_desktop.energy.errors import HistoryError
    from xcelsior_desktop.energy.store import Access, HistoryStore, default_path
    from xcelsior_desktop.money import TariffError, resolve
    from xcelsior_desktop.money.cost import cost
    from xcelsior_desktop.money.cost_settings import chosen_settings
    from xcelsior_desktop.money.home_zone import resolve_home_zone
    from xcelsior_desktop.platform.settings import Settings

    try:
        first, last = dt.date.fromisoformat(args.date_from), dt.date.fromisoformat(args.date_to)
    except ValueError:
        return _fail(f"--from {args.date_from} and --to {args.date_to} must be dates (YYYY-MM-DD)")
    if first > last:
        return _fail(f"--from {first} is after --to {last}")
    settings = Settings.peek()  # a command that reads: the settings file is never rewritten
    chosen = chosen_settings(settings)
    try:
        tariff = resolve(args.tariff) if args.tariff else chosen.load_tariff()
    except TariffError as exc:
        return _fail(" ".join(exc.user_message.split()))
    zone = resolve_home_zone(settings.home_timezone, tariff).zone
    path = args.db if args.db is not None else default_path()
    if not path.exists():
        return _fail(f"no history at {path}: run 'xcelsior-desktop history sync' or start the app first")
    start, end = local_midnight(first, zone), local_midnight(last + dt.timedelta(days=1), zone)
    now = dt.datetime.now(dt.UTC)
    if start >= now:
        return _fail(f"{first} has not begun yet")
    try:
        with HistoryStore(path, access=Access.READ) as store:
            figures = cost(tariff, store, start, end, now, zone=zone, cycle_start_day=chosen.cycle_start_day)
    except HistoryError as exc:
        return _fail(" ".join(exc.user_message.split()))
    if not figures.energy.known:
        return _fail(f"the history has no energy from {first} to {last}")
    summary = figures.summary
    if summary.unpriced.intervals and not summary.periods:
        reasons = "; ".join(summary.unpriced.reasons)
        return _fail(f"{tariff.name} could not price these days ({reasons})")
    currency = tariff.currency
    for name, total in summary.periods.items():
        print(f"{name} {total.imported_kwh:.2f} kWh {_money(total.cost, currency)}")
    print(f"monthly charge {_money(summary.monthly_charge, currency)}")
    daily = summary.fixed_charge - summary.monthly_charge
    if abs(daily) >= 0.005:
        print(f"daily charge {_money(daily, currency)}")
    if summary.unpriced.intervals:
        reasons = "; ".join(f"{n} x {why}" for why, n in summary.unpriced.reasons.items())
        print(f"not priced {summary.unpriced.hours:.2f} h: {reasons}")
    print(f"total {_money(summary.total, currency)}")
    return 0


def _list() -> int:
    from xcelsior_desktop.money import TariffError, load_preset, preset_names, user_dir
    from xcelsior_desktop.money.loader import load_tariff

    rows: list[tuple[str, str, str]] = []
    for name in preset_names():
        tariff = load_preset(name)
        rows.append((name, "preset", f"{tariff.title} (checked {tariff.checked or 'never'})"))
    folder = user_dir()
    for path in sorted(folder.glob("*.toml")):
        try:
            tariff = load_tariff(path)
            rows.append((path.stem, str(path), tariff.title))
        except TariffError as exc:
            first = exc.problems[0].describe(path.name) if exc.problems else str(exc)
            rows.append((path.stem, str(path), f"cannot be used: {first}"))
    width = max(len(r[0]) for r in rows)
    for name, origin, text in rows:
        where = "" if origin == "preset" else f"  [{origin}]"
        print(f"{name:<{width}}  {'preset' if origin == 'preset' else 'file  '}  {text}{where}")
    print()
    print("Check your bill: the presets are publicly reported figures. To make your own, run "
          "'xcelsior-desktop tariff show xcel-co-tou --toml > my-tariff.toml', edit it, and give its path, "
          f"or keep it in {folder} and use its name.")
    return 0


def _show(name: str, *, toml: bool, year: int | None) -> int:
    from xcelsior_desktop.money import TariffError, period_now, preset_text, resolve

    try:
        tariff = resolve(name)
    except TariffError as exc:
        print(f"xcelsior-desktop tariff: {exc.user_message}", file=sys.stderr)
        return EXIT_FAILED
    if toml:
        if tariff.origin == "preset":
            sys.stdout.write(preset_text(tariff.name))
        else:
            sys.stdout.write(Path(tariff.origin).read_text(encoding="utf-8"))
        return 0
    for line in describe(tariff, year=year):
        print(line)
    now = period_now(tariff)
    if now is not None:
        print()
        print(f"Now: {now.summary()}")
    return 0


def describe(tariff: Tariff, *, year: int | None = None) -> list[str]:
    """The tariff in words, for ``tariff show`` (and any other plain-text view)."""
    from xcelsior_desktop.money import format_money

    lines = [f"{tariff.name}: {tariff.title}",
             f"From: {'preset' if tariff.origin == 'preset' else tariff.origin}",
             f"Time zone: {tariff.timezone}   Currency: {tariff.currency}"]
    if tariff.source:
        lines.append(f"Source: {tariff.source}")
    lines.append(f"Checked: {tariff.checked or 'not stated'}. Check your bill: prices change.")
    for version in tariff.versions:
        lines.append("")
        lines.append(f"From {version.valid_from}" + (f" ({version.note})" if version.note else ""))
        if len(version.seasons) > 1:
            lines.append("  Seasons: " + ", ".join(f"{s.name} {s.start[0]:02d}-{s.start[1]:02d} to "
                                                  f"{s.end[0]:02d}-{s.end[1]:02d}" for s in version.seasons))
        lines.extend(f"  {line}" for line in _rates(tariff, version))
        if version.daily_charge:
            lines.append(f"  Daily charge: {format_money(version.daily_charge, tariff.currency)}")
        lines.append(f"  Monthly charge: {format_money(version.monthly_charge, tariff.currency)} per billing cycle")
        lines.append(f"  Export: {version.export_credit.describe(tariff.currency)}")
    shown_year = year or dt.datetime.now(tariff.zone).year
    holidays = tariff.holidays.between(dt.date(shown_year, 1, 1), dt.date(shown_year, 12, 31))
    lines.append("")
    if holidays:
        lines.append(f"Holidays in {shown_year} (observed; {_observance(tariff.holidays.observance)}):")
        lines.extend(f"  {day} {day:%a}  {name}" for day, name in holidays)
    else:
        lines.append(f"Holidays in {shown_year}: none")
    if tariff.notes:
        lines.append("")
        lines.append("Notes:")
        lines.extend(f"  {line}" if line else "" for line in tariff.notes.splitlines())
    return lines


def _rates(tariff: Tariff, version: TariffVersion) -> list[str]:
    from xcelsior_desktop.money import format_price

    def prices(by_season: dict[str, float] | object) -> str:
        assert isinstance(by_season, dict)
        if not by_season:
            return "from your bill (not entered yet)"
        values = set(by_season.values())
        if len(values) == 1 and len(by_season) == len(version.seasons):
            return format_price(values.pop(), tariff.currency)
        shown = [f"{season.name} {format_price(by_season[season.name], tariff.currency)}"
                 if season.name in by_season else f"{season.name} from your bill" for season in version.seasons]
        return ", ".join(shown)

    if version.tiered:
        rows = []
        below = 0.0
        for tier in version.tiers:
            span = f"{below:g}-{tier.up_to_kwh:g} kWh" if tier.up_to_kwh is not None else f"above {below:g} kWh"
            rows.append(f"{tier.name}: {span} in the billing cycle: {prices(dict(tier.prices))}")
            below = tier.up_to_kwh or below
        return rows
    rows = []
    for period in version.periods:
        rows.append(f"{period.name}: {_window(period)}: {prices(dict(version.prices.get(period.name, {})))}")
    other = "every hour" if not version.periods else "all other hours"
    rows.append(f"{version.default_period}: {other}: {prices(dict(version.prices.get(version.default_period, {})))}")
    return rows


def _window(period: Period) -> str:
    def clock(seconds: int) -> str:
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"

    days = [d for d in DAY_ORDER if d in period.days]
    if days == list(DAY_ORDER[:5]):
        text = "Mon-Fri"
    elif days == list(DAY_ORDER[5:]):
        text = "Sat-Sun"
    elif days == list(DAY_ORDER):
        text = "every day"
    else:
        text = ", ".join(d.capitalize() for d in days)
    text += " and holidays" if "holidays" in period.days else (", not holidays" if days else "holidays")
    if period.seasons is not None:
        text += f", {' and '.join(sorted(period.seasons))} only"
    return f"{clock(period.start_s)}-{clock(period.end_s)} {text}"


def _observance(observance: str) -> str:
    return {
        "nearest-weekday": "one on a Saturday moves to the Friday before, on a Sunday to the Monday after",
        "sunday-to-monday": "one on a Sunday moves to the Monday after",
        "none": "on their own dates",
    }.get(observance, observance)
