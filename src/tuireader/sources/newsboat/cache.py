"""newsboat's ``cache.db``: its feeds and articles with their read and flagged state, read
without changing the file (opened read-only, never migrated)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tuireader.domain.errors import UsageError


@dataclass(frozen=True, slots=True)
class CachedFeed:
    """A row of ``rss_feed``."""

    url: str
    """The feed's URL as the ``urls`` file has it (``exec:``/``filter:`` ones too)."""
    link: str
    title: str


@dataclass(frozen=True, slots=True)
class CachedItem:
    """A row of ``rss_item``."""

    feed_url: str
    guid: str
    title: str
    author: str
    link: str
    published: int
    """Seconds since the epoch (newsboat stores the fetch time for an undated item)."""
    content: str
    unread: bool
    flags: str
    """Letters a-z, A-Z the user set with ``edit-flags``."""
    deleted: bool
    enclosure_url: str
    enclosure_type: str


def _open(path: Path) -> sqlite3.Connection:
    # mode=ro: the import must leave newsboat's cache exactly as it was, even if newsboat
    # is running; immutable is not used, so a live newsboat's writes are still seen
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        conn.execute("SELECT guid, unread, flags, deleted FROM rss_item LIMIT 1").fetchall()
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"{path}: not a newsboat cache ({exc})") from None
    return conn


def read_feeds(path: Path) -> list[CachedFeed]:
    """Every feed the cache holds."""
    conn = _open(path)
    try:
        rows = conn.execute("SELECT rssurl, url, title FROM rss_feed").fetchall()
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"{path}: not a newsboat cache ({exc})") from None
    finally:
        conn.close()
    return [CachedFeed(str(u or ""), str(link or ""), str(t or "")) for u, link, t in rows]


def read_items(path: Path) -> Iterator[CachedItem]:
    """Every article the cache holds, feed by feed, newest first."""
    conn = _open(path)
    try:
        rows = conn.execute(
            "SELECT feedurl, guid, title, author, url, pubDate, content, unread,"
            " coalesce(flags, ''), deleted, coalesce(enclosure_url, ''),"
            " coalesce(enclosure_type, '') FROM rss_item ORDER BY feedurl, pubDate DESC, id DESC"
        )
        for row in rows:
            yield CachedItem(
                feed_url=str(row[0] or ""),
                guid=str(row[1] or ""),
                title=str(row[2] or ""),
                author=str(row[3] or ""),
                link=str(row[4] or ""),
                published=int(row[5] or 0),
                content=str(row[6] or ""),
                unread=bool(row[7]),
                flags=str(row[8]),
                deleted=bool(row[9]),
                enclosure_url=str(row[10]),
                enclosure_type=str(row[11]),
            )
    except sqlite3.DatabaseError as exc:
        raise UsageError(f"{path}: cannot read the newsboat cache ({exc})") from None
    finally:
        conn.close()
