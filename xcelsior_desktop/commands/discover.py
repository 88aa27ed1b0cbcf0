"""``xcelsior-desktop discover``: find meters on the local network with mDNS (DNS-SD)."""

from __future__ import annotations

import argparse
import sys

HELP = "find meters on the local network (mDNS)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds to keep asking (default 10)")
    parser.add_argument("--sfdi", help="stop as soon as the meter with this SFDI answers")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    # Tests pass loopback here; real users search on every interface.
    parser.add_argument("--interface", action="append", dest="interfaces", metavar="ADDRESS", help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    import json

    from xcelsior_desktop.meter.discovery import discover

    if args.timeout <= 0 or args.timeout > 600:
        print("xcelsior-desktop discover: --timeout must be between 0 and 600 seconds", file=sys.stderr)
        return 2
    if args.sfdi is not None and not str(args.sfdi).strip().isdigit():
        print("xcelsior-desktop discover: --sfdi must be a number", file=sys.stderr)
        return 2
    try:
        meters = discover(timeout=args.timeout, interfaces=args.interfaces, sfdi=args.sfdi)
    except OSError as exc:
        print(f"xcelsior-desktop discover: cannot use the network for mDNS: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps([m.as_dict() for m in meters], sort_keys=True))
    for meter in meters if not args.json else []:
        print(f"{meter.host}:{meter.port}  SFDI {meter.sfdi}  dcap {meter.dcap_path}  ({meter.name})")
    if not meters:
        print(
            "xcelsior-desktop discover: no meter answered. Meters answer slowly (up to a minute) and never across "
            "VLANs, WSL or containers: try --timeout 60, or give the address with --host.",
            file=sys.stderr,
        )
        return 1
    return 0
