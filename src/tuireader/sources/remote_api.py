"""One shape for every aggregator API, as the account sync service drives it.

Each adapter wraps its client (``greader``, ``fever``, ``ttrss``, ``miniflux``,
``nextcloud``) and keeps a ``cursor`` (small integers in the API's own terms: since ids,
``lastModified``, times) that the service stores after what it covers is stored, so an
interrupted sync resumes where it stopped. New items come page by page; ids already stored
are never fetched again.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Container, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from tuireader.domain.accounts import Account, AccountType
from tuireader.domain.errors import SourceError
from tuireader.domain.remote import RemoteFeed, RemoteItem, RemoteState
from tuireader.sources.api_client import ApiClient
from tuireader.sources.fever import FeverClient
from tuireader.sources.greader import READ, READING_LIST, STARRED, GReaderClient
from tuireader.sources.miniflux import MinifluxClient
from tuireader.sources.nextcloud import NextcloudClient
from tuireader.sources.ttrss import TTRSSClient

if TYPE_CHECKING:
    import httpx

PAGE = 2000
"""New items stored (and the cursor saved) this many at a time."""
CONCURRENCY = 3
"""Requests at once where pages can be asked side by side (tt-rss's headlines)."""
FULL_EVERY = 6 * 3600
"""tt-rss: seconds between reads of every unread id (in between, only feeds whose unread
count changed are read)."""
SLACK = timedelta(hours=1)
"""Time-based reads start this much before the cursor (clocks differ; ids dedupe)."""

C = TypeVar("C", bound=ApiClient)


class RemoteApi(Protocol):
    """What the sync service needs of an account's server."""

    cursor: dict[str, int]

    @property
    def requests(self) -> int:
        """Requests made so far."""
        ...

    async def login(self) -> None:
        """Sign in (or check the credentials); raises the client's auth error."""

    async def feeds(self) -> list[RemoteFeed]:
        """Every subscription with its folders."""
        ...

    def new_items(self, known: Container[str]) -> AsyncIterator[list[RemoteItem]]:
        """Items not stored yet, a page at a time; ``cursor`` moves after each page."""
        ...

    async def state(self, unread_here: Mapping[str, int]) -> RemoteState:
        """The server's read and starred state (see :class:`RemoteState`); ``unread_here``
        is, per feed, how many stored items the server had unread at the last sync."""
        ...

    async def send(self, field: str, value: bool, ids: Sequence[str]) -> None:
        """Set ``field`` (``read`` or ``starred``) to ``value`` on these items."""

    async def subscribe(self, url: str, folder: str) -> None:
        """Add a subscription."""

    async def unsubscribe(self, remote_id: str) -> None:
        """Remove a subscription."""


def _pages(items: Sequence[RemoteItem]) -> list[list[RemoteItem]]:
    return [list(items[i : i + PAGE]) for i in range(0, len(items), PAGE)]


class _Base(Generic[C]):
    def __init__(self, client: C, cursor: dict[str, int]) -> None:
        self.client = client
        self.cursor = dict(cursor)

    @property
    def requests(self) -> int:
        return self.client.requests

    async def subscribe(self, url: str, folder: str) -> None:
        raise SourceError(f"{url}: this server's API cannot add subscriptions")

    async def unsubscribe(self, remote_id: str) -> None:
        raise SourceError("this server's API cannot remove subscriptions")


class GReaderApi(_Base[GReaderClient]):
    """GReader: ids are cheap (whole unread and starred lists), contents in batches."""

    async def login(self) -> None:
        await self.client.login()

    async def feeds(self) -> list[RemoteFeed]:
        return await self.client.subscriptions()

    async def new_items(self, known: Container[str]) -> AsyncIterator[list[RemoteItem]]:
        started = int(datetime.now(UTC).timestamp())
        since = self.cursor.get("since")
        when = datetime.fromtimestamp(since, UTC) - SLACK if since else None
        ids = await self.client.item_ids(READING_LIST, since=when)
        todo = [i for i in reversed(ids) if i not in known]  # oldest first
        for start in range(0, len(todo), PAGE):
            yield await self.client.items(todo[start : start + PAGE])
        self.cursor["since"] = started

    async def state(self, unread_here: Mapping[str, int]) -> RemoteState:
        unread = await self.client.item_ids(READING_LIST, exclude=READ)
        starred = await self.client.item_ids(STARRED)
        return RemoteState(frozenset(unread), frozenset(starred))

    async def send(self, field: str, value: bool, ids: Sequence[str]) -> None:
        if field == "read":
            await self.client.mark(ids, read=value)
        else:
            await self.client.mark(ids, starred=value)

    async def subscribe(self, url: str, folder: str) -> None:
        await self.client.subscribe(url, folder)

    async def unsubscribe(self, remote_id: str) -> None:
        await self.client.unsubscribe(remote_id)


class FeverApi(_Base[FeverClient]):
    """Fever: items by ``since_id``, state from the unread and saved id lists; no
    subscription calls."""

    async def login(self) -> None:
        await self.client.check()

    async def feeds(self) -> list[RemoteFeed]:
        return await self.client.subscriptions()

    async def new_items(self, known: Container[str]) -> AsyncIterator[list[RemoteItem]]:
        state = await self.client.state()
        while True:
            since = self.cursor.get("since_id", 0)
            page = await self.client.items(since, limit=PAGE, state=state)
            if not page:
                return
            yield [i for i in page if i.id not in known]
            self.cursor["since_id"] = max(since, *(int(i.id) for i in page))

    async def state(self, unread_here: Mapping[str, int]) -> RemoteState:
        unread, saved = await self.client.state()
        return RemoteState(frozenset(unread), frozenset(saved))

    async def send(self, field: str, value: bool, ids: Sequence[str]) -> None:
        if field == "read":
            await self.client.mark(ids, read=value)
        else:
            await self.client.mark(ids, starred=value)

    async def subscribe(self, url: str, folder: str) -> None:
        await self.client.subscribe(url)  # raises: Fever cannot

    async def unsubscribe(self, remote_id: str) -> None:
        raise SourceError(
            "the Fever API cannot remove subscriptions; remove the feed on the server"
        )


class TTRSSApi(_Base[TTRSSClient]):
    """tt-rss: headlines above the highest id seen; starred from the starred list; unread
    ids only for feeds whose unread count (in the feed list) differs from the library's, and
    every unread id every :data:`FULL_EVERY` (two changes that keep a count would hide)."""

    _counts: dict[str, int | None] | None = None
    _fresh = False

    async def login(self) -> None:
        await self.client.login()

    async def feeds(self) -> list[RemoteFeed]:
        feeds = await self.client.subscriptions()
        self._counts = {f.id: f.unread for f in feeds}
        return feeds

    async def new_items(self, known: Container[str]) -> AsyncIterator[list[RemoteItem]]:
        since = self.cursor.get("since_id", 0)
        # newest first, pages side by side: the cursor moves only once all are in
        highest = since
        seen: set[str] = set()
        batch: list[RemoteItem] = []
        async for page in self.client.headline_pages(since, concurrency=CONCURRENCY):
            for item in page:
                if item.id not in seen and item.id not in known:
                    batch.append(item)
                seen.add(item.id)
                highest = max(highest, int(item.id))
            if len(batch) >= PAGE:
                yield batch
                batch = []
        if batch:
            yield batch
        self.cursor["since_id"] = highest
        if not since:  # a first sync: every item came with its state
            self._fresh = True
            self.cursor["full_at"] = int(time.time())

    async def state(self, unread_here: Mapping[str, int]) -> RemoteState:
        now = int(time.time())
        if self._fresh:
            return RemoteState()  # the first sync just read it all, state included
        starred = frozenset(await self.client.starred_ids())
        counts = self._counts or {}
        if now - self.cursor.get("full_at", 0) >= FULL_EVERY or None in counts.values():
            unread = frozenset(await self.client.unread_ids())
            self.cursor["full_at"] = now
            return RemoteState(unread, starred)
        stale = sorted(f for f, n in counts.items() if n != unread_here.get(f, 0))
        found: set[str] = set()
        for feed_id in stale:
            found |= await self.client.unread_ids(feed_id)
        return RemoteState(frozenset(found), starred, unread_feeds=frozenset(stale))

    async def send(self, field: str, value: bool, ids: Sequence[str]) -> None:
        if field == "read":
            await self.client.mark(ids, read=value)
        else:
            await self.client.mark(ids, starred=value)

    async def subscribe(self, url: str, folder: str) -> None:
        await self.client.subscribe(url)

    async def unsubscribe(self, remote_id: str) -> None:
        await self.client.unsubscribe(remote_id)


class MinifluxApi(_Base[MinifluxClient]):
    """Miniflux: entries after the highest id seen; state changes by ``changed_after``."""

    async def login(self) -> None:
        await self.client.check()

    async def feeds(self) -> list[RemoteFeed]:
        return await self.client.subscriptions()

    def _saw(self, items: Sequence[RemoteItem]) -> None:
        for item in items:
            if item.changed is not None:
                stamp = int(item.changed.timestamp())
                if stamp > self.cursor.get("changed", 0):
                    self.cursor["changed"] = stamp

    async def new_items(self, known: Container[str]) -> AsyncIterator[list[RemoteItem]]:
        first = "after" not in self.cursor
        while True:
            after = self.cursor.get("after", 0)
            page = await self.client.entries(after_id=after, limit=PAGE)
            if not page:
                break
            if first:
                self._saw(page)
            yield [i for i in page if i.id not in known]
            self.cursor["after"] = max(after, *(int(i.id) for i in page))
        self.cursor.setdefault("after", 0)

    async def state(self, unread_here: Mapping[str, int]) -> RemoteState:
        since = self.cursor.get("changed")
        if since is None:
            return RemoteState()
        when = datetime.fromtimestamp(since, UTC) - SLACK
        changed = await self.client.entries(changed_after=when)
        self._saw(changed)
        return RemoteState(changed=tuple(changed))

    async def send(self, field: str, value: bool, ids: Sequence[str]) -> None:
        if field == "read":
            await self.client.mark(ids, read=value)
        else:  # a toggle on the server: sent only for items whose star differs there
            await self.client.mark(ids, starred=value, starred_now=dict.fromkeys(ids, not value))

    async def subscribe(self, url: str, folder: str) -> None:
        await self.client.subscribe(url)

    async def unsubscribe(self, remote_id: str) -> None:
        await self.client.unsubscribe(remote_id)


class NextcloudApi(_Base[NextcloudClient]):
    """Nextcloud News: everything once, then what changed since ``lastModified``."""

    async def login(self) -> None:
        pass  # basic auth on every call: a wrong password fails the first one

    async def feeds(self) -> list[RemoteFeed]:
        return await self.client.subscriptions()

    async def new_items(self, known: Container[str]) -> AsyncIterator[list[RemoteItem]]:
        if "modified" in self.cursor:
            return  # new items come with the changes (items/updated)
        items = await self.client.items()
        for page in _pages([i for i in items if i.id not in known]):
            yield page
        self.cursor["modified"] = self.client.last_modified

    async def state(self, unread_here: Mapping[str, int]) -> RemoteState:
        since = self.cursor.get("modified", 0)
        changed = await self.client.updated(since)
        self.cursor["modified"] = max(since, self.client.last_modified)
        return RemoteState(changed=tuple(changed))

    async def send(self, field: str, value: bool, ids: Sequence[str]) -> None:
        if field == "read":
            await self.client.mark(ids, read=value)
        else:
            await self.client.mark(ids, starred=value)

    async def subscribe(self, url: str, folder: str) -> None:
        await self.client.subscribe(url)

    async def unsubscribe(self, remote_id: str) -> None:
        await self.client.unsubscribe(remote_id)


def open_api(
    http: httpx.AsyncClient, account: Account, password: str, cursor: dict[str, int]
) -> RemoteApi:
    """The adapter for an account's server type (``folder`` accounts have none)."""
    url, user = account.url, account.user
    match account.type:
        case AccountType.GREADER:
            return GReaderApi(GReaderClient(http, url, user, password), cursor)
        case AccountType.FEVER:
            return FeverApi(FeverClient(http, url, user, password), cursor)
        case AccountType.TTRSS:
            return TTRSSApi(TTRSSClient(http, url, user, password), cursor)
        case AccountType.MINIFLUX:
            if user:
                client = MinifluxClient(http, url, user=user, password=password)
            else:  # no user: the secret is an API key
                client = MinifluxClient(http, url, token=password)
            return MinifluxApi(client, cursor)
        case AccountType.NEXTCLOUD:
            return NextcloudApi(NextcloudClient(http, url, user, password), cursor)
    raise ValueError(f"{account.type} accounts have no server")
