"""The tray icon renderer: a pure function whose text fits and contrasts, at every tray size."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtGui import QColor, QImage

from xcelsior_desktop.app.tray_icon import (
    EXPORT_FILL,
    IMPORT_FILL,
    STALE_FILL,
    IconState,
    Theme,
    render_tray_image,
)

SIZES = [(16, 1.0), (22, 1.0), (24, 1.0), (16, 2.0), (22, 2.0), (32, 1.0), (48, 1.0)]


def luminance(c: QColor) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def pixels(image: QImage):
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    return [[image.pixelColor(x, y) for x in range(image.width())] for y in range(image.height())]


def text_box(image: QImage, fill: QColor):
    """Bounding box of pixels that clearly differ from the badge fill (the text)."""
    xs, ys = [], []
    for y, row in enumerate(pixels(image)):
        for x, c in enumerate(row):
            if c.alpha() > 200 and contrast(c, fill) > 2.0:
                xs.append(x)
                ys.append(y)
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


@pytest.mark.parametrize(("size", "dpr"), SIZES)
@pytest.mark.parametrize(("watts", "fill"), [(850, IMPORT_FILL), (1234, IMPORT_FILL), (-3400, EXPORT_FILL), (12_345, IMPORT_FILL)])
def test_text_fits_is_large_and_contrasts(qapp, size, dpr, watts, fill):
    image = render_tray_image(watts, size, dpr)
    px = round(size * dpr)
    assert (image.width(), image.height()) == (px, px)
    assert image.devicePixelRatio() == dpr
    box = text_box(image, fill)
    assert box is not None, "no text drawn"
    left, top, right, bottom = box
    assert left >= 1 and top >= 1 and right <= px - 2 and bottom <= px - 2  # inside the badge, not clipped
    assert bottom - top + 1 >= 0.4 * px  # the text is at least 40 % of the icon tall: legible at 16 px
    assert right - left + 1 >= 0.5 * px  # and uses the width
    counts = Counter(c.name() for row in pixels(image) for c in row if c.alpha() == 255)
    background = counts.most_common(1)[0][0]
    assert background == fill.name()
    strong = sum(n for name, n in counts.items() if contrast(QColor(name), fill) >= 4.5)
    assert strong >= 0.10 * px * px  # plenty of text pixels at WCAG AA contrast with the badge, not a grey blur


def test_import_export_differ_by_colour_and_sign(qapp):
    imp = render_tray_image(1200, 22, 1.0)
    exp = render_tray_image(-1200, 22, 1.0)
    assert imp.pixelColor(0, 11).name() == IMPORT_FILL.name()
    assert exp.pixelColor(0, 11).name() == EXPORT_FILL.name()
    box_imp, box_exp = text_box(imp, IMPORT_FILL), text_box(exp, EXPORT_FILL)
    assert box_imp and box_exp and imp != exp


def test_stale_and_offline_look_different(qapp):
    live = render_tray_image(850, 22, 1.0, state=IconState.LIVE)
    stale = render_tray_image(850, 22, 1.0, state=IconState.STALE)
    offline = render_tray_image(850, 22, 1.0, state=IconState.OFFLINE)
    assert stale.pixelColor(0, 11).name() == STALE_FILL.name()
    assert offline.pixelColor(11, 5).alpha() == 0  # hollow: the taskbar shows through
    assert live != stale and stale != offline and live != offline


@pytest.mark.parametrize(("theme", "taskbar"), [(Theme.LIGHT, QColor("#F3F4F6")), (Theme.DARK, QColor("#202124"))])
def test_hollow_icons_contrast_with_their_taskbar(qapp, theme, taskbar):
    image = render_tray_image(None, 22, 1.0, theme=theme, state=IconState.OFFLINE)
    inks = [c for row in pixels(image) for c in row if c.alpha() == 255]
    assert inks, "nothing drawn"
    assert min(contrast(c, taskbar) for c in inks) >= 4.5


def test_pure_function(qapp):
    a = render_tray_image(-3400, 16, 2.0, theme="light", state="live")
    b = render_tray_image(-3400, 16, 2.0, theme="light", state="live")
    assert a == b


def test_mask_icon_is_monochrome_with_knocked_out_text(qapp):
    image = render_tray_image(850, 22, 2.0, mask=True)
    colours = {(c.red(), c.green(), c.blue()) for row in pixels(image) for c in row if c.alpha() > 0}
    assert colours == {(0, 0, 0)}
    alpha = [c.alpha() for row in pixels(image) for c in row]
    assert alpha.count(0) > 0.15 * len(alpha)  # the text is a hole


def test_small_icons_use_crisp_pixels(qapp):
    image = render_tray_image(850, 16, 1.0)
    colours = {c.name() for row in pixels(image)[3:13] for c in row[2:14]}
    assert colours <= {IMPORT_FILL.name(), "#ffffff"}  # no blurry in-between greys at 16 px
