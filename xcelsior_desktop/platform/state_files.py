"""One loader for every JSON file the app keeps: read safely, check against a schema, never crash, lose nothing.

Each file (settings, alert rules and history, the identity record, the activation wait, the meter profile) declares
a schema built from the small validators below. :func:`load_json_file` then

- reads only a regular file of bounded size (a folder, a FIFO or a device in its place is refused, not waited on),
- decodes strict UTF-8 and parses JSON without NaN/Infinity, numbers that overflow to infinity or nesting deeper
  than :data:`MAX_DEPTH`,
- checks the whole structure and every type; a schema may mark fields *lenient*: a bad value there is dropped (and
  named), not the whole file,
- on any failure moves the file aside as ``<name>.bad`` (``.bad-2``, ... never overwriting an older one) and returns
  "absent" so the caller uses its defaults; when fields were dropped the original is kept the same way and the
  cleaned content written back,
- and records one sentence per reset for the user (:func:`take_reset_notices`, shown once by the app at start).

Qt-free; thread-safe (the meter thread reads the profile file).
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xcelsior_desktop.common.atomic_file import set_aside, write_json_atomic
from xcelsior_desktop.common.regular_file import read_regular_file

log = logging.getLogger(__name__)

MAX_DEPTH = 32  # the app's own files nest 4 levels at most
MAX_FILE_BYTES = 4 << 20


# ---------------------------------------------------------------------------------------------- notices
_notices: list[str] = []
_notices_lock = threading.Lock()


def add_notice(text: str) -> None:
    """Keep a sentence for the user (once: the same sentence twice is kept once)."""
    with _notices_lock:
        if text not in _notices:
            _notices.append(text)


def take_reset_notices() -> list[str]:
    """What was reset or repaired since the last call, oldest first; the list is emptied."""
    with _notices_lock:
        taken = list(_notices)
        _notices.clear()
    return taken


# ---------------------------------------------------------------------------------------------- schema
class Invalid(ValueError):
    """A value does not fit its schema; ``where`` is its place in the file (``rules[2].threshold``)."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}" if where else reason)
        self.where = where
        self.reason = reason


@dataclass
class Report:
    """What a lenient check dropped: ``"name (why)"`` per field or item."""

    dropped: list[str] = field(default_factory=list)


Validator = Callable[[Any, str, Report], Any]


def _join(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 40 else text[:37] + "..."


def string(*, max_len: int = 1000, check: Callable[[str], object] | None = None, what: str = "text") -> Validator:
    """A JSON string of at most ``max_len`` characters; ``check`` raises ValueError for a bad value."""

    def validate(value: Any, where: str, report: Report) -> str:
        if not isinstance(value, str):
            raise Invalid(where, f"{_short(value)} is not {what}")
        if len(value) > max_len:
            raise Invalid(where, f"longer than {max_len} characters")
        if check is not None:
            try:
                check(value)
            except ValueError as exc:
                raise Invalid(where, f"{_short(value)} is not {what}") from exc
        return value

    return validate


def integer(lo: int, hi: int) -> Validator:
    def validate(value: Any, where: str, report: Report) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(where, f"{_short(value)} is not a whole number")
        if not lo <= value <= hi:
            raise Invalid(where, f"{_short(value)} is outside {lo}..{hi}")
        return value

    return validate


def number(lo: float = -1e15, hi: float = 1e15) -> Validator:
    """A finite JSON number (int or float, not a boolean) within [lo, hi]."""

    def validate(value: Any, where: str, report: Report) -> float | int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Invalid(where, f"{_short(value)} is not a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise Invalid(where, "not a finite number")
        if not lo <= value <= hi:
            raise Invalid(where, f"{_short(value)} is outside {lo:g}..{hi:g}")
        return value

    return validate


def boolean() -> Validator:
    def validate(value: Any, where: str, report: Report) -> bool:
        if not isinstance(value, bool):
            raise Invalid(where, f"{_short(value)} is not true or false")
        return value

    return validate


def one_of(*choices: Any) -> Validator:
    def validate(value: Any, where: str, report: Report) -> Any:
        if isinstance(value, bool) or value not in choices:
            raise Invalid(where, f"{_short(value)} is not one of {', '.join(_short(c) for c in choices)}")
        return value

    return validate


def optional(inner: Validator) -> Validator:
    """``inner`` or JSON null."""

    def validate(value: Any, where: str, report: Report) -> Any:
        return None if value is None else inner(value, where, report)

    return validate


def lfdi(what: str = "an LFDI (40 hex digits)") -> Validator:
    """An LFDI field, in any form :func:`~xcelsior_desktop.meter.identity.normalize_lfdi` reads."""
    from xcelsior_desktop.meter.identity import normalize_lfdi

    return string(max_len=100, check=normalize_lfdi, what=what)


def anything() -> Validator:
    """Any JSON value (its depth is already bounded by the reader)."""

    def validate(value: Any, where: str, report: Report) -> Any:
        return value

    return validate


def list_of(item: Validator, *, max_items: int = 10_000, skip_bad: bool = False) -> Validator:
    """A JSON array; with ``skip_bad`` an item that fails is dropped (and counted) instead of failing the list."""

    def validate(value: Any, where: str, report: Report) -> list[Any]:
        if not isinstance(value, list):
            raise Invalid(where, f"{_short(value)} is not a list")
        if len(value) > max_items:
            raise Invalid(where, f"more than {max_items} entries")
        kept = []
        for index, element in enumerate(value):
            try:
                kept.append(item(element, _join(where, index), report))
            except Invalid as exc:
                if not skip_bad:
                    raise
                report.dropped.append(f"{exc.where} ({exc.reason})")
        return kept

    return validate


def mapping(key: Validator, value: Validator, *, max_items: int = 1000) -> Validator:
    """A JSON object whose keys all pass ``key`` and values ``value`` (for maps like identity slots)."""

    def validate(data: Any, where: str, report: Report) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise Invalid(where, f"{_short(data)} is not an object")
        if len(data) > max_items:
            raise Invalid(where, f"more than {max_items} entries")
        return {key(k, where, report): value(v, _join(where, k), report) for k, v in data.items()}

    return validate


def record(
    fields: Mapping[str, Validator],
    *,
    required: Iterable[str] = (),
    lenient: Iterable[str] | bool = False,
    unknown: Validator | None = None,
    what: str = "an object",
) -> Validator:
    """A JSON object with known fields.

    ``required`` fields must be present and valid. A *lenient* field (``lenient=True``: every optional field)
    that is invalid is dropped and named in the report; any other invalid field fails the whole record.
    Unknown keys are kept when ``unknown`` validates them, else dropped silently (a newer build's field).
    """
    required_names = set(required)
    lenient_names = (set(fields) - required_names) if lenient is True else set(lenient or ())

    def validate(value: Any, where: str, report: Report) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise Invalid(where, f"not {what}")
        missing = sorted(required_names - set(value))
        if missing:
            raise Invalid(where, f"{', '.join(missing)} missing")
        result: dict[str, Any] = {}
        for name, item in value.items():
            place = _join(where, name)
            check = fields.get(name)
            if check is None:
                if unknown is not None:
                    result[name] = unknown(item, place, report)
                continue
            try:
                result[name] = check(item, place, report)
            except Invalid as exc:
                if name not in lenient_names:
                    raise
                report.dropped.append(f"{place} ({exc.reason})")
        return result

    return validate


# ---------------------------------------------------------------------------------------------- reading
class Unusable(ValueError):
    """The file's content cannot be used at all; the message says why in a few words."""


def _reject_constant(name: str) -> float:
    raise Unusable(f"{name} is not a number the app accepts")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise Unusable(f"the number {text[:20]} is too large")
    return value


def _check_depth(data: Any) -> None:
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise Unusable(f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def parse_json_bytes(raw: bytes) -> Any:
    """JSON from UTF-8 bytes, refusing what the app never writes; raises :class:`Unusable`."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unusable(f"not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        raise Unusable(f"nested deeper than {MAX_DEPTH} levels") from None
    except Unusable:
        raise
    except ValueError as exc:  # JSONDecodeError, and int() of a number with thousands of digits
        raise Unusable(f"not valid JSON: {exc}") from None
    _check_depth(data)
    return data


@dataclass
class Loaded:
    """The outcome of :func:`load_json_file`: ``data`` is None when the file is absent or was reset."""

    data: Any
    notice: str | None = None
    dropped: list[str] = field(default_factory=list)
    kept_as: Path | None = None

    @property
    def reset(self) -> bool:
        return self.data is None and self.notice is not None


def _kept(path: Path, bad: Path | None) -> str:
    if bad is None:
        return f"It could not be moved aside; remove {path} by hand if this repeats."
    return f"The old file is kept as {bad}."


def load_json_file(
    path: Path,
    schema: Validator,
    *,
    title: str,
    on_reset: str,
    on_drop: str = "",
    limit: int = MAX_FILE_BYTES,
    repair: bool = True,
) -> Loaded:
    """Read, parse and check ``path`` (see the module docstring). Never raises for what the file holds.

    ``title`` names the file for a person ("The settings file"); ``on_reset`` says what happens now and what to do
    ("The defaults are in use; ..."); ``on_drop`` the same when only some fields were dropped (the cleaned content
    then replaces the file, the original being kept aside). ``repair=False`` (a command that only reads): what can
    be used is used and nothing is moved, rewritten or reported as reset.
    """
    try:
        raw = read_regular_file(path, limit=limit)
    except FileNotFoundError:
        return Loaded(None)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if not repair:
            return Loaded(None)
        return _reset(path, title, f"could not be read: {reason}", on_reset)
    try:
        data = parse_json_bytes(raw)
        report = Report()
        cleaned = schema(data, "", report)
    except (Unusable, Invalid) as exc:
        if not repair:
            return Loaded(None)
        return _reset(path, title, f"was damaged: {exc}", on_reset)
    if not report.dropped or not repair:
        return Loaded(cleaned)
    bad = set_aside(path)
    try:
        write_json_atomic(path, cleaned, sort_keys=True)
    except OSError as exc:
        log.warning("could not write the repaired %s: %s", path, exc)
    names = "; ".join(report.dropped)
    notice = f"{title} had values that could not be used, which were dropped: {names}. {on_drop} {_kept(path, bad)}"
    notice = " ".join(notice.split())
    log.warning(notice)
    add_notice(notice)
    return Loaded(cleaned, notice, report.dropped, bad)


def _reset(path: Path, title: str, problem: str, on_reset: str) -> Loaded:
    bad = set_aside(path)
    notice = " ".join(f"{title} ({path.name}) {problem}. {on_reset} {_kept(path, bad)}".split())
    log.warning(notice)
    add_notice(notice)
    return Loaded(None, notice, kept_as=bad)
