"""The MQTT plug-in's controller: the session's events into the publisher, the publisher rebuilt when settings change.

Every listener here only hands a value to :class:`~xcelsior_desktop.home_assistant.MqttPublisher`, whose calls
never wait on the network: the meter thread only emits its Qt signals, so publishing never delays polling.

Making, starting and stopping a publisher (reading the keyring, signing the old one off with "offline") runs on
one background thread of ours, in order, so the GUI never waits for a broker and an old publisher has always
signed off before its successor connects. The last device information, registers, state and demand are kept and
handed to each new publisher, so a rebuilt one names the meter at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from xcelsior_desktop.home_assistant.broker_url import BrokerUrl, BrokerUrlError
from xcelsior_desktop.home_assistant.feed_extras import ExtrasSchedule, FeedExtras, feed_extras_job
from xcelsior_desktop.home_assistant.feed_settings import FeedSettings
from xcelsior_desktop.home_assistant.settings import MqttSettings, PasswordStoreError, TopicError
from xcelsior_desktop.home_assistant.status import TRANSIENT_STATES
from xcelsior_desktop.meter.values import DeviceInfo, Measurement, Registers
from xcelsior_desktop.session.commands import Job
from xcelsior_desktop.session.events import ReadingFlagged
from xcelsior_desktop.session.poller import Status

if TYPE_CHECKING:
    from xcelsior_desktop.app.home_assistant.history import HistoryToHomeAssistant
    from xcelsior_desktop.app.home_assistant.solar_feed import SolarFeed
    from xcelsior_desktop.energy.totals import Energy
    from xcelsior_desktop.home_assistant.connection import ConnectionResult
    from xcelsior_desktop.home_assistant.cost_today import CostToday
    from xcelsior_desktop.home_assistant.publisher import MqttPublisher
    from xcelsior_desktop.home_assistant.settings import BrokerTarget
    from xcelsior_desktop.home_assistant.status import PublisherStatus

log = logging.getLogger(__name__)

COST_REFRESH_MS = 5 * 60 * 1000  # today's cost follows the history store (new 15-minute slots)
OFF_TEXT = "Not publishing: MQTT is off (turn it on above, or start the app with --mqtt URL)"


@dataclass(frozen=True)
class PublishingState:
    """What the Settings page shows: a sentence, whether it is a failure, and the publisher's snapshot if any."""

    message: str
    failed: bool = False
    status: PublisherStatus | None = None

    @classmethod
    def of(cls, status: PublisherStatus) -> PublishingState:
        text = status.message
        if status.detail and status.failed:
            text = f"{text}. {status.detail[0].upper()}{status.detail[1:]}"
        return cls(text, status.failed, status)


class MqttController(QObject):
    state_changed = Signal(PublishingState)  # on the GUI thread
    connection_tested = Signal(int, object)  # token from test_connection(), ConnectionResult
    _built = Signal(int, object, str)  # generation, publisher or None, error in words ("" if none)
    _status_from_thread = Signal(int, object)  # generation, PublisherStatus (from the publisher's thread)
    _tested_from_thread = Signal(int, object)
    _extras_from_thread = Signal(object)  # FeedExtras, read on the meter thread
    publisher_changed = Signal(object)  # the running publisher, or None (GUI thread): a solar meter's feed follows

    def __init__(self, settings: MqttSettings, *, flag: BrokerUrl | None = None,
                 cost_today: Callable[[dt.datetime], CostToday | None] = lambda _at: None,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
                 announce: Callable[[str, str], None] | None = None,
                 feed: FeedSettings | None = None,
                 send_job: Callable[[Job], None] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.flag = flag
        self.settings = settings
        self.feed = feed or FeedSettings()
        self.history: HistoryToHomeAssistant | None = None  # "Send history to Home Assistant" (install_mqtt sets it)
        self.solar: SolarFeed | None = None  # a solar meter's own device, beside this one (install_mqtt sets it)
        self._send_job = send_job  # the session's job queue: the extras are read on the meter's one connection
        self._extras = ExtrasSchedule()
        self._cost_today = cost_today
        self._clock = clock
        self._announce = announce  # (title, body): a notification for what needs the user (not retried away)
        self._announced_generation = 0
        self._publisher: MqttPublisher | None = None  # the current one, GUI thread only
        self._running: MqttPublisher | None = None  # the started one, the setup thread only
        self._generation = 0
        self._generation_lock = threading.Lock()
        self._tokens = itertools.count(1)
        self._setup = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mqtt-setup")
        self._stopped = False
        self.state = PublishingState(OFF_TEXT)
        self._last_info: DeviceInfo | None = None
        self._last_registers: Registers | None = None
        self._last_status: Status | None = None
        self._last_demand: Measurement | None = None
        self._built.connect(self._on_built)
        self._status_from_thread.connect(self._on_publisher_status)
        self._tested_from_thread.connect(self.connection_tested)
        self._extras_from_thread.connect(self._on_extras)
        self._cost_timer = QTimer(self)
        self._cost_timer.setInterval(COST_REFRESH_MS)
        self._cost_timer.timeout.connect(self.publish_cost)
        self._rebuild()

    # -- settings ---------------------------------------------------------------------------------------

    @property
    def publisher(self) -> MqttPublisher | None:
        return self._publisher

    def apply(self, settings: MqttSettings) -> None:
        """New settings (the Settings dialog's OK): rebuild the publisher when what it would do changed."""
        changed = settings != self.settings
        self.settings = settings
        failed_before = self._publisher is None and self.state.failed  # e.g. the keyring was locked: try again
        if changed or failed_before or self._target_changed():
            self._rebuild()

    def _target_changed(self) -> bool:
        """The broker password in the keyring (not in the settings) may have changed."""
        current = self._publisher
        if current is None:
            return False
        settings = MqttSettings.from_flag(self.flag, self.settings) if self.flag is not None else self.settings
        try:
            wanted = settings.target(password=self.flag.password if self.flag is not None else None)
        except (BrokerUrlError, PasswordStoreError):
            return True
        return wanted != current.target

    def _next_generation(self) -> int:
        with self._generation_lock:
            self._generation += 1
            return self._generation

    def _is_current(self, generation: int) -> bool:
        with self._generation_lock:
            return generation == self._generation

    def _rebuild(self) -> None:
        if self._stopped:
            return
        generation = self._next_generation()
        self._publisher = None
        self.publisher_changed.emit(None)
        self._cost_timer.stop()
        self._show(PublishingState("Applying the MQTT settings") if self._wanted() else PublishingState(OFF_TEXT))
        settings, flag = self.settings, self.flag
        self._setup.submit(self._build_on_setup_thread, generation, settings, flag)

    def _wanted(self) -> bool:
        return self.flag is not None or self.settings.enabled

    def _build_on_setup_thread(self, generation: int, settings: MqttSettings, flag: BrokerUrl | None) -> None:
        self._stop_running()
        if not self._is_current(generation):
            return  # a newer rebuild follows
        if flag is None and not settings.enabled:
            self._emit_built(generation, None, "")  # off: paho-mqtt is not even imported
            return
        try:
            from xcelsior_desktop.home_assistant.publisher import MqttPublisher

            feed = self.feed
            publisher = MqttPublisher.from_settings(
                settings, flag, on_status_change=lambda status: self._status_from_thread.emit(generation, status),
                **feed.publisher_options())
            if publisher is not None:
                publisher.set_tier_names(feed.tier_names)
        except (BrokerUrlError, TopicError) as exc:
            self._emit_built(generation, None, f"MQTT publishing is off: {exc}")
            return
        except PasswordStoreError as exc:
            self._emit_built(generation, None, f"MQTT publishing is off: {exc.user_message}")
            return
        except Exception as exc:  # never let a surprise stop the app: say it
            log.exception("MQTT: the publisher could not be made")
            self._emit_built(generation, None, f"MQTT publishing is off: {type(exc).__name__}: {exc}")
            return
        if publisher is not None:
            publisher.start()
            self._running = publisher
            log.info("MQTT: publishing to %s (topic base %s, discovery %s)", publisher.target.display(),
                     publisher.options.topic_base, "on" if publisher.options.discovery else "off")
        self._emit_built(generation, publisher, "")

    def _emit_built(self, generation: int, publisher: MqttPublisher | None, error: str) -> None:
        with contextlib.suppress(RuntimeError):  # the controller is gone (the app quit meanwhile)
            self._built.emit(generation, publisher, error)

    def _stop_running(self) -> None:
        running, self._running = self._running, None
        if running is not None:
            running.stop()

    @Slot(int, object, str)
    def _on_built(self, generation: int, publisher: MqttPublisher | None, error: str) -> None:
        if not self._is_current(generation) or self._stopped:
            return  # the setup thread stops it on the next rebuild or at shutdown
        self._publisher = publisher
        if error:
            log.warning("%s", error)
            self._show(PublishingState(error, failed=True))
            self._tell_user(generation, error)
            return
        if publisher is None:
            self._show(PublishingState(OFF_TEXT))
            return
        self._show(PublishingState.of(publisher.status()))
        self._replay(publisher)
        self._cost_timer.start()
        self.publisher_changed.emit(publisher)

    def _replay(self, publisher: MqttPublisher) -> None:
        if self._last_info is not None:
            publisher.on_device_info(self._last_info)
        if self._last_status is not None:
            publisher.on_status(self._last_status)
        if self._last_registers is not None:
            publisher.on_registers(self._last_registers)
        if self._last_demand is not None:
            publisher.on_demand(self._last_demand)
        self.publish_cost()

    @Slot(int, object)
    def _on_publisher_status(self, generation: int, status: PublisherStatus) -> None:
        if self._is_current(generation) and not self._stopped:
            state = PublishingState.of(status)
            self._show(state)
            if status.failed and status.state not in TRANSIENT_STATES:  # a password or TLS to fix in Settings
                self._tell_user(generation, state.message)

    def _tell_user(self, generation: int, message: str) -> None:
        """Once per publisher: the user may not have Settings open (a start, or a password changed elsewhere)."""
        if self._announce is None or self._announced_generation == generation:
            return
        self._announced_generation = generation
        self._announce("MQTT publishing needs attention", message)

    def _show(self, state: PublishingState) -> None:
        self.state = state
        self.state_changed.emit(state)

    def current_state(self) -> PublishingState:
        """The state now, with the publisher's live counters."""
        if self._publisher is not None and self.state.status is not None:
            return PublishingState.of(self._publisher.status())
        return self.state

    # -- the session's events (GUI thread; each call only queues) ----------------------------------------

    def on_device_info(self, info: DeviceInfo) -> None:
        self._last_info = info
        if self._publisher is not None:
            self._publisher.on_device_info(info)
            self.publish_cost()

    def on_registers(self, registers: Registers) -> None:
        self._last_registers = registers
        if self._publisher is not None:
            self._publisher.on_registers(registers)
            self._read_extras_when_due()

    @Slot(object)
    def on_flagged(self, flagged: ReadingFlagged) -> None:
        if self._publisher is not None:
            self._publisher.on_flagged(flagged.what)

    def apply_feed(self, feed: FeedSettings) -> None:
        """The poll interval or the tiers' meanings changed (Settings): the publisher follows, no rebuild."""
        self.feed = feed
        if self._publisher is not None:
            self._publisher.set_poll_interval(feed.poll_interval_s)
            self._publisher.set_tier_names(feed.tier_names)

    def _read_extras_when_due(self) -> None:
        """Power factor, maximum demand, apparent and reactive energy: a job on the session now and then."""
        now = time.monotonic()
        if self._send_job is None or not self._extras.due(now):
            return
        self._extras.started(now)
        job = feed_extras_job(lambda extras: self._emit_extras(extras))
        job.result.add_done_callback(lambda _done: self._extras.finished())
        self._send_job(job)

    def _emit_extras(self, extras: FeedExtras) -> None:
        with contextlib.suppress(RuntimeError):  # the controller is gone (the app quit meanwhile)
            self._extras_from_thread.emit(extras)

    @Slot(object)
    def _on_extras(self, extras: FeedExtras) -> None:
        if self._publisher is not None:
            self._publisher.on_extras(extras)

    def on_demand(self, demand: Measurement) -> None:
        self._last_demand = demand
        if self._publisher is not None:
            self._publisher.on_demand(demand)

    def on_status(self, status: Status) -> None:
        self._last_status = status
        if self._publisher is not None:
            self._publisher.on_status(status)

    def on_today(self, today: Energy) -> None:
        """Today so far changed: its cost is published for the same instant the window and the tray show."""
        if self._publisher is not None:
            self.publish_cost(today.as_of)

    @Slot()
    def on_history_changed(self) -> None:
        """The store gained energy (at start: the backfill has stored today's slots): cost today is published
        now, not at the next 5-minute refresh."""
        if self._publisher is not None:
            self.publish_cost()

    @Slot()
    def publish_cost(self, at: dt.datetime | None = None) -> None:
        """Today's cost (the one cost function, in the home zone) as of ``at`` (default: now), with a tariff."""
        publisher = self._publisher
        if publisher is None:
            return
        try:
            cost = self._cost_today(at or self._clock())
        except Exception as exc:  # a tariff file or the store that cannot be read: no cost, said in the log
            log.warning("MQTT: today's cost not published: %s", getattr(exc, "user_message", None) or exc)
            return
        if cost is not None:
            publisher.on_cost_today(cost.amount, cost.currency, cost.day_start)

    # -- Test connection ----------------------------------------------------------------------------------

    def test_connection(self, settings: MqttSettings, password: str | None) -> int:
        """Try ``settings`` (the page's fields, not saved) on a thread; ``connection_tested(token, result)``
        follows with a :class:`ConnectionResult` or, when no connection could even be tried, a sentence."""
        token = next(self._tokens)
        thread = threading.Thread(target=self._test_on_thread, args=(token, settings, password),
                                  name="mqtt-test-connection", daemon=True)
        thread.start()
        return token

    def _test_on_thread(self, token: int, settings: MqttSettings, password: str | None) -> None:
        result: ConnectionResult | str
        try:
            from xcelsior_desktop.home_assistant.connection import test_connection

            target: BrokerTarget = settings.target(password=password)  # None: the keyring's
            result = test_connection(target)
        except BrokerUrlError as exc:
            result = str(exc)
        except PasswordStoreError as exc:
            result = exc.user_message
        except Exception as exc:
            log.exception("MQTT: test connection failed")
            result = f"The test could not run: {type(exc).__name__}: {exc}"
        with contextlib.suppress(RuntimeError):  # the controller is gone (the app quit meanwhile)
            self._tested_from_thread.emit(token, result)

    # -- stop ---------------------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Sign the publisher off ("offline" on the availability topic) and end the setup thread. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        if self.history is not None:
            self.history.shutdown()
        if self.solar is not None:  # a solar meter's feed signs off too
            self.solar.shutdown()
        self._next_generation()
        self._cost_timer.stop()
        self._publisher = None
        self._setup.submit(self._stop_running)
        self._setup.shutdown(wait=True)
