"""Errors the core reports to the user as one line each."""

from __future__ import annotations

INTERNAL = "internal error"
"""How a stored status naming a fault of ours begins: such a failure is tried again on the
next refresh, never kept as the final word on a page."""


class TuireaderError(Exception):
    """Base for errors with a message fit to show the user as is."""


class SourceError(TuireaderError):
    """A source could not be fetched or read; the message is one line naming why."""


class NotAFeedError(SourceError):
    """The document is not a feed (an HTML page, garbage, an empty body)."""


class TooLargeError(SourceError):
    """The response or file is over the size cap."""


class StorageError(TuireaderError):
    """The database cannot be used (locked past patience, newer version, unreadable)."""


class DiskFullError(StorageError):
    """The disk holding the database is full: stop writing, keep reading."""


class ReadOnlyError(StorageError):
    """The database (or its folder) cannot be written: reading still works."""


class ConfigError(TuireaderError):
    """The configuration file has an unknown key or a bad value."""


class UsageError(TuireaderError):
    """The user asked for something that cannot be done (unknown source or story id)."""


class ComponentError(TuireaderError):
    """A part of tuireader itself is missing or broken (a library that does not import):
    our fault, not the input's. What was read while it was broken is read again later."""


class FirstFetchError(SourceError):
    """A new source's first fetch or load failed, so it was not added; nothing was kept."""


class NotOpmlError(UsageError):
    """The file given as an OPML subscription list is not one."""


class SeveralFeedsError(UsageError):
    """A page names more than one feed; the user picks one of ``feeds`` by URL."""

    def __init__(self, message: str, feeds: tuple[tuple[str, str], ...]) -> None:
        super().__init__(message)
        self.feeds = feeds
        """(URL, title) of each feed the page names, in page order."""
