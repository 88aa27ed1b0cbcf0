"""Our notifier against a real notification server (dunst) on a private D-Bus session bus.

The test starts its own Xvfb (dunst needs a display), dbus-daemon and dunst, so nothing touches the developer's
desktop. ``dbus-monitor`` captures the Notify call; ``dunstctl action`` clicks the notification like a user would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.tools import require_tool
from tests.waiting import wait_until
from tests.xserver import start_xvfb

TITLE = "High electricity use: 4.3 kW"
BODY = "Drawing 4.3 kW from the grid for 15 min (your limit: 4.0 kW) & rising <fast>"


class Lines:
    """Collects a process's stdout lines on a thread so the test can wait for one with a deadline."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._pump, args=(proc,), daemon=True)
        self._thread.start()

    def _pump(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            with self._cond:
                self.lines.append(line.rstrip("\n"))
                self._cond.notify_all()

    def wait_for(self, predicate, timeout: float = 15.0) -> str:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.lines:
                    if predicate(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out; output so far: {self.lines}")
                self._cond.wait(left)

    def text(self) -> str:
        with self._cond:
            return "\n".join(self.lines)


def _bus_config(tmp_path: Path) -> Path:
    """A session bus with no service directories: nothing gets auto-started behind the test's back."""
    path = tmp_path / "session.conf"
    path.write_text(
        '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"\n'
        ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">\n'
        "<busconfig><type>session</type>"
        f"<listen>unix:dir={tmp_path}</listen><auth>EXTERNAL</auth>"
        '<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/>'
        '<allow own="*"/></policy></busconfig>\n'
    )
    return path


def _start(cmd: list[str], env: dict[str, str], procs: list[subprocess.Popen[Any]], **kw) -> subprocess.Popen[str]:  # type: ignore[no-untyped-def]
    proc = subprocess.Popen(cmd, env=env, text=True, **kw)
    procs.append(proc)
    return proc




@pytest.fixture
def session(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A private session bus with Xvfb and dunst; yields the environment to reach it."""
    require_tool("Xvfb", "dbus-daemon", "dunst", "dunstctl", "dbus-monitor")
    procs: list[subprocess.Popen[Any]] = []
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")}
    try:
        xvfb, env["DISPLAY"] = start_xvfb("800x600x24")
        procs.append(xvfb)
        bus = _start(
            ["dbus-daemon", f"--config-file={_bus_config(tmp_path)}", "--nofork", "--print-address=1"],
            env,
            procs,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        assert address.startswith("unix:"), address
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        config = tmp_path / "dunstrc"
        config.write_text("[global]\n    font = DejaVu Sans 9\n    markup = full\n")  # advertises body-markup
        _start(["dunst", "-config", str(config)], env, procs, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(
            lambda: subprocess.run(["dunstctl", "is-paused"], env=env, capture_output=True).returncode == 0,
            what="dunst to own org.freedesktop.Notifications", every=0.05,  # polling an outside process
        )
        yield env
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_notify_reaches_dunst_and_a_click_opens_the_view(session: dict[str, str]) -> None:
    procs: list[subprocess.Popen[Any]] = []
    try:
        monitor = _start(
            [
                "dbus-monitor",
                "--address",
                session["DBUS_SESSION_BUS_ADDRESS"],
                "type='method_call',interface='org.freedesktop.Notifications',member='Notify'",
            ],
            session,
            procs,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        captured = Lines(monitor)
        captured.wait_for(lambda line: "NameAcquired" in line)  # the monitor is listening

        env = dict(session, QT_QPA_PLATFORM="offscreen")
        env.pop("DISPLAY")  # our side needs no display: only the bus
        app = _start(
            [
                sys.executable,
                "-m",
                "xcelsior_desktop.app.alerts",
                "--title",
                TITLE,
                "--body",
                BODY,
                "--view",
                "device",
                "--wait-click",
                "20",
                "--count",
                "2",
            ],
            env,
            procs,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        events = Lines(app)
        backend = json.loads(events.wait_for(lambda line: '"backend"' in line))
        assert backend["name"] == "desktop notifications (D-Bus)"
        events.wait_for(lambda line: '"delivered"' in line and '"n": 2' in line)

        # the call as the server received it: exact types, our title, the body escaped for markup
        wait_until(lambda: captured.text().count("int32 -1") == 2, what="both Notify calls", every=0.05)  # expire_timeout
        first, second = captured.text().split("member=Notify")[1:]
        for call in (first, second):
            assert f'string "{TITLE}"' in call and 'string "Xcelsior Desktop"' in call and 'string "default"' in call
            assert (
                'string "Drawing 4.3 kW from the grid for 15 min (your limit: 4.0 kW) &amp; rising &lt;fast&gt;"'
                in call
            )
        # the second alert of the same rule replaces the first bubble instead of stacking another
        assert "uint32 0" in first
        replaced = [line.split()[1] for line in second.splitlines() if line.strip().startswith("uint32")]
        assert replaced and replaced[0] != "0"
        count = subprocess.run(["dunstctl", "count", "displayed"], env=session, capture_output=True, text=True)
        assert count.stdout.strip() == "1"

        # a click on the bubble (dunst's default action) comes back as ActionInvoked: the app opens "device"
        subprocess.run(["dunstctl", "action", "0"], env=session, check=True, timeout=10)
        clicked = json.loads(events.wait_for(lambda line: '"activated"' in line))
        assert clicked == {"event": "activated", "view": "device"}
        assert app.wait(timeout=15) == 0

        # once closed, dunst keeps it in its history: the server itself says what it showed
        subprocess.run(["dunstctl", "close-all"], env=session, check=True, timeout=10)

        def shown() -> list[tuple[str, str]]:
            out = subprocess.run(["dunstctl", "history"], env=session, capture_output=True, text=True, check=True)
            entries = json.loads(out.stdout)["data"][0]
            return [(e["summary"]["data"], e["body"]["data"]) for e in entries]

        wait_until(lambda: shown() != [], what="dunst's history", every=0.05)
        assert [summary for summary, _ in shown()] == [TITLE]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=5)


def test_a_bus_without_a_notification_server_is_refused(tmp_path: Path) -> None:
    require_tool("dbus-daemon")
    bus = subprocess.Popen(
        ["dbus-daemon", f"--config-file={_bus_config(tmp_path)}", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()
        from xcelsior_desktop.app.alerts.freedesktop import BusUnavailable, FreedesktopNotifier

        with pytest.raises(BusUnavailable, match="no notification server"):
            FreedesktopNotifier(address)
    finally:
        bus.terminate()
        bus.wait(timeout=5)
