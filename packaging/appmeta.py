"""Facts every packaging step shares: names, the version, and what the bundle keeps of Qt.

Loaded by file path (``importlib.util.spec_from_file_location``) from the PyInstaller spec, ``build.py`` and
the packaging tests: the folder is called ``packaging``, which would clash with the PyPI package of that name
if it were imported as a package. Standard library only.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
APP_NAME = "Xcelsior Desktop"
EXE_NAME = "xcelsior-desktop"
# Reverse-DNS id: AppStream component id, .desktop file name, macOS bundle id, LaunchAgent label.
APP_ID = "io.github.xcelsiordesktop.XcelsiorDesktop"
SUMMARY = "Live electricity use from your Xcel Energy smart meter, in the system tray"
MAINTAINER = "Xcelsior Desktop developers <xcelsior-desktop@users.noreply.github.com>"
HOMEPAGE = "https://github.com/xcelsior-desktop/xcelsior-desktop"
MDNS_SERVICE = "_smartenergy._tcp"  # the meter's DNS-SD service type (docs/meter-protocol.md, section 6)

# Qt modules the bundle keeps even if no source file names them. Others (QtSvg, QtNetwork, QtDBus, QtCharts ...)
# are kept when a source file imports them; their Qt libraries come along anyway when a kept library or plugin
# links against them (libQt6DBus for the tray on Linux, libQt6Svg for the SVG icon plugins).
BASE_QT_MODULES = frozenset({"QtCore", "QtGui", "QtWidgets"})
# Modules that must never reach the bundle: each pulls in tens of MB (QML engine, Chromium, multimedia ...).
FORBIDDEN_QT_MODULES = frozenset({
    "QtQml", "QtQuick", "QtQuick3D", "QtQuickControls2", "QtQuickWidgets", "QtQuickTest", "QtQmlFeatures",
    "QtWebEngineCore", "QtWebEngineWidgets", "QtWebEngineQuick", "QtWebView", "QtWebChannel", "QtDesigner",
    "QtMultimedia", "QtMultimediaWidgets", "QtSpatialAudio", "Qt3DCore", "Qt3DRender", "Qt3DInput", "Qt3DLogic",
    "Qt3DAnimation", "Qt3DExtras", "QtDataVisualization", "QtGraphs", "QtGraphsWidgets", "QtPdf", "QtPdfWidgets",
    "QtLocation", "QtCanvasPainter", "QtLabsStyleKit", "QtUiTools", "QtHelp", "QtTextToSpeech",
})

# Qt plugins the bundle keeps, by plugin folder; a folder not listed is dropped whole.
# Platforms: the desktop's own (xcb / windows / cocoa), offscreen (self-test, CI) and minimal.
KEEP_PLUGINS: dict[str, frozenset[str] | None] = {
    "platforms": frozenset({"xcb", "offscreen", "minimal", "windows", "cocoa"}),
    "platformthemes": frozenset({"xdgdesktopportal"}),  # gtk3 would make libgtk-3 a dependency
    "platforminputcontexts": frozenset({"compose", "ibus"}),  # not the virtual keyboard (QML)
    "imageformats": frozenset({"svg", "ico", "icns"}),  # PNG is built into QtGui
    "iconengines": None,  # None = keep every plugin in the folder (the SVG icon engine)
    "styles": None,  # the native look on Windows and macOS
}

_PLUGIN_FILE = re.compile(r"^(?:lib)?q?(?P<name>[a-z0-9_-]+?)(?:platforminputcontextplugin|plugin)?\.(?:so|dll|dylib)$")


def read_version(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """The project version, from pyproject.toml's [project] table (the one place it is written)."""
    with open(pyproject, "rb") as handle:
        data = tomllib.load(handle)
    version = data["project"]["version"]
    if not re.fullmatch(r"\d+(\.\d+){1,3}([.-]?(a|b|rc|dev|post)\d*)?", version):
        raise ValueError(f"pyproject.toml: version {version!r} is not a release number")
    return str(version)


def info_plist(version: str) -> dict[str, object]:
    """The macOS bundle's Info.plist entries (PyInstaller's BUNDLE adds the executable and icon keys)."""
    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleIdentifier": APP_ID,
        "CFBundleShortVersionString": version,
        "CFBundleVersion": ".".join(str(n) for n in numeric_version(version)[:3]),
        "LSUIElement": True,  # a menu-bar agent: no Dock icon, no app menu bar
        "LSApplicationCategoryType": "public.app-category.utilities",
        "NSHighResolutionCapable": True,
        "NSRequiresAquaSystemAppearance": False,  # follow dark mode
        # macOS 15 asks the user before an app reaches the local network (the meter) or browses for Bonjour services
        "NSLocalNetworkUsageDescription": (
            "Xcelsior Desktop reads your electricity use directly from your smart meter on your home network."
        ),
        "NSBonjourServices": [MDNS_SERVICE],
        "NSHumanReadableCopyright": "Apache License 2.0",
    }


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """The version as four integers, as Windows version resources and CFBundleVersion want it."""
    parts = [int(p) for p in re.findall(r"\d+", version.split("a")[0].split("b")[0].split("rc")[0])[:4]]
    return tuple((parts + [0, 0, 0, 0])[:4])  # type: ignore[return-value]


_QT_IMPORT = re.compile(r"\bPySide6\.(Qt[A-Za-z0-9]+)")


def qt_modules_used(source_dir: Path = ROOT / "xcelsior_desktop") -> set[str]:
    """Every ``PySide6.QtX`` module any source file names (``from PySide6.QtX import`` or ``import PySide6.QtX``)."""
    used: set[str] = set()
    for path in source_dir.rglob("*.py"):
        used.update(_QT_IMPORT.findall(path.read_text(encoding="utf-8", errors="replace")))
    return used


def qt_modules_to_keep(used: Iterable[str]) -> set[str]:
    return set(BASE_QT_MODULES) | set(used)


def qt_excludes(available: Iterable[str], keep: Iterable[str]) -> list[str]:
    """``PySide6.X`` names to pass to Analysis(excludes=...): everything installed that the app does not keep."""
    keep_set = set(keep)
    return sorted(f"PySide6.{name}" for name in available if name not in keep_set)


def keep_qt_plugin(dest: str) -> bool:
    """Whether a collected file under ``.../Qt/plugins/<folder>/<file>`` (or ``PySide6/plugins``) stays."""
    parts = PurePosixPath(dest.replace("\\", "/")).parts
    if "plugins" not in parts:
        return True
    index = parts.index("plugins")
    if len(parts) < index + 3:
        return True
    folder, filename = parts[index + 1], parts[-1]
    if folder not in KEEP_PLUGINS:
        return False
    allowed = KEEP_PLUGINS[folder]
    if allowed is None:
        return True
    match = _PLUGIN_FILE.match(filename.lower())
    return bool(match) and match.group("name") in allowed


# Qt libraries that only the dropped plugins and forbidden modules need; they can slip in through a plugin's
# link-time dependencies (the virtual keyboard input plugin drags the whole QML engine along).
_FORBIDDEN_LIB = re.compile(
    r"^(?:lib)?Qt6?(?:Qml|Quick|VirtualKeyboard|WebEngine|Pdf|Multimedia|Designer|3D|Wayland|ShaderTools|Labs)",
    re.IGNORECASE,
)


def keep_binary(dest: str) -> bool:
    """Whether a collected binary stays: unused Qt plugins and the big Qt libraries behind them go."""
    if not keep_qt_plugin(dest):
        return False
    name = PurePosixPath(dest.replace("\\", "/")).name
    return _FORBIDDEN_LIB.match(name) is None


def keep_data(dest: str) -> bool:
    """Whether a collected data file stays: the app is English only, so Qt's translations go."""
    path = PurePosixPath(dest.replace("\\", "/"))
    return not ("translations" in path.parts and path.suffix == ".qm")


_EXTENSION_OR_ROOT = re.compile(r"(\.cpython-\d+[^/]*\.so|\.abi3\.so|^libpython[\d.]+\.so[\d.]*)$")


def prune_unreferenced(
    entries: list[tuple[str, str, str]], needed_of: Callable[[str], Iterable[str]]
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Drop shared libraries that nothing kept links against (Linux).

    Roots are the Python extension modules, libpython and the kept Qt plugins; a plain library (``lib*.so*``)
    stays only if a root reaches it through DT_NEEDED. This removes what dropped plugins dragged in (the gtk3
    theme's GTK/cairo stack, the EGLFS and Wayland integration libraries). Entries are PyInstaller TOC tuples
    ``(dest, source, typecode)``; ``needed_of(source)`` lists the sonames a binary needs.
    Returns (kept entries, dropped dest names).
    """

    def is_root(dest: str) -> bool:
        posix = PurePosixPath(dest.replace("\\", "/"))
        return bool(_EXTENSION_OR_ROOT.search(posix.name)) or "plugins" in posix.parts or "lib-dynload" in posix.parts

    sources_by_name: dict[str, list[str]] = {}
    for dest, source, typecode in entries:
        if typecode != "SYMLINK":
            sources_by_name.setdefault(PurePosixPath(dest.replace("\\", "/")).name, []).append(source)
    reached: set[str] = set()
    todo = [source for dest, source, typecode in entries if typecode != "SYMLINK" and is_root(dest)]
    seen_sources: set[str] = set()
    while todo:
        source = todo.pop()
        if source in seen_sources:
            continue
        seen_sources.add(source)
        for soname in needed_of(source):
            name = PurePosixPath(soname).name
            if name not in reached:
                reached.add(name)
                todo.extend(sources_by_name.get(name, []))
    kept, dropped = [], []
    for entry in entries:
        name = PurePosixPath(entry[0].replace("\\", "/")).name
        if is_root(entry[0]) or ".so" not in name or name in reached:
            kept.append(entry)
        else:
            dropped.append(entry[0])
    return kept, dropped


# Linux libraries taken from the user's system instead of the build machine: the X11/xcb/xkb and font stack must
# match the host's (its Mesa/GL drivers load the system libxcb; a second, bundled copy in the same process breaks
# GLX, and fontconfig must read the host's config format), and D-Bus/systemd/glib belong to the session. The .deb
# names each in Depends (dpkg-shlibdeps sees them through Qt's own libraries); the tarball's INSTALL.txt lists them.
_HOST_LIBS = re.compile(
    r"^lib(?:X11|X11-xcb|Xau|Xdmcp|xcb(?:-[a-z0-9-]+)?|xkbcommon(?:-x11)?|fontconfig|freetype|dbus-1|systemd|"
    r"gcrypt|gpg-error|glib-2\.0|gthread-2\.0|expat|lz4|zstd|pcre2-8|cap|bsd|md|brotli(?:common|dec)|png16)\.so[.\d]*$"
)


def is_host_library(dest: str) -> bool:
    """Whether a top-level bundled library should come from the Linux host instead (see _HOST_LIBS)."""
    posix = PurePosixPath(dest.replace("\\", "/"))
    return len(posix.parts) == 1 and _HOST_LIBS.match(posix.name) is not None
