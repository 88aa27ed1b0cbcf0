"""The history's hours into the long-term statistics of the feed's energy sensors in Home Assistant.

Over Home Assistant's websocket API (ha_api.py), for the meter's "Energy imported" and "Energy exported" sensors
(found in its entity registry by the feed's unique ids): read their statistics' metadata and the hourly rows Home
Assistant has, plan what to add (statistics_plan.py: only hours it has no row for, joined to its own with no step
and no double count), send it (``recorder/import_statistics``, then ``recorder/adjust_sum_statistics`` when
history went before its first row), and wait until its recorder holds every row as planned: the report says what
is really there, not what was asked for. Sending again sends nothing new; a hole filled later by a backfill is
sent the next time.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xcelsior_desktop.common.format import iso_utc
from xcelsior_desktop.energy.store import HistoryStore
from xcelsior_desktop.home_assistant.ha_api import CommandFailed, HomeAssistantApi, HomeAssistantError
from xcelsior_desktop.home_assistant.ha_url import HomeAssistantUrl
from xcelsior_desktop.home_assistant.hourly_energy import EXPORTED, IMPORTED, hour_start, hourly_energy
from xcelsior_desktop.home_assistant.statistics_plan import HOUR, Hole, NoStatisticsYet, Row, StatisticsPlan, plan

log = logging.getLogger(__name__)

UNITS_PER_KWH = {"Wh": 1000.0, "kWh": 1.0, "MWh": 0.001}
BATCH_HOURS = 1000  # hours per import message
CONFIRM_TIMEOUT_S = 30.0
_FEED_ENERGY = re.compile(r"^xcelsior_(\d+)_energy_(imported|exported)$")


class FeedNotFound(HomeAssistantError):
    exit_status = 1


@dataclass(frozen=True)
class SensorReport:
    statistic_id: str
    direction: str
    hours: int
    first: dt.datetime | None
    last_end: dt.datetime | None
    adjustment: float = 0.0
    unit: str = "kWh"
    left_holes: tuple[Hole, ...] = ()
    problem: str = ""  # why nothing could be sent (no statistics yet, a unit it cannot take)

    def line(self) -> str:
        """The command line's promise: ``sent N hours (FIRST .. LAST) to STATISTIC_ID``."""
        if self.hours and self.first is not None and self.last_end is not None:
            return f"sent {self.hours} hours ({iso_utc(self.first)} .. {iso_utc(self.last_end)}) to {self.statistic_id}"
        return f"sent 0 hours to {self.statistic_id}"

    def notes(self) -> list[str]:
        out = [f"{self.statistic_id}: {self.problem}"] if self.problem else []
        for hole in self.left_holes:
            out.append(f"{self.statistic_id}: {iso_utc(hole.start)} .. {iso_utc(hole.end)} left as it is: the history "
                       f"has {hole.history:.3f} {self.unit} there, more than Home Assistant's "
                       f"{hole.home_assistant:.3f} {self.unit} across it")
        return out


@dataclass(frozen=True)
class UploadReport:
    version: str  # Home Assistant's
    sensors: tuple[SensorReport, ...]
    unsplittable_hours: int = 0  # hours only intervals longer than an hour cover (a Green Button file's days)

    @property
    def hours(self) -> int:
        return max((sensor.hours for sensor in self.sensors), default=0)

    def message(self) -> str:
        """One paragraph for the Settings page."""
        sent = [s for s in self.sensors if s.hours]
        if sent:
            first = min(s.first for s in sent if s.first is not None)
            last = max(s.last_end for s in sent if s.last_end is not None)
            text = (f"Sent {self.hours} hours ({first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC) to Home "
                    f"Assistant {self.version}: " + ", ".join(f"{s.hours} to {s.statistic_id}" for s in sent) + ".")
        else:
            text = f"Home Assistant {self.version} already has every hour the history can give."
        notes = [note for sensor in self.sensors for note in sensor.notes()]
        if self.unsplittable_hours:
            notes.append(f"{self.unsplittable_hours} hours known only as longer stretches (days) were not sent")
        return text + (" " + "; ".join(notes) + "." if notes else "")


def _feed_sensors(api: HomeAssistantApi, sfdi: int | None) -> dict[str, str]:
    """direction -> entity id of the feed's energy sensors of meter ``sfdi`` (None: the only meter there is)."""
    entries = api.call("config/entity_registry/list")
    found: dict[int, dict[str, str]] = {}
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("platform") != "mqtt" or entry.get("disabled_by"):
            continue
        match = _FEED_ENERGY.match(str(entry.get("unique_id", "")))
        if match and isinstance(entry.get("entity_id"), str):
            found.setdefault(int(match.group(1)), {})[match.group(2)] = entry["entity_id"]
    where = api.url.display()
    if sfdi is not None:
        if sfdi in found:
            return found[sfdi]
        raise FeedNotFound(f"Home Assistant at {where} has no energy sensors from meter {sfdi}'s feed. Turn on MQTT "
                           "publishing with Home Assistant discovery (Settings, MQTT), wait for the sensors to "
                           "appear there, then send again.")
    if len(found) == 1:
        return next(iter(found.values()))
    if not found:
        raise FeedNotFound(f"Home Assistant at {where} has no energy sensors from Xcelsior Desktop's feed. Turn on "
                           "MQTT publishing with Home Assistant discovery (Settings, MQTT), wait for the sensors "
                           "to appear there, then send again.")
    raise FeedNotFound(f"Home Assistant at {where} has the feeds of several meters ({', '.join(map(str, found))}); "
                       "start the app with your meter once, so that it knows which one is yours.")


def _rows(api: HomeAssistantApi, statistic_id: str, unit: str, start: dt.datetime, end: dt.datetime,
          period: str = "hour") -> list[Row]:
    answer = api.call("recorder/statistics_during_period", start_time=start.isoformat(), end_time=end.isoformat(),
                      statistic_ids=[statistic_id], period=period, types=["sum", "state"], units={"energy": unit})
    rows = answer.get(statistic_id, []) if isinstance(answer, dict) else []
    out = []
    for row in rows:
        if isinstance(row, dict) and isinstance(row.get("sum"), int | float):
            start_ms = row.get("start")
            if isinstance(start_ms, int | float):
                begin = dt.datetime.fromtimestamp(start_ms / 1000, dt.UTC)
                state = row.get("state")
                out.append(Row(begin, float(row["sum"]), float(state) if isinstance(state, int | float) else None))
    return out


def _existing(api: HomeAssistantApi, statistic_id: str, unit: str, start: dt.datetime,
              now: dt.datetime) -> list[Row]:
    """Home Assistant's hourly rows from ``start`` on, and its last one before ``start`` (found month by month
    first, so years of statistics are not read to find it)."""
    rows = _rows(api, statistic_id, unit, start, now)
    months = _rows(api, statistic_id, unit, dt.datetime(1970, 1, 1, tzinfo=dt.UTC), start, period="month")
    if months:
        earlier = _rows(api, statistic_id, unit, months[-1].start - dt.timedelta(days=1), start)
        if earlier:
            rows.insert(0, earlier[-1])
    return rows


def _send(api: HomeAssistantApi, statistic_id: str, unit: str, name: Any, planned: StatisticsPlan) -> None:
    metadata = {"has_mean": False, "has_sum": True, "name": name if isinstance(name, str) else None,
                "source": "recorder", "statistic_id": statistic_id, "unit_of_measurement": unit}
    rows = list(planned.rows)
    for index in range(0, len(rows), BATCH_HOURS):
        stats = []
        for row in rows[index:index + BATCH_HOURS]:
            stat: dict[str, Any] = {"start": row.start.isoformat(), "sum": row.sum}
            if row.state is not None:
                stat["state"] = row.state
            stats.append(stat)
        api.call("recorder/import_statistics", metadata=metadata, stats=stats)
    if planned.adjust_from is not None and planned.adjustment:
        api.call("recorder/adjust_sum_statistics", statistic_id=statistic_id,
                 start_time=planned.adjust_from.isoformat(), adjustment=planned.adjustment,
                 adjustment_unit_of_measurement=unit)


def _confirm(api: HomeAssistantApi, statistic_id: str, unit: str, planned: StatisticsPlan, timeout_s: float,
             sleep: Callable[[float], None]) -> None:
    """Wait until the recorder (which works through a queue of its own) holds every planned sum."""
    if not planned.rows:
        return
    start = min(planned.expected)
    end = max(planned.expected) + HOUR
    deadline = time.monotonic() + timeout_s
    while True:
        have = {row.start: row.sum for row in _rows(api, statistic_id, unit, start, end)}
        wrong = [h for h, value in planned.expected.items()
                 if h not in have or abs(have[h] - value) > 1e-6 * max(1.0, abs(value))]
        if not wrong:
            return
        if time.monotonic() > deadline:
            raise CommandFailed(f"Home Assistant took the hours for {statistic_id} but its recorder did not hold them "
                                f"{timeout_s:.0f} s later (first missing: {iso_utc(min(wrong))}). Look at Home "
                                "Assistant's log, then send again: hours already there are not sent twice.")
        sleep(0.5)


def upload_history(store: HistoryStore, url: HomeAssistantUrl, token: str, *, sfdi: int | None,
                   since: dt.datetime | None = None, now: dt.datetime | None = None,
                   confirm_timeout_s: float = CONFIRM_TIMEOUT_S,
                   sleep: Callable[[float], None] = time.sleep) -> UploadReport:
    """Send the store's hours (from ``since``, up to the hour before ``now``) to Home Assistant at ``url``.

    Raises :class:`~xcelsior_desktop.home_assistant.ha_api.HomeAssistantError` (a subclass per refusal, each with
    ``user_message``) and the store's :class:`~xcelsior_desktop.energy.errors.HistoryError`.
    """
    now = now or dt.datetime.now(dt.UTC)
    energy = hourly_energy(store, since, hour_start(now))
    reports: list[SensorReport] = []
    with HomeAssistantApi(url, token) as api:
        sensors = _feed_sensors(api, sfdi)
        ids = [sensors[d] for d in (IMPORTED, EXPORTED) if d in sensors]
        listed = api.call("recorder/get_statistics_metadata", statistic_ids=ids)
        metadata = {m["statistic_id"]: m for m in listed if isinstance(m, dict) and "statistic_id" in m} \
            if isinstance(listed, list) else {}
        for direction in (IMPORTED, EXPORTED):
            statistic_id = sensors.get(direction)
            if statistic_id is None:
                continue
            reports.append(_upload_one(api, statistic_id, direction, metadata.get(statistic_id), energy.wh[direction],
                                       since, now, confirm_timeout_s, sleep))
        version = api.version
    report = UploadReport(version, tuple(reports), len(energy.unsplittable))
    log.info("history to Home Assistant %s: %s", url.display(), "; ".join(s.line() for s in reports))
    return report


def _upload_one(api: HomeAssistantApi, statistic_id: str, direction: str, meta: dict[str, Any] | None,
                wh: dict[dt.datetime, float], since: dt.datetime | None, now: dt.datetime, confirm_timeout_s: float,
                sleep: Callable[[float], None]) -> SensorReport:
    if meta is None:
        return SensorReport(statistic_id, direction, 0, None, None, problem=(
            "Home Assistant has no statistics for it yet; it makes them at the end of each hour the feed runs, so "
            "send again after that"))
    unit = str(meta.get("statistics_unit_of_measurement") or "")
    scale = UNITS_PER_KWH.get(unit)
    if scale is None:
        return SensorReport(statistic_id, direction, 0, None, None, unit=unit, problem=(
            f"its statistics are kept in {unit or 'no unit'}, not in Wh, kWh or MWh; set its unit back to kWh in "
            "Home Assistant to send history to it"))
    hours = {hour: value / 1000.0 * scale for hour, value in wh.items()}
    start = since if since is not None else (min(hours) if hours else hour_start(now))
    existing = _existing(api, statistic_id, unit, hour_start(start), now)
    try:
        planned = plan(existing, hours, scale=scale)
    except NoStatisticsYet:
        return SensorReport(statistic_id, direction, 0, None, None, unit=unit, problem=(
            "Home Assistant has no hourly statistics for it yet; it makes them at the end of each hour the feed "
            "runs, so send again after that"))
    _send(api, statistic_id, unit, meta.get("name"), planned)
    _confirm(api, statistic_id, unit, planned, confirm_timeout_s, sleep)
    return SensorReport(statistic_id, direction, len(planned.rows), planned.first, planned.last_end,
                        planned.adjustment, unit, planned.left_holes)


class NotSetUp(HomeAssistantError):
    exit_status = 2


def upload_with(store: HistoryStore | None, url_text: str, token: str | None, *, sfdi: int | None,
                since: dt.datetime | None = None) -> UploadReport:
    """:func:`upload_history` from what Settings holds: the address as typed, the token typed or (None) the one
    saved in the keyring for that address. Every missing piece is a :class:`NotSetUp` in words."""
    from xcelsior_desktop.home_assistant.ha_settings import TokenStoreError, load_token
    from xcelsior_desktop.home_assistant.ha_url import HomeAssistantUrlError, parse_ha_url

    if store is None:
        raise NotSetUp("The energy history is not open, so there is nothing to send: see the note above the tabs.")
    try:
        url = parse_ha_url(url_text)
    except HomeAssistantUrlError as exc:
        raise NotSetUp(str(exc)) from None
    if not token:
        try:
            token = load_token(url.display())
        except TokenStoreError as exc:
            raise NotSetUp(exc.user_message) from None
    if not token:
        raise NotSetUp(f"No access token is saved for {url.display()}: create a long-lived access token in Home "
                       "Assistant (your profile, Security) and enter it here.")
    return upload_history(store, url, token, sfdi=sfdi, since=since)
