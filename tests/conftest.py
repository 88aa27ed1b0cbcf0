"""Every test runs with its own HOME and XDG folders, so nothing touches the real user's files."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest

from tests.simulators import running_simulator
from xcelsior_desktop.meter.identity import Identity, generate_identity
from xcelsior_desktop.simulator import MeterSimulator

pytest_plugins = ("tests.integration.mqtt_support",)  # the MQTT tests' fixtures: broker, listener

# before pytest-qt's session-wide QApplication exists (created before any function fixture runs)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session", autouse=True)
def collect_cycles_on_the_main_thread():
    """Python's cycle collector would otherwise run on whichever thread allocates (a simulator's connection thread,
    the meter thread) and destroy Qt objects left in cycles by earlier tests there, which can deadlock against the
    GUI thread (seen). The app does the same (app/main_thread_gc.py); here each test's garbage is collected after
    it, on the main thread."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def _collect_after_each_test():
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(path))
    # no real D-Bus unless a test starts its own bus: alerts never pop up on the developer's desktop
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    # secrets go to an in-memory keyring, emptied per test (the real Secret Service test overrides this)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "xcelsior_desktop.platform.secrets.memory_keyring.MemoryKeyring")
    from xcelsior_desktop.platform.secrets.memory_keyring import MemoryKeyring

    MemoryKeyring.reset()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from xcelsior_desktop.platform.state_files import take_reset_notices

    take_reset_notices()  # the notices are process-wide: one test's damaged file is not another's message
    yield home


@pytest.fixture(scope="module")
def identity() -> Identity:
    """The client identity of a test module (one per module: making a key pair and certificate is not free)."""
    return generate_identity()


@pytest.fixture
def start_simulator() -> Iterator[Callable[..., MeterSimulator]]:
    """A factory: ``start_simulator(identity, **options)`` starts a loopback simulator that accepts ``identity``
    (see tests/simulators.py); every simulator it started is stopped when the test ends."""
    with ExitStack() as running:
        yield lambda identity=None, **options: running.enter_context(running_simulator(identity, **options))
