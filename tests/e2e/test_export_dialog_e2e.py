"""The Export dialog under a real X server, drawn with readable text; ``XCELSIOR_SCREENSHOTS=docs/screenshots``
saves the README's picture of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.capture_runs import capture_dialog
from tests.greenbutton_support import sample
from xcelsior_desktop.cli import main

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_export_dialog_is_drawn(tmp_path: Path, capsys) -> None:
    db = tmp_path / "history.sqlite3"
    assert main(["history", "import", str(sample("utilityapi-hourly-2023.xml")), "--db", str(db)]) == 0
    capsys.readouterr()
    capture_dialog("tests.e2e.show_export_dialog", db, tmp_path / "export-dialog.png", "the Export dialog to be drawn")
