"""A real Home Assistant core for the tests: its virtual environment (built once, reused), and the running process.

Home Assistant 2025.4.4 wants Python 3.13: the environment is made with the machine's Python 3.13 (``python3.13``
on the PATH, pyenv's 3.13, or ``$XCELSIOR_HA_PYTHON``) at ``$XCELSIOR_HA_VENV`` (default:
``~/.cache/xcelsior-desktop/ha-core-2025.4.4``), from the package index as a new user's ``pip install`` would. The
requirements of the integrations the tests load (mqtt, recorder, and the ones Home Assistant always loads) are
installed with it, so Home Assistant runs with ``--skip-pip`` and never installs anything itself. A marker file,
written last, says the environment is complete; one without it is removed and built again.

Build it ahead (CI, or before a first run)::

    python3 tests/integration/ha_core.py          # prints the path and how long the build took

The process: ``hass --config DIR --skip-pip`` with a configuration of only what the tests need (http on
127.0.0.1, recorder, the MQTT config entry made through the API; no ``default_config``, so no zeroconf, ssdp,
dhcp, bluetooth or usb, and no cloud), its owner and token made through its own onboarding API. Its clock can be set
(libfaketime, Debian's ``faketime`` package): Home Assistant compiles the hourly statistics of the periods it
missed when it starts, so a test moves its clock past an hour's end and restarts it instead of waiting an hour.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

HA_VERSION = "2025.4.4"
SPEC = f"homeassistant=={HA_VERSION}"
MARKER = "xcelsior-ha-core.json"
_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")  # read at import: tests move HOME later
DEFAULT_VENV = _CACHE / "xcelsior-desktop" / f"ha-core-{HA_VERSION}"
# integrations the tests set up themselves, besides the ones Home Assistant always loads (bootstrap's defaults)
TEST_INTEGRATIONS = ("mqtt", "recorder", "onboarding", "config", "api", "websocket_api", "http", "auth")
_REQUIREMENTS_SCRIPT = """
import json, sys
from homeassistant import bootstrap, loader
from pathlib import Path
components = Path(loader.__file__).parent / "components"
todo, seen, requirements = list(sys.argv[1:]) + sorted(bootstrap.DEFAULT_INTEGRATIONS), set(), set()
while todo:
    domain = todo.pop()
    if domain in seen:
        continue
    seen.add(domain)
    manifest = json.loads((components / domain / "manifest.json").read_text())
    requirements.update(manifest.get("requirements", []))
    todo += manifest.get("dependencies", [])
print(json.dumps(sorted(requirements)))
"""


class HaCoreUnavailable(RuntimeError):
    """No Home Assistant core can be had here; the message says why and what would provide it."""


def venv_dir() -> Path:
    return Path(os.environ.get("XCELSIOR_HA_VENV") or DEFAULT_VENV)


def python313() -> str:
    """A Python 3.13 interpreter that runs: ``$XCELSIOR_HA_PYTHON``, ``python3.13`` on the PATH, or pyenv's."""
    candidates = [os.environ.get("XCELSIOR_HA_PYTHON", ""), shutil.which("python3.13") or ""]
    roots = [os.environ.get("PYENV_ROOT", ""), str(Path.home() / ".pyenv")]
    pyenv = shutil.which("pyenv")
    if pyenv:
        result = subprocess.run([pyenv, "root"], capture_output=True, text=True, check=False)
        roots.insert(0, result.stdout.strip())
    for root in filter(None, roots):
        candidates += sorted(glob.glob(os.path.join(root, "versions", "3.13.*", "bin", "python3")), reverse=True)
    for candidate in filter(None, candidates):
        check = subprocess.run([candidate, "-c", "import sys; sys.exit(sys.version_info[:2] != (3, 13))"],
                               capture_output=True, check=False)
        if check.returncode == 0:
            return candidate
    raise HaCoreUnavailable(f"Home Assistant {HA_VERSION} needs Python 3.13, and none was found (python3.13 on the "
                            "PATH, pyenv's 3.13, or XCELSIOR_HA_PYTHON)")


def ready(venv: Path) -> bool:
    try:
        marker = json.loads((venv / MARKER).read_text())
    except (OSError, ValueError):
        return False
    return marker.get("spec") == SPEC and (venv / "bin" / "python").exists()


def ensure_venv(log: Any = print) -> Path:
    """The environment, built now when it is missing (minutes: it downloads Home Assistant and its requirements)."""
    venv = venv_dir()
    if ready(venv):
        return venv
    python = python313()
    shutil.rmtree(venv, ignore_errors=True)  # a venv cannot be moved once built (its scripts name its path)
    venv.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    log(f"building Home Assistant {HA_VERSION} in {venv} with {python} (minutes; reused afterwards)")
    try:
        _run([python, "-m", "venv", str(venv)])
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        _run([*pip, SPEC])
        listed = _run([str(venv / "bin" / "python"), "-c", _REQUIREMENTS_SCRIPT, *TEST_INTEGRATIONS])
        requirements = json.loads(listed.strip().splitlines()[-1])
        _run([*pip, SPEC, *requirements])  # the same core, with the integrations' pinned requirements
        seconds = time.monotonic() - started
        (venv / MARKER).write_text(json.dumps({"spec": SPEC, "requirements": requirements,
                                               "build_s": round(seconds, 1)}))
    except (OSError, subprocess.CalledProcessError) as exc:
        shutil.rmtree(venv, ignore_errors=True)
        detail = getattr(exc, "stderr", None) or exc
        raise HaCoreUnavailable(f"Home Assistant {HA_VERSION} could not be installed: {str(detail)[-800:]}") from exc
    log(f"Home Assistant {HA_VERSION} ready in {venv} after {seconds:.0f} s")
    return venv


def _run(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False,
                            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    if result.returncode != 0:
        raise subprocess.CalledProcessError(result.returncode, command, result.stdout, result.stderr)
    return result.stdout


def libfaketime() -> str:
    """Debian's libfaketime (package ``faketime``), or ``$XCELSIOR_LIBFAKETIME``."""
    explicit = os.environ.get("XCELSIOR_LIBFAKETIME")
    if explicit:
        return explicit
    found = sorted(glob.glob("/usr/lib/*/faketime/libfaketimeMT.so.1")) + sorted(
        glob.glob("/usr/lib/faketime/libfaketimeMT.so.1"))
    if not found:
        raise HaCoreUnavailable("libfaketime is missing (Debian package faketime, in .ci/apt-packages.txt)")
    return found[0]


CONFIGURATION = """\
homeassistant:
  name: Test home
  latitude: 39.74
  longitude: -104.99
  elevation: 1600
  unit_system: metric
  time_zone: UTC
  currency: USD
  country: US
  language: en
http:
  server_host: 127.0.0.1
  server_port: {port}
recorder:
  db_url: sqlite:///{db}
  commit_interval: 1
logger:
  default: warning
  logs:
    homeassistant.components.mqtt: info
onboarding:
config:
api:
websocket_api:
"""


class HomeAssistantCore:
    """One Home Assistant process on 127.0.0.1:``port`` with its config in ``directory`` (kept across restarts:
    its users, token, MQTT entry and recorder database)."""

    def __init__(self, venv: Path, directory: Path, port: int) -> None:
        self.venv = venv
        self.directory = directory
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.db_path = directory / "home-assistant_v2.db"
        self.logs: list[Path] = []  # one per start (Home Assistant keeps only the one before at its own start)
        self.log_path = directory / "home-assistant-0.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.token = ""  # a long-lived access token of the owner
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "configuration.yaml").write_text(CONFIGURATION.format(port=port, db=self.db_path))

    def start(self, clock: dt.datetime | None = None, timeout_s: float = 120.0) -> HomeAssistantCore:
        """Start it (``clock``: the UTC time its clock starts at, then ticking), and wait for its API."""
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.directory), "TZ": "UTC",
               "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
        if clock is not None:
            env |= {"LD_PRELOAD": libfaketime(), "FAKETIME": clock.astimezone(dt.UTC).strftime("@%Y-%m-%d %H:%M:%S"),
                    "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
        self.log_path = self.directory / f"home-assistant-{len(self.logs) + 1}.log"
        self.logs.append(self.log_path)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(self.venv / "bin" / "python"), "-m", "homeassistant", "--config", str(self.directory),
                 "--skip-pip", "--log-no-color",
                 "--log-file", str(self.log_path)], stdout=log, stderr=subprocess.STDOUT, env=env,
                start_new_session=True)
        self._wait_ready(timeout_s)
        return self

    def _wait_ready(self, timeout_s: float) -> None:
        import requests

        deadline = time.monotonic() + timeout_s
        while True:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"Home Assistant exited: {self.log_tail()}")
            try:
                if requests.get(f"{self.url}/api/onboarding", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"Home Assistant did not open its API in {timeout_s:.0f} s: {self.log_tail()}")
            time.sleep(0.3)

    def stop(self, timeout_s: float = 60.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def log_lines(self, *levels: str) -> list[str]:
        """Every start's log lines at these levels (``WARNING``, ``ERROR``), with their continuation lines."""
        out: list[str] = []
        keep = False
        text = "\n".join(path.read_text(errors="replace") for path in self.logs if path.exists())
        for line in text.splitlines():
            if line[:4].isdigit():
                keep = any(f" {level} " in line for level in levels)
                if keep:
                    out.append(line)
            elif keep and out:
                out[-1] += "\n" + line
        return out

    # -- first start: an owner and its token, the MQTT entry ------------------------------------------------

    def onboard(self) -> str:
        """The owner (through the onboarding API) and a long-lived access token of theirs."""
        import requests

        client_id = f"{self.url}/"
        user = requests.post(f"{self.url}/api/onboarding/users", timeout=30, json={
            "client_id": client_id, "name": "Owner", "username": "owner", "password": "owner-password-1",
            "language": "en"})
        user.raise_for_status()
        tokens = requests.post(f"{self.url}/auth/token", timeout=30, data={
            "grant_type": "authorization_code", "code": user.json()["auth_code"], "client_id": client_id})
        tokens.raise_for_status()
        with self.websocket(tokens.json()["access_token"]) as ws:
            self.token = ws.call("auth/long_lived_access_token", client_name="xcelsior tests", lifespan=3650)
        return self.token

    def add_mqtt(self, broker_port: int) -> None:
        """The MQTT integration's config entry, made through its config flow (discovery on, prefix homeassistant)."""
        import requests

        headers = {"Authorization": f"Bearer {self.token}"}
        flow = requests.post(f"{self.url}/api/config/config_entries/flow", headers=headers, timeout=30,
                             json={"handler": "mqtt", "show_advanced_options": False})
        flow.raise_for_status()
        done = requests.post(f"{self.url}/api/config/config_entries/flow/{flow.json()['flow_id']}", headers=headers,
                             timeout=30, json={"broker": "127.0.0.1", "port": broker_port})
        done.raise_for_status()
        if done.json().get("type") != "create_entry":
            raise RuntimeError(f"the MQTT config flow did not make an entry: {done.text[:400]}")

    @contextmanager
    def websocket(self, token: str | None = None) -> Iterator[RawWebsocket]:
        ws = RawWebsocket(self.url.replace("http://", "ws://") + "/api/websocket", token or self.token)
        try:
            yield ws
        finally:
            ws.close()


class RawWebsocket:
    """The tests' own line to Home Assistant's websocket API (not the product's client): auth, then commands."""

    def __init__(self, url: str, token: str) -> None:
        from websockets.sync.client import connect

        self._stack = ExitStack()
        self._ws = self._stack.enter_context(connect(url, open_timeout=30, max_size=64 << 20, proxy=None))
        self._id = 0
        assert json.loads(self._ws.recv(timeout=30))["type"] == "auth_required"
        self._ws.send(json.dumps({"type": "auth", "access_token": token}))
        answer = json.loads(self._ws.recv(timeout=30))
        assert answer["type"] == "auth_ok", answer

    def call(self, command: str, **fields: Any) -> Any:
        self._id += 1
        self._ws.send(json.dumps({"id": self._id, "type": command, **fields}))
        while True:
            answer = json.loads(self._ws.recv(timeout=60))
            if answer.get("id") == self._id and answer.get("type") == "result":
                if not answer.get("success"):
                    raise RuntimeError(f"{command}: {answer.get('error')}")
                return answer.get("result")

    def close(self) -> None:
        self._stack.close()


if __name__ == "__main__":
    began = time.monotonic()
    try:
        path = ensure_venv()
    except HaCoreUnavailable as exc:
        print(f"ha_core: {exc}", file=sys.stderr)
        sys.exit(1)
    print(f"ha_core: Home Assistant {HA_VERSION} in {path} ({time.monotonic() - began:.0f} s)")
