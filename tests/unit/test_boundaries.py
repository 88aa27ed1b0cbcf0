"""The architecture as a test: Qt only in app/, each room importing only the rooms below it (pyproject.toml's
import-linter contracts), and no room left out of the contracts."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "xcelsior_desktop"


def _contracts() -> list[dict]:  # type: ignore[type-arg]
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return list(config["tool"]["importlinter"]["contracts"])


def _rooms() -> set[str]:
    """Every sub-package and top-level module of the app, as dotted names."""
    rooms = {f"xcelsior_desktop.{p.name}" for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    rooms |= {f"xcelsior_desktop.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")}
    return rooms


def test_the_import_contracts_hold() -> None:
    import subprocess

    # in a fresh interpreter: import-linter sets up logging of its own, which must not leak into the other tests
    code = ("import sys; from importlinter.cli import lint_imports; "
            f"sys.exit(lint_imports(config_filename={str(ROOT / 'pyproject.toml')!r}, no_cache=True, no_logo=True))")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, "a room imports Qt or a room above it:\n" + run.stdout + run.stderr


def test_every_room_has_a_layer() -> None:
    (layers,) = [c for c in _contracts() if c["type"] == "layers"]
    layered = {name.strip() for layer in layers["layers"] for name in layer.split("|")}
    assert _rooms() - layered == set(), "a new room must be placed in the layers contract of pyproject.toml"


def test_every_room_but_the_app_is_kept_free_of_qt() -> None:
    (forbidden,) = [c for c in _contracts() if c["type"] == "forbidden"]
    assert set(forbidden["forbidden_modules"]) >= {"PySide6", "shiboken6"}
    # the app is Qt; the self-test checks the frozen bundle's Qt
    qt_free = _rooms() - {"xcelsior_desktop.app", "xcelsior_desktop.selftest"}
    assert qt_free - set(forbidden["source_modules"]) == set()


@pytest.mark.parametrize("room", ["common", "meter", "energy", "money", "session", "home_assistant"])
def test_a_qt_free_room_imports_without_qt(room: str) -> None:
    """Beyond the static contract: importing the room in a fresh interpreter loads no PySide6 module."""
    import subprocess

    code = (f"import sys, xcelsior_desktop.{room}; "
            "sys.exit(1 if any(m.split('.')[0] in ('PySide6', 'shiboken6') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def _diagram_rooms() -> list[str]:
    """The rooms docs/architecture.md's diagram names, top to bottom."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    block = text.split("<!-- rooms", 1)[1].split("```", 2)[1]
    names = []
    for line in block.splitlines():
        first = line.strip().split(" ", 1)[0]
        if first.endswith("/") or first.endswith(".py"):
            names.append("xcelsior_desktop." + first.removesuffix("/").removesuffix(".py"))
    return names


def test_the_architecture_diagram_names_every_room_in_layer_order() -> None:
    drawn = _diagram_rooms()
    assert set(drawn) == _rooms(), "docs/architecture.md's diagram and the folders differ"
    (layers,) = [c for c in _contracts() if c["type"] == "layers"]
    depth = {name.strip(): i for i, layer in enumerate(layers["layers"]) for name in layer.split("|")}
    assert [depth[name] for name in drawn] == sorted(depth[name] for name in drawn), \
        "the diagram lists a lower room above a higher one"


def test_building_the_command_line_loads_no_tls_http_or_crypto_library() -> None:
    """Every `xcelsior-desktop` run builds the whole parser first (`--version` and `--help` too): the libraries a
    meter read needs load when a command runs, not before."""
    import subprocess

    code = ("import sys; from xcelsior_desktop.cli import build_parser; build_parser(); "
            "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'requests', 'urllib3', 'ssl', 'cryptography', "
            "'lxml', 'zeroconf', 'keyring', 'paho', 'PySide6'}); print(' '.join(heavy)); sys.exit(1 if heavy else 0)")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, f"loaded while building the parser: {run.stdout}{run.stderr}"
