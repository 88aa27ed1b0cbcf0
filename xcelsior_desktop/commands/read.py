"""``xcelsior-desktop read``: read demand and registers from a meter once (for scripts: ``--json``).

Exit status: 0 ok, 2 usage, 3 certificate refused, 4 unreachable, 5 busy, 6 identity mismatch,
7 protocol error, 8 unusable identity, 1 anything else. Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xcelsior_desktop.meter.address import DEFAULT_PORT  # not transport: every command line builds this parser

if TYPE_CHECKING:
    from xcelsior_desktop.meter.values import DeviceInfo, Measurement, Registers
    from xcelsior_desktop.session.target import MeterTarget

HELP = "read demand and registers from a meter once"

EXIT_CODES = {
    "CertificateRefused": 3,
    "Unreachable": 4,
    "MeterBusy": 5,
    "IdentityMismatch": 6,
    "ProtocolError": 7,
    "ResourceMissing": 7,
    "IdentityError": 8,
    "SecretsError": 8,  # the stored identity cannot be read (no keyring, locked, passphrase)
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_connection_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_timeout_argument(parser)


def add_connection_arguments(parser: argparse.ArgumentParser, action: str = "read") -> None:
    """The meter and identity options of ``read``, also taken by ``history sync`` (``action`` names the command
    in the help of --meter-lfdi). The handshake timeout is :func:`add_timeout_argument` (``read`` lists --json
    between them)."""
    parser.add_argument("--meter", metavar="NAME",
                        help="which of the app's meters: net, production, or the name given it (default: net)")
    parser.add_argument("--host", help="the meter's IP address or host name (default: the meter set up in the app)")
    parser.add_argument("--port", type=int, help=f"HTTPS port (default {DEFAULT_PORT}, or the app's)")
    parser.add_argument("--cert", type=Path, help="client certificate PEM (default: the stored identity)")
    parser.add_argument("--key", type=Path, help="client private key PEM (default: the stored identity)")
    parser.add_argument("--meter-lfdi", help=f"expected meter LFDI; the {action} fails if another device answers")


def add_timeout_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeout", type=float, default=15.0, help="handshake timeout in seconds (default 15)")


def error_line(exc: BaseException, prog: str = "xcelsior-desktop read") -> str:
    """One line for stderr: ``PROG: ErrorType: what happened [detail]``."""
    message = getattr(exc, "user_message", None) or str(exc)
    detail = getattr(exc, "detail", "")
    line = f"{prog}: {type(exc).__name__}: {message}"
    if detail and detail not in message:
        line += f" [{detail}]"
    return " ".join(line.split())


def exit_code(exc: BaseException) -> int:
    for cls in type(exc).__mro__:
        if cls.__name__ in EXIT_CODES:
            return EXIT_CODES[cls.__name__]
    return 1


def identity_from(args: argparse.Namespace) -> Any:
    """The identity of --cert/--key, or the stored one (IdentityError when neither is usable)."""
    from xcelsior_desktop.meter.errors import IdentityError
    from xcelsior_desktop.meter.identity import load_identity_files

    if args.cert is not None or args.key is not None:
        if args.cert is None or args.key is None:
            raise IdentityError("--cert and --key go together", user_message="Give both --cert and --key.")
        return load_identity_files(args.cert, args.key)
    from xcelsior_desktop.commands.identity import default_store

    identity = default_store().load()
    if identity is None:
        raise IdentityError("no identity", user_message=(
            "No client identity: pass --cert and --key, or create one with 'xcelsior-desktop identity new'."))
    return identity


def target_from(args: argparse.Namespace, prog: str) -> MeterTarget | None:
    """The meter to read: --host/--port/--meter-lfdi, else the app's record (--meter picks one of two). None after
    printing why (a usage error, exit 2). Nothing is written: a read changes no file."""
    from xcelsior_desktop.meter.identity import normalize_lfdi
    from xcelsior_desktop.session.meters_file import peek_records
    from xcelsior_desktop.session.target import MeterTarget

    try:
        pinned = normalize_lfdi(args.meter_lfdi) if args.meter_lfdi else None
    except ValueError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return None
    if args.host is not None:
        return MeterTarget(host=args.host, port=args.port or DEFAULT_PORT, automatic=False, meter_lfdi=pinned)
    records = peek_records()
    chosen = choose_record(records, args.meter)
    if chosen is None:
        names = ", ".join(f"{r['role']}" + (f" ({r['name']})" if r.get("name") else "") for r in records)
        print(f"{prog}: no meter called {args.meter!r}; the app knows: {names or 'none'}", file=sys.stderr)
        return None
    saved = MeterTarget.from_record(chosen, None) if chosen else MeterTarget()
    if saved.host is None:
        print(f"{prog}: no meter address: pass --host, or set up the meter in the app first", file=sys.stderr)
        return None
    return saved.replace(port=args.port or saved.port, meter_lfdi=pinned or saved.meter_lfdi)


def choose_record(records: list[dict[str, Any]], wanted: str | None) -> dict[str, Any] | None:
    """The record --meter names (a role or the name given it, any case); without --meter the net meter's. {} when
    the app has no meter yet and none was asked for; None when the one asked for does not exist."""
    if wanted is None:
        return next((r for r in records if r["role"] == "net"), records[0] if records else {})
    key = wanted.strip().casefold()
    return next((r for r in records if key in (r["role"], str(r.get("name") or "").casefold())), None)


def run(args: argparse.Namespace) -> int:
    import datetime as dt
    import json

    from xcelsior_desktop.meter.errors import MeterError

    target = target_from(args, "xcelsior-desktop read")
    if target is None:
        return 2
    from xcelsior_desktop.platform.secrets import SecretsError
    from xcelsior_desktop.session.one_shot import run_once

    def read(client: Any) -> tuple[DeviceInfo, Measurement, Registers, str | None]:
        with client.batch():
            return client.device_info(), client.read_demand(), client.read_registers(), client.meter_lfdi

    try:
        identity = identity_from(args)
        info, demand, registers, meter_lfdi = run_once(target.replace(identity=identity), read,
                                                             handshake_timeout=args.timeout)
    except (MeterError, SecretsError) as exc:
        print(error_line(exc), file=sys.stderr)
        return exit_code(exc)
    read_at = dt.datetime.now(dt.UTC)
    result = {
        "demand_w": demand.value,
        "delivered_wh": registers.delivered_wh,
        "received_wh": registers.received_wh,
        "meter_lfdi": meter_lfdi,
        "meter_sfdi": info.sfdi,
        "sw_version": info.sw_version,
        "manufacturer": info.manufacturer,
        "read_at": read_at.isoformat().replace("+00:00", "Z"),
        "demand_at": demand.timestamp.isoformat().replace("+00:00", "Z"),
        "tou_delivered_wh": {str(k): v for k, v in registers.tou_delivered.items()},
        "tou_received_wh": {str(k): v for k, v in registers.tou_received.items()},
    }
    if args.json:
        print(json.dumps(result, sort_keys=True))
        return 0
    direction = "exporting" if demand.value < 0 else "importing"
    print(f"Demand:     {demand.value:,.0f} W ({direction})")
    if registers.delivered_wh is not None:
        print(f"Delivered:  {registers.delivered_wh / 1000:,.3f} kWh (from the grid)")
    if registers.received_wh is not None:
        print(f"Received:   {registers.received_wh / 1000:,.3f} kWh (to the grid)")
    print(f"Meter:      {info.manufacturer or '?'} firmware {info.sw_version or '?'}, SFDI {info.sfdi}")
    print(f"Meter LFDI: {meter_lfdi}")
    print(f"Read at:    {result['read_at']}")
    return 0
