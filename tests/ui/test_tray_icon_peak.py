"""The on-peak bar on the tray icon: present and legible at every tray size, and the digits are unchanged."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage

from tests.ui.test_tray_icon import contrast
from xcelsior_desktop.app.cost.icon_sheet import icon_sheet
from xcelsior_desktop.app.tray_icon import (
    IMPORT_FILL,
    PEAK_MARK,
    PEAK_MARK_ON_ATTENTION,
    IconState,
    Theme,
    peak_bar_height,
    render_tray_image,
)

SIZES = [(16, 1.0), (22, 1.0), (32, 1.0), (16, 2.0), (24, 1.0), (48, 1.0)]


def rows(image: QImage) -> list[list[str]]:
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    return [[image.pixelColor(x, y).name(QColor.NameFormat.HexArgb) for x in range(image.width())]
            for y in range(image.height())]


@pytest.mark.parametrize(("size", "dpr"), SIZES)
@pytest.mark.parametrize(("watts", "state"), [(1234, IconState.LIVE), (-850, IconState.LIVE),
                                              (12_345, IconState.LIVE), (900, IconState.STALE),
                                              (None, IconState.OFFLINE)])
def test_the_bar_is_above_the_digits_which_stay_the_same(qapp, size, dpr, watts, state):
    plain = rows(render_tray_image(watts, size, dpr, state=state))
    peak = rows(render_tray_image(watts, size, dpr, state=state, on_peak=True))
    px = round(size * dpr)
    bar = peak_bar_height(px)
    assert plain[bar + 1:] == peak[bar + 1:]  # everything under the bar, digits included, is unchanged
    opaque = [c for row in plain for c in row if c.startswith("#ff")]
    fill = max(set(opaque), key=opaque.count) if opaque else "#00000000"
    if state is not IconState.OFFLINE:  # the digits (ink that contrasts with the badge) start below the bar
        centre = range(px // 4, 3 * px // 4)
        text_rows = [y for y, row in enumerate(plain)
                     if any(contrast(QColor.fromString(row[x]), QColor.fromString(fill)) > 2 for x in centre)]
        assert text_rows and min(text_rows) > bar  # with a clear row between bar and digits
    middle = [peak[y][px // 2] for y in range(bar)]
    assert all(c == PEAK_MARK.name(QColor.NameFormat.HexArgb) for c in middle)  # a solid amber bar
    amber = sum(row.count(PEAK_MARK.name(QColor.NameFormat.HexArgb)) for row in peak)
    assert amber >= 0.6 * px * bar  # across the width, less the rounded corners


def test_the_bar_contrasts_with_every_badge_and_taskbar():
    from xcelsior_desktop.app.tray_icon import EXPORT_FILL, STALE_FILL, THEME_FG

    for fill in (IMPORT_FILL, EXPORT_FILL, STALE_FILL, THEME_FG[Theme.LIGHT], THEME_FG[Theme.DARK]):
        if fill == THEME_FG[Theme.DARK]:
            continue  # the light ink of hollow badges on dark taskbars: the bar sits on the taskbar, see below
        assert contrast(PEAK_MARK, fill) >= 3.0  # WCAG 1.4.11, graphics: 3:1
    assert contrast(PEAK_MARK, QColor("#1F2937")) >= 3.0  # a dark taskbar
    assert contrast(PEAK_MARK_ON_ATTENTION, QColor("#FACC15")) >= 3.0


def test_the_needs_you_badge_gets_a_dark_bar(qapp):
    image = rows(render_tray_image(None, 22, 1.0, state=IconState.ATTENTION, on_peak=True))
    assert image[1][11] == PEAK_MARK_ON_ATTENTION.name(QColor.NameFormat.HexArgb)


def test_the_mask_icon_keeps_the_bar_a_shape_of_its_own(qapp):
    image = rows(render_tray_image(1234, 22, 1.0, mask=True, on_peak=True))
    bar = peak_bar_height(22)
    assert image[1][11] == "#ff000000" and image[bar][11] == "#00000000"  # a knocked-out line under the bar


def test_the_readme_sheet_renders(qapp):
    sheet = icon_sheet()
    assert sheet.width() > 800 and sheet.height() > 1000
