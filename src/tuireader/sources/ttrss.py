"""A client of Tiny Tiny RSS's JSON API (``/api/``), written from its published API.

Every call is a JSON POST with an ``op``; ``login`` gives a ``session_id`` sent as ``sid``
afterwards, signed in again once when the server says ``NOT_LOGGED_IN`` (sessions expire).
Headlines come at most 200 a call; a later sync asks only for ids above the highest seen
(``since_id``). ``updateArticle`` sets read (``field`` 2, unread) and starred (``field`` 0) for
many articles at once. API access must be switched on for the user on the server
(``API_DISABLED`` says so).

Every failure is a :class:`TTRSSError` in one line that never contains the password or the
session id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tuireader.domain.errors import SourceError
from tuireader.domain.remote import RemoteFeed, RemoteItem
from tuireader.sources.api_client import ApiClient, text, unix_time

if TYPE_CHECKING:
    import httpx

PAGE = 200
"""Headlines per call (the API's cap)."""
ALL_FEEDS = -4
"""The virtual feed holding every article."""
FIELD_STARRED = 0
FIELD_UNREAD = 2


class TTRSSError(SourceError):
    """The server could not be used; the message says why, in one line."""


class TTRSSAuthError(TTRSSError):
    """The server refused the user name or password, or API access is off."""


def parse_headline(entry: Any) -> RemoteItem | None:
    """One article of ``getHeadlines``; ``None`` for one that is not an article."""
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), int):
        return None
    return RemoteItem(
        id=str(entry["id"]),
        feed_id=str(entry.get("feed_id", "")),
        title=text(entry.get("title")),
        link=text(entry.get("link")),
        published=unix_time(entry.get("updated")),
        updated=unix_time(entry.get("updated")),
        author=text(entry.get("author")),
        content=text(entry.get("content")),
        read=entry.get("unread") is False,
        starred=entry.get("marked") is True,
    )


class TTRSSClient(ApiClient):
    """One account on one tt-rss, over a shared ``httpx.AsyncClient``."""

    error = TTRSSError
    auth_error = TTRSSAuthError

    def __init__(self, client: httpx.AsyncClient, base_url: str, user: str, password: str) -> None:
        super().__init__(client, base_url, f"user {user!r}")
        self._url = self._base if self._base.endswith("/api") else self._base + "/api/"
        self._user = user
        self._password = password
        self._sid: str | None = None

    async def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        response = await self._send("POST", self._url, content=json.dumps(body).encode())
        return self._object(response)

    async def login(self) -> None:
        """Sign in; raises :class:`TTRSSAuthError` when refused."""
        data = await self._post({"op": "login", "user": self._user, "password": self._password})
        content = data.get("content") if isinstance(data.get("content"), dict) else {}
        assert isinstance(content, dict)
        if data.get("status") != 0 or not isinstance(content.get("session_id"), str):
            error = text(content.get("error"))
            if error == "API_DISABLED":
                raise TTRSSAuthError(
                    f"{self._where()}: API access is off for user {self._user!r}"
                    " (switch it on in the user's preferences on the server)"
                )
            raise self._refused()
        self._sid = content["session_id"]

    async def _call(self, op: str, **args: Any) -> Any:
        for _attempt in range(2):
            if self._sid is None:
                await self.login()
            data = await self._post({"op": op, "sid": self._sid, **args})
            content = data.get("content")
            if data.get("status") == 0:
                return content
            error = text(content.get("error")) if isinstance(content, dict) else ""
            if error == "NOT_LOGGED_IN":
                self._sid = None  # the session expired: sign in once more
                continue
            raise self._fail(f"{op} failed: {error or 'unknown error'}")
        raise TTRSSAuthError(f"{self._where()}: the server keeps ending the session")

    async def subscriptions(self) -> list[RemoteFeed]:
        """Every feed with its category as its folder."""
        categories = await self._call("getCategories", include_empty=True)
        listed = categories if isinstance(categories, list) else []
        names = {c.get("id"): text(c.get("title")) for c in listed if isinstance(c, dict)}
        feeds = await self._call("getFeeds", cat_id=-3)
        out = []
        for feed in feeds if isinstance(feeds, list) else []:
            if not isinstance(feed, dict) or not isinstance(feed.get("id"), int):
                continue
            if feed["id"] < 0:  # the virtual feeds (starred, fresh…)
                continue
            folder = names.get(feed.get("cat_id"), "")
            if folder in ("Uncategorized", ""):
                folder = ""
            out.append(
                RemoteFeed(
                    str(feed["id"]),
                    text(feed.get("title")),
                    text(feed.get("feed_url")),
                    "",
                    (folder,) if folder else (),
                )
            )
        return out

    async def headlines(self, since_id: int = 0, limit: int = 1_000_000) -> list[RemoteItem]:
        """Every article with an id above ``since_id``, with content and state, paged."""
        out: list[RemoteItem] = []
        skip = 0
        while len(out) < limit:
            page = await self._call(
                "getHeadlines",
                feed_id=ALL_FEEDS,
                limit=min(PAGE, limit - len(out)),
                skip=skip,
                since_id=since_id,
                view_mode="all_articles",
                show_content=True,
                order_by="date_reverse",
            )
            entries = page if isinstance(page, list) else []
            out.extend(i for i in map(parse_headline, entries) if i is not None)
            skip += len(entries)
            if len(entries) < PAGE:
                break
        return out

    async def mark(
        self, ids: Sequence[str], *, read: bool | None = None, starred: bool | None = None
    ) -> None:
        """Set read and/or starred on many articles at once."""
        if not ids:
            return
        joined = ",".join(str(int(i)) for i in ids)
        if read is not None:  # the API's field is "unread"
            await self._call(
                "updateArticle", article_ids=joined, field=FIELD_UNREAD, mode=0 if read else 1
            )
        if starred is not None:
            await self._call(
                "updateArticle", article_ids=joined, field=FIELD_STARRED, mode=1 if starred else 0
            )

    async def subscribe(self, url: str, category_id: int = 0) -> None:
        """Subscribe to a feed URL."""
        answer = await self._call("subscribeToFeed", feed_url=url, category_id=category_id)
        status = answer.get("status") if isinstance(answer, dict) else None
        code = status.get("code") if isinstance(status, dict) else None
        if code not in (0, 1):  # 0: already subscribed, 1: added
            raise self._fail(f"could not subscribe to {url} (code {code})")

    async def unsubscribe(self, feed_id: str) -> None:
        """Unsubscribe from a feed."""
        await self._call("unsubscribeFeed", feed_id=int(feed_id))
