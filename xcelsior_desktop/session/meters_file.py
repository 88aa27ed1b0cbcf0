"""``meters.json``: one record per meter, the only place on disk that says which meters this household has.

Each record is a :class:`~xcelsior_desktop.session.target.MeterTarget` without its loaded certificate: role,
name, address (typed, or the one discovery last found) and port, the pinned meter LFDI, which certificate it knows,
and that certificate's LFDI once the meter has accepted it. The file is read through the state-file loader: a bad
value is dropped and named, a file that cannot be used is set aside and the app starts as if no meter were set up
(setup finds the meter again; nothing else is lost).

An earlier release kept the one meter's facts as six fields of ``settings.json`` and again in ``meter-pin.json``;
:func:`load_targets` moves them into one ``net`` record at the first start and drops the old fields and file.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from xcelsior_desktop.common.atomic_file import write_json_atomic
from xcelsior_desktop.meter.address import DEFAULT_PORT, check_host
from xcelsior_desktop.meter.identity import Identity, normalize_lfdi
from xcelsior_desktop.platform import paths
from xcelsior_desktop.platform.settings import LEGACY_METER_KEYS, Settings
from xcelsior_desktop.platform.state_files import (
    Report,
    boolean,
    integer,
    lfdi,
    list_of,
    load_json_file,
    one_of,
    optional,
    parse_json_bytes,
    record,
    string,
)
from xcelsior_desktop.session.target import CURRENT_CERTIFICATE, NET, ROLES, MeterTarget

log = logging.getLogger(__name__)

FILE_NAME = "meters.json"
FORMAT = 1
LEGACY_PIN_FILE = "meter-pin.json"  # an earlier release's copy of the one meter's pin

_HOST = string(max_len=253, check=check_host, what="a host name or IP address")
_NAME = string(max_len=60, what="a meter's name")
_SLOT = string(max_len=40, check=lambda text: _check_slot(text), what="a certificate's name")

RECORD = record(
    {
        "role": one_of(*ROLES),
        "name": _NAME,
        "host": optional(_HOST),
        "port": integer(1, 65535),
        "automatic": boolean(),
        "meter_lfdi": optional(lfdi()),
        "certificate": _SLOT,
        "registered_lfdi": optional(lfdi()),
    },
    required=("role",),
    lenient=True,
    what="a meter",
)
SCHEMA = record(
    {"format": one_of(FORMAT), "meters": list_of(RECORD, max_items=len(ROLES), skip_bad=True)},
    required=("meters",),
    lenient=True,
    what="a list of meters",
)


def _check_slot(text: str) -> None:
    if not text or not text.replace("-", "").isalnum() or not text.isascii():
        raise ValueError("letters, digits and '-'")


def default_path() -> Path:
    return paths.config_dir() / FILE_NAME


def _normalized(record: dict[str, Any]) -> dict[str, Any]:
    for key in ("meter_lfdi", "registered_lfdi"):
        if record.get(key):
            record[key] = normalize_lfdi(record[key])
    return record


def load_records(path: Path | None = None, *, repair: bool = True) -> list[dict[str, Any]] | None:
    """The checked records, one per role (the first of each), or None when there is no file (or it was reset:
    the loader then told the user)."""
    loaded = load_json_file(
        path or default_path(), SCHEMA, title="The meters file",
        on_reset="Open Set up… to find your meter again; your certificate and history are kept.",
        on_drop="Check the meters in Settings.", repair=repair,
    )
    if loaded.data is None:
        return None
    records: list[dict[str, Any]] = []
    for item in loaded.data.get("meters", []):
        if item["role"] not in {r["role"] for r in records}:
            records.append(_normalized(item))
    return records


def save_targets(targets: Iterable[MeterTarget], path: Path | None = None) -> None:
    """Write every meter's record (atomic). Raises OSError when the disk refuses."""
    _write_records([t.to_record() for t in targets], path or default_path())


def save_target(target: MeterTarget, path: Path | None = None) -> None:
    """Write ``target``'s record, keeping the other meters' records as they are on disk."""
    path = path or default_path()
    kept = [r for r in (load_records(path) or []) if r["role"] != target.role]
    _write_records([*kept, target.to_record()], path)


IdentityFor = Callable[[str], "Identity | None"]


def load_targets(identity_for: IdentityFor, *, path: Path | None = None, settings: Settings | None = None,
                 settings_path: Path | None = None) -> list[MeterTarget]:
    """The household's meters, each with its certificate (``identity_for(slot)``), net first. With no meters
    file yet, an earlier release's facts in ``settings`` (and its pin file) become the net meter's record, saved,
    and are dropped from the settings file."""
    path = path or default_path()
    records = load_records(path)
    if records is None and settings is not None and not path.exists():
        records = migrate(settings, path.parent / LEGACY_PIN_FILE)
        if records:
            try:
                _write_records(records, path)
                for key in LEGACY_METER_KEYS:
                    settings.extra.pop(key, None)
                settings.save(settings_path)
                with contextlib.suppress(FileNotFoundError):
                    (path.parent / LEGACY_PIN_FILE).unlink()
                log.info("moved the meter's address and pin from the settings into %s", path)
            except OSError as exc:  # the next start tries again; this run uses what was found
                log.warning("could not move the meter's facts into %s: %s", path, exc)
    return [MeterTarget.from_record(r, identity_for(r.get("certificate", CURRENT_CERTIFICATE)))
            for r in sorted(records or [], key=lambda r: ROLES.index(r["role"]))]


def peek_records(path: Path | None = None, settings_path: Path | None = None) -> list[dict[str, Any]]:
    """The records for a command that only reads: the meters file as it is, or (before the app has moved them)
    an earlier release's settings; nothing is moved, rewritten or repaired."""
    path = path or default_path()
    records = load_records(path, repair=False)
    if records is None and not path.exists():
        records = migrate(Settings.peek(settings_path), path.parent / LEGACY_PIN_FILE)
    return records or []


def _write_records(records: list[dict[str, Any]], path: Path) -> None:
    """The meters file, net first (atomic). Raises OSError when the disk refuses."""
    records = sorted(records, key=lambda r: ROLES.index(r["role"]))
    write_json_atomic(path, {"format": FORMAT, "meters": records}, sort_keys=True)


def migrate(settings: Settings, pin_path: Path) -> list[dict[str, Any]]:
    """The net meter's record from an earlier release's settings fields (kept in ``settings.extra`` now that they
    are not settings) and its pin file; [] when neither knew a meter. Bad values are left out, as at any load."""
    old = {key: settings.extra.get(key) for key in LEGACY_METER_KEYS}
    pin = _legacy_pin(pin_path)
    manual, last = old["meter_host"], old["last_meter_host"]
    meter_lfdi, registered, port = old["meter_lfdi"], old["registered_lfdi"], old["meter_port"]
    if pin and meter_lfdi is None and manual is None and last is None:  # the settings were reset: the pin remembers
        meter_lfdi, manual, last = pin.get("meter_lfdi"), pin.get("manual_host"), pin.get("last_host")
        port = pin.get("port", port)
        registered = registered or pin.get("registered_lfdi")
    host = manual or last
    if host is None and meter_lfdi is None and registered is None:
        return []
    candidate = {"role": NET, "name": "", "host": host, "port": port if port is not None else DEFAULT_PORT,
                 "automatic": manual is None, "meter_lfdi": meter_lfdi, "certificate": CURRENT_CERTIFICATE,
                 "registered_lfdi": registered}
    report = Report()
    checked = RECORD({k: v for k, v in candidate.items() if v is not None}, "meters[0]", report)
    if report.dropped:
        log.warning("the earlier settings had meter values that could not be used: %s", "; ".join(report.dropped))
    return [_normalized(checked)]


def _legacy_pin(path: Path) -> dict[str, Any] | None:
    try:
        data = parse_json_bytes(path.read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
