"""``xcelsior-desktop --self-test``: prove that a (frozen) build works, end to end, without a display or a meter.

Steps, in order; the first that fails stops the run, prints its name and why, and sets the exit status to its
number (1-based), so CI logs and scripts both say which part of the bundle is broken:

1. ``imports``   every module of the app and the libraries it loads by name (keyring backends, zeroconf, Qt)
2. ``keyring``   the keyring library finds its backends (entry points), the platform's backend loads with its
                 dependencies, and a backend is chosen (a machine without a keyring service is reported, not failed);
                 on Windows a throwaway secret is set, read and deleted through the Credential Manager
3. ``tls``       a real mutual-TLS handshake with an in-process meter simulator on 127.0.0.1: TLS 1.2,
                 ECDHE-ECDSA-AES128-CCM8, the simulator's certificate LFDI as expected
4. ``read``      one demand read through the meter client, over that same TLS
5. ``tray-icon`` the tray icon rendered offscreen (not blank), and the app's SVG icon loads (Qt SVG plugins)
6. ``platform``  what differs per OS and the Linux tests cannot reach elsewhere: the zone database (Windows has none:
                 the bundled tzdata), the app's folders under the user's profile (created and written in a
                 temporary profile inside the real temp folder, so a user name with spaces or accents is on the
                 path), start at login switched on and off (a throwaway Run value, LaunchAgent or autostart entry),
                 and the single-instance lock and socket

Nothing leaves the machine: the simulator listens on 127.0.0.1 with an ephemeral port, mDNS is off. Nothing is
left behind either: the throwaway secret, start-at-login entry and folders are removed again.
"""

from __future__ import annotations

import importlib
import math
import os
import pkgutil
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from xcelsior_desktop.meter.identity import Identity

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend
    from PySide6.QtGui import QImage

    from xcelsior_desktop.simulator import MeterSimulator

OVERALL_TIMEOUT_S = 120.0
EXIT_USAGE = 64  # distinct from the step numbers
CCM8_SUITE = "ECDHE-ECDSA-AES128-CCM8"
# Libraries imported by name at run time or from compiled code, which a frozen build can silently miss.
THIRD_PARTY = (
    "PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets",
    "cryptography.hazmat.bindings._rust", "cryptography.x509", "lxml.etree", "zeroconf", "zeroconf._utils.net",
    "zeroconf._handlers.query_handler", "zeroconf._services.browser", "ifaddr", "requests", "urllib3", "keyring",
    "keyring.backends.chainer",
)


class StepFailed(Exception):
    """A self-test step found the build broken; the message says what is missing."""


def _out(line: str) -> None:
    stream = sys.stdout if sys.stdout is not None else sys.stderr  # windowed Windows builds may have neither
    if stream is None:
        return
    try:
        print(line, file=stream, flush=True)
    except UnicodeEncodeError:
        # A pipe on Windows takes the system code page: a user name outside it (in a path the platform step
        # names) must not turn a passing step into a crash
        encoding = getattr(stream, "encoding", None) or "ascii"
        print(line.encode(encoding, "backslashreplace").decode(encoding), file=stream, flush=True)


# -- 1. imports ------------------------------------------------------------------------------------------------


def step_imports(context: dict[str, object]) -> str:
    import xcelsior_desktop

    failures: list[str] = []
    names: list[str] = []

    def onerror(name: str) -> None:
        failures.append(f"{name}: {sys.exc_info()[1]!r}")

    for info in pkgutil.walk_packages(xcelsior_desktop.__path__, "xcelsior_desktop.", onerror=onerror):
        names.append(info.name)
    for name in [*names, *THIRD_PARTY]:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none hidden
            failures.append(f"{name}: {exc!r}")
    if failures:
        raise StepFailed("cannot import " + "; ".join(failures))
    if len(names) < 5:
        raise StepFailed(f"only {len(names)} app modules found: the package is not bundled whole")
    return f"{len(names)} app modules, {len(THIRD_PARTY)} libraries"


# -- 2. keyring ------------------------------------------------------------------------------------------------

_PLATFORM_BACKEND = {
    "win32": ("keyring.backends.Windows", "WinVaultKeyring", ("win32ctypes.pywin32.win32cred",)),
    "darwin": ("keyring.backends.macOS", "Keyring", ()),
}
_LINUX_BACKEND = ("keyring.backends.SecretService", "Keyring", ("secretstorage", "jeepney.io.blocking"))


def step_keyring(context: dict[str, object]) -> str:
    from importlib import metadata

    import keyring

    entry_points = {ep.name for ep in metadata.entry_points(group="keyring.backends")}
    if not entry_points:
        raise StepFailed("keyring's entry points are missing (its package metadata was not bundled)")
    module_name, class_name, dependencies = _PLATFORM_BACKEND.get(sys.platform, _LINUX_BACKEND)
    for dependency in dependencies:
        try:
            importlib.import_module(dependency)
        except ImportError as exc:
            raise StepFailed(f"{module_name} needs {dependency}, which is not in the build: {exc}") from exc
    backend_class = getattr(importlib.import_module(module_name), class_name)
    try:
        priority = backend_class.priority
    except Exception as exc:  # noqa: BLE001 - the backend says why it cannot run here
        priority = None
        reason = str(exc) or type(exc).__name__
        if sys.platform in _PLATFORM_BACKEND:  # Windows and macOS always have their keychain
            raise StepFailed(f"{module_name}.{class_name} is not usable: {reason}") from exc
    # What keyring would choose for the app: highest priority among viable backends, leaving out the in-memory
    # test keyring that step 1's import of every module registered (it is never meant to be chosen by itself).
    from keyring.backend import get_all_keyring

    viable = [b for b in get_all_keyring() if not type(b).__module__.startswith("xcelsior_desktop.")]
    chosen = max(viable, key=lambda b: b.priority) if viable else keyring.get_keyring()
    chosen_name = f"{type(chosen).__module__}.{type(chosen).__qualname__}"
    try:
        from xcelsior_desktop.platform.secrets import describe_backend

        chosen_words = describe_backend(chosen)
    except ImportError:
        chosen_words = chosen_name
    if priority is None:
        return f"backends {sorted(entry_points)}; {class_name} cannot run here ({reason}); chosen: {chosen_words}"
    if sys.platform == "win32":  # the Credential Manager is always there: prove it holds a secret
        chosen_words += "; " + _keyring_round_trip(backend_class())
    return f"backends {sorted(entry_points)}; chosen: {chosen_words}"


SELF_TEST_SERVICE = "xcelsior-desktop self-test"


def _keyring_round_trip(backend: KeyringBackend) -> str:
    """Set, read back and delete a throwaway secret (non-ASCII included) in ``backend``."""
    import secrets

    user = f"self-test-{os.getpid()}"
    secret = f"{secrets.token_hex(16)} Zoë"
    backend.set_password(SELF_TEST_SERVICE, user, secret)
    try:
        if backend.get_password(SELF_TEST_SERVICE, user) != secret:
            raise StepFailed(f"{type(backend).__name__} returned another secret than the one set")
    finally:
        backend.delete_password(SELF_TEST_SERVICE, user)
    if backend.get_password(SELF_TEST_SERVICE, user) is not None:
        raise StepFailed(f"{type(backend).__name__} still holds the secret after deleting it")
    return "a secret set, read and deleted"


# -- 3. tls and 4. read ----------------------------------------------------------------------------------------


def _identity(context: dict[str, object]) -> Identity:
    identity = context["identity"]
    assert isinstance(identity, Identity)
    return identity


def _simulator(context: dict[str, object]) -> MeterSimulator:
    """Start the simulator once (both network steps use it), registered for a throwaway identity."""
    from xcelsior_desktop.simulator import MeterSimulator

    started = context.get("simulator")
    if isinstance(started, MeterSimulator):
        return started
    from xcelsior_desktop.meter.identity import generate_identity

    identity = generate_identity(days=2)
    simulator = MeterSimulator(host="127.0.0.1", port=0, allowed_certs=[identity.cert_pem], mdns=False)
    simulator.start()
    context["identity"] = identity
    context["simulator"] = simulator
    return simulator


def step_tls(context: dict[str, object]) -> str:
    import socket

    from xcelsior_desktop.meter.identity import lfdi_from_der
    from xcelsior_desktop.meter.tls import client_context

    simulator = _simulator(context)
    tls_context = client_context(_identity(context))
    raw = socket.create_connection((simulator.host, simulator.port), timeout=10.0)
    with raw, tls_context.wrap_socket(raw, do_handshake_on_connect=True) as tls:
        version, cipher = tls.version(), (tls.cipher() or ("?",))[0]
        peer = tls.getpeercert(binary_form=True)
    if version != "TLSv1.2" or cipher != CCM8_SUITE:
        raise StepFailed(f"negotiated {version} {cipher}, expected TLSv1.2 {CCM8_SUITE}")
    if not peer or lfdi_from_der(peer) != simulator.lfdi:
        raise StepFailed("the simulator's certificate does not match its LFDI")
    return f"{version} {cipher}, meter LFDI {simulator.lfdi[:8]}..."


def step_read(context: dict[str, object]) -> str:
    from xcelsior_desktop.meter.client import MeterClient

    simulator = _simulator(context)
    client = MeterClient(
        simulator.host, port=simulator.port, identity=_identity(context), meter_lfdi=simulator.lfdi,
        connect_timeout=5.0, handshake_timeout=15.0, read_timeout=10.0,
    )
    try:
        measurement = client.read_demand()
    finally:
        client.close()
    value = float(measurement.value)
    if not math.isfinite(value):
        raise StepFailed(f"demand read returned {measurement.value!r}")
    return f"demand {value:.0f} {measurement.unit}"


# -- 5. tray icon ----------------------------------------------------------------------------------------------


def _resource_dir() -> Path:
    """Where the bundled resources sit: next to the frozen modules, or in the source tree."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"


def _opaque_pixels(image: QImage) -> int:
    from PySide6.QtGui import QImage

    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    return sum(1 for y in range(image.height()) for x in range(image.width()) if image.pixelColor(x, y).alpha() > 32)


def _opaque_colours(image: QImage) -> set[int]:
    from PySide6.QtGui import QImage

    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    return {
        image.pixel(x, y) & 0xF0F0F0  # coarse: antialiasing shades collapse into their colour
        for y in range(image.height()) for x in range(image.width()) if image.pixelColor(x, y).alpha() == 255
    }


def step_tray_icon(context: dict[str, object]) -> str:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0], "-platform", "offscreen"])
    context["qapp"] = app
    details = []
    svg = _resource_dir() / "xcelsior-desktop.svg"
    if not svg.exists() and not getattr(sys, "frozen", False):
        details.append("app icon: source tree without resources/")
    else:
        pixmap = QIcon(str(svg)).pixmap(64, 64)
        if pixmap.isNull() or _opaque_pixels(pixmap.toImage()) < 64 * 64 // 8:
            raise StepFailed(f"the app icon {svg} does not render (Qt SVG icon engine or image plugin missing)")
        details.append("app icon 64 px")
    from xcelsior_desktop.app import tray_icon

    image = tray_icon.render_tray_image(850.0, 22, 2.0)  # watts, logical size, device pixel ratio
    if image.isNull() or _opaque_pixels(image) < 20:
        raise StepFailed("the tray icon for 850 W rendered blank")
    if len(_opaque_colours(image)) < 2:
        raise StepFailed("the tray icon for 850 W has no text on its badge (fonts or painting broken)")
    template = tray_icon.render_tray_image(850.0, 22, 2.0, mask=True)  # the macOS menu-bar template image
    if template.isNull() or _opaque_pixels(template) < 20:
        raise StepFailed("the template (mask) tray icon rendered blank")
    details.append(f"tray icon {image.width()}x{image.height()} px with text, template icon")
    return ", ".join(details)


# -- 6. platform ----------------------------------------------------------------------------------------------

# The variables the app's folders (platform/paths.py) and the autostart entry are found through, per OS. On Windows
# platformdirs asks the shell for the known folders and ignores %APPDATA%; its own override variables redirect them.
_PROFILE_VARS = {"win32": ("WIN_PD_OVERRIDE_APPDATA", "WIN_PD_OVERRIDE_LOCAL_APPDATA"), "darwin": ("HOME",)}
_XDG_VARS = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")


def _zone_database() -> str:
    import datetime as dt
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        winter = dt.datetime(2026, 1, 15, 12, tzinfo=ZoneInfo("America/Denver")).utcoffset()
        summer = dt.datetime(2026, 7, 15, 12, tzinfo=ZoneInfo("America/Denver")).utcoffset()
    except ZoneInfoNotFoundError as exc:
        raise StepFailed(f"no zone database for zoneinfo (on Windows the tzdata package must be bundled): {exc}") from exc
    if (winter, summer) != (dt.timedelta(hours=-7), dt.timedelta(hours=-6)):
        raise StepFailed(f"America/Denver has UTC offsets {winter} and {summer}, not -7 h and -6 h")
    return "zoneinfo America/Denver -7/-6 h"


def _folders() -> str:
    from xcelsior_desktop.platform import paths

    folders = [paths.config_dir(), paths.data_dir(), paths.state_dir(), paths.log_dir()]
    for folder in folders:
        probe = folder / "self-test.tmp"
        probe.write_text("Zoë", encoding="utf-8")
        if probe.read_text(encoding="utf-8") != "Zoë":
            raise StepFailed(f"{probe} does not read back what was written")
        probe.unlink()
    return f"folders made and written under {folders[0].parent}"


def _autostart() -> str:
    from xcelsior_desktop.platform import autostart

    switch: autostart.Autostart
    if sys.platform == "win32":
        switch = autostart.WindowsRunKey(value_name=f"{autostart.RUN_VALUE} self-test {os.getpid()}")
    else:
        switch = autostart.for_platform()  # its file lives under the temporary profile
    command = [sys.executable, "--self-test"]
    try:
        switch.enable(command)
        if not switch.is_enabled():
            raise StepFailed(f"start at login was switched on but {switch.location} says off")
    finally:
        switch.disable()
    if switch.is_enabled():
        raise StepFailed(f"start at login was switched off but {switch.location} says on")
    return f"start at login on and off ({switch.location})"


def _single_instance(context: dict[str, object]) -> str:
    from PySide6.QtCore import QCoreApplication

    from xcelsior_desktop.app.single_instance import SingleInstance

    if QCoreApplication.instance() is None:
        context["qapp"] = QCoreApplication([sys.argv[0]])
    first, second = SingleInstance("self-test"), SingleInstance("self-test")
    if not first.acquire():
        raise StepFailed("the single-instance lock could not be taken")
    try:
        if second.acquire():
            raise StepFailed("a second instance took the single-instance lock while the first held it")
    finally:
        first.release()
    return "single-instance lock and socket"


def step_platform(context: dict[str, object]) -> str:
    import tempfile

    details = [_zone_database()]
    names = _PROFILE_VARS.get(sys.platform, _XDG_VARS)
    saved = {name: os.environ.get(name) for name in names}
    # Inside the real temp folder: the user's name (spaces, accents) is on the path, the real profile is untouched
    with tempfile.TemporaryDirectory(prefix="xcelsior self-test ") as profile:
        try:
            for name in names:
                os.environ[name] = os.path.join(profile, name.lower())
            details += [_folders(), _autostart(), _single_instance(context)]
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
    return ", ".join(details)


Step = Callable[[dict[str, object]], str]
STEPS: tuple[tuple[str, Step], ...] = (
    ("imports", step_imports),
    ("keyring", step_keyring),
    ("tls", step_tls),
    ("read", step_read),
    ("tray-icon", step_tray_icon),
    ("platform", step_platform),
)


def run(steps: Sequence[tuple[str, Step]] = STEPS) -> int:
    """Run every step; 0 when all pass, else the 1-based number of the step that failed."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    context: dict[str, object] = {}
    current: dict[str, int | str] = {"number": 0, "name": "start"}

    def timed_out() -> None:  # a hung step must not hang CI: name it and leave with its number
        _out(f"self-test: step {current['number']} '{current['name']}' FAILED: no result in {OVERALL_TIMEOUT_S:.0f} s")
        os._exit(int(current["number"]) or 1)

    watchdog = threading.Timer(OVERALL_TIMEOUT_S, timed_out)
    watchdog.daemon = True
    watchdog.start()
    frozen = "frozen build" if getattr(sys, "frozen", False) else "source tree"
    _out(f"self-test: {frozen}, Python {sys.version.split()[0]}, {sys.platform}")
    started = time.monotonic()
    try:
        for number, (name, step) in enumerate(steps, start=1):
            step_started = time.monotonic()
            current.update(number=number, name=name)
            try:
                detail = step(context)
            except Exception as exc:  # noqa: BLE001 - the point is to name any failure
                _out(f"self-test: step {number} '{name}' FAILED: {exc}")
                if not isinstance(exc, StepFailed):
                    _out("".join(traceback.format_exception(exc)).rstrip())
                return number
            _out(f"self-test: step {number} '{name}' ok ({time.monotonic() - step_started:.2f} s): {detail}")
    finally:
        if "simulator" in context:
            _simulator(context).stop()
        watchdog.cancel()
    _out(f"self-test: passed, {len(steps)} steps in {time.monotonic() - started:.2f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    if argv == ["--help"] or argv == ["-h"]:
        _out(__doc__ or "")
        return 0
    if argv:
        _out(f"self-test: unexpected arguments {argv!r} (usage: xcelsior-desktop --self-test)")
        return EXIT_USAGE
    return run()
