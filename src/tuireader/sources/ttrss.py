"""A client of Tiny Tiny RSS's JSON API (``/api/``), written from its published API.

Every call is a JSON POST with an ``op``; ``login`` gives a ``session_id`` sent as ``sid``
afterwards, signed in again once when the server says ``NOT_LOGGED_IN`` (sessions expire).
Headlines come at most 200 a call; a later sync asks only for ids above the highest seen
(``since_id``). ``updateArticle`` sets read (``field`` 2, unread) and starred (``field`` 0) for
many articles at once. API access must be switched on for the user on the server
(``API_DISABLED`` says so).

Checked against Debian 12's tt-rss (21~git20210204, API level 15, PHP 8.2): ids, ``feed_id``
and ``cat_id`` come as JSON numbers and ``unread``/``marked`` as booleans, but tt-rss on an
older PHP sends database columns as strings, so both forms are read. Headlines are paged in
the server's default order (newest entered first): ``order_by=date_reverse`` sorts by the
article's date alone, which ties, and paging by ``skip`` over ties can skip or repeat
articles. Starred articles of a feed that is unsubscribed stay, with ``feed_id`` 0 (tt-rss
moves them to "Archived articles").

Every failure is a :class:`TTRSSError` in one line that never contains the password or the
session id.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
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
STARRED = -1
"""The virtual feed holding the starred articles."""
SUBSCRIBE_CODES = {
    2: "the URL is not valid",
    3: "the page is HTML with no feed in it",
    4: "the page links to several feeds (subscribe to one of them)",
    5: "the server could not download it",
    6: "it is not a valid feed",
}
"""What ``subscribeToFeed``'s failure codes mean."""
FIELD_STARRED = 0
FIELD_UNREAD = 2


class TTRSSError(SourceError):
    """The server could not be used; the message says why, in one line."""


class TTRSSAuthError(TTRSSError):
    """The server refused the user name or password, or API access is off."""


def number(value: Any) -> int | None:
    """An id as tt-rss sends it (a JSON number, or a string of digits from an older PHP)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def flag(value: Any) -> bool | None:
    """A boolean as tt-rss sends it (``true``, or PostgreSQL's ``"t"``/``"f"``, or 1/0)."""
    if isinstance(value, bool):
        return value
    if value in (1, "1", "t", "true"):
        return True
    if value in (0, "0", "f", "false"):
        return False
    return None


def parse_headline(entry: Any) -> RemoteItem | None:
    """One article of ``getHeadlines``; ``None`` for one that is not an article."""
    if not isinstance(entry, dict) or (article := number(entry.get("id"))) is None:
        return None
    feed = number(entry.get("feed_id"))
    return RemoteItem(
        id=str(article),
        feed_id=str(feed) if feed is not None else "",
        title=text(entry.get("title")),
        link=text(entry.get("link")),
        published=unix_time(number(entry.get("updated"))),
        updated=unix_time(number(entry.get("updated"))),
        author=text(entry.get("author")),
        content=text(entry.get("content")),
        read=flag(entry.get("unread")) is False,
        starred=flag(entry.get("marked")) is True,
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
        names = await self.categories()
        feeds = await self._call("getFeeds", cat_id=-3)
        out = []
        for feed in feeds if isinstance(feeds, list) else []:
            if not isinstance(feed, dict):
                continue
            feed_id = number(feed.get("id"))
            if feed_id is None or feed_id <= 0:  # the virtual feeds (starred, archived…)
                continue
            category = number(feed.get("cat_id"))
            folder = names.get(category, "") if category else ""  # 0: uncategorized
            out.append(
                RemoteFeed(
                    str(feed_id),
                    text(feed.get("title")),
                    text(feed.get("feed_url")),
                    "",
                    (folder,) if folder else (),
                    unread=number(feed.get("unread")),
                )
            )
        return out

    async def categories(self) -> dict[int, str]:
        """The user's categories by id, empty ones too (not the virtual ones)."""
        listed = await self._call("getCategories", include_empty=True)
        out = {}
        for category in listed if isinstance(listed, list) else []:
            if isinstance(category, dict):
                category_id = number(category.get("id"))
                if category_id is not None and category_id > 0:
                    out[category_id] = text(category.get("title"))
        return out

    async def headlines(self, since_id: int = 0, limit: int = 1_000_000) -> list[RemoteItem]:
        """Every article with an id above ``since_id``, with content and state, paged.

        Newest first: an article that arrives while this pages only pushes older ones down
        (read twice, kept once), and its id is above every one seen, so the next sync's
        ``since_id`` finds it."""
        found: dict[str, RemoteItem] = {}
        async for page in self.headline_pages(since_id, limit=limit):
            for item in page:
                found.setdefault(item.id, item)
        return list(found.values())[:limit]

    async def _headline_page(self, since_id: int, skip: int, limit: int) -> list[RemoteItem]:
        page = await self._call(
            "getHeadlines",
            feed_id=ALL_FEEDS,
            limit=limit,
            skip=skip,
            since_id=since_id,
            view_mode="all_articles",
            show_content=True,
        )
        entries = page if isinstance(page, list) else []
        return [i for i in map(parse_headline, entries) if i is not None]

    async def headline_pages(
        self, since_id: int = 0, *, concurrency: int = 1, limit: int = 1_000_000
    ) -> AsyncIterator[list[RemoteItem]]:
        """The pages of :meth:`headlines` as they arrive, up to ``concurrency`` asked at
        once (a server with several workers answers them side by side). A page may repeat
        articles of another (the caller drops repeats); pages come in any order."""
        running: set[asyncio.Task[list[RemoteItem]]] = set()
        skip = 0
        ended = False
        try:
            while True:
                while not ended and len(running) < concurrency and skip < limit:
                    asked = min(PAGE, limit - skip)
                    running.add(asyncio.create_task(self._headline_page(since_id, skip, asked)))
                    skip += asked
                if not running:
                    return
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    page = task.result()
                    if len(page) < PAGE:
                        ended = True  # the end is here: ask for no page after it
                    yield page
        finally:
            for task in running:
                task.cancel()
            if running:
                await asyncio.gather(*running, return_exceptions=True)

    async def _ids(self, feed_id: int, view_mode: str) -> set[str]:
        out: set[str] = set()
        skip = 0
        while True:
            page = await self._call(
                "getHeadlines",
                feed_id=feed_id,
                limit=PAGE,
                skip=skip,
                view_mode=view_mode,
                show_content=False,
            )
            entries = page if isinstance(page, list) else []
            for entry in entries:
                article = number(entry.get("id")) if isinstance(entry, dict) else None
                if article is not None:
                    out.add(str(article))
            skip += len(entries)
            if len(entries) < PAGE:
                return out

    async def article_ids(self) -> set[str]:
        """The ids of every article the account holds (without their content)."""
        return await self._ids(ALL_FEEDS, "all_articles")

    async def unread_ids(self, feed_id: str | None = None) -> set[str]:
        """The ids of every unread article, or of one feed's (without their content).

        The whole account costs the server about 0.75 ms an article (7.5 s for 10,000 on a
        2-core machine); compare :meth:`counts` first and ask only for the feeds that
        changed."""
        return await self._ids(ALL_FEEDS if feed_id is None else int(feed_id), "unread")

    async def starred_ids(self, feed_id: str | None = None) -> set[str]:
        """The ids of every starred article, or of one feed's (without their content)."""
        if feed_id is None:
            return await self._ids(STARRED, "all_articles")
        return await self._ids(int(feed_id), "marked")

    async def counts(self) -> dict[str, tuple[int, int]]:
        """Each feed's (unread, starred) counts, in one cheap call (``getCounters``).

        A feed whose counts did not change since the last sync may still have changed (one
        article read and another marked unread); a sync that trusts them should ask for every
        id now and then."""
        counters = await self._call("getCounters")
        out = {}
        for entry in counters if isinstance(counters, list) else []:
            if not isinstance(entry, dict) or "kind" in entry:  # categories, labels
                continue
            feed_id = number(entry.get("id"))  # "global-unread" and the like are not
            if feed_id is not None and feed_id > 0:
                unread = number(entry.get("counter")) or 0
                out[str(feed_id)] = (unread, number(entry.get("markedcounter")) or 0)
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

    async def subscribe(self, url: str, category_id: int = 0) -> str:
        """Subscribe to a feed URL (the server fetches it once to check it); its feed id.

        The server fetches its articles later (its update daemon) or on :meth:`update_feed`."""
        answer = await self._call("subscribeToFeed", feed_url=url, category_id=category_id)
        status = answer.get("status") if isinstance(answer, dict) else None
        status = status if isinstance(status, dict) else {}
        code = number(status.get("code"))
        if code not in (0, 1):  # 0: already subscribed, 1: added
            why = SUBSCRIBE_CODES.get(code or -1, f"code {status.get('code')!r}")
            message = " ".join(text(status.get("message")).split())[:200]
            if message:  # the server's own words on the download (one line, cut short)
                why += f" ({message})"
            raise self._fail(f"could not subscribe to {url}: {why}")
        feed_id = number(status.get("feed_id"))
        return str(feed_id) if feed_id is not None else ""

    async def update_feed(self, feed_id: str) -> None:
        """Ask the server to fetch a feed now; it answers when the articles are stored."""
        await self._call("updateFeed", feed_id=int(feed_id))

    async def unsubscribe(self, feed_id: str) -> None:
        """Unsubscribe from a feed."""
        await self._call("unsubscribeFeed", feed_id=int(feed_id))
