"""One app per user: a second launch asks the first, over a local socket, to show its window."""

from __future__ import annotations

import getpass
import hashlib
import logging

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from xcelsior_desktop.platform import paths

log = logging.getLogger(__name__)
SHOW = b"show\n"


def instance_name(mode: str = "app") -> str:
    """Per user, per config folder (so tests with their own HOME never collide), per mode (demo vs app)."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name is not a reason to fail
        user = "user"
    digest = hashlib.sha256(f"{user}|{paths.config_dir()}|{mode}".encode()).hexdigest()[:16]
    return f"xcelsior-desktop-{digest}"


class SingleInstance(QObject):
    """``acquire()`` True: we are the first (``activated`` fires when another launch asks to show).

    False: another instance runs and was asked to show its window; this process should exit.
    """

    activated = Signal()

    def __init__(self, mode: str = "app") -> None:
        super().__init__()
        self.name = instance_name(mode)
        self._lock = QLockFile(str(paths.state_dir() / f"{mode}.lock"))
        self._lock.setStaleLockTime(0)  # a lock whose process died is removed by tryLock
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        if not self._lock.tryLock(200):
            if self._notify_running():
                return False
            # the lock holder does not answer: it is hung or starting; treat the lock as stale
            self._lock.removeStaleLockFile()
            if not self._lock.tryLock(200):
                return False
        QLocalServer.removeServer(self.name)  # a socket file left by a crash
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("single-instance socket %s: %s", self.name, server.errorString())
        server.newConnection.connect(self._on_connection)
        self._server = server
        return True

    def _notify_running(self) -> bool:
        sock = QLocalSocket()
        sock.connectToServer(self.name)
        if not sock.waitForConnected(1000):
            return False
        sock.write(SHOW)
        sock.flush()
        sock.waitForBytesWritten(1000)
        sock.disconnectFromServer()
        return True

    def _on_connection(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            # the other launch writes one line right after connecting; wait briefly for it
            ready = bool(sock.bytesAvailable()) or sock.waitForReadyRead(500)
            if ready and bytes(sock.readAll().data()).startswith(SHOW.strip()):
                log.info("another launch asked to show the window")
                self.activated.emit()
            sock.abort()
            sock.deleteLater()

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()
