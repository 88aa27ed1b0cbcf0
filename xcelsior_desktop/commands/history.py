"""``xcelsior-desktop history sync|import|export|info``: the local energy history from the command line.

``sync`` takes the connection options and exit codes of ``read`` (0 ok, 2 usage, 3 certificate refused,
4 unreachable, 5 busy, 6 identity mismatch, 7 protocol error, 8 unusable identity, 1 anything else, including a
history file that cannot be written) and prints one line: ``synced N new slots (FIRST .. LAST)``.
``export --format csv`` writes a header, then one row per interval with data, oldest first:
``start,end,imported_wh,exported_wh`` (ISO 8601 UTC with Z; Wh as the meter gave them; empty = unknown), then any
extra columns. ``--format greenbutton`` writes an ESPI Atom feed (one usage point, a ReadingType per direction, an
IntervalBlock per local day). ``--from``/``--to`` are local calendar days, both included. ``info`` prints the path,
size, first and last slot and the gaps.
``import FILE`` reads a Green Button file (checked in full first) and stores it in one transaction, printing
``imported N intervals (FIRST .. LAST), M skipped: REASONS``; a file it refuses gets one line on stderr, exit 1.
``to-home-assistant --url URL [--token-env VAR] [--from DATE] [--db PATH]`` sends the history's hours to the long-term
statistics of the feed's energy sensors in Home Assistant (home_assistant/history_upload.py) and prints, per sensor,
``sent N hours (FIRST .. LAST) to STATISTIC_ID`` (``sent 0 hours to STATISTIC_ID`` when Home Assistant has them
all); notes go to stderr. Like ``info`` and ``export`` it never changes the history file. Exit codes: 0 sent,
1 the history cannot be read or Home Assistant could not take the hours, 2 usage (a bad address, no token),
3 the token refused or not an administrator's, 4 Home Assistant unreachable, 7 not Home Assistant, 9 too old.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xcelsior_desktop.meter.client import MeterClient
    from xcelsior_desktop.session.profile_cache import ProfileCache
    from xcelsior_desktop.session.target import MeterTarget

from xcelsior_desktop.commands.read import (
    add_connection_arguments,
    add_timeout_argument,
    choose_record,
    error_line,
    exit_code,
    identity_from,
    target_from,
)

HELP = "sync the local energy history from the meter, export it, or describe it"
PROG = "xcelsior-desktop history"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="history_command", metavar="ACTION", parser_class=type(parser))
    sub.required = True

    sync = sub.add_parser("sync", help="read what the meter holds that the store lacks (about 30 days)",
                          description="Read every 15-minute interval the meter holds that the history lacks.")
    add_connection_arguments(sync, "sync")  # the options of `read`, with the same meanings and defaults
    add_timeout_argument(sync)
    _db_argument(sync, meter=False)

    imported = sub.add_parser("import", help="bring in a Green Button file (your utility's 'Download My Data')",
                              description="Add the electricity intervals of a Green Button XML file to the history.")
    imported.add_argument("file", type=Path, metavar="FILE", help="the Green Button XML file")
    _db_argument(imported)

    export = sub.add_parser("export", help="write the history as CSV or Green Button",
                            description="Write the history as CSV or as a Green Button (ESPI) feed.")
    import xcelsior_desktop.exchange.greenbutton.export_format  # noqa: F401 - registers --format greenbutton
    from xcelsior_desktop.exchange.csv_export import FORMATS

    export.add_argument("--format", required=True, choices=sorted(FORMATS), help="the output format")
    export.add_argument("--from", dest="date_from", type=_date, metavar="YYYY-MM-DD",
                        help="first local day to export (default: the oldest)")
    export.add_argument("--to", dest="date_to", type=_date, metavar="YYYY-MM-DD",
                        help="last local day to export, included (default: the newest)")
    _db_argument(export)
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE (default: standard output)")
    export.add_argument("--tariff", metavar="NAME|FILE",
                        help="add the columns period and cost (the slot's money) under this tariff: a preset "
                             "(see 'xcelsior-desktop tariff list'), your own tariff's name, or a .toml file")
    # further export options go here and into _extra_columns()

    to_ha = sub.add_parser("to-home-assistant", help="send the history's hours to Home Assistant's Energy dashboard",
                           description="Send the history's hours (the meter's backfill, Green Button imports) to "
                                       "the long-term statistics of the feed's energy sensors in Home Assistant.")
    to_ha.add_argument("--url", required=True, metavar="URL",
                       help="Home Assistant's address, e.g. http://homeassistant.local:8123")
    to_ha.add_argument("--token-env", metavar="VAR",
                       help="read the long-lived access token from the environment variable VAR (default: the "
                            "token Settings saved in the keyring for this address)")
    to_ha.add_argument("--from", dest="date_from", type=_date, metavar="DATE",
                       help="first local day to send, YYYY-MM-DD (default: the oldest)")
    _db_argument(to_ha, meter=False)  # the feed publishes the net meter: its history, no other

    info = sub.add_parser("info", help="show the history's file, size, span and gaps",
                          description="Show the history's file, size, first and last slot, and gaps.")
    _db_argument(info)


def _db_argument(parser: argparse.ArgumentParser, *, meter: bool = True) -> None:
    parser.add_argument("--db", type=Path, metavar="PATH", help="the history file (default: the app's)")
    if meter:  # sync takes --meter with the connection options
        parser.add_argument("--meter", metavar="NAME",
                            help="whose history: net, production, or the name given a meter (default: net)")


def meter_role(args: argparse.Namespace, action: str) -> str:
    """The role --meter names (a role, or a name the app gave a meter); a usage error (exit 2) otherwise."""
    wanted = getattr(args, "meter", None)
    if wanted is None or wanted.strip().casefold() in ("net", "production"):
        return "net" if wanted is None else wanted.strip().casefold()
    from xcelsior_desktop.session.meters_file import peek_records

    records = peek_records()
    chosen = choose_record(records, wanted)
    if not chosen:
        names = ", ".join(["net", "production", *(r["name"] for r in records if r.get("name"))])
        raise UsageError(f"{PROG} {action}: no meter called {wanted!r}: use one of {names}")
    return str(chosen["role"])


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _fail(action: str, exc: BaseException) -> None:
    print(error_line(exc, f"{PROG} {action}"), file=sys.stderr)


class UsageError(Exception):
    """A flag names something that does not exist: one line on stderr, exit status 2."""


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    action = args.history_command
    if action == "sync":
        return _sync(args)
    if action == "import":
        return _import(args)
    if action == "export":
        return _export(args)
    if action == "to-home-assistant":
        return _to_home_assistant(args)
    return _info(args)


def _open_store(args: argparse.Namespace, action: str, *, read_only: bool) -> Any:
    """The store for ``action``. A reading command (info, export) opens it read-only: it never creates, renames,
    repairs or rewrites anything. A writing one (sync, import) may create or repair a history file, never replace
    a file that is not one; the app's own file (no --db) is the app's, damaged content included."""
    from xcelsior_desktop.energy.errors import HistoryError
    from xcelsior_desktop.energy.store import Access, HistoryStore, default_path

    role = meter_role(args, action)
    path = args.db if args.db is not None else default_path()
    if read_only and not path.exists() and not path.is_symlink():
        print(f"{PROG} {action}: no history at {path}: run '{PROG} sync' or start the app first", file=sys.stderr)
        return None
    access = Access.READ if read_only else (Access.OWN if args.db is None else Access.WRITE)
    try:
        store = HistoryStore(path, access=access).for_meter(role)  # the other meter's rows of the same file
    except HistoryError as exc:
        _fail(action, exc)
        return None
    if store.user_message:
        print(f"{PROG} {action}: {store.user_message}", file=sys.stderr)
    return store


# --------------------------------------------------------------------------------------------------- sync
def _sync(args: argparse.Namespace) -> int:
    from xcelsior_desktop.energy.backfill import Backfill, BackfillSummary
    from xcelsior_desktop.energy.errors import HistoryError
    from xcelsior_desktop.meter.errors import MeterError
    from xcelsior_desktop.platform.secrets import SecretsError

    target = target_from(args, f"{PROG} sync")
    if target is None:
        return 2
    store = _open_store(args, "sync", read_only=False)
    if store is None:
        return 1
    from xcelsior_desktop.session.one_shot import run_once

    def sync(client: MeterClient) -> BackfillSummary:
        with client.batch():
            profile = client.ensure_profile()
            skew = dt.timedelta(seconds=client.meter_time().skew_s)

            def meter_now() -> dt.datetime:
                return dt.datetime.now(dt.UTC) + skew

            return Backfill(client.transport.get, profile, store, meter_now).run()  # --meter's rows

    try:
        with store:
            identity = identity_from(args)
            summary = run_once(target.replace(identity=identity), sync, handshake_timeout=args.timeout,
                                  profiles=_saved_profiles(target))
    except (MeterError, SecretsError) as exc:
        _fail("sync", exc)
        return exit_code(exc)
    except HistoryError as exc:
        _fail("sync", exc)
        return 1
    print(summary.line())
    return 0


def _saved_profiles(target: MeterTarget) -> ProfileCache | None:
    """The app's saved profile of this meter (skips the ~25-GET walk), read only: the command never saves one."""
    if target.meter_lfdi is None:
        return None
    from xcelsior_desktop.session.profile_cache import ProfileCache

    return ProfileCache.for_role(target.role, read_only=True)


# --------------------------------------------------------------------------------------------------- import
def _import(args: argparse.Namespace) -> int:
    from xcelsior_desktop.energy.errors import HistoryError
    from xcelsior_desktop.exchange.greenbutton import GreenButtonError, read_green_button, store_import

    try:  # all of the file is read and checked before the history is opened: a refused file touches nothing
        result = read_green_button(args.file)
    except GreenButtonError as exc:
        _fail("import", exc)
        return 1
    store = _open_store(args, "import", read_only=False)
    if store is None:
        return 1
    try:
        with store:
            report = store_import(result, store)
    except HistoryError as exc:
        _fail("import", exc)
        return 1
    print(report.line())
    for note in report.notes():
        print(note)
    return 0


# --------------------------------------------------------------------------------------------------- export
def _extra_columns(args: argparse.Namespace) -> list[Any]:
    """Extra column providers chosen by options (see exchange/csv_export.py ExtraColumns).
    Raises TariffError for a tariff that cannot be used."""
    extras: list[Any] = []
    if getattr(args, "tariff", None):
        from xcelsior_desktop.exchange.csv_export import ExtraColumns
        from xcelsior_desktop.money import CSV_COLUMNS, CsvPricer, resolve

        tariff = resolve(args.tariff)
        extras.append(ExtraColumns(CSV_COLUMNS, lambda rows: CsvPricer(tariff).columns_for(rows)))
    return extras


def _export(args: argparse.Namespace) -> int:
    from xcelsior_desktop.common.atomic_file import write_bytes_atomic
    from xcelsior_desktop.energy import days as periods
    from xcelsior_desktop.energy.errors import HistoryError
    from xcelsior_desktop.exchange.csv_export import export_text

    if args.date_from and args.date_to and args.date_from > args.date_to:
        print(f"{PROG} export: --from {args.date_from} is after --to {args.date_to}", file=sys.stderr)
        return 2
    from xcelsior_desktop.money import TariffError

    try:
        extras = _extra_columns(args)
    except TariffError as exc:
        _fail("export", exc)
        return 1
    store = _open_store(args, "export", read_only=True)
    if store is None:
        return 1
    zone = _home_zone()
    start = periods.local_midnight(args.date_from, zone) if args.date_from else None
    end = periods.local_midnight(args.date_to + dt.timedelta(days=1), zone) if args.date_to else None
    try:
        with store:
            text, _count = export_text(args.format, store.intervals(start, end), extras)
    except HistoryError as exc:
        _fail("export", exc)
        return 1
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        write_bytes_atomic(args.output, text.encode("utf-8"), mode=0o644)
    except OSError as exc:
        print(f"{PROG} export: cannot write {args.output}: {exc.strerror or exc}; choose another file or free some "
              "disk space", file=sys.stderr)
        return 1
    return 0


def _home_zone() -> dt.tzinfo:
    """The zone the app counts days in (Settings, General; automatic: the chosen tariff's, else this computer's),
    read without touching the settings file."""
    from xcelsior_desktop.money.home_zone import home_zone
    from xcelsior_desktop.platform.settings import Settings

    return home_zone(Settings.peek()).zone


# --------------------------------------------------------------------------------------------------- to-home-assistant
def _to_home_assistant(args: argparse.Namespace) -> int:
    import os

    from xcelsior_desktop.energy import days as periods
    from xcelsior_desktop.energy.errors import HistoryError
    from xcelsior_desktop.home_assistant.ha_api import HomeAssistantError
    from xcelsior_desktop.home_assistant.ha_settings import TokenStoreError, load_token
    from xcelsior_desktop.home_assistant.ha_url import HomeAssistantUrlError, parse_ha_url
    from xcelsior_desktop.home_assistant.history_upload import upload_history

    action = "to-home-assistant"
    try:
        url = parse_ha_url(args.url)
    except HomeAssistantUrlError as exc:
        print(f"{PROG} {action}: {exc}", file=sys.stderr)
        return 2
    if args.token_env:
        token = os.environ.get(args.token_env, "").strip()
        if not token:
            print(f"{PROG} {action}: the environment variable {args.token_env} holds no access token: set it to a "
                  "long-lived access token (your profile in Home Assistant, Security)", file=sys.stderr)
            return 2
    else:
        try:
            token = load_token(url.display()) or ""
        except TokenStoreError as exc:
            print(f"{PROG} {action}: {exc.user_message}", file=sys.stderr)
            return 1
        if not token:
            print(f"{PROG} {action}: no access token is saved for {url.display()}: enter one in Settings, MQTT, or "
                  "give it with --token-env VAR", file=sys.stderr)
            return 2
    store = _open_store(args, action, read_only=True)
    if store is None:
        return 1
    since = periods.local_midnight(args.date_from, _home_zone()) if args.date_from else None
    try:
        with store:
            report = upload_history(store, url, token, sfdi=_pinned_sfdi(), since=since)
    except HomeAssistantError as exc:
        print(f"{PROG} {action}: {exc.user_message}", file=sys.stderr)
        return exc.exit_status
    except HistoryError as exc:
        _fail(action, exc)
        return 1
    for sensor in report.sensors:
        print(sensor.line())
    for sensor in report.sensors:
        for note in sensor.notes():
            print(f"{PROG} {action}: {note}", file=sys.stderr)
    if report.unsplittable_hours:
        print(f"{PROG} {action}: {report.unsplittable_hours} hours known only as longer stretches (a Green Button "
              "file's days) were not sent: they cannot be told hour by hour", file=sys.stderr)
    return 0


def _pinned_sfdi() -> int | None:
    """The SFDI of the net meter the app is set up with (None: not set up here), read without touching any file:
    the feed publishes that meter."""
    from xcelsior_desktop.meter.identity import sfdi_from_lfdi
    from xcelsior_desktop.session.meters_file import peek_records
    from xcelsior_desktop.session.target import NET

    for record in peek_records():
        lfdi = record.get("meter_lfdi")
        if record.get("role") == NET and isinstance(lfdi, str) and lfdi:
            try:
                return sfdi_from_lfdi(lfdi)
            except ValueError:
                return None
    return None


# --------------------------------------------------------------------------------------------------- info
def _info(args: argparse.Namespace) -> int:
    from xcelsior_desktop.common.format import iso_utc
    from xcelsior_desktop.energy.errors import HistoryError

    store = _open_store(args, "info", read_only=True)
    if store is None:
        return 1
    try:
        with store:
            span = store.first_last()
            first = store.intervals(span[0], span[0] + dt.timedelta(seconds=1))[0] if span else None
            last = store.intervals(span[1] - dt.timedelta(days=32), span[1])[-1] if span else None
            gaps = store.gaps()
            size = store.size_bytes()
    except HistoryError as exc:
        _fail("info", exc)
        return 1
    print(f"path:       {store.path}")
    print(f"size:       {size / 1e6:.1f} MB ({size} bytes)")
    if first is None or last is None:
        print("first slot: none")
        print("last slot:  none")
    else:
        print(f"first slot: {iso_utc(first.start)} .. {iso_utc(first.end)}")
        print(f"last slot:  {iso_utc(last.start)} .. {iso_utc(last.end)}")
    print(f"gaps:       {len(gaps)}")
    for start, end in gaps:
        print(f"  {iso_utc(start)} .. {iso_utc(end)} ({_length(end - start)})")
    return 0


def _length(span: dt.timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" if not rest else f"{hours} h {rest} min"
