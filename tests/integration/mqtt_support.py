"""A real Mosquitto broker for the MQTT tests (127.0.0.1, a free port, a generated config) and a listener.

Also a pytest plug-in (tests/conftest.py loads it): the fixtures ``broker`` (an anonymous Mosquitto, stopped after
the test) and ``listener`` (subscribed to everything on it).
"""

from __future__ import annotations

import datetime as dt
import getpass
import ipaddress
import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from paho.mqtt.enums import CallbackAPIVersion

from tests.tools import require_tool


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_server_cert(directory: Path) -> tuple[Path, Path]:
    """A self-made certificate for 127.0.0.1 (its own CA): cert and key files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test broker")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "broker.crt", directory / "broker.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Mosquitto:
    """Debian's mosquitto with a config written for the test; ``restart`` keeps the port."""

    def __init__(self, directory: Path, *, users: dict[str, str] | None = None, persistence: bool = False,
                 tls: bool = False) -> None:
        require_tool("mosquitto", "mosquitto_passwd")
        self.directory = directory
        self.port = free_port()
        self.users = users
        self.persistence = persistence
        self.tls = tls
        self.cert_path: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = directory / "mosquitto.log"
        directory.mkdir(parents=True, exist_ok=True)
        self.config_path = self._write_config()

    def _write_config(self) -> Path:
        lines = [f"listener {self.port} 127.0.0.1", f"user {getpass.getuser()}", "log_dest stdout",
                 "log_type error", "log_type warning", "log_type notice", "log_type information"]
        if self.users is None:
            lines.append("allow_anonymous true")
        else:
            password_file = self.directory / "passwords"
            for index, (user, password) in enumerate(self.users.items()):
                flags = ["-b", "-c"] if index == 0 else ["-b"]
                subprocess.run(["mosquitto_passwd", *flags, str(password_file), user, password], check=True,
                               capture_output=True)
            lines += ["allow_anonymous false", f"password_file {password_file}"]
        if self.persistence:
            lines += ["persistence true", f"persistence_location {self.directory}/", "queue_qos0_messages true",
                      "autosave_interval 0"]
        if self.tls:
            self.cert_path, key_path = make_server_cert(self.directory)
            lines += [f"certfile {self.cert_path}", f"keyfile {key_path}", f"cafile {self.cert_path}"]
        path = self.directory / "mosquitto.conf"
        path.write_text("\n".join(lines) + "\n")
        return path

    def start(self) -> Mosquitto:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(["mosquitto", "-c", str(self.config_path)], stdout=log,
                                        stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 15
        while True:  # ready when the port accepts connections
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto exited: {self.log_path.read_text(errors='replace')}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("mosquitto did not open its port") from None
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


class Listener:
    """A paho client subscribed to ``topic`` that records every message (its own network thread)."""

    def __init__(self, port: int, topic: str = "#", *, username: str | None = None, password: str | None = None,
                 client_id: str = "", clean_session: bool = True, qos: int = 1) -> None:
        self.messages: list[tuple[str, str, bool]] = []
        self._condition = threading.Condition()
        self._subscribed = threading.Event()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv311,
                                  clean_session=clean_session)
        if username:
            self.client.username_pw_set(username, password)
        self.client.on_connect = lambda c, *_: c.subscribe(topic, qos=qos)
        self.client.on_subscribe = lambda *_: self._subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port, keepalive=30)
        self.client.loop_start()
        if not self._subscribed.wait(10):
            raise AssertionError("the listener could not subscribe")

    def _on_message(self, _client: Any, _userdata: Any, message: paho.MQTTMessage) -> None:
        with self._condition:
            self.messages.append((message.topic, message.payload.decode(), bool(message.retain)))
            self._condition.notify_all()

    def payloads(self, topic: str, *, live_only: bool = False) -> list[str]:
        """Payloads on ``topic`` in arrival order; ``live_only``: without the retained copies a (re)subscription
        brings."""
        with self._condition:
            return [payload for t, payload, retained in self.messages if t == topic and not (live_only and retained)]

    def latest(self, topic: str) -> str | None:
        values = self.payloads(topic)
        return values[-1] if values else None

    def wait_for(self, topic: str, payload: str | None = None, timeout: float = 15.0) -> str:
        """The latest payload on ``topic`` once there is one (equal to ``payload`` when given)."""
        def found() -> bool:
            latest = self.latest(topic)
            return latest is not None and (payload is None or latest == payload)

        with self._condition:
            if not self._condition.wait_for(found, timeout):
                raise AssertionError(f"no {payload or 'message'!r} on {topic}; saw {self.messages[-20:]}")
        result = self.latest(topic)
        assert result is not None
        return result

    def wait_json(self, topic: str, timeout: float = 15.0) -> dict[str, Any]:
        return json.loads(self.wait_for(topic, timeout=timeout))

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Mosquitto]:
    server = Mosquitto(tmp_path / "broker").start()
    yield server
    server.stop()


@pytest.fixture
def listener(broker: Mosquitto) -> Iterator[Listener]:
    client = Listener(broker.port)
    yield client
    client.close()
