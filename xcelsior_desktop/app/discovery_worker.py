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
    """Looks for the meter whose SFDI the session asks for (the session owns the pin; nothing is kept here)."""

    located = Signal(object)  # (host, port) or None
    locate = Signal(object)  # SFDI to look for (None: any meter); emit from any thread, queued into this one

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
    def _run(self, sfdi: int | str | None) -> None:
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
            self.located.emit((meter.host, int(meter.port)))
        else:
            log.info("discovery found no meter")
            self.located.emit(None)


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
