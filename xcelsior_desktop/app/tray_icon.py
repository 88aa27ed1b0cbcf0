"""The tray icon: the current watts drawn as large as the tray allows. A pure function of its inputs.

``render_tray_image(watts, size, dpr, theme=, state=, mask=)`` returns a QImage of ``round(size * dpr)``
physical pixels (with that device pixel ratio set). Design:

* live, importing: white text on a deep orange badge; live, exporting: a minus sign and a deep green badge
  (colour *and* sign, so colour-blind users and the macOS mask icon still tell them apart);
* stale: the last value on a grey badge; offline / busy / waiting: a hollow badge with "--" or "..." in
  the taskbar's text colour (so it reads on light and dark taskbars); needs the user (set up, certificate
  refused): "!" on a yellow badge;
* small icons (under 20 physical pixels) use a built-in 3x7 pixel font so every stroke lands on a whole pixel;
  larger ones use a bold condensed system font, scaled to fill the badge. If a label cannot fit, a shorter
  rounding is used ("-3.4k" -> "-3k"); the tooltip always has the full value.
* ``mask=True`` (macOS template image): a black badge with the text knocked out; the menu bar colours it.
* on-peak (``on_peak=True``): a bright amber bar across the top of the badge, in the rows above the digits, so the
  digits keep their size and place at every size (3 px at 16 px). Amber has at least 3:1 contrast with every
  badge fill (orange, green, grey) and with dark and light taskbars; on the yellow "needs you" badge the bar is
  dark; in the mask icon the bar is split from the badge by a knocked-out line.
"""

from __future__ import annotations

import enum
import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen

from xcelsior_desktop.common.format import short_watts


class IconState(enum.StrEnum):
    LIVE = "live"
    STALE = "stale"
    OFFLINE = "offline"  # unreachable, busy, mismatch: no value we can trust
    WAITING = "waiting"  # locating, connecting, paused
    ATTENTION = "attention"  # the user must act: set up, registration, certificate refused


class Theme(enum.StrEnum):
    LIGHT = "light"  # light taskbar: dark text for hollow badges
    DARK = "dark"


IMPORT_FILL = QColor("#C2410C")  # orange 700: contrast 5.2:1 with white
EXPORT_FILL = QColor("#15803D")  # green 700: 5.0:1 with white
STALE_FILL = QColor("#5B6270")
ATTENTION_FILL = QColor("#FACC15")
PEAK_MARK = QColor("#FACC15")  # amber 400: the on-peak bar
PEAK_MARK_ON_ATTENTION = QColor("#111111")
TEXT_ON_FILL = QColor("#FFFFFF")
TEXT_ON_ATTENTION = QColor("#111111")
THEME_FG = {Theme.LIGHT: QColor("#1F2937"), Theme.DARK: QColor("#F3F4F6")}

PIXEL_FONT_MAX = 20  # below this many physical pixels, use the pixel font

# Pixel glyphs ('#' = ink), two sets: 4x9 for short labels, 3x7 when the label is long.
_GLYPHS_LARGE: dict[str, tuple[str, ...]] = {
    "0": ("####", "#..#", "#..#", "#..#", "#..#", "#..#", "#..#", "#..#", "####"),
    "1": ("..#.", ".##.", "#.#.", "..#.", "..#.", "..#.", "..#.", "..#.", ".###"),
    "2": ("####", "...#", "...#", "...#", "####", "#...", "#...", "#...", "####"),
    "3": ("####", "...#", "...#", "...#", ".###", "...#", "...#", "...#", "####"),
    "4": ("#..#", "#..#", "#..#", "#..#", "####", "...#", "...#", "...#", "...#"),
    "5": ("####", "#...", "#...", "#...", "####", "...#", "...#", "...#", "####"),
    "6": ("####", "#...", "#...", "#...", "####", "#..#", "#..#", "#..#", "####"),
    "7": ("####", "...#", "...#", "..#.", "..#.", ".#..", ".#..", ".#..", ".#.."),
    "8": ("####", "#..#", "#..#", "#..#", "####", "#..#", "#..#", "#..#", "####"),
    "9": ("####", "#..#", "#..#", "#..#", "####", "...#", "...#", "...#", "####"),
    "k": ("#...", "#...", "#...", "#..#", "#.#.", "##..", "#.#.", "#..#", "#..#"),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#", "#...#", "#...#"),
    ".": ("..", "..", "..", "..", "..", "..", "..", "##", "##"),
    "-": ("...", "...", "...", "...", "###", "...", "...", "...", "..."),
    "!": ("##", "##", "##", "##", "##", "##", "..", "##", "##"),
    "\u00b7": ("..", "..", "..", "..", "##", "##", "..", "..", ".."),
}
_GLYPHS_SMALL: dict[str, tuple[str, ...]] = {
    "0": ("###", "#.#", "#.#", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "..#", "###", "#..", "#..", "###"),
    "3": ("###", "..#", "..#", ".##", "..#", "..#", "###"),
    "4": ("#.#", "#.#", "#.#", "###", "..#", "..#", "..#"),
    "5": ("###", "#..", "#..", "###", "..#", "..#", "###"),
    "6": ("###", "#..", "#..", "###", "#.#", "#.#", "###"),
    "7": ("###", "..#", "..#", ".#.", ".#.", ".#.", ".#."),
    "8": ("###", "#.#", "#.#", "###", "#.#", "#.#", "###"),
    "9": ("###", "#.#", "#.#", "###", "..#", "..#", "###"),
    "k": ("#..", "#..", "#.#", "##.", "##.", "#.#", "#.#"),
    "M": ("#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"),
    ".": (".", ".", ".", ".", ".", ".", "#"),
    "-": ("..", "..", "..", "##", "..", "..", ".."),
    "!": ("#", "#", "#", "#", "#", ".", "#"),
    "\u00b7": (".", ".", ".", "#", ".", ".", "."),
}
FONTS = (_GLYPHS_LARGE, _GLYPHS_SMALL)


def label_for(watts: float | None, state: IconState) -> str:
    if state is IconState.ATTENTION:
        return "!"
    if state is IconState.WAITING:
        return "\u00b7\u00b7\u00b7"
    if state is IconState.OFFLINE or watts is None:
        return "--"
    return short_watts(watts)


def shorter_labels(label: str, watts: float | None) -> list[str]:
    """The label and shorter forms of the same value, best first ("-3.4k", "-3k")."""
    options = [label]
    if watts is not None and "." in label:
        sign = "-" if watts < 0 else ""
        value = abs(watts)
        if value >= 1_000_000:
            options.append(f"{sign}{round(value / 1_000_000):d}M")
        else:
            options.append(f"{sign}{round(value / 1000):d}k")
    return options


def render_tray_image(
    watts: float | None,
    size: int = 22,
    dpr: float = 1.0,
    *,
    theme: Theme | str = Theme.DARK,
    state: IconState | str = IconState.LIVE,
    mask: bool = False,
    on_peak: bool = False,
) -> QImage:
    """The tray icon for ``watts`` at ``size`` logical pixels and device pixel ratio ``dpr``; ``on_peak`` adds
    the on-peak bar."""
    theme, state = Theme(theme), IconState(state)
    px = max(8, round(size * dpr))
    image = QImage(px, px, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    image.setDevicePixelRatio(dpr)

    hollow = state in (IconState.OFFLINE, IconState.WAITING)
    fill, ink = _colours(watts, theme, state)
    if mask:
        fill, ink = QColor("#000000"), QColor("#000000")

    painter = QPainter(image)
    try:
        painter.scale(1 / dpr, 1 / dpr)  # draw in physical pixels
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        radius = max(2.0, px * 0.18)
        if hollow:
            pen_w = max(1.0, round(px / 16))
            inset = pen_w / 2
            painter.setPen(QPen(fill, pen_w))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(inset, inset, px - 2 * inset, px - 2 * inset), radius, radius)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(QRectF(0, 0, px, px), radius, radius)
        if on_peak:
            _draw_peak_bar(painter, px, radius, state, mask)
        if mask and not hollow:
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
        text = label_for(watts, state)
        candidates = shorter_labels(text, watts if state in (IconState.LIVE, IconState.STALE) else None)
        if px < PIXEL_FONT_MAX:
            _draw_pixel_text(painter, candidates, px, ink)
        else:
            _draw_vector_text(painter, candidates, px, ink)
    finally:
        painter.end()
    return image


def peak_bar_height(px: int) -> int:
    """Rows of the on-peak bar, with at least one clear row between it and the digits: the pixel font starts at
    row 4 of 16; the vector font at about 18 % of the height less its outline."""
    return 3 if px < PIXEL_FONT_MAX else max(2, int(px * 0.12))


def _draw_peak_bar(painter: QPainter, px: int, radius: float, state: IconState, mask: bool) -> None:
    height = peak_bar_height(px)
    badge = QPainterPath()
    badge.addRoundedRect(QRectF(0, 0, px, px), radius, radius)
    bar = QPainterPath()
    bar.addRect(QRectF(0, 0, px, height))
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setPen(Qt.PenStyle.NoPen)
    colour = PEAK_MARK_ON_ATTENTION if state is IconState.ATTENTION else PEAK_MARK
    painter.setBrush(QColor("#000000") if mask else colour)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.drawPath(badge.intersected(bar))
    if mask:  # a knocked-out line under the bar keeps it a shape of its own in a one-colour icon
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(QRectF(0, height, px, 1), QColor("#000000"))
    painter.restore()


def _colours(watts: float | None, theme: Theme, state: IconState) -> tuple[QColor, QColor]:
    if state is IconState.ATTENTION:
        return ATTENTION_FILL, TEXT_ON_ATTENTION
    if state in (IconState.OFFLINE, IconState.WAITING):
        return THEME_FG[theme], THEME_FG[theme]
    if state is IconState.STALE:
        return STALE_FILL, TEXT_ON_FILL
    if watts is not None and watts < 0 and short_watts(watts).startswith("-"):
        return EXPORT_FILL, TEXT_ON_FILL
    return IMPORT_FILL, TEXT_ON_FILL


# -- pixel font (small icons) ----------------------------------------------------------------------


def pixel_text_width(text: str, font: dict[str, tuple[str, ...]], spacing: int = 1) -> int:
    widths = [len(font[c][0]) for c in text if c in font]
    return sum(widths) + spacing * max(0, len(widths) - 1)


def _pick_pixel_layout(candidates: list[str], px: int) -> tuple[str, dict[str, tuple[str, ...]]]:
    """The first label (best first) that fits with a 1-pixel margin, in the largest glyph set that fits."""
    for candidate in candidates:
        for font in FONTS:
            height = len(next(iter(font.values())))
            if pixel_text_width(candidate, font) <= px - 2 and height <= px - 4:
                return candidate, font
    return candidates[-1], _GLYPHS_SMALL


def _draw_pixel_text(painter: QPainter, candidates: list[str], px: int, ink: QColor) -> None:
    text, font = _pick_pixel_layout(candidates, px)
    height = len(next(iter(font.values())))
    width = pixel_text_width(text, font)
    x = (px - width + 1) // 2
    y = (px - height + 1) // 2
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(ink)
    for char in text:
        glyph = font.get(char)
        if glyph is None:
            continue
        for row, line in enumerate(glyph):
            for col, cell in enumerate(line):
                if cell == "#":
                    painter.drawRect(x + col, y + row, 1, 1)
        x += len(glyph[0]) + 1


# -- vector font (larger icons) --------------------------------------------------------------------

_FAMILIES = [
    "Nimbus Sans Narrow",
    "Arial Narrow",
    "Roboto Condensed",
    "DejaVu Sans Condensed",
    "Liberation Sans Narrow",
    "Helvetica Neue",
    "Segoe UI",
    "DejaVu Sans",
    "Arial",
]
MIN_X_SQUEEZE = 0.72  # never squeeze glyphs narrower than this


def tray_font() -> QFont:
    font = QFont()
    font.setFamilies(_FAMILIES)
    font.setWeight(QFont.Weight.Bold)
    font.setPixelSize(100)
    font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 94)  # tight, like condensed signage
    return font


def _text_path(text: str) -> QPainterPath:
    path = QPainterPath()
    path.addText(QPointF(0, 0), tray_font(), text.replace("-", "\u2212") if len(text) <= 3 else text)
    return path


def _draw_vector_text(painter: QPainter, candidates: list[str], px: int, ink: QColor) -> None:
    pad = max(1.5, px * 0.07)
    box_w, box_h = px - 2 * pad, px * 0.62
    best: tuple[float, QPainterPath, float, float] | None = None
    if px >= 30:
        candidates = candidates[:1]  # room enough for the full label
    ref = _text_path("0").boundingRect()  # scale by the digits' height so "--" and "..." stay small
    for candidate in candidates:
        path = _text_path(candidate)
        rect = path.boundingRect()
        if rect.isEmpty():
            continue
        sy = box_h / ref.height()
        sx = sy
        if rect.width() * sx > box_w:
            sx = max(sy * MIN_X_SQUEEZE, box_w / rect.width())
            if rect.width() * sx > box_w:  # still too wide: shrink both
                factor = box_w / (rect.width() * sx)
                sx, sy = sx * factor, sy * factor
        # prefer the full label unless it had to shrink below 85 % of what a shorter form gets
        if best is None or (sy > best[0] * 1.18):
            best = (sy, path, sx, sy)
    if best is None:
        return
    _, path, sx, sy = best
    rect = path.boundingRect()
    w, h = rect.width() * sx, ref.height() * sy
    ox = (px - w) / 2 - rect.left() * sx
    oy = math.floor((px - h) / 2) - ref.top() * sy  # digits centred; symbols sit where digits would
    painter.save()
    painter.translate(ox, oy)
    painter.scale(sx, sy)
    # embolden: a thin outline in the ink colour thickens strokes that antialiasing would turn grey
    pen = QPen(ink, max(0.5, px * 0.03) / max(sx, sy))
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(ink)
    painter.drawPath(path)
    painter.restore()
