"""`xcelsior-desktop --self-test` from the source tree: the same checks the frozen bundle runs in CI."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from xcelsior_desktop import selftest


def test_self_test_passes_from_the_source_tree() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "xcelsior_desktop", "--self-test"], capture_output=True, text=True, timeout=180, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for number, (name, _step) in enumerate(selftest.STEPS, start=1):
        assert any(line.startswith(f"self-test: step {number} '{name}' ok") for line in lines), result.stdout
    assert "ECDHE-ECDSA-AES128-CCM8" in result.stdout
    assert lines[-1].startswith("self-test: passed")


def test_a_failing_step_is_named_and_sets_the_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    def fine(context: dict[str, object]) -> str:
        return "fine"

    def broken(context: dict[str, object]) -> str:
        raise selftest.StepFailed("libqxcb.so is missing")

    status = selftest.run((("first", fine), ("second", broken), ("third", fine)))
    out = capsys.readouterr().out
    assert status == 2
    assert "step 2 'second' FAILED: libqxcb.so is missing" in out
    assert "'third'" not in out  # the run stops at the first failure


def test_unexpected_errors_are_reported_with_their_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    def crashes(context: dict[str, object]) -> str:
        raise ImportError("No module named 'zeroconf._utils.ipaddress'")

    assert selftest.run((("imports", crashes),)) == 1
    out = capsys.readouterr().out
    assert "step 1 'imports' FAILED: No module named 'zeroconf._utils.ipaddress'" in out
    assert "Traceback" in out


def test_cli_flag_and_usage_errors() -> None:
    from xcelsior_desktop import cli

    assert cli.main(["--self-test", "--bogus"]) == selftest.EXIT_USAGE
    help_text = cli.build_parser().format_help()
    assert "--self-test" in help_text
