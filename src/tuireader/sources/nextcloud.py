"""A client of Nextcloud News' API v1-3 (``/index.php/apps/news/api/v1-3/``), written from
its published documentation (``docs/api/api-v1-3.md``).

Basic auth with the Nextcloud user (an app password is best). Reads are incremental:
``items/updated?lastModified=`` gives every item whose state or content changed since the
last sync (the server's own clock, so the client keeps the highest ``lastModified`` it saw).
Marking a feed read sends ``newestItemId``, the newest item the user saw, so items that
arrived since stay unread.

Every failure is a :class:`NextcloudError` in one line that never contains the password.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tuireader.domain.errors import SourceError
from tuireader.domain.remote import RemoteFeed, RemoteItem
from tuireader.sources.http import network_reason

if TYPE_CHECKING:
    import httpx

API = "/index.php/apps/news/api/v1-3"
BATCH = 1000
"""Items asked for per call when reading everything."""
MAX_ANSWER = 32 * 1024 * 1024


class NextcloudError(SourceError):
    """The server could not be used; the message says why, in one line."""


class NextcloudAuthError(NextcloudError):
    """The server refused the user name or password."""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _when(value: Any) -> datetime | None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def parse_item(item: Any) -> RemoteItem | None:
    """One item of ``/items``; ``None`` for one that is not an item."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), int):
        return None
    return RemoteItem(
        id=str(item["id"]),
        feed_id=str(item.get("feedId", "")),
        title=_text(item.get("title")),
        link=_text(item.get("url")),
        published=_when(item.get("pubDate")),
        updated=_when(item.get("updatedDate")),
        author=_text(item.get("author")),
        content=_text(item.get("body")),
        read=item.get("unread") is False,
        starred=item.get("starred") is True,
    )


class NextcloudClient:
    """One account on one Nextcloud, over a shared ``httpx.AsyncClient``."""

    def __init__(self, client: httpx.AsyncClient, base_url: str, user: str, password: str) -> None:
        self._client = client
        self._base = base_url.rstrip("/") + API
        self._auth = (user, password)
        self._user = user
        self.requests = 0
        """Requests made so far."""
        self.last_modified = 0
        """The highest ``lastModified`` seen: where the next incremental read starts."""

    def _where(self) -> str:
        return urlsplit(self._base).netloc or self._base

    def _fail(self, why: str) -> NextcloudError:
        return NextcloudError(f"{self._where()}: {why}")

    async def _call(self, method: str, path: str, **kw: Any) -> Any:
        import httpx

        self.requests += 1
        try:
            response = await self._client.request(method, self._base + path, auth=self._auth, **kw)
        except httpx.HTTPError as exc:
            raise NextcloudError(f"{self._where()}: {network_reason(exc)}") from None
        if len(response.content) > MAX_ANSWER:
            raise NextcloudError(
                f"{self._where()}: the answer is larger than {MAX_ANSWER >> 20} MB"
            )
        if response.status_code in (401, 403):
            raise NextcloudAuthError(f"{self._where()}: the server refused user {self._user!r}")
        if response.status_code == 429:
            raise self._fail("too many requests (HTTP 429); try again later")
        if response.status_code >= 400:
            raise NextcloudError(
                f"{self._where()}: the server answered HTTP {response.status_code}"
            )
        if not response.content:
            return None
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise NextcloudError(f"{self._where()}: the answer is not JSON") from None

    async def subscriptions(self) -> list[RemoteFeed]:
        """Every feed, with its folder."""
        folders_answer = await self._call("GET", "/folders")
        folders = {
            f["id"]: _text(f.get("name"))
            for f in (folders_answer or {}).get("folders", [])
            if isinstance(f, dict) and isinstance(f.get("id"), int)
        }
        answer = await self._call("GET", "/feeds")
        out = []
        for feed in (answer or {}).get("feeds", []) if isinstance(answer, dict) else []:
            if not isinstance(feed, dict) or not isinstance(feed.get("id"), int):
                continue
            folder = folders.get(feed.get("folderId"), "")
            out.append(
                RemoteFeed(
                    str(feed["id"]),
                    _text(feed.get("title")),
                    _text(feed.get("url")),
                    _text(feed.get("link")),
                    (folder,) if folder else (),
                )
            )
        return out

    def _items(self, answer: Any) -> list[RemoteItem]:
        found = answer.get("items") if isinstance(answer, dict) else None
        out = []
        for raw in found if isinstance(found, list) else []:
            item = parse_item(raw)
            if item is not None:
                out.append(item)
                modified = raw.get("lastModified")
                if isinstance(modified, int) and modified > self.last_modified:
                    self.last_modified = modified
        return out

    async def items(self, *, unread_only: bool = False) -> list[RemoteItem]:
        """Every item (``type=3``: all feeds), newest first, paged by ``offset``."""
        out: list[RemoteItem] = []
        offset = 0
        while True:
            params: dict[str, Any] = {"type": 3, "id": 0, "batchSize": BATCH, "offset": offset}
            params["getRead"] = "false" if unread_only else "true"
            page = self._items(await self._call("GET", "/items", params=params))
            out.extend(page)
            if len(page) < BATCH:
                return out
            offset = min(int(i.id) for i in page)  # the API pages by the lowest id seen

    async def updated(self, since: int | None = None) -> list[RemoteItem]:
        """Items changed since ``since`` (a ``lastModified`` the server gave; the client's
        own :attr:`last_modified` when ``None``)."""
        params = {
            "type": 3,
            "id": 0,
            "lastModified": self.last_modified if since is None else since,
        }
        return self._items(await self._call("GET", "/items/updated", params=params))

    async def mark(
        self, ids: Sequence[str], *, read: bool | None = None, starred: bool | None = None
    ) -> None:
        """Set read and/or starred on items."""
        numbers = [int(i) for i in ids]
        if not numbers:
            return
        if read is not None:
            path = "/items/read/multiple" if read else "/items/unread/multiple"
            await self._call("PUT", path, json={"itemIds": numbers})
        if starred is not None:
            path = "/items/starred/multiple" if starred else "/items/unstarred/multiple"
            await self._call("PUT", path, json={"itemIds": numbers})

    async def mark_feed_read(self, feed_id: str, newest_seen: str) -> None:
        """Mark a feed read up to the newest item the user saw, not what arrived since."""
        await self._call(
            "PUT", f"/feeds/{int(feed_id)}/read", json={"newestItemId": int(newest_seen)}
        )

    async def subscribe(self, url: str, folder_id: int = 0) -> str:
        """Subscribe to a feed URL; returns the server's feed id."""
        answer = await self._call("POST", "/feeds", json={"url": url, "folderId": folder_id})
        feeds = answer.get("feeds") if isinstance(answer, dict) else None
        if not isinstance(feeds, list) or not feeds or not isinstance(feeds[0], dict):
            raise NextcloudError(f"{self._where()}: the server did not say which feed it added")
        return str(feeds[0].get("id"))

    async def unsubscribe(self, feed_id: str) -> None:
        """Unsubscribe from a feed."""
        await self._call("DELETE", f"/feeds/{int(feed_id)}")
