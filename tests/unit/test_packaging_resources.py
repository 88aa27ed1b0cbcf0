"""Icons, the .desktop entry and the AppStream metainfo that the installers ship."""

from __future__ import annotations

import configparser
import struct
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from tests.tools import load_packaging_module, require_tool

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"


meta = load_packaging_module("appmeta")
icons = load_packaging_module("icons")
DESKTOP = RESOURCES / f"{meta.APP_ID}.desktop"
METAINFO = RESOURCES / f"{meta.APP_ID}.metainfo.xml"


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_generated_icons_exist_and_are_not_stale() -> None:
    assert icons.stale() == [], "run: python packaging/icons.py"


@pytest.mark.parametrize("size", [16, 24, 32, 48, 64, 128, 256, 512])
def test_png_sizes(size: int) -> None:
    assert _png_size(icons.png_path(size).read_bytes()) == (size, size)


def test_ico_has_every_size_bmp_small_png_large() -> None:
    data = (RESOURCES / "xcelsior-desktop.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1) and count == len(icons.ICO_SIZES)
    seen = []
    for index in range(count):
        width, height, _c, _r, planes, bits, size, offset = struct.unpack("<BBBBHHII", data[6 + 16 * index : 22 + 16 * index])
        pixels = width or 256
        seen.append(pixels)
        payload = data[offset : offset + size]
        assert len(payload) == size and bits == 32 and planes == 1
        if pixels <= icons.ICO_BMP_MAX:
            header_size, dib_w, dib_h = struct.unpack("<Iii", payload[:12])
            assert (header_size, dib_w, dib_h) == (40, pixels, 2 * pixels)  # height doubled: XOR + AND mask
        else:
            assert _png_size(payload) == (pixels, pixels)
    assert seen == list(icons.ICO_SIZES)


def test_icns_entries_are_pngs_of_the_right_size() -> None:
    data = (RESOURCES / "xcelsior-desktop.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    offset, found = 8, {}
    while offset < len(data):
        kind, length = data[offset : offset + 4].decode(), struct.unpack(">I", data[offset + 4 : offset + 8])[0]
        found[kind] = _png_size(data[offset + 8 : offset + length])[0]
        offset += length
    assert found == dict(icons.ICNS_TYPES)


def test_macos_template_tray_icon_is_black_and_alpha_only() -> None:
    from PySide6.QtGui import QImage

    for name, size in icons.TRAY_TEMPLATE_SIZES.items():
        assert name.split("@")[0].removesuffix(".png").endswith("Template")  # NSImage treats *Template as a mask
        image = QImage(str(RESOURCES / "icons" / name)).convertToFormat(QImage.Format.Format_ARGB32)
        assert (image.width(), image.height()) == (size, size)
        pixels = [image.pixelColor(x, y) for x in range(size) for y in range(size)]
        inked = [c for c in pixels if c.alpha() > 0]
        assert len(inked) > size  # something is drawn
        assert all(c.red() == c.green() == c.blue() == 0 for c in inked)


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_content() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application" and entry["Exec"] == meta.EXE_NAME
    assert entry["Icon"] == "xcelsior-desktop"
    assert entry["Terminal"] == "false"


def test_desktop_entry_validates() -> None:
    require_tool("desktop-file-validate")
    result = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert result.returncode == 0 and "error" not in result.stdout.lower(), result.stdout


def test_metainfo_matches_the_project() -> None:
    tree = etree.parse(str(METAINFO))
    assert tree.findtext("id") == meta.APP_ID
    assert tree.findtext("launchable") == DESKTOP.name
    assert tree.findtext("project_license") == "Apache-2.0"
    assert tree.findtext("provides/binary") == meta.EXE_NAME
    assert tree.findtext("icon") == _desktop_entry()["Icon"]
    newest = tree.find("releases/release")
    assert newest is not None and newest.get("version") == meta.read_version(), "add a <release> for this version"


def test_metainfo_validates() -> None:
    require_tool("appstreamcli")
    result = subprocess.run(["appstreamcli", "validate", "--no-net", str(METAINFO)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_licence_texts_ship() -> None:
    folder = RESOURCES / "licenses"
    assert "Apache License" in (folder / "Apache-2.0.txt").read_text(encoding="utf-8")
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in (folder / "LGPL-3.0.txt").read_text(encoding="utf-8")
    assert "GNU GENERAL PUBLIC LICENSE" in (folder / "GPL-3.0.txt").read_text(encoding="utf-8")
