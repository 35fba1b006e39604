"""A client of Miniflux's REST API (``/v1/…``), written from its published API.

Authentication is an API key (``X-Auth-Token``, preferred: it can be revoked alone) or the
user name and password (basic auth). Reads are incremental: new entries since the highest id
seen (``after_entry_id``) and state changes since the last sync (``changed_after``), paged by
``limit``/``offset``. Starring is a toggle on the server (``PUT /v1/entries/{id}/bookmark``),
so :meth:`MinifluxClient.mark` toggles only entries whose star differs from the one wanted.

Every failure is a :class:`MinifluxError` in one line that never contains the password or
the key.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tuireader.domain.errors import SourceError
from tuireader.domain.remote import RemoteFeed, RemoteItem
from tuireader.sources.api_client import ApiClient, text

if TYPE_CHECKING:
    import httpx

PAGE = 500
"""Entries asked for per call."""


class MinifluxError(SourceError):
    """The server could not be used; the message says why, in one line."""


class MinifluxAuthError(MinifluxError):
    """The server refused the key or the user name and password."""


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_entry(entry: Any) -> RemoteItem | None:
    """One Miniflux entry; ``None`` for one that is not an entry."""
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), int):
        return None
    return RemoteItem(
        id=str(entry["id"]),
        feed_id=str(entry.get("feed_id", "")),
        title=text(entry.get("title")),
        link=text(entry.get("url")),
        published=_when(entry.get("published_at")),
        updated=_when(entry.get("changed_at")),
        author=text(entry.get("author")),
        content=text(entry.get("content")),
        read=entry.get("status") == "read",
        starred=entry.get("starred") is True,
        changed=_when(entry.get("changed_at")),
    )


class MinifluxClient(ApiClient):
    """One account on one Miniflux, over a shared ``httpx.AsyncClient``."""

    error = MinifluxError
    auth_error = MinifluxAuthError

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        *,
        token: str = "",
        user: str = "",
        password: str = "",
    ) -> None:
        super().__init__(
            client, base_url, f"user {user!r}" if user and not token else "the API key"
        )
        self._headers = {"X-Auth-Token": token} if token else {}
        self._basic = (user, password) if not token else None

    async def _call(self, method: str, path: str, **kw: Any) -> Any:
        url = self._base + path
        return self._decode(
            await self._send(method, url, headers=self._headers, auth=self._basic, **kw)
        )

    async def check(self) -> str:
        """Sign in; returns the user name the server knows."""
        me = await self._call("GET", "/v1/me")
        return text(me.get("username")) if isinstance(me, dict) else ""

    async def subscriptions(self) -> list[RemoteFeed]:
        """Every feed, with its category as its folder."""
        feeds = await self._call("GET", "/v1/feeds")
        out = []
        for feed in feeds if isinstance(feeds, list) else []:
            if not isinstance(feed, dict) or not isinstance(feed.get("id"), int):
                continue
            category = feed.get("category")
            folder = text(category.get("title")) if isinstance(category, dict) else ""
            out.append(
                RemoteFeed(
                    str(feed["id"]),
                    text(feed.get("title")),
                    text(feed.get("feed_url")),
                    text(feed.get("site_url")),
                    (folder,) if folder else (),
                )
            )
        return out

    async def entries(
        self,
        *,
        after_id: int = 0,
        changed_after: datetime | None = None,
        status: str = "",
        starred: bool = False,
        limit: int = 1_000_000,
    ) -> list[RemoteItem]:
        """Entries, oldest id first: new ones after ``after_id``, or those whose state
        changed after ``changed_after``; paged until the server has no more."""
        out: list[RemoteItem] = []
        offset = 0
        while len(out) < limit:
            params: dict[str, Any] = {
                "limit": min(PAGE, limit - len(out)),
                "offset": offset,
                "order": "id",
                "direction": "asc",
            }
            if after_id:
                params["after_entry_id"] = after_id
            if changed_after is not None:
                params["changed_after"] = int(changed_after.timestamp())
            if status:
                params["status"] = status
            if starred:
                params["starred"] = "true"
            page = await self._call("GET", "/v1/entries", params=params)
            found = page.get("entries") if isinstance(page, dict) else None
            if not isinstance(found, list) or not found:
                break
            out.extend(item for item in map(parse_entry, found) if item is not None)
            offset += len(found)
            total = page.get("total") if isinstance(page, dict) else None
            if isinstance(total, int) and offset >= total:
                break
        return out

    async def mark(
        self,
        ids: Sequence[str],
        *,
        read: bool | None = None,
        starred: bool | None = None,
        starred_now: dict[str, bool] | None = None,
    ) -> None:
        """Set read and/or starred. The star is a toggle on the server: an entry is toggled
        only when ``starred_now`` (its star as last seen there) differs from ``starred``."""
        if read is not None and ids:
            body = {"entry_ids": [int(i) for i in ids], "status": "read" if read else "unread"}
            await self._call("PUT", "/v1/entries", json=body)
        if starred is not None:
            for entry_id in ids:
                if (starred_now or {}).get(entry_id, not starred) != starred:
                    await self._call("PUT", f"/v1/entries/{int(entry_id)}/bookmark")

    async def subscribe(self, url: str, folder_id: int = 0) -> str:
        """Subscribe to a feed URL; returns the server's feed id."""
        body: dict[str, Any] = {"feed_url": url}
        if folder_id:
            body["category_id"] = folder_id
        answer = await self._call("POST", "/v1/feeds", json=body)
        if not isinstance(answer, dict) or not isinstance(answer.get("feed_id"), int):
            raise self._fail("the server did not say which feed it added")
        return str(answer["feed_id"])

    async def unsubscribe(self, feed_id: str) -> None:
        """Unsubscribe from a feed."""
        await self._call("DELETE", f"/v1/feeds/{int(feed_id)}")
