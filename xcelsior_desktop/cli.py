"""The one entry point: no sub-command starts the tray app; sub-commands do everything else.

Each sub-command lives in its own module under ``xcelsior_desktop.commands`` and exposes
``HELP`` (one line), ``add_arguments(parser)`` and ``run(args) -> int``. Modules are imported
only when their command runs, so ``xcelsior-desktop read`` never imports Qt.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from xcelsior_desktop import __version__

# command name -> module implementing it (kept as data so `--help` lists them without importing Qt)
COMMANDS: dict[str, tuple[str, str]] = {
    "app": ("xcelsior_desktop.commands.app", "start the tray app (the default)"),
    "demo": ("xcelsior_desktop.commands.demo", "start the tray app on a built-in meter simulator"),
    "simulate": ("xcelsior_desktop.commands.simulate", "run a faithful Itron meter simulator"),
    "identity": ("xcelsior_desktop.commands.identity", "create, show, import or export the client certificate"),
    "discover": ("xcelsior_desktop.commands.discover", "find meters on the local network (mDNS)"),
    "read": ("xcelsior_desktop.commands.read", "read demand and registers from a meter once"),
    "history": ("xcelsior_desktop.commands.history", "sync the energy history from the meter, export it, describe it"),
    "tariff": ("xcelsior_desktop.commands.tariff", "list the tariffs or show one (periods, prices, holidays)"),
}

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one clear line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="xcelsior-desktop",
        description="Live electricity use from your Xcel Energy smart meter, straight from the meter.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation offscreen (TLS to a built-in simulator, keyring, tray icon) and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = _module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # a command not built yet in this tree
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        command_parser.set_defaults(_module=module_name)
        module.add_arguments(command_parser)
    return parser


def _module(module_name: str) -> ModuleType:
    return importlib.import_module(module_name)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list[:1] == ["--self-test"]:  # a top-level flag, not a sub-command: checks an installed bundle
        from xcelsior_desktop import selftest

        return selftest.main(args_list[1:])
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in ("-h", "--help", "--version")):
        args_list = ["app", *args_list]
    parser = build_parser()
    args = parser.parse_args(args_list)
    try:
        return int(_module(args._module).run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `... | head`: the reader has what it wanted
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python flushes stdout once more at exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
