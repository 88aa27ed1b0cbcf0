"""The error a tariff file or name can raise: what is wrong, where (file, line, field), and what to do next."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    field: str          # e.g. "versions[1].periods[0].start" ("" for the file as a whole)
    line: int | None    # 1-based line in the file, when known
    message: str

    def describe(self, origin: str) -> str:
        where = origin
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", {self.field}"
        return f"{where}: {self.message}"


class TariffError(Exception):
    """A tariff that cannot be used. ``user_message`` lists every problem found and says what to do next."""

    def __init__(self, origin: str, problems: list[Problem], *, next_step: str | None = None,
                 path: Path | None = None, missing: bool = False) -> None:
        self.origin = origin
        self.problems = problems
        self.path = path  # the tariff file, when the problem is in (or with) one
        self.missing = missing  # that file does not exist
        lines = [p.describe(origin) for p in problems]
        super().__init__("; ".join(lines))
        step = next_step or ("Fix the file (see docs/tariffs.md for the format, or "
                             "'xcelsior-desktop tariff show xcel-co-tou --toml' for an example) and load it again.")
        self.user_message = "\n".join([*lines, step])
