"""``xcelsior-desktop simulate``: run the meter simulator until SIGINT or SIGTERM.

Contract (scripts rely on it): before serving it prints, flushed, ``listening on HOST:PORT`` and
``meter lfdi <40 hex> sfdi <digits>``; SIGINT/SIGTERM -> exit 0; a bad flag or unreadable PEM -> one line, exit 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xcelsior_desktop.meter.identity import Identity

HELP = "run a faithful Itron meter simulator"
EXIT_USAGE = 2
ROLES = ("net", "production")  # simulator/roles.py's, named here so that building the parser imports no simulator


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from xcelsior_desktop.simulator.faults import FAULT_NAMES

    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8081, help="TCP port, 0 = any free port (default 8081)")
    parser.add_argument("--allow-cert", action="append", default=[], metavar="PEM",
                        help="a registered client certificate (PEM file); repeatable")
    parser.add_argument("--accept-any-cert", action="store_true", help="demo mode: accept any client certificate")
    parser.add_argument("--server-cert", metavar="PEM", help="the meter's certificate (default: generated once, kept)")
    parser.add_argument("--server-key", metavar="PEM", help="the key of --server-cert")
    parser.add_argument("--no-mdns", action="store_true", help="do not advertise over mDNS")
    parser.add_argument("--fault", action="append", default=[], choices=FAULT_NAMES, metavar="NAME",
                        help=f"switch a fault on; repeatable; one of: {', '.join(FAULT_NAMES)}")
    parser.add_argument("--seed", type=int, default=0, help="household model seed (default 0)")
    parser.add_argument("--firmware", default="3.2.50", choices=("3.2.50", "3.2.39"),
                        help="the meter agent to imitate: 3.2.50 (default) or 3.2.39 (no TOU readings)")
    parser.add_argument("--role", default="net", choices=ROLES,
                        help="net: the meter at the service entrance (default); production: the meter on the solar "
                             "inverter's output, of the same household (run one of each, on two ports)")


def _fail(message: str) -> int:
    print(f"xcelsior-desktop simulate: error: {message}", file=sys.stderr, flush=True)
    return EXIT_USAGE


def _stored_server_identity(role: str) -> Identity:
    """The simulator's own certificate, generated on first use and kept in the data folder.

    Each role keeps its own, so a net and a production simulator run side by side are two meters (two LFDIs and
    SFDIs), as a household's two real meters are."""
    from xcelsior_desktop.meter.identity import generate_identity, load_identity_files

    folder = _data_dir() / "simulator"
    prefix = "server" if role == "net" else f"{role}-server"  # the net meter keeps the files it always had
    cert, key = folder / f"{prefix}-cert.pem", folder / f"{prefix}-key.pem"
    if cert.exists() and key.exists():
        return load_identity_files(cert, key, allow_expired=True)
    identity = generate_identity(days=3650)
    folder.mkdir(parents=True, exist_ok=True)
    cert.write_bytes(identity.cert_pem)
    key.touch(mode=0o600)
    key.write_bytes(identity.key_pem)  # a simulator's throwaway key, not a secret of the user
    return identity


def _data_dir() -> Path:
    try:
        from xcelsior_desktop.platform import paths

        return Path(paths.data_dir())
    except (ImportError, AttributeError):
        import os

        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        return Path(base) / "xcelsior-desktop"


def run(args: argparse.Namespace) -> int:
    import signal
    import threading

    from xcelsior_desktop.meter.errors import IdentityError
    from xcelsior_desktop.meter.identity import load_certificate, load_identity_files

    if not 0 <= args.port <= 65535:
        return _fail(f"--port must be between 0 and 65535, not {args.port}")
    certs = []
    for name in args.allow_cert:
        try:
            pem = Path(name).read_bytes()
            load_certificate(pem)
        except OSError as exc:
            return _fail(f"cannot read --allow-cert {name}: {exc.strerror}")
        except IdentityError:
            return _fail(f"--allow-cert {name} is not a PEM certificate")
        certs.append(pem)
    if bool(args.server_cert) != bool(args.server_key):
        return _fail("--server-cert and --server-key go together")
    try:
        if args.server_cert:
            identity = load_identity_files(args.server_cert, args.server_key, allow_expired=True)
        else:
            identity = _stored_server_identity(args.role)
    except IdentityError as exc:
        return _fail(exc.user_message)
    except OSError as exc:
        return _fail(f"cannot keep the simulator's certificate: {exc}")

    from xcelsior_desktop.simulator import MeterSimulator

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    sim = MeterSimulator(host=args.host, port=args.port, allowed_certs=certs, accept_any_cert=args.accept_any_cert,
                         server_identity=identity, mdns=not args.no_mdns, mdns_interfaces=["all"] if args.host in ("0.0.0.0", "::") else [args.host],
                         faults=args.fault, seed=args.seed, firmware=args.firmware, role=args.role)
    try:
        sim.start()
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    try:
        print(f"listening on {args.host}:{sim.port}", flush=True)
        print(f"meter lfdi {sim.lfdi} sfdi {sim.sfdi}", flush=True)
        if not certs and not args.accept_any_cert:
            print("note: no client certificate is registered, so every handshake is refused (like a meter before "
                  "Xcel activates you); add --allow-cert PEM or --accept-any-cert", file=sys.stderr, flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        sim.stop()
    return 0
