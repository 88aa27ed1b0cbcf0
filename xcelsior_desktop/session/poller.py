"""The polling policy and connection state machine, with no Qt and no I/O.

The meter worker (a QThread in ``app/``) asks :meth:`Poller.due` what to do now, does it, and reports back
with :meth:`Poller.succeeded` / :meth:`Poller.failed`; :meth:`Poller.wait_s` says how long to sleep. Time is
passed in (monotonic for scheduling, wall clock for what users read), so tests drive it directly.

Kindness to the meter (docs/meter-protocol.md, section 5: over-polling causes timeouts and Wi-Fi drops): demand every 5 s by default
(never below 2 s), registers every minute, device information once per contact, exponential back-off with
jitter on every kind of failure, and nothing at all while paused or asleep. With ``history=True`` the meter's
15-minute interval history is read once after first contact and then once per slot, just after it closes
(``HISTORY_MARGIN_S``); register reads are pulled onto the slot boundaries so "today" can join history and
registers there (see energy/totals.py). An interval read costs ~10 GETs, about 0.7 per minute on average.

Recovery: watts come back within about 13 s of
the meter answering again, however long it was away, while the meter sees at most 6 connection attempts a
minute and no storm of TLS handshakes (a full handshake costs it ~330 ms of CPU, a TCP connect next to
nothing). While it is unreachable the poller asks for :attr:`Task.PROBE`, a plain TCP connect, every
``PROBE_EVERY_S``; the handshake and the reads follow only once the port answers. A busy meter is retried on
the same fixed cadence (a TCP accept says nothing there), and so is a certificate refused after it worked, for
its first ``REFUSED_QUICK_FOR_S``; while waiting for a first registration (days) the back-off stays. A read that
stalls or a malformed answer on a working connection is retried on a short fixed cadence (``QUICK_RETRY_S``)
instead of backing off to minutes; after a stall (:attr:`Failure.STALLED`) every read waits that long, as each
costs a new connection. Other failures back off exponentially with jitter. Either way "Connected" means a demand reading arrived: device information alone
is not a connection, and a meter that answers but whose demand cannot be read shows as "No fresh readings"
with the reason. :meth:`Poller.retry_now` is the user's "Retry now".

Sleep: a process cannot run while the computer sleeps, so "pausing during sleep" means noticing the gap on
wake-up. On Linux and macOS the monotonic clock stops during suspend while the wall clock jumps; on Windows
the monotonic clock keeps running, so the timer firing far later than scheduled gives it away. Either way
:meth:`Poller.clock_check` reports a sleep, the back-off resets, the connection is dropped (it is dead after
a suspend) and polling resumes after a short grace period for the Wi-Fi to come back.
"""

from __future__ import annotations

import enum
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from xcelsior_desktop.meter import errors
from xcelsior_desktop.platform.settings import clamp_interval


class State(enum.StrEnum):
    NO_IDENTITY = "no_identity"
    WAITING_REGISTRATION = "waiting_registration"
    LOCATING = "locating"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    BUSY = "busy"
    UNREACHABLE = "unreachable"
    CERT_REFUSED = "cert_refused"
    MISMATCH = "mismatch"
    STALE = "stale"
    PAUSED = "paused"


# Failure states carry "since" and "next retry"
ERROR_STATES = frozenset(
    {State.WAITING_REGISTRATION, State.BUSY, State.UNREACHABLE, State.CERT_REFUSED, State.MISMATCH}
)
# States that offer the user "Retry now": the meter is away, busy, refuses us, or another device answers
RETRY_NOW_STATES = frozenset({State.UNREACHABLE, State.BUSY, State.WAITING_REGISTRATION, State.CERT_REFUSED,
                              State.MISMATCH})


class Task(enum.StrEnum):
    LOCATE = "locate"  # run discovery (off the meter thread)
    PROBE = "probe"  # a plain TCP connect to the meter's port while it is away, answered by probed()
    DEVICE_INFO = "device_info"
    DEMAND = "demand"
    REGISTERS = "registers"
    INTERVALS = "intervals"  # the 15-minute history (today's energy)


class Failure(enum.StrEnum):
    REFUSED = "refused"
    BUSY = "busy"
    UNREACHABLE = "unreachable"
    SILENT = "silent"  # the port accepts TCP but the handshake never completes (the agent hangs)
    MISMATCH = "mismatch"
    TRANSIENT = "transient"  # protocol error, empty body on a good connection
    STALLED = "stalled"  # connected, but a request got no answer in time: the agent stalled, the connection is gone
    NOT_FOUND = "not_found"  # discovery found nothing


def classify(exc: BaseException) -> Failure:
    """Which policy applies to an exception from the meter client."""
    if isinstance(exc, errors.CertificateRefused):
        return Failure.REFUSED
    if isinstance(exc, errors.MeterBusy):
        return Failure.BUSY
    if isinstance(exc, errors.IdentityMismatch):
        return Failure.MISMATCH
    if isinstance(exc, errors.ReadTimeout | errors.ConnectionDropped | errors.AnswerCutOff):
        return Failure.STALLED  # TCP and TLS worked; the meter's agent stalled or broke off on a request
    if isinstance(exc, errors.HandshakeTimeout):
        return Failure.SILENT
    if isinstance(exc, errors.Unreachable | OSError):
        return Failure.UNREACHABLE
    return Failure.TRANSIENT


@dataclass(frozen=True)
class Backoff:
    first_s: float
    max_s: float

    def delay(self, attempt: int) -> float:
        """Delay after the ``attempt``-th failure in a row (1-based): first_s, 2x, 4x, ... capped."""
        return min(self.max_s, self.first_s * 2.0 ** max(0, attempt - 1))


# Failures that back off. The others are retried on fixed short cadences so watts come back within seconds of the
# meter (see Poller._retry_delay): a garbled or stalled read after QUICK_RETRY_S, an unreachable, silent or busy
# meter every PROBE_EVERY_S (a plain TCP probe first while it is away).
BACKOFF: dict[Failure, Backoff] = {
    Failure.MISMATCH: Backoff(30.0, 600.0),
    Failure.REFUSED: Backoff(60.0, 900.0),  # activation takes minutes to days: no need to knock often
    Failure.NOT_FOUND: Backoff(15.0, 300.0),
}

_STATE_OF_FAILURE = {
    Failure.BUSY: State.BUSY,
    Failure.UNREACHABLE: State.UNREACHABLE,
    Failure.SILENT: State.UNREACHABLE,
    Failure.MISMATCH: State.MISMATCH,
    Failure.NOT_FOUND: State.LOCATING,
}

SLEEP_GAP_S = 30.0  # a clock disagreement this large means the computer slept
RESUME_GRACE_S = 3.0  # after waking, give the Wi-Fi a moment
RELOCATE_AFTER_UNREACHABLE = 3  # automatic mode: after this many in a row, look for the meter again
SLOT_S = 900  # the meter's interval length
HISTORY_MARGIN_S = 30.0  # read the history this long after a slot closes (the meter files it)
REGISTERS_AFTER_SLOT_S = 1.0  # a register reading just after each slot boundary
_READ_TASKS = (Task.DEMAND, Task.DEVICE_INFO, Task.REGISTERS, Task.INTERVALS)  # demand first: the tray waits
# Quick recovery: a TCP probe, or a retry of a busy or hung meter, this often and never more. 12 s, not 10: a probe
# that finds the port open is followed at once by the handshake, and that pair must fit in 6 connections a minute.
PROBE_EVERY_S = 12.0
QUICK_RETRY_S = 10.0  # quick recovery: a stalled or garbled read is retried this soon (a stall costs a reconnect)
# Quick recovery: a certificate refused after it worked is retried on the probe cadence this long (a removal in
# Launchpad undone, a meter glitch), then with the usual back-off (each refused try costs the meter a handshake)
REFUSED_QUICK_FOR_S = 600.0


@dataclass(frozen=True)
class Status:
    """A snapshot for the GUI: what state, since when (wall), when the next try is (wall), why."""

    state: State
    since: float
    next_retry: float | None
    detail: str
    last_reading: float | None  # wall time of the last successful demand reading

    def retry_in_s(self, now: float) -> int | None:
        """Whole seconds until the next try at wall time ``now`` (0 while it is under way), for a "next try in
        N s" that counts down live: compute it at every repaint from the same ``next_retry``, never store it."""
        if self.next_retry is None:
            return None
        return max(0, math.ceil(self.next_retry - now))

    @property
    def offers_retry_now(self) -> bool:
        return self.state in RETRY_NOW_STATES


class TargetFacts(Protocol):
    """What the poller asks of the meter's target (session/target.py MeterTarget), never keeping a copy."""

    @property
    def has_identity(self) -> bool: ...
    @property
    def has_address(self) -> bool: ...
    @property
    def automatic(self) -> bool: ...
    @property
    def registered(self) -> bool: ...


class Poller:
    def __init__(
        self,
        *,
        target: Callable[[], TargetFacts],
        interval_s: float = 5.0,
        register_interval_s: float = 60.0,
        stale_after_s: float | None = None,
        history: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self._mono = monotonic
        self._wall = wall
        self._rng = rng or random.Random()
        self.interval_s = clamp_interval(interval_s)
        self.register_interval_s = max(self.interval_s, register_interval_s)
        self._stale_after = stale_after_s
        self._target = target
        self._address_lost = False  # another device answered at the address: look for the meter again
        self.history = history
        self._probing = False  # waiting for the port to answer before the next handshake
        self._attempt_started: float | None = None  # when the last contact (probe or reads) was handed out
        self.meter_skew_s = 0.0  # the meter's clock minus ours: slots close on the meter's clock
        now = self._mono()
        self._next: dict[Task, float | None] = {
            Task.DEVICE_INFO: now,
            Task.DEMAND: now,
            Task.REGISTERS: now,
            Task.INTERVALS: now if history else None,
            Task.LOCATE: None,
            Task.PROBE: None,
        }
        self._blocked_until = now
        self._failures = 0
        self._refusals_at_quick_end: int | None = None  # failures counted when the quick window for a refusal ended
        self._failure_kind: Failure | None = None
        self._locating = False
        self._locate_failures = 0
        self._paused = False
        self._state = State.CONNECTING
        self._since = self._wall()
        self._detail = ""
        self._last_demand_mono: float | None = None
        self._last_demand_wall: float | None = None
        self._clock_pair = (now, self._wall())
        self._resume_state: tuple[State, float, str] = (State.CONNECTING, self._since, "")
        self._expected_wake: float | None = None
        if not self.has_identity:
            self._set(State.NO_IDENTITY)
        elif not self.has_address:
            self._need_locate(now)

    # -- the target's facts, asked each time ------------------------------------------------------

    @property
    def has_identity(self) -> bool:
        return self._target().has_identity

    @property
    def has_address(self) -> bool:
        return self._target().has_address and not self._address_lost

    @property
    def automatic_address(self) -> bool:
        return self._target().automatic

    @property
    def ever_registered(self) -> bool:
        return self._target().registered

    # -- configuration -----------------------------------------------------------------------------

    def set_interval(self, seconds: float) -> None:
        self.interval_s = clamp_interval(seconds)
        self.register_interval_s = max(self.interval_s, self.register_interval_s)
        nxt = self._next[Task.DEMAND]
        if nxt is not None:
            self._next[Task.DEMAND] = min(nxt, self._mono() + self.interval_s)

    def identity_changed(self) -> None:
        """The target's certificate appeared (setup finished), changed or vanished."""
        if not self.has_identity:
            self._set(State.NO_IDENTITY)
            return
        self.restart()

    def address_changed(self) -> None:
        """The target's address changed (settings, discovery found the meter): contact it, or look for it."""
        self._address_lost = False
        if self.has_address:
            self._locating = False
            self._next[Task.LOCATE] = None
            self.restart()
        else:
            self._need_locate(self._mono())

    def restart(self) -> None:
        """Start over from first contact: device info, demand and registers now, no back-off."""
        now = self._mono()
        self._forget_failures()
        self._failure_kind = None
        self._blocked_until = now
        self._stop_probing()
        for task in (Task.DEVICE_INFO, Task.DEMAND, Task.REGISTERS):
            self._next[task] = now
        if self.history:
            self._next[Task.INTERVALS] = now
        if not self.has_identity:
            self._set(State.NO_IDENTITY)
        elif not self.has_address:
            self._need_locate(now)
        elif not self._paused:
            self._set(State.CONNECTING)

    # -- pause and sleep ---------------------------------------------------------------------------

    @property
    def paused(self) -> bool:
        return self._paused

    def set_paused(self, paused: bool) -> None:
        if paused == self._paused:
            return
        self._paused = paused
        if paused:
            self._resume_state = (self._state, self._since, self._detail)
            self._set(State.PAUSED)
        else:
            state, since, detail = self._resume_state
            self._state, self._since, self._detail = state, since, detail
            now = self._mono()
            self._blocked_until = now
            self._stop_probing()
            self._next[Task.DEMAND] = now
            if self._state in ERROR_STATES:
                self._forget_failures()  # the user asked: try now

    def retry_now(self) -> None:
        """The user's "Retry now": a full attempt (handshake and demand) at once, back-off forgotten."""
        if self._paused or not self.has_identity:
            return
        now = self._mono()
        self._forget_failures()
        self._blocked_until = now
        self._stop_probing()
        self._next[Task.DEMAND] = now
        if not self.has_address and not self._locating:
            self._next[Task.LOCATE] = now

    def clock_check(self) -> bool:
        """Call on every wake-up. True when the computer slept since the last call (see module doc)."""
        mono, wall = self._mono(), self._wall()
        last_mono, last_wall = self._clock_pair
        self._clock_pair = (mono, wall)
        drift = (wall - last_wall) - (mono - last_mono)
        late = mono - self._expected_wake if self._expected_wake is not None else 0.0
        self._expected_wake = None
        if drift <= SLEEP_GAP_S and late <= SLEEP_GAP_S:
            return False
        self._forget_failures()
        self._failure_kind = None
        self._blocked_until = mono + RESUME_GRACE_S
        self._stop_probing()
        self._next[Task.DEMAND] = mono
        self._next[Task.REGISTERS] = mono
        if self.history:
            self._next[Task.INTERVALS] = mono
        return True

    # -- scheduling --------------------------------------------------------------------------------

    def due(self) -> list[Task]:
        """Tasks to run now, in order. LOCATE is returned once per search (reported via :meth:`located`)."""
        if self._paused or not self.has_identity:
            return []
        now = self._mono()
        tasks: list[Task] = []
        locate_at = self._next[Task.LOCATE]
        if not self._locating and locate_at is not None and locate_at <= now:
            self._locating = True
            tasks.append(Task.LOCATE)
        if not self.has_address:
            return tasks
        if self._probing:
            probe_at = self._next[Task.PROBE]
            if probe_at is not None and probe_at <= now:
                self._next[Task.PROBE] = None  # in flight until probed()
                self._attempt_started = now
                tasks.append(Task.PROBE)
            return tasks
        if now < self._blocked_until:
            return tasks
        reads = [task for task in _READ_TASKS if (at := self._next[task]) is not None and at <= now]
        if reads:
            self._attempt_started = now
        return tasks + reads

    def wait_s(self) -> float | None:
        """Seconds until something is due (None: nothing until an outside event, e.g. resume or setup)."""
        if self._paused or not self.has_identity:
            return None
        now = self._mono()
        candidates: list[float] = []
        if not self._locating and self._next[Task.LOCATE] is not None:
            candidates.append(self._next[Task.LOCATE] or now)
        attempt = self._next_attempt()
        if attempt is not None:
            candidates.append(attempt)
        if self._state is State.CONNECTED and self._last_demand_mono is not None:
            stale_at = self._last_demand_mono + self.stale_after_s
            if stale_at > now:
                candidates.append(stale_at + 0.01)  # wake up to show "stale"
        if not candidates:
            return None
        at = min(candidates)
        self._expected_wake = max(at, now)
        return max(0.0, at - now)

    def _next_attempt(self) -> float | None:
        """Monotonic time of the next contact with the meter (a probe or a read), None when none is planned."""
        if not self.has_address:
            return None
        if self._probing:
            return self._next[Task.PROBE]
        times = [at for task in _READ_TASKS if (at := self._next[task]) is not None]
        return max(min(times), self._blocked_until) if times else None

    @property
    def stale_after_s(self) -> float:
        return self._stale_after if self._stale_after is not None else 3 * self.interval_s + 5.0

    # -- results -----------------------------------------------------------------------------------

    def succeeded(self, task: Task, *, fresh: bool = True, detail: str = "") -> None:
        """``task`` worked. For demand, ``fresh=False`` says the meter answered but the reading cannot be used
        (it repeats itself, or it is implausible; ``detail`` says why): polling goes on as usual, but the reading
        does not count, so the state turns to "No fresh readings" instead of staying Connected."""
        now = self._mono()
        self._forget_failures()
        self._failure_kind = None
        if task is Task.DEVICE_INFO:
            self._next[task] = None
        elif task is Task.DEMAND:
            self._next[task] = now + self.interval_s
            if fresh:
                self._last_demand_mono = now
                self._last_demand_wall = self._wall()
        elif task is Task.REGISTERS:
            self._next[task] = now + self.register_interval_s
            if self.history:  # also read just after the next slot boundary (no extra read once in phase)
                self._next[task] = min(now + self.register_interval_s,
                                       self._next_slot_boundary(now) + REGISTERS_AFTER_SLOT_S)
        elif task is Task.INTERVALS:
            self._next[task] = self._next_slot_boundary(now) + HISTORY_MARGIN_S
        # "Connected" means a reading arrived: device information or registers alone leave the state as it is
        if task is not Task.DEMAND or self._paused:
            return
        if fresh:
            if self._state is not State.CONNECTED:
                self._set(State.CONNECTED)
            else:
                self._detail = ""
        elif self._state is State.CONNECTED:
            self._detail = detail  # shown once the last fresh reading is old enough to call the state stale
        else:
            self._set(State.STALE, detail)

    def failed(self, task: Task, failure: Failure, detail: str = "") -> None:
        now = self._mono()
        if failure is self._failure_kind or (self._failure_kind is not None and failure is Failure.TRANSIENT):
            self._failures += 1
        else:
            self._forget_failures(count=1)
            self._failure_kind = failure
        delay = self._retry_delay(failure)
        if failure is Failure.STALLED:
            # The meter is there (TCP and TLS worked) but its agent stopped answering: pause every read for a
            # short while (another read now would only meet the same stall on a new connection), then go on.
            self._blocked_until = now + delay
            if self._state is State.CONNECTED:
                self._detail = detail
            else:
                self._set(State.STALE, detail)
            return
        if failure is Failure.TRANSIENT and self._state in (State.CONNECTED, State.STALE, State.CONNECTING):
            # The connection works; one reading failed. Retry this task soon, keep the others on schedule.
            # The history is costly and not urgent: retry it after the next slot closes.
            self._next[task] = now + max(self.interval_s, delay)
            if task is Task.INTERVALS:
                self._next[task] = self._next_slot_boundary(now) + HISTORY_MARGIN_S
            if self._state is State.CONNECTING and task is Task.DEMAND:
                self._set(State.STALE, detail)  # the meter answers, but no reading came: say why, not Connected
            self._detail = detail
            return
        self._blocked_until = now + delay
        if failure is Failure.REFUSED:
            state = State.CERT_REFUSED if self.ever_registered else State.WAITING_REGISTRATION
        elif failure is Failure.TRANSIENT:
            state = State.UNREACHABLE if self._state is State.CONNECTING else self._state
        else:
            state = _STATE_OF_FAILURE[failure]
        if failure is Failure.MISMATCH:
            self._next[Task.DEVICE_INFO] = now  # re-check identity and details on the next contact
            if self.automatic_address:
                self._need_locate(now)
                state = State.MISMATCH
        if failure is Failure.UNREACHABLE and self.has_address:
            self._probing = True  # no handshake until the port answers a plain TCP connect
            self._next[Task.PROBE] = now + delay
        if failure in (Failure.UNREACHABLE, Failure.SILENT):
            self._maybe_relocate(now)
        self._set(state, detail)

    def probed(self, port_answers: bool, detail: str = "") -> None:
        """The answer to :attr:`Task.PROBE`: the port accepted a TCP connection (handshake now) or not."""
        now = self._mono()
        if port_answers:
            self._stop_probing()
            self._blocked_until = now
            return
        self._failures += 1
        self._next[Task.PROBE] = now + self._retry_delay(Failure.UNREACHABLE)
        self._maybe_relocate(now)
        if detail:
            self._detail = detail

    def _retry_delay(self, failure: Failure) -> float:
        if failure in (Failure.TRANSIENT, Failure.STALLED):
            return QUICK_RETRY_S
        if failure in (Failure.UNREACHABLE, Failure.SILENT, Failure.BUSY) or self._refused_lately(failure):
            # Contacts start PROBE_EVERY_S apart (jitter only upwards: never over 6 a minute); time spent
            # waiting on a hung handshake or a busy meter counts, so the next try follows soon after it.
            spacing = PROBE_EVERY_S * self._rng.uniform(1.0, 1.05)
            started = self._attempt_started
            spent = self._mono() - started if started is not None else 0.0
            return max(1.0, spacing - spent)
        attempt = self._failures
        if failure is Failure.REFUSED and self.ever_registered:
            # After the quick window the back-off starts again from its first step (60 s, 120 s, ...) instead of
            # jumping to its cap because of the fifty quick tries that came before.
            if self._refusals_at_quick_end is None:
                self._refusals_at_quick_end = self._failures - 1
            attempt = self._failures - self._refusals_at_quick_end
        return BACKOFF[failure].delay(attempt) * self._rng.uniform(0.9, 1.1)

    def _forget_failures(self, count: int = 0) -> None:
        """Start a new run of failures in a row (``count`` so far), with no refusal quick window behind it."""
        self._failures = count
        self._refusals_at_quick_end = None

    def _refused_lately(self, failure: Failure) -> bool:
        """A certificate that worked before and was refused less than ``REFUSED_QUICK_FOR_S`` ago."""
        if failure is not Failure.REFUSED or not self.ever_registered:
            return False
        began = self._since if self._state is State.CERT_REFUSED else self._wall()
        return self._wall() - began < REFUSED_QUICK_FOR_S

    def _maybe_relocate(self, now: float) -> None:
        """Automatic address: after a few failures in a row, look for the meter again (its address may have moved)."""
        if (
            self.automatic_address
            and self._failures >= RELOCATE_AFTER_UNREACHABLE
            and self._next[Task.LOCATE] is None
            and not self._locating
        ):
            self._next[Task.LOCATE] = now

    def _stop_probing(self) -> None:
        self._probing = False
        self._next[Task.PROBE] = None

    def located(self, found: bool, detail: str = "") -> None:
        """Discovery finished: an address was found (the app updated the client) or not."""
        self._locating = False
        now = self._mono()
        if found:
            self._locate_failures = 0
            self._next[Task.LOCATE] = None
            self.address_changed()
            return
        self._locate_failures += 1
        self._next[Task.LOCATE] = now + BACKOFF[Failure.NOT_FOUND].delay(self._locate_failures)
        if not self.has_address:
            self._set(State.LOCATING, detail)

    # -- what to show ------------------------------------------------------------------------------

    @property
    def state(self) -> State:
        state = self._state
        if (
            state is State.CONNECTED
            and self._last_demand_mono is not None
            and self._mono() - self._last_demand_mono > self.stale_after_s
        ):
            return State.STALE
        return state

    def status(self) -> Status:
        state = self.state
        next_retry = None
        if state in ERROR_STATES or state is State.LOCATING:
            mono = self._mono()
            if state is State.LOCATING:
                at: float | None = self._next[Task.LOCATE] or mono
            else:
                at = self._next_attempt()
            # a probe in flight (or nothing planned) reads as "now": the answer is on its way
            next_retry = self._wall() + max(0.0, (at if at is not None else mono) - mono)
        since = self._since
        if state is State.STALE and self._last_demand_wall is not None:
            since = self._last_demand_wall
        return Status(state, since, next_retry, self._detail, self._last_demand_wall)

    # -- internals ---------------------------------------------------------------------------------

    def _next_slot_boundary(self, now: float) -> float:
        """Monotonic time of the next 15-minute boundary on the meter's clock."""
        meter_wall = self._wall() + self.meter_skew_s
        boundary = (math.floor(meter_wall / SLOT_S) + 1) * SLOT_S
        return now + (boundary - meter_wall)

    def _need_locate(self, now: float) -> None:
        self._address_lost = True
        if self._next[Task.LOCATE] is None and not self._locating:
            self._next[Task.LOCATE] = now
        if self._state is not State.MISMATCH:
            self._set(State.LOCATING)

    def _set(self, state: State, detail: str = "") -> None:
        if state is not self._state:
            self._state = state
            self._since = self._wall()
        self._detail = detail
