"""The household's meters in the app: each meter's session on its own thread, its events on the GUI thread.

A thin Qt owner around :class:`~xcelsior_desktop.session.registry.MeterRegistry`: for every session it makes the
meter thread (app/meter_worker.py) and the GUI side of its events (app/session_events.py), starts and stops them
together, and does the same for a meter added while the app runs (setup's "Add a solar meter"). Plug-ins reach it
as ``shell.meters``: which meters there are, each one's target and events, a command to one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject

from xcelsior_desktop.app.meter_worker import MeterThread, MeterWorker
from xcelsior_desktop.app.session_events import SessionEvents
from xcelsior_desktop.meter.identity import Identity
from xcelsior_desktop.session.commands import Command, Probe
from xcelsior_desktop.session.registry import MeterRegistry
from xcelsior_desktop.session.session import MeterSession
from xcelsior_desktop.session.target import NET, MeterTarget, Role


@dataclass
class MeterRuntime:
    session: MeterSession
    thread: MeterThread
    events: SessionEvents


class AppMeters(QObject):
    def __init__(self, registry: MeterRegistry, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        self._runtimes: dict[Role, MeterRuntime] = {}
        self._started = False
        self._added: list[Callable[[Role], None]] = []
        for role in registry.roles():
            self._build(registry.session(role))

    def _build(self, session: MeterSession) -> MeterRuntime:
        runtime = MeterRuntime(session, MeterThread(MeterWorker(session)), SessionEvents(session.events, parent=self))
        self._runtimes[session.target.role] = runtime
        return runtime

    # -- what plug-ins may ask ---------------------------------------------------------------------

    def roles(self) -> tuple[Role, ...]:
        """The household's meters, net first."""
        return tuple(self._runtimes)

    def has(self, role: Role) -> bool:
        return role in self._runtimes

    def target(self, role: Role = NET) -> MeterTarget:
        return self._runtimes[role].session.target

    def events(self, role: Role = NET) -> SessionEvents:
        """That meter's events on the GUI thread (``events(PRODUCTION).on(DemandRead, ...)``)."""
        return self._runtimes[role].events

    def send(self, role: Role, command: Command) -> None:
        self._runtimes[role].thread.send(command)

    def probe(self, role: Role, identity: Identity, host: str, port: int, meter_lfdi: str | None = None) -> Probe:
        """A handshake through that meter's session, which owns that meter's one connection; wait on ``result``."""
        return self._runtimes[role].session.probe(identity, host, port, meter_lfdi)

    def on_added(self, listener: Callable[[Role], None]) -> None:
        """``listener(role)`` when a meter is added while the app runs (its events exist by then)."""
        self._added.append(listener)

    # -- the app's side ----------------------------------------------------------------------------

    def runtime(self, role: Role) -> MeterRuntime:
        return self._runtimes[role]

    def add(self, target: MeterTarget) -> MeterRuntime:
        runtime = self._build(self.registry.add(target))
        if self._started:
            runtime.thread.start()
        for listener in list(self._added):
            listener(target.role)
        return runtime

    def start(self) -> None:
        self._started = True
        for runtime in self._runtimes.values():
            runtime.thread.start()

    def stop(self) -> None:
        """Stop every meter's thread: all of them are asked first, so quitting waits for the slowest, not the sum."""
        for runtime in self._runtimes.values():
            runtime.session.abort()
        for runtime in self._runtimes.values():
            runtime.thread.stop()
            runtime.events.detach()
