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
