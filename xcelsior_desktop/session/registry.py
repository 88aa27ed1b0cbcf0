"""The household's meters: one session per meter, keyed by role.

Qt-free. Each meter serves one TLS connection, so two meters are two sessions, each with its own poller, back-off
and connection, stepped by its own thread (the app's, or a test's). The registry only creates and keeps them; the
app listens to each session's events. There is always a net meter's session (set up or not): the tray shows it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from xcelsior_desktop.session.connection import ClientFactory, ProfileStore, SessionOptions, default_client_factory
from xcelsior_desktop.session.session import MeterSession
from xcelsior_desktop.session.target import NET, ROLES, MeterTarget, Role

ProfilesFor = Callable[[MeterTarget], "ProfileStore | None"]


class MeterRegistry:
    def __init__(self, targets: Iterable[MeterTarget], options: SessionOptions | None = None, *,
                 profiles: ProfilesFor = lambda _target: None,
                 client_factory: ClientFactory = default_client_factory,
                 monotonic: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time) -> None:
        self.options = options or SessionOptions()
        self._profiles = profiles
        self._factory = client_factory
        self._mono = monotonic
        self._wall = wall
        self._sessions: dict[Role, MeterSession] = {}
        for target in targets:
            if target.role not in self._sessions:
                self._make(target)
        if NET not in self._sessions:
            self._make(MeterTarget(role=NET))

    def _make(self, target: MeterTarget) -> MeterSession:
        session = MeterSession(target, self.options, profiles=self._profiles(target), client_factory=self._factory,
                               monotonic=self._mono, wall=self._wall)
        self._sessions[target.role] = session
        return session

    @property
    def net(self) -> MeterSession:
        return self._sessions[NET]

    def roles(self) -> tuple[Role, ...]:
        """The household's meters, net first."""
        return tuple(role for role in ROLES if role in self._sessions)

    def session(self, role: Role) -> MeterSession:
        return self._sessions[role]

    def add(self, target: MeterTarget) -> MeterSession:
        """A meter set up while the app runs (the solar meter): its session, to be started by its owner."""
        if target.role in self._sessions:
            raise ValueError(f"there is already a {target.role} meter")
        return self._make(target)
