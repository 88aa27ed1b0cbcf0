"""What a user hands the app, fuzzed (hypothesis): a tariff file, the settings file, a file given to ``--db``. Whatever
the bytes, the result is a valid load or one clear error, never a traceback, never a hang (each example runs under
a timeout), and a file that was only read is never changed. (Green Button files: test_greenbutton_fuzz.py.)"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_support import mutated_bodies
from xcelsior_desktop.cli import main
from xcelsior_desktop.energy.store import EnergyInterval, HistoryStore
from xcelsior_desktop.money import TariffError, load_tariff, preset_names, preset_text
from xcelsior_desktop.money.limits import PRICE
from xcelsior_desktop.platform.settings import Settings

TIMEOUT_S = 20.0
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.function_scoped_fixture])


def bounded(work: Callable[[], Any]) -> Any:
    """``work()`` on a thread; fails the test when it has not returned within TIMEOUT_S (a hang), re-raises what
    it raised."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(TIMEOUT_S)
    assert not thread.is_alive(), f"did not return within {TIMEOUT_S:g} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


# -- tariffs ----------------------------------------------------------------------------------------------------

TARIFFS = [preset_text(name).encode() for name in preset_names()]
TARIFF_NASTY = [b"nan", b"inf", b"-inf", b"1e999", b"9" * 5000, b"[" * 3000, b"{" * 40, b'"\\u0000"',
                b"\n[[versions]]\n", b"\nfrom = 1900-01-01\n", b"\nprice = -11\n", b"\xff\xfe", b"\x00",
                b'"""', b"'''", b"# ", b"= =", b"on-peak = { winter = nan }", b"daily_charge = 1e308\n"]


@FUZZ
@given(mutated_bodies(TARIFFS, TARIFF_NASTY, delete_up_to=80, digits=True) | st.binary(max_size=1024))
def test_a_tariff_file_loads_or_says_what_is_wrong(body: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mine.toml"
        path.write_bytes(body)
        try:
            tariff = bounded(lambda: load_tariff(path))
        except TariffError as exc:
            assert exc.user_message.strip() and exc.problems
            assert path.read_bytes() == body
            return
        assert path.read_bytes() == body
    for version in tariff.versions:
        for by_season in version.prices.values():
            assert all(PRICE.accepts(price) for price in by_season.values())
        assert math.isfinite(version.daily_charge) and version.daily_charge >= 0


# -- the settings file -----------------------------------------------------------------------------------------

SETTINGS = [
    b'{"poll_interval_s": 5.0, "meter_host": "192.168.1.50", "meter_port": 8081, "units": "kW", '
    b'"meter_lfdi": "3E4F45AB31EDFE5B67E343E5E4562E31984E23E5", "cost": {"tariff": "xcel-co-tou", '
    b'"prices": {"on-peak/winter": 0.22}, "cycle_start_day": 12}, "window_geometry": "AdnQywADAAA="}',
]
JSON_NASTY = [b"NaN", b"Infinity", b"1e999", b"9" * 5000, b"[" * 5000, b'"\\ud800"', b"\xff", b"\x00", b"null",
              b"true", b'{"":', b"-0", b'"' + b"a" * 10_000 + b'"']


@FUZZ
@given(mutated_bodies(SETTINGS, JSON_NASTY, digits=True) | st.binary(max_size=512))
def test_a_settings_file_gives_settings_whatever_it_holds(body: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "settings.json"
        path.write_bytes(body)
        loaded = bounded(lambda: Settings.load(path))
        assert isinstance(loaded, Settings)
        assert 2.0 <= loaded.poll_interval_s <= 3600.0
        assert loaded.units in ("W", "kW")
        Settings.load_message = None


METERS = [
    b'{"format": 1, "meters": [{"role": "net", "name": "", "host": "192.168.1.50", "port": 8081, '
    b'"automatic": false, "meter_lfdi": "3E4F45AB31EDFE5B67E343E5E4562E31984E23E5", "certificate": "current", '
    b'"registered_lfdi": null}, {"role": "production", "host": "fe80::1%wlan0", "port": 18081}]}',
]


@FUZZ
@given(mutated_bodies(METERS, JSON_NASTY, digits=True) | st.binary(max_size=512))
def test_a_meters_file_gives_meters_whatever_it_holds(body: bytes) -> None:
    from xcelsior_desktop.session.meters_file import load_records
    from xcelsior_desktop.session.target import ROLES, MeterTarget

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "meters.json"
        path.write_bytes(body)
        records = bounded(lambda: load_records(path)) or []
        assert len({r["role"] for r in records}) == len(records) <= len(ROLES)
        for record in records:
            target = MeterTarget.from_record(record, None)
            assert target.role in ROLES and 0 < target.port < 65536


# -- a file given to --db --------------------------------------------------------------------------------------

def _history_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "h.sqlite3"
        t0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        with HistoryStore(path) as store:
            store.add_intervals(EnergyInterval(t0 + dt.timedelta(minutes=15 * i), 900, float(i), 0.0)
                                for i in range(300))
        return path.read_bytes()


HISTORY = [_history_bytes()]


@FUZZ
@given(mutated_bodies(HISTORY, [b"\x00" * 64, b"\xff" * 16, b"SQLite format 3\x00"], delete_up_to=4096)
       | st.binary(max_size=2048),
       st.sampled_from([("info",), ("export", "--format", "csv"), ("export", "--format", "greenbutton")]))
def test_a_reading_command_reads_or_refuses_any_file_and_never_changes_it(body: bytes,
                                                                         command: tuple[str, ...]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "given.sqlite3"
        path.write_bytes(body)
        err = io.StringIO()
        out = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code = bounded(lambda: main(["history", *command, "--db", str(path)]))
        assert code in (0, 1)
        if code == 1:
            assert len(err.getvalue().splitlines()) == 1 and out.getvalue() == ""
        assert path.read_bytes() == body
        assert sorted(p.name for p in Path(folder).iterdir()) == ["given.sqlite3"]
