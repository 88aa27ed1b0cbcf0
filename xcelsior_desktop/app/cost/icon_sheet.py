"""The README's picture of the tray icon with and without the on-peak bar, at 16, 22 and 32 px, on a light and a
dark taskbar: each icon at its real size (what the tray shows) and magnified 6x, pixel for pixel (so each pixel
can be checked).

    QT_QPA_PLATFORM=offscreen python -m xcelsior_desktop.app.cost.icon_sheet docs/screenshots/tray-on-peak.png
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from xcelsior_desktop.app.tray_icon import Theme, render_tray_image

SIZES = (16, 22, 32)
TASKBARS = {Theme.LIGHT: QColor("#E5E7EB"), Theme.DARK: QColor("#1F2937")}
ZOOM = 6
CASES = ((1234, False, "1.2 kW"), (1234, True, "1.2 kW on-peak"), (-850, True, "-850 W on-peak"))


def icon_sheet() -> QImage:
    cell_w, row_h, label_w = 280, 32 * ZOOM + 24, 110
    width = label_w + cell_w * len(CASES)
    height = 40 + row_h * len(SIZES) * len(TASKBARS)
    sheet = QImage(width, height, QImage.Format.Format_ARGB32)
    sheet.fill(QColor("#FFFFFF"))
    p = QPainter(sheet)
    font = QFont()
    font.setPixelSize(14)
    p.setFont(font)
    p.setPen(QColor("#111111"))
    for col, (_, _, title) in enumerate(CASES):
        p.drawText(QRect(label_w + col * cell_w, 8, cell_w, 24), int(Qt.AlignmentFlag.AlignCenter), title)
    row = 0
    for theme, bar in TASKBARS.items():
        for size in SIZES:
            top = 40 + row * row_h
            p.fillRect(0, top, width, row_h - 4, bar)
            p.setPen(QColor("#111111") if theme is Theme.LIGHT else QColor("#F9FAFB"))
            p.drawText(QRect(8, top, label_w - 8, row_h - 4), int(Qt.AlignmentFlag.AlignVCenter),
                       f"{size} px\n{theme.value}")
            for col, (watts, peak, _) in enumerate(CASES):
                icon = render_tray_image(watts, size, 1.0, theme=theme, on_peak=peak)
                x = label_w + col * cell_w + 12
                y = top + (row_h - 4 - size) // 2
                p.drawImage(x, y, icon)  # real size
                big = icon.scaled(size * ZOOM, size * ZOOM, Qt.AspectRatioMode.IgnoreAspectRatio,
                                  Qt.TransformationMode.FastTransformation)
                p.drawImage(x + size + 16, top + (row_h - 4 - size * ZOOM) // 2, big)
            row += 1
    p.end()
    return sheet


def main(argv: list[str]) -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(argv[:1])
    out = argv[1] if len(argv) > 1 else "tray-on-peak.png"
    ok = icon_sheet().save(out)
    del app
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
