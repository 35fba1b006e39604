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

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tuireader.domain.errors import SourceError
from tuireader.domain.remote import RemoteFeed, RemoteItem
from tuireader.sources.api_client import ApiClient, text, unix_time

if TYPE_CHECKING:
    import httpx

API = "/index.php/apps/news/api/v1-3"
BATCH = 1000
"""Items asked for per call when reading everything."""


class NextcloudError(SourceError):
    """The server could not be used; the message says why, in one line."""


class NextcloudAuthError(NextcloudError):
    """The server refused the user name or password."""


def _modified(value: Any) -> datetime | None:
    """``lastModified``: Unix seconds in the v1-3 docs, microseconds from News 15 on."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int) and value > 10**14:
        value //= 1_000_000
    return unix_time(value)


def parse_item(item: Any) -> RemoteItem | None:
    """One item of ``/items``; ``None`` for one that is not an item."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), int):
        return None
    return RemoteItem(
        id=str(item["id"]),
        feed_id=str(item.get("feedId", "")),
        title=text(item.get("title")),
        link=text(item.get("url")),
        published=unix_time(item.get("pubDate")),
        updated=unix_time(item.get("updatedDate")),
        author=text(item.get("author")),
        content=text(item.get("body")),
        read=item.get("unread") is False,
        starred=item.get("starred") is True,
        changed=_modified(item.get("lastModified")),
    )


class NextcloudClient(ApiClient):
    """One account on one Nextcloud, over a shared ``httpx.AsyncClient``."""

    error = NextcloudError
    auth_error = NextcloudAuthError

    def __init__(self, client: httpx.AsyncClient, base_url: str, user: str, password: str) -> None:
        super().__init__(client, base_url.rstrip("/") + API, f"user {user!r}")
        self._auth = (user, password)
        self.last_modified = 0
        """The highest ``lastModified`` seen: where the next incremental read starts."""

    async def _call(self, method: str, path: str, **kw: Any) -> Any:
        return self._decode(await self._send(method, self._base + path, auth=self._auth, **kw))

    async def subscriptions(self) -> list[RemoteFeed]:
        """Every feed, with its folder."""
        folders_answer = await self._call("GET", "/folders")
        folders = {
            f["id"]: text(f.get("name"))
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
                    text(feed.get("title")),
                    text(feed.get("url")),
                    text(feed.get("link")),
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
            raise self._fail("the server did not say which feed it added")
        return str(feeds[0].get("id"))

    async def unsubscribe(self, feed_id: str) -> None:
        """Unsubscribe from a feed."""
        await self._call("DELETE", f"/feeds/{int(feed_id)}")
