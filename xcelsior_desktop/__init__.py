"""Xcelsior Desktop: live electricity use from an Xcel Energy Itron smart meter, in the system tray."""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("xcelsior-desktop")
except _metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"

__all__ = ["__version__"]
