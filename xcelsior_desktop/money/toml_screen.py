"""Read a tariff's TOML text only when it is of a size and shape a tariff can have.

``tomllib`` guards itself with Python's own limits, which become tracebacks, not messages: an integer of more
than 4300 digits raises ``ValueError`` and a value nested a few thousand brackets deep raises ``RecursionError``.
A tariff has neither, so the text is screened first (outside strings and comments: numbers of at most 40 digits,
brackets and braces nested at most 16 deep), and whatever ``tomllib`` still raises becomes one problem too.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from xcelsior_desktop.money.errors import Problem

MAX_DIGITS = 40
MAX_NESTING = 16
MAX_CHARS = 1 << 20  # a real tariff is a few kB

_LONG_NUMBER = re.compile(rf"[0-9_]{{{MAX_DIGITS + 1},}}")


def _skip_string(text: str, start: int) -> int:
    """The index just after the string that starts at ``start`` (or the end of the text when it never closes)."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        end = text.find(quote * 3, start + 3)
        return len(text) if end < 0 else end + 3
    index = start + 1
    while index < len(text) and text[index] not in (quote, "\n"):
        index += 2 if quote == '"' and text[index] == "\\" else 1
    return index + 1


def screen(text: str) -> list[Problem]:
    """What makes ``text`` too big or too deep to hand to ``tomllib`` (empty: fine)."""
    if len(text) > MAX_CHARS:
        return [Problem("", None, f"the file is larger than {MAX_CHARS // 1024} kB, far more than a tariff")]
    depth, index, line = 0, 0, 1
    while index < len(text):
        char = text[index]
        if char == "#" or char in "\"'":
            if char == "#":
                newline = text.find("\n", index)
                after = len(text) if newline < 0 else newline
            else:
                after = _skip_string(text, index)
            line += text.count("\n", index, after)
            index = after
            continue
        if char == "\n":
            line += 1
        elif char in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return [Problem("", line, f"values are nested more than {MAX_NESTING} deep, which no tariff needs")]
        elif char in "]}":
            depth = max(0, depth - 1)
        elif char.isdigit():
            if _LONG_NUMBER.match(text, index):
                return [Problem("", line, f"a number written with more than {MAX_DIGITS} digits")]
            while index < len(text) and (text[index].isalnum() or text[index] in "_.:+-"):
                index += 1
            continue
        index += 1
    return []


def load_toml(text: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """(the parsed table, no problems) or (None, what is wrong)."""
    problems = screen(text)
    if problems:
        return None, problems
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        return None, [Problem("", int(match.group(1)) if match else None, f"this is not valid TOML ({exc})")]
    except (ValueError, RecursionError, MemoryError) as exc:  # the screen should have caught these first
        return None, [Problem("", None, f"this is not a usable TOML file ({type(exc).__name__})")]
