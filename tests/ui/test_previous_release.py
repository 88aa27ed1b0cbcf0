"""Today's app on the files the previous release kept (tests/fixtures/previous-release, written by that release's
own code): the meter's facts move into meters.json and out of the settings, the preferences and the history stay,
and the history's rows become the net meter's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from xcelsior_desktop.app.application import XcelsiorApp
from xcelsior_desktop.energy import schema
from xcelsior_desktop.meter.identity import load_identity_files
from xcelsior_desktop.platform import paths
from xcelsior_desktop.platform.secrets import IdentityStore
from xcelsior_desktop.platform.settings import LEGACY_METER_KEYS, Settings
from xcelsior_desktop.session.meters_file import load_records

EARLIER = Path(__file__).resolve().parents[1] / "fixtures" / "previous-release"
METER_LFDI = "3E4F45AB31EDFE5B67E343E5E4562E31984E23E5"


def test_the_app_starts_on_the_previous_releases_files(qtbot, qapp) -> None:  # type: ignore[no-untyped-def]
    shutil.copytree(EARLIER / "config" / "xcelsior-desktop", paths.config_dir(), dirs_exist_ok=True)
    shutil.copytree(EARLIER / "data" / "xcelsior-desktop", paths.data_dir(), dirs_exist_ok=True)
    identity = load_identity_files(EARLIER / "identity-cert.pem", EARLIER / "identity-key.pem", allow_expired=True)
    IdentityStore().save(identity)
    settings = Settings.load()
    app = XcelsiorApp(qapp, identity=identity, settings=settings,
                      worker_options={"handshake_timeout": 1.0, "connect_timeout": 0.5})
    try:
        target = app.session.target
        assert (target.host, target.port, target.automatic) == ("127.0.0.1", 9, False)
        assert target.meter_lfdi == METER_LFDI and target.registered  # the meter accepted this certificate
        (record,) = load_records() or []
        assert record["registered_lfdi"] == identity.lfdi and record["role"] == "net"
        saved = json.loads((paths.config_dir() / "settings.json").read_text())
        assert not set(LEGACY_METER_KEYS) & set(saved)  # the facts left the settings ...
        assert (saved["poll_interval_s"], saved["units"], saved["alerts_w"]) == (10.0, "kW", 3000)  # ... the rest stays
        assert not (paths.config_dir() / "meter-pin.json").exists()
        store = app.shell.history
        assert store is not None
        assert len(store.intervals()) == 96 and store.for_meter("production").intervals() == []  # the net meter's
        assert store._read(lambda conn: conn.execute("PRAGMA user_version").fetchone()[0]) == schema.CURRENT_VERSION
    finally:
        app.shutdown()
