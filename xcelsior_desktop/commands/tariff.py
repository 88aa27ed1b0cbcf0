"""``xcelsior-desktop tariff list|show``: the tariffs the app can price with (presets and the user's own files).

Exit status: 0 ok, 1 the tariff cannot be used (the reason, with file, line and field, on stderr), 2 usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xcelsior_desktop.services.tariff import Tariff, TariffVersion
    from xcelsior_desktop.services.tariff.model import Period

HELP = "list the tariffs or show one (periods, prices, holidays)"
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


def run(args: argparse.Namespace) -> int:
    if args.tariff_action == "list":
        return _list()
    return _show(args.name, toml=args.toml, year=args.year)


def _list() -> int:
    from xcelsior_desktop.services.tariff import TariffError, load_preset, preset_names, user_dir
    from xcelsior_desktop.services.tariff.loader import load_tariff

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
    from xcelsior_desktop.services.tariff import TariffError, period_now, preset_text, resolve

    try:
        tariff = resolve(name)
    except TariffError as exc:
        print(f"xcelsior-desktop tariff: {exc.user_message}", file=sys.stderr)
        return EXIT_FAILED
    if toml:
        if tariff.origin == "preset":
            sys.stdout.write(preset_text(tariff.name))
        else:
            from pathlib import Path

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
    from xcelsior_desktop.services.tariff import format_money

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
        lines.append(f"  Daily charge: {format_money(version.daily_charge, tariff.currency)}")
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
    from xcelsior_desktop.services.tariff import format_price

    def prices(by_season: dict[str, float] | object) -> str:
        assert isinstance(by_season, dict)
        values = set(by_season.values())
        if len(values) == 1:
            return format_price(values.pop(), tariff.currency)
        return ", ".join(f"{season} {format_price(p, tariff.currency)}" for season, p in by_season.items())

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
        rows.append(f"{period.name}: {_window(period)}: {prices(dict(version.prices[period.name]))}")
    other = "every hour" if not version.periods else "all other hours"
    rows.append(f"{version.default_period}: {other}: {prices(dict(version.prices[version.default_period]))}")
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
