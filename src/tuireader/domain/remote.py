"""What an aggregator account's server holds: its subscriptions and its stories with their
state there, as every sync client (GReader, Miniflux…) hands them to the sync service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class RemoteFeed:
    """A subscription on the server."""

    id: str
    """The server's id for it (GReader's stream id ``feed/…``, Miniflux's number)."""
    title: str
    url: str
    site: str = ""
    folders: tuple[str, ...] = ()
    unread: int | None = None
    """How many of its stories are unread on the server, where the feed list says (tt-rss)."""


@dataclass(frozen=True, slots=True)
class RemoteItem:
    """A story on the server, with its state there."""

    id: str
    """The server's id for it, one form per server (GReader's long form, Miniflux's number)."""
    feed_id: str
    title: str
    link: str
    published: datetime | None
    updated: datetime | None
    author: str
    content: str
    """HTML."""
    read: bool
    starred: bool
    categories: tuple[str, ...] = ()
    changed: datetime | None = None
    """When its state last changed on the server, where the API says (Miniflux's
    ``changed_at``, Nextcloud's ``lastModified``): what the later-change-wins rule compares."""


@dataclass(frozen=True, slots=True)
class RemoteState:
    """The server's read and starred state, as one sync reads it.

    APIs that list every unread and starred id cheaply (GReader, Fever, tt-rss) fill
    ``unread`` and ``starred``; the others (Miniflux, Nextcloud) give the items whose state
    changed since ``cursor`` in ``changed`` (which may hold new items too)."""

    unread: frozenset[str] | None = None
    starred: frozenset[str] | None = None
    unread_feeds: frozenset[str] | None = None
    """When set, ``unread`` is whole only for these feeds' items (the others' unread counts
    matched the library's: their read state is taken as unchanged)."""
    changed: tuple[RemoteItem, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredItem:
    """A server's item as the library holds it: its story, its state here, and its base
    (the state the server had at the last sync)."""

    story_id: int
    read: bool
    starred: bool
    base_read: bool
    base_starred: bool
    feed: str = ""
    """The server's id for the story's feed."""


@dataclass(frozen=True, slots=True)
class QueuedChange:
    """The latest change of one field of one item made here and not sent yet."""

    value: bool
    at: int
    """Unix milliseconds (the database clock's)."""
