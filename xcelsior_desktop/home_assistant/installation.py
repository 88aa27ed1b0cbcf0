"""This installation's own id for the MQTT feed: its broker client id, and its claim on the meters it publishes.

Two computers publishing the same meter used to share the client id ``xcelsior-desktop-<SFDI>`` and throw each
other off the broker; with an id per installation each has its own. The id is made once (random) and kept in
the state folder; the demo keeps its own, so that its throwaway meter never passes for the real one. A file that
cannot be read is set aside (state_files) and a new id made: the worst outcome is one more claim on the broker.
"""

from __future__ import annotations

import logging
import re
import secrets

from xcelsior_desktop.common.atomic_file import write_json_atomic
from xcelsior_desktop.platform import paths
from xcelsior_desktop.platform.state_files import load_json_file, record, string

log = logging.getLogger(__name__)

FILE_NAME = "home-assistant-installation.json"
DEMO_FILE_NAME = "demo-home-assistant-installation.json"
_ID = re.compile(r"^[0-9a-f]{16}$")


def _check_id(text: str) -> None:
    if not _ID.match(text):
        raise ValueError("not 16 hex digits")


_SCHEMA = record({"id": string(max_len=16, check=_check_id, what="an installation id")}, required=["id"])


def installation_id(*, demo: bool = False) -> str:
    """The id, made and saved on first use (a new one when the file is unusable or cannot be written)."""
    path = paths.state_dir() / (DEMO_FILE_NAME if demo else FILE_NAME)
    loaded = load_json_file(path, _SCHEMA, title="The Home Assistant installation id file",
                            on_reset="A new id is used: Home Assistant keeps the same sensors.")
    if isinstance(loaded.data, dict) and isinstance(loaded.data.get("id"), str):
        return str(loaded.data["id"])
    new = secrets.token_hex(8)
    try:
        write_json_atomic(path, {"id": new})
    except OSError as exc:
        log.warning("the Home Assistant installation id could not be saved in %s: %s", path, exc)
    return new


def client_id(installation: str) -> str:
    return f"xcelsior-desktop-{installation}"
