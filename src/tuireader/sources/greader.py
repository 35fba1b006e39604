"""A client of the Google Reader API, as FreshRSS (``…/api/greader.php``), Miniflux, The Old
Reader and BazQux speak it.

Written from the servers' published API: ``ClientLogin`` gives an ``Auth`` token sent as
``Authorization: GoogleLogin auth=…``; writes also carry a short-lived token (``T=``) from
``/reader/api/0/token``, fetched again once when the server says it went stale
(``X-Reader-Google-Bad-Token``). Item ids come in two forms, long
(``tag:google.com,2005:reader/item/<16 hex>``) and short (signed decimal); both are read and
every id this client hands out is the long form, so one story has one id whatever the server.

Reads are incremental: ``item_ids`` walks a stream by continuation, newest first, and can stop
at a time (``ot``), so a sync after 100 new items asks for those, not for the whole library.

Every failure is a :class:`GReaderError` in one line that never contains the password or a
token: a wrong password (:class:`GReaderAuthError`), a server that is down, slow, answers
garbage, 429 or 5xx.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from tuireader.domain.errors import SourceError
from tuireader.domain.remote import RemoteFeed, RemoteItem
from tuireader.sources.api_client import ApiClient, text

if TYPE_CHECKING:  # httpx is imported when a client is made
    import httpx

READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
READING_LIST = "user/-/state/com.google/reading-list"
LONG_PREFIX = "tag:google.com,2005:reader/item/"
IDS_PAGE = 1000
"""Item ids asked for per ``stream/items/ids`` call."""
CONTENTS_BATCH = 250
"""Items asked for per ``stream/items/contents`` call."""
REFUSED = frozenset({401, 403})


class GReaderError(SourceError):
    """The server could not be used; the message says why, in one line."""


class GReaderAuthError(GReaderError):
    """The server refused the user name or password."""


def long_item_id(item_id: str) -> str:
    """An item id in either form, as the long form; raises ValueError for anything else."""
    item_id = item_id.strip()
    if item_id.startswith(LONG_PREFIX):
        digits = item_id[len(LONG_PREFIX) :]
        if len(digits) != 16:
            raise ValueError(f"not an item id: {item_id!r}")
        int(digits, 16)
        return LONG_PREFIX + digits.lower()
    number = int(item_id)  # short form: a signed 64-bit decimal
    if not -(1 << 63) <= number < 1 << 64:
        raise ValueError(f"not an item id: {item_id!r}")
    return LONG_PREFIX + format(number & 0xFFFFFFFFFFFFFFFF, "016x")


def _when(value: Any) -> datetime | None:
    try:
        seconds = int(value)
    except (TypeError, ValueError):
        return None
    if seconds <= 0:
        return None
    if seconds > 10**11:  # milliseconds or microseconds
        seconds //= 1000 if seconds < 10**14 else 1_000_000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _link(entry: dict[str, Any]) -> str:
    for key in ("canonical", "alternate"):
        links = entry.get(key)
        if isinstance(links, list):
            for link in links:
                if isinstance(link, dict) and isinstance(link.get("href"), str):
                    return str(link["href"])
    return ""


def parse_item(entry: Any) -> RemoteItem | None:
    """One entry of ``stream/items/contents``; ``None`` for one that is not an item."""
    if not isinstance(entry, dict):
        return None
    try:
        item_id = long_item_id(str(entry.get("id", "")))
    except ValueError:
        return None
    cats = entry.get("categories")
    categories = [c for c in cats if isinstance(c, str)] if isinstance(cats, list) else []
    origin = _mapping(entry.get("origin"))
    body = _mapping(entry.get("content")) or _mapping(entry.get("summary"))
    labels = tuple(
        c.rsplit("/label/", 1)[1] for c in categories if "/label/" in c and c.startswith("user/")
    )
    return RemoteItem(
        id=item_id,
        feed_id=text(origin.get("streamId")),
        title=text(entry.get("title")),
        link=_link(entry),
        published=_when(entry.get("published")),
        updated=_when(entry.get("updated")),
        author=text(entry.get("author")),
        content=text(body.get("content")),
        read=any(c.endswith("/state/com.google/read") for c in categories),
        starred=any(c.endswith("/state/com.google/starred") for c in categories),
        categories=labels,
    )


class GReaderClient(ApiClient):
    """One account on one server, over a shared ``httpx.AsyncClient``."""

    error = GReaderError
    auth_error = GReaderAuthError

    def __init__(self, client: httpx.AsyncClient, base_url: str, user: str, password: str) -> None:
        super().__init__(client, base_url, f"user {user!r}")
        self._user = user
        self._password = password
        self._auth: str | None = None
        self._token: str | None = None

    # plumbing ---------------------------------------------------------------------------
    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        data: Sequence[tuple[str, str]] | None = None,
        authorized: bool = True,
    ) -> httpx.Response:
        headers: dict[str, str] = {}
        body: bytes | None = None
        if data is not None:  # repeated keys (i=…&i=…): encoded here, as a form
            body = urlencode(list(data)).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if authorized:
            if self._auth is None:
                await self.login()
            headers["Authorization"] = f"GoogleLogin auth={self._auth}"
        response = await self._send(
            method,
            self._base + path,
            passed=REFUSED,
            params=params,
            content=body,
            headers=headers,
        )
        if response.status_code in REFUSED:
            if response.headers.get("X-Reader-Google-Bad-Token") == "true":
                return response  # the caller fetches a new write token and tries once more
            if not authorized:
                raise self._refused()
            raise GReaderAuthError(f"{self._where()}: not signed in (HTTP {response.status_code})")
        return response

    async def login(self) -> None:
        """Sign in (``ClientLogin``); raises :class:`GReaderAuthError` when refused."""
        response = await self._call(
            "POST",
            "/accounts/ClientLogin",
            data=[("Email", self._user), ("Passwd", self._password)],
            authorized=False,
        )
        for line in response.text.splitlines():
            if line.startswith("Auth="):
                self._auth = line[len("Auth=") :].strip()
                return
        raise GReaderAuthError(f"{self._where()}: the sign-in answer has no Auth token")

    async def _write(self, path: str, data: list[tuple[str, str]]) -> None:
        for _attempt in range(2):
            if self._token is None:
                token = await self._call("GET", "/reader/api/0/token")
                self._token = token.text.strip()
            response = await self._call("POST", path, data=[*data, ("T", self._token)])
            if response.status_code < 400:
                return
            self._token = None  # stale: once more with a new one
        raise GReaderAuthError(f"{self._where()}: the server keeps refusing the write token")

    # reads ------------------------------------------------------------------------------
    async def subscriptions(self) -> list[RemoteFeed]:
        """Every subscription with its folders (labels)."""
        data = self._object(
            await self._call("GET", "/reader/api/0/subscription/list", params={"output": "json"})
        )
        feeds = []
        subs = data.get("subscriptions")
        for sub in subs if isinstance(subs, list) else []:
            if not isinstance(sub, dict) or not isinstance(sub.get("id"), str):
                continue
            found = sub.get("categories")
            cats: list[Any] = found if isinstance(found, list) else []
            folders = tuple(
                text(c.get("label")) or text(c.get("id")).rsplit("/label/", 1)[-1]
                for c in cats
                if isinstance(c, dict)
            )
            url = text(sub.get("url")) or sub["id"].removeprefix("feed/")
            feeds.append(
                RemoteFeed(
                    sub["id"], text(sub.get("title")), url, text(sub.get("htmlUrl")), folders
                )
            )
        return feeds

    async def item_ids(
        self,
        stream: str = READING_LIST,
        *,
        exclude: str = "",
        since: datetime | None = None,
        limit: int = 100_000,
    ) -> list[str]:
        """Long-form ids in a stream, newest first, following continuation; ``since`` stops
        at items older than that time, ``exclude`` leaves out a state (``READ``)."""
        ids: list[str] = []
        continuation = ""
        while len(ids) < limit:
            params: dict[str, Any] = {"s": stream, "n": min(IDS_PAGE, limit - len(ids))}
            params["output"] = "json"
            if exclude:
                params["xt"] = exclude
            if since is not None:
                params["ot"] = int(since.timestamp())
            if continuation:
                params["c"] = continuation
            data = self._object(
                await self._call("GET", "/reader/api/0/stream/items/ids", params=params)
            )
            refs = data.get("itemRefs")
            for ref in refs if isinstance(refs, list) else []:
                if isinstance(ref, dict):
                    try:
                        ids.append(long_item_id(str(ref.get("id", ""))))
                    except ValueError:
                        continue
            continuation = text(data.get("continuation"))
            if not continuation or not refs:
                break
        return ids

    async def items(self, ids: Sequence[str]) -> list[RemoteItem]:
        """The items with these ids (either form), in batches."""
        out: list[RemoteItem] = []
        for start in range(0, len(ids), CONTENTS_BATCH):
            batch = [("i", long_item_id(i)) for i in ids[start : start + CONTENTS_BATCH]]
            data = self._object(
                await self._call(
                    "POST",
                    "/reader/api/0/stream/items/contents",
                    params={"output": "json"},
                    data=batch,
                )
            )
            entries = data.get("items")
            for entry in entries if isinstance(entries, list) else []:
                item = parse_item(entry)
                if item is not None:
                    out.append(item)
        return out

    # writes -----------------------------------------------------------------------------
    async def mark(
        self, ids: Sequence[str], *, read: bool | None = None, starred: bool | None = None
    ) -> None:
        """Set read and/or starred on items (in batches)."""
        for start in range(0, len(ids), CONTENTS_BATCH):
            data = [("i", long_item_id(i)) for i in ids[start : start + CONTENTS_BATCH]]
            for tag, value in ((READ, read), (STARRED, starred)):
                if value is not None:
                    data.append(("a" if value else "r", tag))
            await self._write("/reader/api/0/edit-tag", data)

    async def mark_all_read(self, stream: str, seen_until: datetime) -> None:
        """Mark a stream read up to what the user saw (``ts``), not what arrived since."""
        micro = str(int(seen_until.timestamp() * 1_000_000))
        await self._write("/reader/api/0/mark-all-as-read", [("s", stream), ("ts", micro)])

    async def subscribe(self, url: str, folder: str = "", title: str = "") -> str:
        """Subscribe to a feed URL; returns the server's stream id."""
        feed_id = "feed/" + url
        data = [("ac", "subscribe"), ("s", feed_id)]
        if folder:
            data.append(("a", f"user/-/label/{folder}"))
        if title:
            data.append(("t", title))
        await self._write("/reader/api/0/subscription/edit", data)
        return feed_id

    async def unsubscribe(self, feed_id: str) -> None:
        """Unsubscribe from a feed (its stream id)."""
        await self._write(
            "/reader/api/0/subscription/edit", [("ac", "unsubscribe"), ("s", feed_id)]
        )
