"""Render the app icon's SVG to every PNG size, a Windows .ico and a macOS .icns (PySide6 only, no other tools).

    python packaging/icons.py            # (re)write resources/icons/*.png, resources/*.ico, resources/*.icns
    python packaging/icons.py --check    # exit 1 if any generated file is missing or older than its SVG

The outputs are committed so that installers build without Qt rendering on the build machine; build.py
regenerates them when the SVG changes. The .ico holds BMP entries up to 48 px (what every Windows shell and
Inno Setup read) and a PNG entry at 256 px; the .icns holds PNG entries, as macOS 10.7 and later read them.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "resources"
APP_SVG = RESOURCES / "xcelsior-desktop.svg"
TRAY_SVG = RESOURCES / "xcelsior-tray-template.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_BMP_MAX = 48
# icns type code -> pixel size (PNG payloads)
ICNS_TYPES = (
    ("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256), ("ic09", 512), ("ic10", 1024),
    ("ic11", 32), ("ic12", 64), ("ic13", 256), ("ic14", 512),
)
TRAY_TEMPLATE_SIZES = {"xcelsior-trayTemplate.png": 18, "xcelsior-trayTemplate@2x.png": 36}


def png_path(size: int) -> Path:
    return RESOURCES / "icons" / f"xcelsior-desktop-{size}.png"


def outputs() -> list[Path]:
    return [
        *(png_path(s) for s in PNG_SIZES),
        RESOURCES / "xcelsior-desktop.ico",
        RESOURCES / "xcelsior-desktop.icns",
        *(RESOURCES / "icons" / name for name in TRAY_TEMPLATE_SIZES),
    ]


GENERATOR_VERSION = "1"  # bump when the rendering or the containers change
STAMP = RESOURCES / "icons" / "SOURCE-SHA256"


def source_digest() -> str:
    """What the generated files were made from: the SVGs' bytes and the generator version (not file times,
    which a fresh git checkout sets arbitrarily)."""
    digest = hashlib.sha256(GENERATOR_VERSION.encode())
    for svg in (APP_SVG, TRAY_SVG):
        digest.update(svg.read_bytes().replace(b"\r\n", b"\n"))
    return digest.hexdigest()


def stale() -> list[Path]:
    """Generated files that are missing, or all of them when the sources changed since they were made."""
    recorded = STAMP.read_text(encoding="utf-8").strip() if STAMP.exists() else ""
    if recorded != source_digest():
        return outputs()
    return [p for p in outputs() if not p.exists()]


class _Renderer:
    """SVG -> QImage (ARGB32 premultiplied) at any size, through QtSvg."""

    def __init__(self) -> None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtGui import QGuiApplication

        self._app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])

    def image(self, svg: Path, size: int):  # type: ignore[no-untyped-def]
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QImage, QPainter
        from PySide6.QtSvg import QSvgRenderer

        renderer = QSvgRenderer(str(svg))
        if not renderer.isValid():
            raise SystemExit(f"{svg}: not a valid SVG")
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        return image

    @staticmethod
    def png_bytes(image) -> bytes:  # type: ignore[no-untyped-def]
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice

        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buffer, "PNG"):
            raise SystemExit("PNG encoding failed")
        buffer.close()
        return bytes(data.data())

    @staticmethod
    def bmp_dib(image) -> bytes:  # type: ignore[no-untyped-def]
        """A 32-bit ICO bitmap entry: BITMAPINFOHEADER (height doubled), BGRA rows bottom-up, then the AND mask."""
        from PySide6.QtGui import QImage

        argb = image.convertToFormat(QImage.Format.Format_ARGB32)  # straight alpha, BGRA byte order in memory
        width, height = argb.width(), argb.height()
        header = struct.pack("<IiiHHIIiiII", 40, width, height * 2, 1, 32, 0, width * height * 4, 0, 0, 0, 0)
        raw = bytes(argb.constBits())
        stride = argb.bytesPerLine()
        pixels = b"".join(raw[y * stride : y * stride + width * 4] for y in reversed(range(height)))
        mask_stride = ((width + 31) // 32) * 4
        mask = bytearray()
        for y in reversed(range(height)):
            row = bytearray(mask_stride)
            for x in range(width):
                if raw[y * stride + x * 4 + 3] == 0:  # fully transparent -> mask bit set
                    row[x // 8] |= 0x80 >> (x % 8)
            mask += row
        return header + pixels + bytes(mask)


def build_ico(entries: list[tuple[int, bytes]]) -> bytes:
    """ICONDIR + ICONDIRENTRYs + payloads (each payload a PNG or a 32-bit DIB)."""
    head = struct.pack("<HHH", 0, 1, len(entries))
    offset = 6 + 16 * len(entries)
    directory, blobs = b"", b""
    for size, payload in entries:
        dim = 0 if size >= 256 else size
        directory += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(payload), offset)
        blobs += payload
        offset += len(payload)
    return head + directory + blobs


def build_icns(entries: list[tuple[str, bytes]]) -> bytes:
    body = b"".join(kind.encode("ascii") + struct.pack(">I", len(data) + 8) + data for kind, data in entries)
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def generate() -> list[Path]:
    renderer = _Renderer()
    (RESOURCES / "icons").mkdir(parents=True, exist_ok=True)
    pngs: dict[int, bytes] = {}
    images = {}
    for size in sorted({*PNG_SIZES, *ICO_SIZES, *(s for _, s in ICNS_TYPES)}):
        images[size] = renderer.image(APP_SVG, size)
        pngs[size] = renderer.png_bytes(images[size])
    for size in PNG_SIZES:
        png_path(size).write_bytes(pngs[size])
    ico_entries = [(s, renderer.bmp_dib(images[s]) if s <= ICO_BMP_MAX else pngs[s]) for s in ICO_SIZES]
    (RESOURCES / "xcelsior-desktop.ico").write_bytes(build_ico(ico_entries))
    (RESOURCES / "xcelsior-desktop.icns").write_bytes(build_icns([(k, pngs[s]) for k, s in ICNS_TYPES]))
    for name, size in TRAY_TEMPLATE_SIZES.items():
        (RESOURCES / "icons" / name).write_bytes(renderer.png_bytes(renderer.image(TRAY_SVG, size)))
    STAMP.write_text(source_digest() + "\n", encoding="utf-8")
    return outputs()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report missing or stale generated icons")
    args = parser.parse_args(argv)
    if args.check:
        missing = stale()
        for path in missing:
            print(f"stale or missing: {path.relative_to(ROOT)}")
        return 1 if missing else 0
    for path in generate():
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
