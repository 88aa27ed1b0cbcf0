"""The MQTT publisher: the meter session's readings to a broker, with Home Assistant discovery.

The session's listeners call :meth:`MqttPublisher.on_device_info`, :meth:`~MqttPublisher.on_demand`,
:meth:`~MqttPublisher.on_registers`, :meth:`~MqttPublisher.on_status` and :meth:`~MqttPublisher.on_cost_today`
from any thread. Each call formats the state message and appends it to a bounded queue: it never waits on the
network and never raises. When the queue is full (broker down or slow) the oldest message is dropped and counted.

One thread of ours owns the connection: it connects once the meter has said who it is (topics and the client
id carry its SFDI), with a last will "offline" on the availability topic; on every (re)connect it publishes the
discovery configs, "online" and the latest state of every topic (retained), then drains the queue, handing paho a
message only when the previous one has left, so the backlog stays in the bounded queue. Failures (broker down,
refused password, TLS) set a :class:`~xcelsior_desktop.home_assistant.status.BrokerState`, are logged once per
change, and are retried with exponential back-off and jitter. :meth:`MqttPublisher.stop` publishes "offline" and
disconnects cleanly.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import logging
import random
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from xcelsior_desktop.home_assistant import entities
from xcelsior_desktop.home_assistant.connection import BrokerConnection
from xcelsior_desktop.home_assistant.entities import Message, MeterIdentity, Topics
from xcelsior_desktop.home_assistant.settings import (
    DEFAULT_DISCOVERY_PREFIX,
    DEFAULT_TOPIC_BASE,
    BrokerTarget,
    MqttSettings,
    check_topic_prefix,
)
from xcelsior_desktop.home_assistant.status import FAILURE_STATES, BrokerState, PublisherStatus
from xcelsior_desktop.home_assistant.url import BrokerUrl
from xcelsior_desktop.meter.values import DeviceInfo, Measurement, Registers
from xcelsior_desktop.session.poller import Status

log = logging.getLogger(__name__)

DRAIN_BATCH = 100  # messages handed to paho per turn of the loop, at most


@dataclass(frozen=True)
class PublisherOptions:
    topic_base: str = DEFAULT_TOPIC_BASE
    discovery: bool = True
    discovery_prefix: str = DEFAULT_DISCOVERY_PREFIX
    queue_size: int = 1000  # about 80 minutes of 5-second demand readings
    keepalive_s: int = 30  # the broker publishes the will ~45 s after a silent loss (at once on a closed socket)
    connect_timeout_s: float = 10.0
    backoff_min_s: float = 1.0
    backoff_max_s: float = 120.0
    stop_timeout_s: float = 3.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "topic_base", check_topic_prefix(self.topic_base, "topic base"))
        object.__setattr__(self, "discovery_prefix", check_topic_prefix(self.discovery_prefix, "discovery prefix"))
        if self.queue_size < 1:
            raise ValueError("queue_size must be at least 1")

    @classmethod
    def from_settings(cls, settings: MqttSettings) -> PublisherOptions:
        return cls(topic_base=settings.topic_base, discovery=settings.discovery,
                   discovery_prefix=settings.discovery_prefix)


class MqttPublisher:
    def __init__(self, target: BrokerTarget, options: PublisherOptions | None = None, *,
                 on_status_change: Callable[[PublisherStatus], None] | None = None,
                 wall: Callable[[], float] = time.time, rng: random.Random | None = None) -> None:
        self.target = target
        self.options = options or PublisherOptions()
        self._on_status_change = on_status_change
        self._wall = wall
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._queue: collections.deque[Message] = collections.deque(maxlen=self.options.queue_size)
        self._dropped = 0
        self._dropping = False  # in a streak of drops (logged once per streak)
        self._published = 0
        self._meter: MeterIdentity | None = None
        self._topics: Topics | None = None
        self._tiers: set[tuple[str, int]] = set()
        self._currency: str | None = None
        self._last_energy: dict[str, float] = {}
        self._stopping = False
        self._state = BrokerState.WAITING_FOR_METER
        self._detail = ""
        self._since = wall()
        self._next_retry: float | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._thread = threading.Thread(target=self._run, name="mqtt-publisher", daemon=True)

    @classmethod
    def from_settings(cls, settings: MqttSettings, flag: BrokerUrl | None = None, *,
                      on_status_change: Callable[[PublisherStatus], None] | None = None) -> MqttPublisher | None:
        """The publisher the settings ask for (None when MQTT is off), not started. ``flag``: the ``--mqtt URL``
        of this run, which turns it on with that broker (and the URL's password, else the keyring's).

        Raises :class:`~xcelsior_desktop.home_assistant.url.BrokerUrlError`,
        :class:`~xcelsior_desktop.home_assistant.settings.PasswordStoreError` or
        :class:`~xcelsior_desktop.home_assistant.settings.TopicError`, each with words for the user.
        """
        if flag is not None:
            settings = MqttSettings.from_flag(flag, settings)
        if not settings.enabled:
            return None
        target = settings.target(password=flag.password if flag is not None else None)
        return cls(target, PublisherOptions.from_settings(settings), on_status_change=on_status_change)

    # -- life -----------------------------------------------------------------------------------------------

    def start(self) -> MqttPublisher:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        """Publish "offline", disconnect cleanly and end the thread (waits up to about ``stop_timeout_s``)."""
        with self._lock:
            self._stopping = True
        self._wake()
        if self._thread.is_alive():
            self._thread.join(timeout if timeout is not None else self.options.stop_timeout_s + 2.0)
        if not self._thread.is_alive():  # a thread stuck past the timeout keeps its wake-up socket
            for sock in (self._wake_r, self._wake_w):
                sock.close()

    def status(self) -> PublisherStatus:
        with self._lock:
            return self._status_locked()

    # -- the session's listeners (any thread; never block, never raise) -------------------------------------

    def on_device_info(self, info: DeviceInfo) -> None:
        try:
            meter = MeterIdentity.from_device_info(info)
            if meter is None:
                log.debug("MQTT: the meter's device information has no LFDI yet; nothing to publish")
                return
            with self._lock:
                if self._meter is not None and self._meter.sfdi != meter.sfdi:
                    log.info("MQTT: now publishing for meter %s (was %s)", meter.sfdi, self._meter.sfdi)
                    self._tiers.clear()
                    self._currency = None
                    self._last_energy.clear()
                self._meter = meter
                self._topics = Topics(self.options.topic_base, self.options.discovery_prefix, meter.sfdi)
            self._wake()
        except Exception:
            log.exception("MQTT: device information not taken")

    def on_demand(self, demand: Measurement) -> None:
        try:
            topics = self._current_topics()
            if topics is not None:
                self._enqueue([entities.power_message(topics, demand)])
        except Exception:
            log.exception("MQTT: demand not queued")

    def on_registers(self, registers: Registers) -> None:
        """Energy in kWh; a register the meter did not give, or one lower than the last sent, is not published."""
        try:
            messages: list[Message | None] = []
            with self._lock:
                topics = self._topics
                if topics is None:
                    return
                for (direction, tier), kwh in entities.energy_values(registers).items():
                    topic = topics.energy(direction, tier)
                    last = self._last_energy.get(topic)
                    if last is not None and kwh < last:
                        log.warning("MQTT: %s went backwards (%.3f kWh after %.3f): not published", topic, kwh, last)
                        continue
                    self._last_energy[topic] = kwh
                    if tier is not None:
                        self._tiers.add((direction, tier))
                    messages.append(Message(topic, entities.format_number(kwh, 3)))
            self._enqueue(messages)
        except Exception:
            log.exception("MQTT: registers not queued")

    def on_status(self, status: Status) -> None:
        try:
            topics = self._current_topics()
            if topics is not None:
                self._enqueue([entities.meter_state_message(topics, status)])
        except Exception:
            log.exception("MQTT: meter state not queued")

    def on_cost_today(self, amount: float | None, currency: str, day_start: dt.datetime) -> None:
        """Today's cost so far (``None``: not known, nothing published). ``day_start``: the home zone's midnight it
        counts from (the sensor's last reset)."""
        try:
            if amount is None:
                return
            currency = currency.strip().upper()
            start = day_start
            with self._lock:
                topics = self._topics
                if topics is None:
                    return
                self._currency = currency
            self._enqueue([entities.cost_message(topics, amount, currency, start)])
        except Exception:
            log.exception("MQTT: cost not queued")

    # -- queue ----------------------------------------------------------------------------------------------

    def _current_topics(self) -> Topics | None:
        with self._lock:
            return self._topics

    def _enqueue(self, messages: list[Message | None]) -> None:
        with self._lock:
            if self._stopping:
                return
            for message in messages:
                if message is None:
                    continue
                if len(self._queue) == self._queue.maxlen:
                    self._dropped += 1
                    if not self._dropping:
                        self._dropping = True
                        log.warning("MQTT: the queue is full (%s messages, broker %s); dropping the oldest",
                                    self._queue.maxlen, self._state.value)
                self._queue.append(message)
        self._wake()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # buffer full (a wake is pending anyway) or closed at stop
            self._wake_w.send(b"\0")

    def _drain_wake(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except OSError:
            pass

    def _sleep(self, timeout: float | None) -> None:
        select.select([self._wake_r], [], [], timeout)
        self._drain_wake()

    # -- state ----------------------------------------------------------------------------------------------

    def _status_locked(self) -> PublisherStatus:
        return PublisherStatus(state=self._state, detail=self._detail, since=self._since,
                               next_retry=self._next_retry, published=self._published, dropped=self._dropped,
                               queued=len(self._queue))

    def _set_state(self, state: BrokerState, detail: str = "", next_retry: float | None = None) -> None:
        with self._lock:
            changed = state != self._state or detail != self._detail
            self._next_retry = next_retry
            if not changed:
                return
            self._state, self._detail, self._since = state, detail, self._wall()
            status = self._status_locked()
        if state in FAILURE_STATES:
            log.warning("MQTT: %s (%s)", status.message, detail)
        else:
            log.info("MQTT: %s%s", status.message, f" ({detail})" if detail else "")
        if self._on_status_change is not None:
            try:
                self._on_status_change(status)
            except Exception:
                log.exception("MQTT: status listener failed")

    # -- the publisher's thread -----------------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        next_attempt = 0.0
        connection: BrokerConnection | None = None
        connected_sfdi: int | None = None
        sent_configs: dict[str, str] = {}
        last_sent: dict[str, Message] = {}
        while True:
            with self._lock:
                stopping, meter = self._stopping, self._meter
            if stopping:
                break
            if meter is None:
                self._sleep(None)
                continue
            if connection is not None and connected_sfdi is not None and connected_sfdi != meter.sfdi:  # new client id
                self._sign_off(connection, connected_sfdi, last_sent)
                connection = None
                last_sent.clear()
            if connection is None:
                wait = next_attempt - time.monotonic()
                if wait > 0:
                    self._sleep(wait)
                    continue
                connection = self._open(meter)
                connected_sfdi = meter.sfdi
                sent_configs = {}
                announced = False
            if connection.connected and not announced:
                self._announce(connection, sent_configs, last_sent)
                announced = True
                failures = 0
                self._set_state(BrokerState.CONNECTED, f"connected to {self.target.display()}")
            if connection.connected:
                self._sync_discovery(connection, sent_configs)
                self._drain(connection, last_sent)
            if not connection.closed:
                # a backlog paho could take now: just turn the socket over; otherwise wait for it or a wake-up
                backlog = connection.connected and not connection.client.want_write() and self.status().queued > 0
                if connection.pump(0.0 if backlog else 1.0, self._wake_r):
                    self._drain_wake()
            if connection.closed:
                state, detail = connection.failure or (BrokerState.UNREACHABLE, "connection closed")
                connection.close()
                connection = None
                delay = min(self.options.backoff_max_s, self.options.backoff_min_s * 2 ** min(failures, 16))
                delay *= self._rng.uniform(0.8, 1.2)
                failures += 1
                next_attempt = time.monotonic() + delay
                self._set_state(state, detail, next_retry=self._wall() + delay)
        if connection is not None and connected_sfdi is not None:
            self._sign_off(connection, connected_sfdi, last_sent)
        self._set_state(BrokerState.STOPPED)

    def _open(self, meter: MeterIdentity) -> BrokerConnection:
        topics = Topics(self.options.topic_base, self.options.discovery_prefix, meter.sfdi)
        with self._lock:
            retrying = self._state in FAILURE_STATES
        if not retrying:  # while retrying, the failure stays on show (and in the log once) until it changes
            self._set_state(BrokerState.CONNECTING, f"connecting to {self.target.display()}")
        connection = BrokerConnection(self.target, client_id=f"xcelsior-desktop-{meter.sfdi}",
                                      keepalive_s=self.options.keepalive_s,
                                      connect_timeout_s=self.options.connect_timeout_s,
                                      will=(topics.availability, entities.OFFLINE))
        connection.open()
        return connection

    def _announce(self, connection: BrokerConnection, sent_configs: dict[str, str],
                  last_sent: dict[str, Message]) -> None:
        """On every (re)connect: discovery configs, "online", and the latest state of each topic (a restarted
        broker without persistence has forgotten its retained messages)."""
        self._sync_discovery(connection, sent_configs)
        topics = self._current_topics()
        if topics is not None:
            connection.client.publish(topics.availability, entities.ONLINE, qos=1, retain=True)
        for message in list(last_sent.values()):
            connection.client.publish(message.topic, message.payload, qos=message.qos, retain=message.retain)

    def _sync_discovery(self, connection: BrokerConnection, sent_configs: dict[str, str]) -> None:
        if not self.options.discovery:
            return
        with self._lock:
            meter, topics, tiers, currency = self._meter, self._topics, set(self._tiers), self._currency
        if meter is None or topics is None:
            return
        for topic, payload in entities.discovery_configs(meter, topics, tiers, currency).items():
            if sent_configs.get(topic) != payload:
                connection.client.publish(topic, payload, qos=1, retain=True)
                sent_configs[topic] = payload

    def _drain(self, connection: BrokerConnection, last_sent: dict[str, Message]) -> None:
        """Hand queued messages to paho while its outgoing buffer is empty (the backlog stays in our queue)."""
        for _ in range(DRAIN_BATCH):
            if connection.client.want_write() or not connection.connected:
                return
            with self._lock:
                if not self._queue:
                    self._dropping = False
                    return
                message = self._queue.popleft()
            result = connection.client.publish(message.topic, message.payload, qos=message.qos,
                                               retain=message.retain)
            if result.rc != 0:  # the connection went away under us: keep the message if there is room
                with self._lock:
                    if len(self._queue) < self.options.queue_size:
                        self._queue.appendleft(message)
                    else:
                        self._dropped += 1
                return
            last_sent[message.topic] = message
            with self._lock:
                self._published += 1
            connection.pump(0.0)  # write it now

    def _sign_off(self, connection: BrokerConnection, sfdi: int, last_sent: dict[str, Message]) -> None:
        """Send what is queued (as time allows), then "offline" for this meter, then a clean DISCONNECT."""
        deadline = time.monotonic() + self.options.stop_timeout_s
        while connection.connected and self.status().queued and time.monotonic() < deadline:
            self._drain(connection, last_sent)
            connection.pump(0.05)
        if connection.connected:
            availability = Topics(self.options.topic_base, self.options.discovery_prefix, sfdi).availability
            info = connection.client.publish(availability, entities.OFFLINE, qos=1, retain=True)
            connection.flush(deadline, info)
        connection.disconnect(deadline)
