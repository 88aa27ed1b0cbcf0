"""What the feed tidies on the broker at each connection, decided from the retained messages it finds there.

Qt-free, no I/O: the publisher subscribes to :func:`scan_subscriptions`, collects the retained messages, and
publishes :func:`tidy_messages` before its device message. Two jobs:

- **Migration** from the per-entity configs of earlier versions, the way Home Assistant documents it: each old
  config topic gets ``{"migrate_discovery": true}`` (Home Assistant unloads the entity but keeps its registry
  entry, so its entity id and statistics), then an empty retained payload (the old config is gone from the
  broker), then the device message, which lists the same entities under the same discovery ids. The old topics
  are cleared before the device message, not after it as the documentation's last step has it: once the device
  message owns those discovery ids, Home Assistant warns about any message on the old topics.
- **A replaced meter**: every installation retains a claim ``<base>/<SFDI>/installations/<id>`` on each meter it
  publishes. A meter other than the current one that this installation claims is cleaned up: when no other
  installation claims it, its device message, its old per-entity configs and its retained states are cleared
  (empty retained payloads; Home Assistant removes the device); when another computer still publishes it, only
  this installation's claim goes. Meters no installation claims (published by versions before the claims) are
  left alone: nothing says they are not another computer's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from xcelsior_desktop.home_assistant.discovery import MIGRATE_PAYLOAD
from xcelsior_desktop.home_assistant.entities import Message, Topics

SCAN_QOS = 1


def scan_subscriptions(topics: Topics) -> list[str]:
    """Topic filters whose retained messages the tidying needs: everything under the topic base (the claims and
    states of every meter), this meter's old per-entity configs, and its device message."""
    return [f"{topics.topic_base}/#", f"{topics.discovery_prefix}/sensor/{topics.node_id}/+/config",
            topics.device_config]


@dataclass(frozen=True)
class Tidy:
    messages: list[Message]  # to publish, in order, before the device message
    migrated: list[str]  # old config topics handed over to the device message
    removed_meters: list[int]  # SFDIs whose device message was cleared
    device_message: str | None  # our own device message as the broker retained it (an earlier run's)


def tidy_messages(retained: Mapping[str, str], topics: Topics, installation: str) -> Tidy:
    """``retained``: topic -> payload of the non-empty retained messages the scan found."""
    messages: list[Message] = []
    legacy_prefix = f"{topics.discovery_prefix}/sensor/{topics.node_id}/"
    migrated = sorted(t for t, payload in retained.items()
                      if t.startswith(legacy_prefix) and t.endswith("/config") and payload)
    for topic in migrated:
        messages.append(Message(topic, MIGRATE_PAYLOAD, retain=False, qos=1))
        messages.append(Message(topic, "", retain=True, qos=1))

    claims: dict[int, set[str]] = {}
    states: dict[int, list[str]] = {}
    base = f"{topics.topic_base}/"
    for topic in retained:
        if not topic.startswith(base):
            continue
        levels = topic[len(base):].split("/")
        if not levels[0].isdigit():
            continue
        sfdi = int(levels[0])
        states.setdefault(sfdi, []).append(topic)
        if len(levels) == 3 and levels[1] == "installations":
            claims.setdefault(sfdi, set()).add(levels[2])

    removed: list[int] = []
    for sfdi, owners in sorted(claims.items()):
        if sfdi == topics.sfdi or installation not in owners:
            continue
        old = Topics(topics.topic_base, topics.discovery_prefix, sfdi)
        if owners == {installation}:
            removed.append(sfdi)
            for topic in [old.device_config, *old.legacy_configs(), *sorted(states[sfdi])]:
                messages.append(Message(topic, "", retain=True, qos=1))
        else:
            messages.append(Message(old.claim(installation), "", retain=True, qos=1))
    own = retained.get(topics.device_config) or None
    return Tidy(messages, migrated, removed, own)
