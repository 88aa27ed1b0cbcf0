"""The README is for a user: it opens with the two commands that work on a fresh machine (the app, the tests), the
test command sits under the marker .ci/run reads, and it stays short enough to read; the rest lives in docs/."""

from __future__ import annotations

import re
from pathlib import Path

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_the_readme_opens_with_the_run_and_test_commands() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, flags=re.S)
    assert blocks[0].endswith("xcelsior-desktop demo") and "pip install -e ." in blocks[0]
    assert blocks[1] == 'python3 -m pip install -e ".[test]" && python3 -m pytest'
    assert README.index("<!-- test-command -->") < README.index(blocks[1])


def test_the_readme_stays_a_users_page() -> None:
    assert len(README.splitlines()) < 250
    for doc in re.findall(r"\]\((docs/[\w./-]+\.md)\)", README):
        assert (Path(__file__).resolve().parents[2] / doc).is_file(), doc
