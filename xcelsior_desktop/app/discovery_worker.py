"""mDNS discovery off the GUI thread: a QObject in its own QThread answering ``locate`` with ``located``."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

log = logging.getLogger(__name__)

DiscoverFn = Callable[..., Sequence[Any]]  # called like meter.discovery.discover, keyword arguments


def _default_discover(**kwargs: Any) -> Sequence[Any]:
    from xcelsior_desktop.meter.discovery import discover

    return discover(**kwargs)


class DiscoveryWorker(QObject):
    """Looks for the meter whose SFDI a meter's session asks for (the session owns the pin; nothing is kept here).
    Each meter announces itself, so two meters are told apart by SFDI (the first 36 bits of their LFDI)."""

    located = Signal(object)  # (role, (host, port) or None): the answer for that meter's session
    locate = Signal(object)  # (role, SFDI to look for or None: any meter); emit from any thread, queued here

    def __init__(
        self,
        *,
        timeout_s: float = 10.0,
        interfaces: list[str] | None = None,
        discover: DiscoverFn = _default_discover,
    ) -> None:
        super().__init__()
        self.timeout_s = timeout_s
        self.interfaces = interfaces
        self._discover = discover
        self.cancel = threading.Event()  # set from any thread to end a running discovery early
        self.locate.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _run(self, request: tuple[str, int | str | None]) -> None:
        role, sfdi = request
        try:
            found = list(
                self._discover(timeout=self.timeout_s, interfaces=self.interfaces, sfdi=sfdi, cancel=self.cancel)
            )
        except Exception as exc:  # noqa: BLE001 - discovery failing is "not found", with the reason logged
            log.warning("meter discovery failed: %s", exc)
            found = []
        if sfdi is not None:
            found = [m for m in found if m.sfdi is not None and int(m.sfdi) == int(sfdi)]  # never a neighbour's
        if found:
            meter = found[0]
            log.info("discovery found the meter at %s:%s", meter.host, meter.port)
            self.located.emit((role, (meter.host, int(meter.port))))
        else:
            log.info("discovery found no meter")
            self.located.emit((role, None))


class DiscoveryThread:
    def __init__(self, worker: DiscoveryWorker) -> None:
        self.worker = worker
        self.thread = QThread()
        self.thread.setObjectName("discovery")
        worker.moveToThread(self.thread)

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout_s: float = 5.0) -> bool:
        """Cancel a running discovery (it ends within about a second) and join the thread."""
        self.worker.cancel.set()
        self.thread.quit()
        return bool(self.thread.wait(int(timeout_s * 1000)))
