"""``xcelsior-desktop identity new|show|import|export``: the client certificate the meter knows us by.

The identity lives in the OS keyring (:func:`default_store`, see ``platform/secrets/``), or with
``--encrypted-file`` in a file encrypted with a passphrase; ``--cert-out``/``--key-out`` write plain files.
Passphrases are typed at the terminal or taken from ``$XCELSIOR_KEY_PASSPHRASE`` (``commands/passphrase.py``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from xcelsior_desktop.commands.passphrase import CliIdentityStore
    from xcelsior_desktop.meter.identity import Identity

HELP = "create, show, import or export the client certificate"
EXIT_FAILED = 1
EXIT_USAGE = 2


class Store(Protocol):
    @property
    def backend_name(self) -> str: ...

    def load(self) -> Identity | None: ...

    def save(self, identity: Identity) -> None: ...

    def delete(self) -> None: ...


def write_private(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write a file readable by its owner only (0600), atomically; the bytes never sit in a wider-mode file."""
    from xcelsior_desktop.common.atomic_file import write_bytes_atomic

    write_bytes_atomic(path, data, mode=0o600, overwrite=overwrite)


def default_store() -> CliIdentityStore:
    """Where the identity lives by default: the OS keyring (or, opted in, a passphrase-encrypted file)."""
    from xcelsior_desktop.commands.passphrase import CliIdentityStore

    return CliIdentityStore()


# ---------------------------------------------------------------------------------------------- command line
def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="identity_action", metavar="ACTION", parser_class=type(parser))
    sub.required = True
    new = sub.add_parser("new", help="create a new certificate and key (register its LFDI with Xcel afterwards)")
    new.add_argument("--cert-out", type=Path, help="write the certificate here instead of the identity store")
    new.add_argument("--key-out", type=Path, help="write the private key here (mode 0600)")
    new.add_argument("--days", type=int, default=1094, help="validity in days (default 1094, proven on meters)")
    new.add_argument("--force", action="store_true", help="replace an identity already in the store")
    new.add_argument("--encrypted-file", action="store_true",
                     help="no keyring: keep the key in a file encrypted with a passphrase you type")
    show = sub.add_parser("show", help="print LFDI, portal form, SFDI and expiry")
    show.add_argument("--cert", type=Path, help="a certificate file (default: the stored identity)")
    imp = sub.add_parser("import", help="store an existing certificate and key (e.g. the MQTT bridge's certs/)")
    imp.add_argument("--cert", type=Path, required=True)
    imp.add_argument("--key", type=Path, required=True)
    imp.add_argument("--force", action="store_true", help="replace a different identity already in the store")
    imp.add_argument("--encrypted-file", action="store_true",
                     help="no keyring: keep the key in a file encrypted with a passphrase you type")
    exp = sub.add_parser("export", help="write the stored certificate and key to files (key mode 0600)")
    exp.add_argument("--cert-out", type=Path, required=True)
    exp.add_argument("--key-out", type=Path, required=True)
    exp.add_argument("--force", action="store_true", help="overwrite existing files")


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"xcelsior-desktop identity: {message}", file=sys.stderr)
    return code


def describe(identity: Identity) -> list[str]:
    return describe_certificate(identity.cert_pem)


def describe_certificate(cert_pem: bytes) -> list[str]:
    """LFDI, the portal's 8x5 form, SFDI and expiry: what `identity show` prints (for a stored or a given cert)."""
    import datetime as dt

    from xcelsior_desktop.meter.identity import lfdi_of, load_certificate, portal_form, sfdi_from_lfdi

    cert = load_certificate(cert_pem)
    lfdi = lfdi_of(cert)
    days = (cert.not_valid_after_utc - dt.datetime.now(dt.UTC)).total_seconds() / 86400
    state = "EXPIRED" if days <= 0 else f"{int(days)} days left"
    return [
        f"LFDI:        {lfdi}",
        f"Portal form: {portal_form(lfdi)}",
        f"SFDI:        {sfdi_from_lfdi(lfdi)}",
        f"Expires:     {cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC ({state})",
    ]


def _passphrase_for(key_path: Path, key_pem: bytes) -> bytes | None:
    """The passphrase of an encrypted key (decided by parsing it): $XCELSIOR_KEY_PASSPHRASE or typed at the
    terminal; without either, an error that says no prompt can appear and names the variable."""
    from xcelsior_desktop.commands.passphrase import ask_passphrase, no_prompt_message
    from xcelsior_desktop.meter.errors import IdentityError
    from xcelsior_desktop.meter.identity import key_is_encrypted

    if not key_is_encrypted(key_pem):
        return None
    typed = ask_passphrase(f"Passphrase for {key_path}: ")
    if typed is None:
        raise IdentityError("encrypted key, no passphrase and no terminal", user_message=no_prompt_message(
            f"The private key in {key_path} is protected by a passphrase."))
    return typed.encode()


def run(args: argparse.Namespace) -> int:
    from xcelsior_desktop.common.errors import XcelsiorError

    try:
        return _run(args)
    except XcelsiorError as exc:
        return _fail(exc.user_message.replace("\n", " "))
    except OSError as exc:
        return _fail(f"{exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "))


def _run(args: argparse.Namespace) -> int:
    from xcelsior_desktop.meter.identity import generate_identity, load_identity, read_pem_file

    action = args.identity_action
    store = default_store()
    if getattr(args, "encrypted_file", False):
        from xcelsior_desktop.commands.passphrase import ask_new_passphrase

        store.file_passphrase = ask_new_passphrase()
    if action == "new":
        if (args.cert_out is None) != (args.key_out is None):
            return _fail("give both --cert-out and --key-out, or neither", EXIT_USAGE)
        if not 1 <= args.days <= 36500:
            return _fail("--days must be between 1 and 36500", EXIT_USAGE)
        if args.cert_out is None and not args.force and store.load() is not None:
            return _fail(
                "an identity already exists; a new one has a new LFDI that must be registered again. "
                "Use --force to replace it, or --cert-out/--key-out to write files."
            )
        identity = generate_identity(days=args.days)
        if args.cert_out is not None:
            write_private(args.key_out, identity.key_pem)
            args.cert_out.parent.mkdir(parents=True, exist_ok=True)
            args.cert_out.write_bytes(identity.cert_pem)
            where = f"{args.cert_out} and {args.key_out}"
        else:
            store.save(identity)
            where = store.backend_name
        print("\n".join(describe(identity)))
        print(f"Saved to {where}. Next: in Xcel Energy's Launchpad (Meters and Devices, Add a Device) paste the LFDI.")
        return 0
    if action == "show":
        if args.cert is not None:
            print("\n".join(describe_certificate(read_pem_file(args.cert, "certificate"))))
            return 0
        stored = store.load()
        if stored is None:
            return _fail("no identity yet: create one with 'xcelsior-desktop identity new' or import one.")
        print("\n".join(describe(stored)))
        return 0
    if action == "import":
        cert_pem, key_pem = read_pem_file(args.cert, "certificate"), read_pem_file(args.key, "key")
        identity = load_identity(cert_pem, key_pem, passphrase=_passphrase_for(args.key, key_pem))
        current = store.load()
        if current is not None and current.lfdi != identity.lfdi and not args.force:
            return _fail(
                f"a different identity (LFDI {current.lfdi}) is stored; use --force to replace it "
                "(export it first if you may need it again)."
            )
        store.save(identity)
        print("\n".join(describe(identity)))
        print(f"Imported into {store.backend_name}.")
        return 0
    if action == "export":
        stored = store.load()
        if stored is None:
            return _fail("no identity to export: create one with 'xcelsior-desktop identity new' or import one.")
        for path in (args.cert_out, args.key_out):
            if path.exists() and not args.force:
                return _fail(f"{path} exists; use --force to overwrite it.")
        write_private(args.key_out, stored.key_pem)
        args.cert_out.parent.mkdir(parents=True, exist_ok=True)
        args.cert_out.write_bytes(stored.cert_pem)
        print(f"Wrote {args.cert_out} and {args.key_out} (the key is readable by you only). Keep the key secret.")
        return 0
    return _fail(f"unknown action {action!r}", EXIT_USAGE)
