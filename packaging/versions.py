"""One line naming the installed versions of Python and of the project's direct dependencies.

    python3 packaging/versions.py [--extra test]

Printed by .ci/run (what the tests ran against) and by packaging/build.py (what the bundle is built from), so a
failure can be matched with the release that brought it. Standard library only.
"""

from __future__ import annotations

import argparse
import platform
import re
import sys
import tomllib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def direct_dependencies(extras: Iterable[str] = ()) -> list[str]:
    """The distribution names pyproject.toml asks for (and those of the given extras), markers not evaluated."""
    with open(PYPROJECT, "rb") as handle:
        project = tomllib.load(handle)["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project.get("optional-dependencies", {}).get(extra, [])
    names = [re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0] for requirement in requirements]
    return list(dict.fromkeys(names))


def line(extras: Iterable[str] = ()) -> str:
    parts = [f"Python {platform.python_version()}"]
    for name in direct_dependencies(extras):
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue  # a dependency for another OS (its marker is false here)
    return "versions: " + ", ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", action="append", default=[], help="also name this extra's dependencies")
    args = parser.parse_args(argv)
    print(line(args.extra))
    return 0


if __name__ == "__main__":
    sys.exit(main())
