"""The Overview: the window's first tab, cards that answer at a glance, and the Big loads tab.

The figures are Qt-free (energy/baseline.py, steps.py, peaks.py, compare.py; money/glance.py); this package shows
them.
"""

from xcelsior_desktop.app.overview.plugin import OverviewPlugin, install

__all__ = ["OverviewPlugin", "install"]
