"""The names a user gave to big loads ("dryer"), kept in a small JSON file, and offered for later loads of the same
size.

Qt-free. A label belongs to one load (its start and size). A later load within :data:`SIZE_TOLERANCE` of a labelled
one is *offered* that label, never given it: the data cannot say it is the same appliance. The file is read
through :mod:`xcelsior_desktop.platform.state_files` (checked against its schema; a damaged file is set aside and
the app says so once) and written atomically.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from xcelsior_desktop.common.atomic_file import write_json_atomic
from xcelsior_desktop.platform.state_files import list_of, load_json_file, number, record, string

log = logging.getLogger(__name__)

FILE_NAME = "load-labels.json"
SIZE_TOLERANCE = 0.10
MAX_LABEL = 60
MAX_LABELS = 2000
SAME_LOAD_S = 1.0  # a load is known by its start to the second

SCHEMA = record(
    {"labels": list_of(record({"at": number(0, 1e11), "watts": number(-1e6, 1e6),
                               "label": string(max_len=MAX_LABEL)}, required=("at", "watts", "label")),
                       max_items=MAX_LABELS, skip_bad=True)},
    required=("labels",), what="a file of big-load labels",
)


@dataclass(frozen=True)
class LoadLabel:
    at: dt.datetime  # UTC: the labelled load's start
    watts: float
    label: str


def default_path(demo: bool = False) -> Path:
    from xcelsior_desktop.platform import paths

    return paths.config_dir() / (f"demo-{FILE_NAME}" if demo else FILE_NAME)


class LoadLabels:
    """The labels file; read at construction, written on every change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        loaded = load_json_file(path, SCHEMA, title="The big-load labels file",
                                on_reset="Your labels of big loads start empty again.")
        self.notice = loaded.notice
        items = loaded.data["labels"] if loaded.data is not None else []
        self._labels = [LoadLabel(dt.datetime.fromtimestamp(i["at"], dt.UTC), float(i["watts"]), i["label"].strip())
                        for i in items if i["label"].strip()]

    @property
    def labels(self) -> list[LoadLabel]:
        return list(self._labels)

    def label_of(self, at: dt.datetime, watts: float) -> str | None:
        """The label the user gave this very load."""
        for item in self._labels:
            if abs((item.at - at).total_seconds()) < SAME_LOAD_S and (item.watts > 0) == (watts > 0):
                return item.label
        return None

    def offered(self, watts: float) -> str | None:
        """The label of the newest labelled load within 10 % of this size (same direction), to offer."""
        for item in sorted(self._labels, key=lambda i: i.at, reverse=True):
            if (item.watts > 0) == (watts > 0) and abs(abs(watts) - abs(item.watts)) <= SIZE_TOLERANCE * abs(item.watts):
                return item.label
        return None

    def set(self, at: dt.datetime, watts: float, label: str) -> None:
        """Label one load (an empty label removes it); saved at once. Raises OSError when it cannot be written."""
        label = " ".join(label.split())[:MAX_LABEL]
        kept = [i for i in self._labels
                if not (abs((i.at - at).total_seconds()) < SAME_LOAD_S and (i.watts > 0) == (watts > 0))]
        if label:
            kept.append(LoadLabel(at.astimezone(dt.UTC), float(watts), label))
        kept = kept[-MAX_LABELS:]
        write_json_atomic(self.path, {"labels": [{"at": i.at.timestamp(), "watts": i.watts, "label": i.label}
                                                 for i in kept]})
        self._labels = kept
