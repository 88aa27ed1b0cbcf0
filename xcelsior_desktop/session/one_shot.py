"""One piece of work through a meter session, for the command line: the same pinning (another device at the
meter's address is refused), the same one connection, released before the meter is asked again, as in the app.

Qt-free. The session runs no live polling here (``SessionOptions(live=False)``): it connects, runs ``work`` with
its client, and ends; a failure is the meter error the work met, for the caller to turn into its exit status.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from xcelsior_desktop.meter.client import MeterClient
from xcelsior_desktop.session.commands import Job
from xcelsior_desktop.session.connection import MeterClientLike, ProfileStore, SessionOptions
from xcelsior_desktop.session.session import MeterSession
from xcelsior_desktop.session.target import MeterTarget

T = TypeVar("T")


def run_once(target: MeterTarget, work: Callable[[MeterClient], T], *, connect_timeout: float = 5.0,
             handshake_timeout: float = 15.0, read_timeout: float = 10.0,
             profiles: ProfileStore | None = None) -> T:
    """``work(client)`` on ``target``'s meter through a session (its pinning and error policy); its result. Raises
    what ``work`` raised (a MeterError, an IdentityError ...)."""
    options = SessionOptions(live=False, read_history=False, connect_timeout=connect_timeout,
                             handshake_timeout=handshake_timeout, read_timeout=read_timeout)
    session = MeterSession(target, options, profiles=profiles)
    done: list[T] = []
    woken = threading.Event()
    session.wake = woken.set

    def step(client: MeterClientLike) -> bool:
        assert isinstance(client, MeterClient)  # the session's default factory makes the real client
        done.append(work(client))
        return False

    job = Job("command line", step)
    session.start()
    session.post(job)
    try:
        while not job.result.done():
            wait = session.step()
            if wait is None:
                break
            woken.wait(wait)
            woken.clear()
    finally:
        session.stop()
    job.result.result()  # raises the work's error
    return done[0]
