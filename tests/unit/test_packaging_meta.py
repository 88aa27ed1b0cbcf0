"""The packaging facts (packaging/appmeta.py) and the trimming rules the PyInstaller spec applies."""

from __future__ import annotations

import ast
import plistlib
import tomllib
from pathlib import Path

import pytest

from tests.tools import load_packaging_module
from xcelsior_desktop.platform import autostart

ROOT = Path(__file__).resolve().parents[2]


meta = load_packaging_module("appmeta")


def test_version_comes_from_pyproject(tmp_path: Path) -> None:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        assert meta.read_version() == tomllib.load(handle)["project"]["version"]
    other = tmp_path / "pyproject.toml"
    other.write_text('[project]\nname = "x"\nversion = "2.5.1"\n')
    assert meta.read_version(other) == "2.5.1"
    other.write_text('[project]\nname = "x"\nversion = "two"\n')
    with pytest.raises(ValueError, match="not a release number"):
        meta.read_version(other)


@pytest.mark.parametrize(
    ("version", "numbers"), [("0.1.0", (0, 1, 0, 0)), ("1.2", (1, 2, 0, 0)), ("3.4.5rc1", (3, 4, 5, 0))]
)
def test_numeric_version_for_windows_and_macos(version: str, numbers: tuple[int, ...]) -> None:
    assert meta.numeric_version(version) == numbers


def test_spec_reads_the_version_and_keeps_one_folder() -> None:
    source = (ROOT / "packaging" / "xcelsior-desktop.spec").read_text(encoding="utf-8")
    tree = ast.parse(source)  # the spec is Python: it must at least parse
    calls = {node.func.id: node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert "COLLECT" in calls, "one-folder builds end in COLLECT"
    exe_keywords = {kw.arg: kw.value for kw in calls["EXE"].keywords}
    assert isinstance(exe_keywords["exclude_binaries"], ast.Constant) and exe_keywords["exclude_binaries"].value is True
    assert "meta.read_version()" in source
    assert 'collect_data_files("xcelsior_desktop")' in source  # package data (simulator capture, schedules)
    assert "info_plist=meta.info_plist(VERSION)" in source


def test_info_plist_makes_a_menu_bar_agent() -> None:
    plist = meta.info_plist("1.2.3")
    assert plist["LSUIElement"] is True
    assert plist["CFBundleIdentifier"] == meta.APP_ID
    assert plist["CFBundleShortVersionString"] == "1.2.3" and plist["CFBundleVersion"] == "1.2.3"
    assert plist["NSBonjourServices"] == ["_smartenergy._tcp"]
    assert "meter" in str(plist["NSLocalNetworkUsageDescription"])
    assert plistlib.loads(plistlib.dumps(plist)) == plist  # serialisable as Info.plist


def test_app_ids_agree_everywhere() -> None:
    assert autostart.APP_ID == meta.APP_ID
    assert (ROOT / "resources" / f"{meta.APP_ID}.desktop").exists()
    assert (ROOT / "resources" / f"{meta.APP_ID}.metainfo.xml").exists()


def test_the_app_imports_no_forbidden_qt_module() -> None:
    used = meta.qt_modules_used()
    assert {"QtCore", "QtGui", "QtWidgets"} & used, "the scan found no Qt import at all"
    assert not used & meta.FORBIDDEN_QT_MODULES, f"these would bloat the bundle: {used & meta.FORBIDDEN_QT_MODULES}"


def test_qt_modules_used_reads_both_import_forms(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("from PySide6.QtCharts import QChart\nimport PySide6.QtSvg\n")
    (tmp_path / "b.py").write_text("from PySide6 import QtCore  # not a submodule path\n")
    assert meta.qt_modules_used(tmp_path) == {"QtCharts", "QtSvg"}


def test_qt_excludes_everything_not_kept() -> None:
    keep = meta.qt_modules_to_keep({"QtSvg"})
    excludes = meta.qt_excludes(["QtCore", "QtGui", "QtWidgets", "QtSvg", "QtQml", "QtWebEngineCore"], keep)
    assert excludes == ["PySide6.QtQml", "PySide6.QtWebEngineCore"]


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("PySide6\\plugins\\platforms\\qwindows.dll", True),
        ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
        ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
        ("PySide6/Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so", True),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", True),
        ("PySide6/Qt/plugins/egldeviceintegrations/libqeglfs-kms-integration.so", False),
        ("PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so", False),
        ("PySide6/Qt/lib/libQt6Gui.so.6", True),
        ("PySide6/Qt/lib/libQt6Qml.so.6", False),
        ("PySide6/Qt/lib/libQt6VirtualKeyboard.so.6", False),
        ("PySide6/Qt/lib/QtQuick.framework/Versions/A/QtQuick", False),
        ("PySide6\\Qt6Pdf.dll", False),
        ("PySide6/Qt/lib/libQt6Svg.so.6", True),
        ("cryptography/hazmat/bindings/_rust.abi3.so", True),
    ],
)
def test_binary_trimming(dest: str, kept: bool) -> None:
    assert meta.keep_binary(dest) is kept


def test_translations_are_dropped_and_other_data_kept() -> None:
    assert not meta.keep_data("PySide6/Qt/translations/qtbase_de.qm")
    assert meta.keep_data("resources/xcelsior-desktop.svg")
    assert meta.keep_data("keyring-25.7.0.dist-info/entry_points.txt")


def test_prune_drops_libraries_only_dropped_plugins_needed() -> None:
    needed = {
        "/src/QtWidgets.abi3.so": ["libQt6Widgets.so.6", "libc.so.6"],
        "/src/libQt6Widgets.so.6": ["libQt6Gui.so.6"],
        "/src/libQt6Gui.so.6": ["libfontconfig.so.1"],
        "/src/libfontconfig.so.1": [],
        "/src/libqxcb.so": ["libxcb-cursor.so.0"],
        "/src/libxcb-cursor.so.0": [],
        "/src/libgtk-3.so.0": ["libcairo.so.2"],  # was needed by the dropped gtk3 theme plugin only
        "/src/libcairo.so.2": [],
    }
    entries = [
        ("PySide6/QtWidgets.abi3.so", "/src/QtWidgets.abi3.so", "EXTENSION"),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", "/src/libQt6Widgets.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "/src/libQt6Gui.so.6", "BINARY"),
        ("libfontconfig.so.1", "/src/libfontconfig.so.1", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/src/libqxcb.so", "BINARY"),
        ("libxcb-cursor.so.0", "/src/libxcb-cursor.so.0", "BINARY"),
        ("libgtk-3.so.0", "/src/libgtk-3.so.0", "BINARY"),
        ("libcairo.so.2", "/src/libcairo.so.2", "BINARY"),
        ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
        ("base_library.zip", "/src/base_library.zip", "DATA"),
    ]
    kept, dropped = meta.prune_unreferenced(entries, lambda source: needed.get(source, []))
    assert sorted(dropped) == ["libcairo.so.2", "libgtk-3.so.0"]
    assert ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK") in kept
    assert len(kept) == len(entries) - 2


@pytest.mark.parametrize(
    ("dest", "host"),
    [
        ("libxcb-cursor.so.0", True),
        ("libX11.so.6", True),
        ("libfontconfig.so.1", True),
        ("libdbus-1.so.3", True),
        ("libglib-2.0.so.0", True),
        ("libicudata.so.73", False),  # Qt's own ICU build stays
        ("libssl.so.3", False),  # Python's OpenSSL stays: the meter's CCM8 suite depends on its version
        ("libstdc++.so.6", False),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", False),
        ("somepkg/libxcb.so.1", False),  # only top-level system libraries are candidates
    ],
)
def test_host_libraries(dest: str, host: bool) -> None:
    assert meta.is_host_library(dest) is host
