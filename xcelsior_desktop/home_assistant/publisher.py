"""The MQTT publisher: the meter session's readings to a broker, with Home Assistant discovery.

The session's listeners call :meth:`MqttPublisher.on_device_info`, :meth:`~MqttPublisher.on_demand`,
:meth:`~MqttPublisher.on_registers`, :meth:`~MqttPublisher.on_status`, :meth:`~MqttPublisher.on_flagged`,
:meth:`~MqttPublisher.on_extras` and :meth:`~MqttPublisher.on_cost_today` from any thread. Each call formats the
state message and appends it to a bounded queue: it never waits on the network and never raises. When the queue is
full (broker down or slow) the oldest message is dropped and counted.

One thread of ours owns the connection: it connects once the meter has said who it is (the will "offline" goes on
the meter's availability topic), with this installation's own client id. On every (re)connect it first reads what
the broker retains for the feed and tidies it (housekeeping.py: the per-entity configs of earlier versions handed
over to the device message, the configs of a meter this installation no longer publishes removed), then publishes
the device message (discovery.py), its claim on the meter, "online", whether the readings are fresh
(freshness.py), and the latest state of every topic (retained); then it drains the queue, handing paho a message
only when the previous one has left, so the backlog stays in the bounded queue. Failures (broker down, refused
password, TLS) set a :class:`~xcelsior_desktop.home_assistant.status.BrokerState`, are logged once per change, and
are retried with exponential back-off and jitter. :meth:`MqttPublisher.stop` publishes "offline" and disconnects
cleanly.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import logging
import random
import secrets
import select
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from xcelsior_desktop import __version__
from xcelsior_desktop.home_assistant import entities
from xcelsior_desktop.home_assistant.broker_url import BrokerUrl
from xcelsior_desktop.home_assistant.connection import BrokerConnection
from xcelsior_desktop.home_assistant.discovery import (
    HOME_POWER,
    ORIGIN_NAME,
    FeedContent,
    content_of,
    device_message,
)
from xcelsior_desktop.home_assistant.entities import Message, MeterIdentity, Topics
from xcelsior_desktop.home_assistant.feed_extras import Extra, FeedExtras
from xcelsior_desktop.home_assistant.freshness import Freshness
from xcelsior_desktop.home_assistant.housekeeping import SCAN_QOS, Tidy, scan_subscriptions, tidy_messages
from xcelsior_desktop.home_assistant.installation import client_id, installation_id
from xcelsior_desktop.home_assistant.settings import (
    DEFAULT_DISCOVERY_PREFIX,
    DEFAULT_TOPIC_BASE,
    BrokerTarget,
    MqttSettings,
    check_topic_prefix,
)
from xcelsior_desktop.home_assistant.status import FAILURE_STATES, BrokerState, PublisherStatus
from xcelsior_desktop.meter.values import DeviceInfo, Measurement, Registers
from xcelsior_desktop.session.poller import Status

log = logging.getLogger(__name__)

DRAIN_BATCH = 100  # messages handed to paho per turn of the loop, at most
SCAN_TIMEOUT_S = 5.0  # the broker's retained messages for the feed arrive within this, or the tidying is skipped
# After a hand-over from per-entity configs the device message is sent again this long after: Home Assistant
# drops the rest of a device message when one of its entities is still being unloaded for the hand-over (its
# discovery stops at the first component it has to queue), so a later copy brings the ones it dropped.
RESEND_AFTER_HAND_OVER_S = (2.0, 10.0, 30.0)


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
    poll_interval_s: float = 5.0  # the session's demand interval: how long "busy" may last before "not fresh"
    installation_id: str | None = None  # None: this installation's saved id (installation.py)
    device_label: str = "meter"  # Home Assistant's device is "Xcel Energy <label> <SFDI>" ("solar meter")

    def __post_init__(self) -> None:
        object.__setattr__(self, "topic_base", check_topic_prefix(self.topic_base, "topic base"))
        object.__setattr__(self, "discovery_prefix", check_topic_prefix(self.discovery_prefix, "discovery prefix"))
        if self.queue_size < 1:
            raise ValueError("queue_size must be at least 1")

    @classmethod
    def from_settings(cls, settings: MqttSettings, **more: Any) -> PublisherOptions:
        return cls(topic_base=settings.topic_base, discovery=settings.discovery,
                   discovery_prefix=settings.discovery_prefix, **more)


class MqttPublisher:
    def __init__(self, target: BrokerTarget, options: PublisherOptions | None = None, *,
                 on_status_change: Callable[[PublisherStatus], None] | None = None,
                 wall: Callable[[], float] = time.time, monotonic: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None) -> None:
        self.target = target
        self.options = options or PublisherOptions()
        self.installation = self.options.installation_id or installation_id()
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
        self._content = FeedContent()
        self._freshness = Freshness(self.options.poll_interval_s, clock=monotonic)
        self._last_energy: dict[str, float] = {}
        self._stopping = False
        self._state = BrokerState.WAITING_FOR_METER
        self._detail = ""
        self._since = wall()
        self._next_retry: float | None = None
        self.last_tidy: Tidy | None = None  # what the last connection tidied on the broker (tests, logs)
        self._resend_at: list[float] = []  # monotonic times to send the device message again (hand-over)
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._thread = threading.Thread(target=self._run, name="mqtt-publisher", daemon=True)

    @classmethod
    def from_settings(cls, settings: MqttSettings, flag: BrokerUrl | None = None, *,
                      on_status_change: Callable[[PublisherStatus], None] | None = None,
                      **options: Any) -> MqttPublisher | None:
        """The publisher the settings ask for (None when MQTT is off), not started. ``flag``: the ``--mqtt URL``
        of this run, which turns it on with that broker (and the URL's password, else the keyring's).
        ``options``: more :class:`PublisherOptions` (the poll interval, the demo's installation id).

        Raises :class:`~xcelsior_desktop.home_assistant.broker_url.BrokerUrlError`,
        :class:`~xcelsior_desktop.home_assistant.settings.PasswordStoreError` or
        :class:`~xcelsior_desktop.home_assistant.settings.TopicError`, each with words for the user.
        """
        if flag is not None:
            settings = MqttSettings.from_flag(flag, settings)
        if not settings.enabled:
            return None
        target = settings.target(password=flag.password if flag is not None else None)
        return cls(target, PublisherOptions.from_settings(settings, **options), on_status_change=on_status_change)

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

    @property
    def client_id(self) -> str:
        return client_id(self.installation)

    # -- the session's listeners (any thread; never block, never raise) -------------------------------------

    def on_device_info(self, info: DeviceInfo) -> None:
        try:
            meter = MeterIdentity.from_device_info(info)
            if meter is None:
                log.debug("MQTT: the meter's device information has no LFDI yet; nothing to publish")
                return
            meter = dataclasses.replace(meter, label=self.options.device_label)
            with self._lock:
                if self._meter is not None and self._meter.sfdi != meter.sfdi:
                    log.info("MQTT: now publishing for meter %s (was %s)", meter.sfdi, self._meter.sfdi)
                    self._content = FeedContent(tier_names=self._content.tier_names,
                                                home_use=self._content.home_use)
                    self._last_energy.clear()
                self._meter = meter
                self._topics = Topics(self.options.topic_base, self.options.discovery_prefix, meter.sfdi)
            self._wake()
        except Exception:
            log.exception("MQTT: device information not taken")

    def on_demand(self, demand: Measurement) -> None:
        """A trusted demand reading: the power, when it was taken, and "fresh" again."""
        try:
            message = None
            with self._lock:
                topics = self._topics
                if topics is not None:
                    message = entities.power_message(topics, demand)
                    if message is not None:
                        self._freshness.reading()
            if topics is not None and message is not None:
                self._enqueue([message, entities.last_reading_message(topics, demand)])
        except Exception:
            log.exception("MQTT: demand not queued")

    def on_home_power(self, watts: float, at: dt.datetime) -> None:
        """What the home draws now (the net meter's demand plus the panels', read within seconds of each other):
        published on the solar meter's device, whose readings it follows ("Home use" appears with the first)."""
        try:
            message = None
            with self._lock:
                topics = self._topics
                if topics is not None:
                    message = entities.power_message(topics, Measurement(watts, "W", at), key=HOME_POWER)
                    if message is not None and not self._content.home_use:
                        self._content = dataclasses.replace(self._content, home_use=True)
            self._enqueue([message])
        except Exception:
            log.exception("MQTT: home use not queued")

    def on_flagged(self, what: str) -> None:
        """The session read ``what`` ("demand" or "registers") but did not trust it. A distrusted demand reading
        makes the readings not fresh until the next trusted one; a distrusted register is simply not published
        (the session hands on its trusted part only), so it leaves the other readings' freshness alone."""
        try:
            if what == "demand":
                with self._lock:
                    self._freshness.distrusted()
                self._wake()
        except Exception:
            log.exception("MQTT: flagged reading not taken")

    def on_registers(self, registers: Registers) -> None:
        """Energy in kWh; a register the meter did not give, or one lower than the last sent, is not published."""
        try:
            messages: list[Message | None] = []
            with self._lock:
                topics = self._topics
                if topics is None:
                    return
                tiers = set(self._content.tiers)
                for (direction, tier), kwh in entities.energy_values(registers).items():
                    topic = topics.energy(direction, tier)
                    if not self._not_backwards(topic, kwh):
                        continue
                    if tier is not None:
                        tiers.add((direction, tier))
                    messages.append(Message(topic, entities.format_number(kwh, 3)))
                self._content = dataclasses.replace(self._content, tiers=frozenset(tiers))
            self._enqueue(messages)
        except Exception:
            log.exception("MQTT: registers not queued")

    def _not_backwards(self, topic: str, value: float) -> bool:
        last = self._last_energy.get(topic)
        if last is not None and value < last:
            log.warning("MQTT: %s went backwards (%.3f after %.3f): not published", topic, value, last)
            return False
        self._last_energy[topic] = value
        return True

    def on_extras(self, extras: FeedExtras) -> None:
        """Power factor, maximum demand, apparent and reactive energy: each sensor appears with its first valid
        value; a reading the meter left empty or that is out of range publishes nothing."""
        try:
            messages: list[Message | None] = []
            with self._lock:
                topics = self._topics
                if topics is None:
                    return
                seen: set[Extra] = set(self._content.extras)
                for extra, value in extras.sensor_values().items():
                    kind = extra.kind
                    topic = topics.state(kind.key)
                    if kind.cumulative and not self._not_backwards(topic, value):
                        continue
                    seen.add(extra)
                    messages.append(Message(topic, entities.format_number(value, kind.precision)))
                self._content = dataclasses.replace(self._content, extras=frozenset(seen))
            self._enqueue(messages)
        except Exception:
            log.exception("MQTT: meter extras not queued")

    def on_status(self, status: Status) -> None:
        try:
            with self._lock:
                topics = self._topics
                self._freshness.state(status.state)
            if topics is not None:
                self._enqueue([entities.meter_state_message(topics, status)])
            self._wake()
        except Exception:
            log.exception("MQTT: meter state not queued")

    def on_cost_today(self, amount: float | None, currency: str, day_start: dt.datetime) -> None:
        """Today's cost so far (``None``: not known, nothing published). ``day_start``: the home zone's midnight it
        counts from (the sensor's last reset)."""
        try:
            if amount is None:
                return
            currency = currency.strip().upper()
            with self._lock:
                topics = self._topics
                if topics is None:
                    return
                message = entities.cost_message(topics, amount, currency, day_start)
                if message is not None:
                    self._content = dataclasses.replace(self._content, currency=currency)
            self._enqueue([message])
        except Exception:
            log.exception("MQTT: cost not queued")

    def set_tier_names(self, names: Mapping[int, str]) -> None:
        """What each TOU tier means (Settings, Cost): the tiers' sensors are named after it."""
        with self._lock:
            self._content = dataclasses.replace(self._content, tier_names=dict(names))
        self._wake()

    def set_poll_interval(self, seconds: float) -> None:
        with self._lock:
            self._freshness.poll_interval_s = seconds
        self._wake()

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
        sent_device: list[str] = []  # the device message last published on this connection
        sent_fresh: list[bool] = []  # the freshness last published on this connection
        last_sent: dict[str, Message] = {}
        announced = False
        while True:
            with self._lock:
                stopping, meter = self._stopping, self._meter
            if stopping:
                break
            if meter is None:
                self._sleep(None)
                continue
            if connection is not None and connected_sfdi is not None and connected_sfdi != meter.sfdi:  # new will
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
                sent_device.clear()
                sent_fresh.clear()
                announced = False
            if connection.connected and not announced:
                self._announce(connection, sent_device, sent_fresh, last_sent)
                announced = True
                failures = 0
                self._set_state(BrokerState.CONNECTED, f"connected to {self.target.display()}")
            if connection.connected:
                if self._resend_at and time.monotonic() >= self._resend_at[0]:
                    self._resend_at.pop(0)
                    sent_device.clear()
                self._sync_discovery(connection, sent_device)
                self._drain(connection, last_sent)
                self._sync_fresh(connection, sent_fresh)
            if not connection.closed:
                # a backlog paho could take now: just turn the socket over; otherwise wait for it, a wake-up, or
                # the moment the readings stop being fresh by themselves
                backlog = connection.connected and not connection.client.want_write() and self.status().queued > 0
                with self._lock:
                    recheck = self._freshness.recheck_in()
                waits = [1.0] + ([recheck] if recheck is not None else [])
                if self._resend_at:
                    waits.append(max(0.0, self._resend_at[0] - time.monotonic()))
                timeout = 0.0 if backlog else min(waits)
                if connection.pump(timeout, self._wake_r):
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
        connection = BrokerConnection(self.target, client_id=self.client_id, keepalive_s=self.options.keepalive_s,
                                      connect_timeout_s=self.options.connect_timeout_s,
                                      will=(topics.availability, entities.OFFLINE))
        connection.open()
        return connection

    def _announce(self, connection: BrokerConnection, sent_device: list[str], sent_fresh: list[bool],
                  last_sent: dict[str, Message]) -> None:
        """On every (re)connect: tidy what the broker retains, the device message, this installation's claim,
        "online", freshness, and the latest state of each topic (a restarted broker without persistence has
        forgotten its retained messages)."""
        topics = self._current_topics()
        if topics is None:
            return
        tidy = self._tidy(connection, topics)
        if tidy is not None:
            for message in tidy.messages:
                connection.client.publish(message.topic, message.payload, qos=message.qos, retain=message.retain)
            if tidy.migrated:
                log.info("MQTT: handed %d per-entity discovery configs over to the device message",
                         len(tidy.migrated))
                now = time.monotonic()
                self._resend_at = [now + delay for delay in RESEND_AFTER_HAND_OVER_S]
            for sfdi in tidy.removed_meters:
                log.info("MQTT: removed meter %s from Home Assistant: this installation publishes meter %s now",
                         sfdi, topics.sfdi)
            if tidy.device_message and self.options.discovery:
                with self._lock:  # keep every sensor an earlier run listed: the message never shrinks
                    self._content = self._content.merged(content_of(tidy.device_message))
        self._sync_discovery(connection, sent_device)
        connection.client.publish(topics.claim(self.installation), f"{ORIGIN_NAME} {__version__}", qos=1,
                                  retain=True)
        connection.client.publish(topics.availability, entities.ONLINE, qos=1, retain=True)
        for message in list(last_sent.values()):
            connection.client.publish(message.topic, message.payload, qos=message.qos, retain=message.retain)
        self._sync_fresh(connection, sent_fresh)

    def _tidy(self, connection: BrokerConnection, topics: Topics) -> Tidy | None:
        """Read the retained messages the tidying needs: subscribe, then publish a private echo and wait for it
        (the broker sends a subscription's retained messages before it routes a later publication of ours)."""
        retained: dict[str, str] = {}
        nonce = f"{self.client_id} {secrets.token_hex(8)}"
        echoed = threading.Event()

        def on_message(_client: Any, _userdata: Any, message: Any) -> None:
            payload = message.payload.decode("utf-8", "replace")
            if message.topic == topics.sync and payload == nonce:
                echoed.set()
            elif message.retain and payload:
                retained[message.topic] = payload

        client = connection.client
        client.on_message = on_message
        filters = scan_subscriptions(topics)
        try:
            client.subscribe([(topic, SCAN_QOS) for topic in filters])
            client.publish(topics.sync, nonce, qos=1, retain=False)
            deadline = time.monotonic() + SCAN_TIMEOUT_S
            while not echoed.is_set() and connection.connected and time.monotonic() < deadline:
                connection.pump(0.05)
        finally:
            if connection.connected:
                client.unsubscribe(filters)
            client.on_message = None
        if not echoed.is_set():
            if connection.connected:  # a lost connection is the main loop's to report and retry
                log.warning("MQTT: the broker did not echo our own message within %.0f s (does it let us subscribe "
                            "to %s?): old discovery configs are left as they are", SCAN_TIMEOUT_S, filters[0])
            return None
        tidy = tidy_messages(retained, topics, self.installation)
        if not self.options.discovery:  # no discovery wanted: no device message to hand configs over to
            migrating = set(tidy.migrated)
            tidy = Tidy([m for m in tidy.messages if m.topic not in migrating], [], tidy.removed_meters, None)
        self.last_tidy = tidy
        return tidy

    def _sync_discovery(self, connection: BrokerConnection, sent_device: list[str]) -> None:
        if not self.options.discovery:
            return
        with self._lock:
            meter, topics, content = self._meter, self._topics, self._content
        if meter is None or topics is None:
            return
        payload = device_message(meter, topics, content)
        if sent_device != [payload]:
            connection.client.publish(topics.device_config, payload, qos=1, retain=True)
            sent_device[:] = [payload]

    def _sync_fresh(self, connection: BrokerConnection, sent_fresh: list[bool]) -> None:
        with self._lock:
            topics, fresh = self._topics, self._freshness.fresh()
        if topics is None or sent_fresh == [fresh]:
            return
        message = entities.fresh_message(topics, fresh)
        connection.client.publish(message.topic, message.payload, qos=1, retain=True)
        sent_fresh[:] = [fresh]

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
