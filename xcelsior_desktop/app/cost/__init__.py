"""The cost plug-in: tariff settings, the Cost tab, the tray's price period and on-peak bar, cost alerts."""

from xcelsior_desktop.app.cost.plugin import CostPlugin, install

__all__ = ["CostPlugin", "install"]
