"""The tariffs shipped with the app (TOML files beside this module) and the user's own, by name or file.

A user's tariffs live in ``config_dir()/tariffs/NAME.toml``; a name there shadows a preset of the same name.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from xcelsior_desktop.money.errors import Problem, TariffError
from xcelsior_desktop.money.loader import load_tariff, parse_tariff
from xcelsior_desktop.money.model import Tariff
from xcelsior_desktop.platform import paths

SUFFIX = ".toml"


def preset_names() -> list[str]:
    files = resources.files(__name__)
    return sorted(f.name[: -len(SUFFIX)] for f in files.iterdir() if f.name.endswith(SUFFIX))


def preset_text(name: str) -> str:
    """The preset's file text (a starting point for a user's own copy). Raises KeyError for an unknown name."""
    if name not in preset_names():
        raise KeyError(name)
    return resources.files(__name__).joinpath(name + SUFFIX).read_text(encoding="utf-8")


def load_preset(name: str) -> Tariff:
    try:
        text = preset_text(name)
    except KeyError:
        raise _unknown(name) from None
    tariff = parse_tariff(text, f"preset {name}")
    return _with_origin(tariff, "preset")


def user_dir() -> Path:
    """Where the user's own tariff files go (created on demand)."""
    return paths.ensure_private(paths.config_dir() / "tariffs")


def user_files() -> list[Path]:
    return sorted(user_dir().glob("*" + SUFFIX))


def resolve(name_or_file: str) -> Tariff:
    """A tariff by the path of a file (ends in .toml or has a folder in it), else by the name of a file in
    :func:`user_dir`, else by preset name.
    Raises :class:`TariffError` with what to do next."""
    separators = {"/", os.sep, os.altsep or "/"}
    if name_or_file.endswith(SUFFIX) or any(s in name_or_file for s in separators):
        return load_tariff(Path(name_or_file).expanduser())
    own = user_dir() / (name_or_file + SUFFIX)
    if own.is_file():
        return load_tariff(own)
    return load_preset(name_or_file)


def _unknown(name: str) -> TariffError:
    known = ", ".join(preset_names() + [p.stem for p in user_files()])
    return TariffError(name, [Problem("", None, "no preset or tariff file of this name")],
                       next_step=f"Use one of: {known}; or give the path of a tariff file (.toml).")


def _with_origin(tariff: Tariff, origin: str) -> Tariff:
    from dataclasses import replace

    return replace(tariff, origin=origin)
