"""Green Button in the window: Import... (a file dialog, or a file dropped on the window) and Export... (days and
format). The work itself is Qt-free (``exchange/transfer.py``)."""

from xcelsior_desktop.app.greenbutton.plugin import GreenButtonIO, install

__all__ = ["GreenButtonIO", "install"]
