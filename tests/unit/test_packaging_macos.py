"""macOS packaging scripts: their syntax, and the skip-with-a-message path when signing is not configured."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MACOS = ROOT / "packaging" / "macos"
SIGNING_VARS = ("MACOS_SIGN_IDENTITY", "MACOS_NOTARY_KEYCHAIN_PROFILE", "MACOS_NOTARY_APPLE_ID",
                "MACOS_NOTARY_TEAM_ID", "MACOS_NOTARY_PASSWORD")


@pytest.mark.parametrize("script", ["make_dmg.sh", "sign_and_notarize.sh"])
def test_scripts_parse(script: str) -> None:
    result = subprocess.run(["bash", "-n", str(MACOS / script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("mode", ["app", "dmg"])
def test_signing_is_skipped_with_a_message_when_unconfigured(mode: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SIGNING_VARS}
    target = tmp_path / "Xcelsior Desktop.app"
    target.mkdir()
    result = subprocess.run(["bash", str(MACOS / "sign_and_notarize.sh"), mode, str(target)],
                            capture_output=True, text=True, env=env, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "MACOS_SIGN_IDENTITY is not set" in result.stdout


def test_entitlements_are_a_valid_plist() -> None:
    import plistlib

    data = plistlib.loads((MACOS / "entitlements.plist").read_bytes())
    assert data == {"com.apple.security.cs.allow-unsigned-executable-memory": True}


def test_make_dmg_refuses_a_missing_app(tmp_path: Path) -> None:
    result = subprocess.run(["bash", str(MACOS / "make_dmg.sh"), str(tmp_path / "none.app"), str(tmp_path / "x.dmg"),
                             "Xcelsior Desktop"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "build the bundle first" in result.stderr


@pytest.mark.skipif(shutil.which("hdiutil") is None, reason="hdiutil exists on macOS only")
def test_make_dmg_builds_an_image(tmp_path: Path) -> None:
    app = tmp_path / "Demo.app" / "Contents" / "MacOS"
    app.mkdir(parents=True)
    (app / "demo").write_text("#!/bin/sh\n")
    out = tmp_path / "demo.dmg"
    subprocess.run(["bash", str(MACOS / "make_dmg.sh"), str(tmp_path / "Demo.app"), str(out), "Demo"], check=True)
    assert out.stat().st_size > 0
