"""Why a Green Button file could not be imported, each with a sentence a user can act on (like ``meter/errors.py``)."""

from __future__ import annotations


class GreenButtonError(Exception):
    """Base class. ``str(err)`` is the technical detail; ``user_message`` says what happened and what to do next."""

    default_message = "The Green Button file could not be read."

    def __init__(self, detail: str = "", *, user_message: str | None = None) -> None:
        super().__init__(detail or self.default_message)
        self.detail = detail
        # one line, whatever a parser's message carried (libxml2's can end in a newline)
        self.user_message = " ".join((user_message or self.default_message).split())


class FileUnreadable(GreenButtonError):
    """The file cannot be opened or read (missing, a folder, no permission)."""

    default_message = "The file cannot be read. Check the name and that you may read it."


class FileTooLarge(GreenButtonError):
    """Larger than any Green Button download (13 months of 15-minute data is a few tens of MB)."""

    default_message = (
        "The file is far larger than any Green Button download, so it was not read. Download your usage again from "
        "your utility's Green Button page (13 months at most)."
    )


class HostileFile(GreenButtonError):
    """A DTD or entity declarations: Green Button files never have them, and they can exhaust memory or leak files."""

    default_message = (
        "The file declares a DTD or entities, which Green Button files never do, so it was not read (to be safe). "
        "Download your usage again from your utility's Green Button page."
    )


class DamagedFile(GreenButtonError):
    """Not well-formed XML: truncated, or not XML at all."""

    default_message = (
        "The file is not well-formed XML (cut short or damaged). Download your usage again from your utility's "
        "Green Button page."
    )


class NotGreenButton(GreenButtonError):
    """Well-formed XML, but not an Atom feed of ESPI resources."""

    default_message = (
        "This is not a Green Button file (an Atom feed of ESPI usage data). On your utility's website choose "
        "'Green Button: Download My Data' and pick the XML format."
    )


class NothingToImport(GreenButtonError):
    """A Green Button file with no electricity interval data in Wh (gas only, bills only ...)."""

    default_message = "The Green Button file holds no electricity interval data to import."
