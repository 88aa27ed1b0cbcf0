"""A meter target for poller tests: the poller asks it each time, as it asks the session's."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from xcelsior_desktop.meter.identity import Identity, generate_identity
from xcelsior_desktop.session.target import MeterTarget


@functools.cache
def poller_identity() -> Identity:
    return generate_identity(days=1)


@dataclass
class TargetBox:
    """The session's one copy of the target, which a test changes the way the session would."""

    value: MeterTarget

    def __call__(self) -> MeterTarget:
        return self.value

    def change(self, **changes: object) -> None:
        self.value = self.value.replace(**changes)


def target_box(*, has_identity: bool = True, has_address: bool = True, automatic_address: bool = False,
               ever_registered: bool = False) -> TargetBox:
    return TargetBox(MeterTarget(identity=poller_identity() if has_identity else None,
                                 host="192.0.2.1" if has_address else None, automatic=automatic_address,
                                 registered=ever_registered))


def poller_kwargs(kw: dict[str, object]) -> dict[str, object]:
    """A test's Poller keywords with the target's facts turned into a target."""
    flags = {k: kw.pop(k) for k in ("has_identity", "has_address", "automatic_address", "ever_registered") if k in kw}
    kw.setdefault("target", target_box(**flags))  # type: ignore[arg-type]
    return kw
