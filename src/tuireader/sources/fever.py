"""A client of the Fever API, as coldsweat, FreshRSS, Miniflux, tt-rss (plugin) and BazQux
speak it, written from its published description.

Every call is a POST to ``{base}?api&…`` with ``api_key = md5("email:password")``; an answer
with ``auth`` 0 is a refused key. Items come 50 a call: a first sync walks ``since_id``
upward, a later one asks only for ids above the highest seen. State comes as id lists
(``unread_item_ids``, ``saved_item_ids``). Writes: ``mark=item|feed|group``,
``as=read|unread|saved|unsaved``; marking a feed read sends ``before`` (what the user saw).
Fever has no call to subscribe or unsubscribe: :meth:`FeverClient.subscribe` says so.

Every failure is a :class:`FeverError` in one line that never contains the key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tuireader.domain.errors import SourceError
from tuireader.domain.remote import RemoteFeed, RemoteItem
from tuireader.sources.api_client import ApiClient, text, unix_time

if TYPE_CHECKING:
    import httpx

PAGE = 50
"""Items per call (fixed by the API)."""
WRITE_ARGS = frozenset({"mark", "as", "id", "before"})
"""Arguments sent in the POST form (the rest go in the query, as the API's examples do)."""


class FeverError(SourceError):
    """The server could not be used; the message says why, in one line."""


class FeverAuthError(FeverError):
    """The server refused the key (user name or password wrong)."""


def api_key(user: str, password: str) -> str:
    """The Fever key: md5 of ``email:password``."""
    return hashlib.md5(f"{user}:{password}".encode(), usedforsecurity=False).hexdigest()


def _ids(value: Any) -> set[str]:
    if isinstance(value, int):
        return {str(value)}
    if not isinstance(value, str):
        return set()
    return {part.strip() for part in value.split(",") if part.strip().isdigit()}


class FeverClient(ApiClient):
    """One account on one Fever server, over a shared ``httpx.AsyncClient``."""

    error = FeverError
    auth_error = FeverAuthError

    def __init__(self, client: httpx.AsyncClient, base_url: str, user: str, password: str) -> None:
        super().__init__(client, base_url, f"user {user!r}")
        self._base = base_url  # the endpoint as given (``…/fever/``): no slash is taken off
        self._key = api_key(user, password)

    async def _call(self, *flags: str, **params: Any) -> dict[str, Any]:
        # the API's flags and read arguments go in the query; the key and writes in the form
        query: list[tuple[str, str | int | float | bool | None]] = [("api", "")]
        query += [(flag, "") for flag in flags]
        form = {"api_key": self._key}
        for key, value in params.items():
            if value is None:
                continue
            if key in WRITE_ARGS:
                form[key] = str(value)
            else:
                query.append((key, str(value)))
        data = self._object(await self._send("POST", self._base, params=query, data=form))
        if data.get("auth") != 1:
            raise self._refused()
        return data

    async def check(self) -> int:
        """Sign in; returns the API version."""
        data = await self._call()
        version = data.get("api_version")
        return version if isinstance(version, int) else 0

    async def subscriptions(self) -> list[RemoteFeed]:
        """Every feed, with its groups as folders."""
        groups = await self._call("groups")
        names = {
            str(g.get("id")): text(g.get("title"))
            for g in groups.get("groups", []) or []
            if isinstance(g, dict)
        }
        folders: dict[str, list[str]] = {}
        for link in groups.get("feeds_groups", []) or []:
            if isinstance(link, dict):
                for feed_id in _ids(link.get("feed_ids")):
                    folders.setdefault(feed_id, []).append(names.get(str(link.get("group_id")), ""))
        feeds = await self._call("feeds")
        out = []
        for feed in feeds.get("feeds", []) or []:
            if not isinstance(feed, dict) or not isinstance(feed.get("id"), int):
                continue
            feed_id = str(feed["id"])
            out.append(
                RemoteFeed(
                    feed_id,
                    text(feed.get("title")),
                    text(feed.get("url")),
                    text(feed.get("site_url")),
                    tuple(f for f in folders.get(feed_id, []) if f),
                )
            )
        return out

    async def items(
        self,
        since_id: int = 0,
        limit: int = 1_000_000,
        state: tuple[set[str], set[str]] | None = None,
    ) -> list[RemoteItem]:
        """Items with ids above ``since_id``, oldest first, 50 a call; their read and saved
        state from the id lists (``state``: as :meth:`state` gave them, else read now)."""
        unread, saved = state if state is not None else await self.state()
        out: list[RemoteItem] = []
        cursor = since_id
        while len(out) < limit:
            page = (await self._call("items", since_id=cursor)).get("items")
            entries = [e for e in page if isinstance(e, dict)] if isinstance(page, list) else []
            numbered = [e for e in entries if isinstance(e.get("id"), int)]
            if not numbered:
                break
            for entry in sorted(numbered, key=lambda e: int(e["id"])):
                item_id = str(entry["id"])
                out.append(
                    RemoteItem(
                        id=item_id,
                        feed_id=str(entry.get("feed_id", "")),
                        title=text(entry.get("title")),
                        link=text(entry.get("url")),
                        published=unix_time(entry.get("created_on_time")),
                        updated=None,
                        author=text(entry.get("author")),
                        content=text(entry.get("html")),
                        read=item_id not in unread,
                        starred=item_id in saved,
                    )
                )
            cursor = max(int(e["id"]) for e in numbered)
        return out

    async def state(self) -> tuple[set[str], set[str]]:
        """(unread ids, saved ids) as the server has them now: two calls."""
        unread = _ids((await self._call("unread_item_ids")).get("unread_item_ids"))
        saved = _ids((await self._call("saved_item_ids")).get("saved_item_ids"))
        return unread, saved

    async def mark(
        self, ids: Sequence[str], *, read: bool | None = None, starred: bool | None = None
    ) -> None:
        """Set read and/or saved, one call per item and field (the API has no batch)."""
        for item_id in ids:
            if read is not None:
                await self._call(
                    mark="item", id=int(item_id), **{"as": "read" if read else "unread"}
                )
            if starred is not None:
                saved = "saved" if starred else "unsaved"
                await self._call(mark="item", id=int(item_id), **{"as": saved})

    async def mark_feed_read(self, feed_id: str, seen_until: datetime) -> None:
        """Mark a feed read up to what the user saw (``before``), not what arrived since."""
        await self._call(
            mark="feed", id=int(feed_id), before=int(seen_until.timestamp()), **{"as": "read"}
        )

    async def subscribe(self, url: str) -> str:
        """Fever cannot subscribe: subscriptions are managed on the server."""
        raise FeverError(
            f"{self._where()}: the Fever API cannot add subscriptions; add {url} on the server"
        )
