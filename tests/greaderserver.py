"""A loopback stand-in for a Google Reader API server (FreshRSS's ``api/greader.php``,
Miniflux's ``/reader/api/0``), written from their published API: ClientLogin and the auth
header, the write token (``T=``, refused with ``X-Reader-Google-Bad-Token`` when stale),
subscriptions and tags, item ids in both forms (long ``tag:google.com,2005:reader/item/<hex>``
and short decimal), ``stream/items/ids`` with ``xt``, ``ot``/``nt`` and continuation ``c``,
``stream/items/contents`` by POSTed ids, ``edit-tag``, ``mark-all-as-read``, ``quickadd``
and ``subscription/edit``. It counts requests so a test can say how many a sync made.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from standin import LoopbackServer, running

READ = "user/-/state/com.google/read"
STARRED = "user/-/state/com.google/starred"
READING_LIST = "user/-/state/com.google/reading-list"
LONG = "tag:google.com,2005:reader/item/"


def long_id(number: int) -> str:
    """The long form of an item id (16 hex digits of the 64-bit number)."""
    return LONG + format(number & 0xFFFFFFFFFFFFFFFF, "016x")


def number_of(item_id: str) -> int:
    """An item id in either form as its number."""
    if item_id.startswith(LONG):
        value = int(item_id[len(LONG) :], 16)
        return value - (1 << 64) if value >= 1 << 63 else value
    return int(item_id)


@dataclass
class Item:
    number: int
    feed: str
    title: str
    link: str
    published: int
    content: str = ""
    read: bool = False
    starred: bool = False


@dataclass
class State:
    user: str = "reader"
    password: str = "s3cret word"
    auth: str = field(default_factory=lambda: secrets.token_hex(16))
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    feeds: dict[str, dict[str, object]] = field(default_factory=dict)
    items: dict[int, Item] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    short_ids: bool = False
    """Answer ``stream/items/ids`` with decimal ids (Miniflux, some FreshRSS versions)."""
    fail_next: int = 0
    """Answer the next request with this status (500, 429…)."""
    garbage_next: bool = False
    delay: float = 0.0
    drop_contents_after: int | None = None
    """Serve this many more ``stream/items/contents`` calls, then drop the connection
    mid-answer on the next one (once)."""
    """Seconds to wait before each answer (a slow server)."""

    def add_feed(self, url: str, title: str, folder: str = "") -> str:
        feed_id = "feed/" + url
        self.feeds[feed_id] = {"url": url, "title": title, "folder": folder}
        return feed_id

    def add_item(self, feed_id: str, title: str, published: int, **kw: object) -> Item:
        number = (len(self.items) + 1) * 1_000_003 + (1 << 62 if len(self.items) % 2 else 0)
        item = Item(number, feed_id, title, f"http://stand-in.example/{number}", published, **kw)  # type: ignore[arg-type]
        self.items[number] = item
        return item


class Handler(BaseHTTPRequestHandler):
    server: StandIn

    def log_message(self, format: str, *args: object) -> None:
        pass

    # plumbing ---------------------------------------------------------------------------
    def _send(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _form(self) -> dict[str, list[str]]:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        query = parse_qs(urlsplit(self.path).query)
        for k, v in parse_qs(body).items():
            query.setdefault(k, []).extend(v)
        return query

    def _authorized(self) -> bool:
        return self.headers.get("Authorization", "") == f"GoogleLogin auth={self.server.state.auth}"

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def _route(self, method: str) -> None:
        state = self.server.state
        path = urlsplit(self.path).path
        state.requests.append(f"{method} {path}")
        form = self._form()
        if state.delay:
            time.sleep(state.delay)
        if path.endswith("/stream/items/contents") and state.drop_contents_after is not None:
            if state.drop_contents_after == 0:
                state.drop_contents_after = None
                self.send_response(200)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.write(b'{"items": [')
                self.wfile.flush()
                self.close_connection = True
                return
            state.drop_contents_after -= 1
        if state.fail_next:
            status, state.fail_next = state.fail_next, 0
            self._send(status, b"busy", {"Retry-After": "1"} if status == 429 else None)
            return
        if state.garbage_next:
            state.garbage_next = False
            self._send(200, b"<html>not json")
            return
        base = path.split("/api/greader.php", 1)[-1]
        if base == "/accounts/ClientLogin":
            if (
                form.get("Email", [""])[0] == state.user
                and form.get("Passwd", [""])[0] == state.password
            ):
                text = f"SID={state.auth}\nLSID=null\nAuth={state.auth}\n"
                self._send(200, text.encode())
            else:
                self._send(401, b"Error=BadAuthentication\n")
            return
        if not self._authorized():
            self._send(401, b"Unauthorized")
            return
        api = base.removeprefix("/reader/api/0/")
        writes = {"edit-tag", "mark-all-as-read", "subscription/quickadd", "subscription/edit"}
        if api in writes and form.get("T", [""])[0] != state.token:
            self._send(401, b"Unauthorized", {"X-Reader-Google-Bad-Token": "true"})
            return
        handler = getattr(self, "_" + api.replace("/", "_").replace("-", "_"), None)
        if handler is None:
            self._send(404, b"not found")
            return
        handler(form)

    # reads ------------------------------------------------------------------------------
    def _token(self, form: dict[str, list[str]]) -> None:
        self._send(200, self.server.state.token.encode())

    def _subscription_list(self, form: dict[str, list[str]]) -> None:
        subs = []
        for feed_id, feed in self.server.state.feeds.items():
            folder = str(feed["folder"])
            cats = [{"id": f"user/-/label/{folder}", "label": folder}] if folder else []
            subs.append(
                {
                    "id": feed_id,
                    "title": feed["title"],
                    "url": feed["url"],
                    "categories": cats,
                    "htmlUrl": "http://stand-in.example/",
                }
            )
        self._send(200, {"subscriptions": subs})

    def _tag_list(self, form: dict[str, list[str]]) -> None:
        folders = sorted(
            {str(f["folder"]) for f in self.server.state.feeds.values() if f["folder"]}
        )
        tags = [{"id": STARRED}] + [{"id": f"user/-/label/{f}", "type": "folder"} for f in folders]
        self._send(200, {"tags": tags})

    def _selected(self, form: dict[str, list[str]]) -> list[Item]:
        stream = form.get("s", [READING_LIST])[0]
        exclude = form.get("xt", [""])[0]
        older = int(form.get("ot", ["0"])[0] or 0)
        newer = int(form.get("nt", ["0"])[0] or 0)
        items = sorted(self.server.state.items.values(), key=lambda i: (-i.published, i.number))
        out = []
        for item in items:
            if stream == STARRED and not item.starred:
                continue
            if stream == READ and not item.read:
                continue
            if stream.startswith("feed/") and item.feed != stream:
                continue
            if exclude == READ and item.read:
                continue
            if older and item.published < older:
                continue
            if newer and item.published > newer:
                continue
            out.append(item)
        return out

    def _stream_items_ids(self, form: dict[str, list[str]]) -> None:
        items = self._selected(form)
        n = int(form.get("n", ["20"])[0])
        start = int(form.get("c", ["0"])[0] or 0)
        page = items[start : start + n]
        state = self.server.state
        refs = [{"id": str(i.number) if state.short_ids else long_id(i.number)} for i in page]
        body: dict[str, object] = {"itemRefs": refs}
        if start + n < len(items):
            body["continuation"] = str(start + n)
        self._send(200, body)

    def _stream_items_contents(self, form: dict[str, list[str]]) -> None:
        state = self.server.state
        out = []
        for ref in form.get("i", []):
            item = state.items.get(number_of(ref))
            if item is None:
                continue
            cats = (
                [READING_LIST] + ([READ] if item.read else []) + ([STARRED] if item.starred else [])
            )
            out.append(
                {
                    "id": long_id(item.number),
                    "title": item.title,
                    "published": item.published,
                    "updated": item.published,
                    "canonical": [{"href": item.link}],
                    "alternate": [{"href": item.link, "type": "text/html"}],
                    "summary": {"content": item.content},
                    "author": "Desk",
                    "categories": cats,
                    "origin": {"streamId": item.feed, "title": state.feeds[item.feed]["title"]},
                }
            )
        self._send(200, {"items": out})

    # writes -----------------------------------------------------------------------------
    def _edit_tag(self, form: dict[str, list[str]]) -> None:
        state = self.server.state
        for ref in form.get("i", []):
            item = state.items.get(number_of(ref))
            if item is None:
                continue
            for tag, value in [(t, True) for t in form.get("a", [])] + [
                (t, False) for t in form.get("r", [])
            ]:
                if tag == READ:
                    item.read = value
                elif tag == STARRED:
                    item.starred = value
        self._send(200, b"OK")

    def _mark_all_as_read(self, form: dict[str, list[str]]) -> None:
        stream = form.get("s", [READING_LIST])[0]
        ts = int(form.get("ts", ["0"])[0] or 0) // 1_000_000  # microseconds
        for item in self._selected({"s": [stream]}):
            if not ts or item.published <= ts:
                item.read = True
        self._send(200, b"OK")

    def _subscription_quickadd(self, form: dict[str, list[str]]) -> None:
        url = form.get("quickadd", [""])[0].removeprefix("feed/")
        feed_id = self.server.state.add_feed(url, url)
        self._send(200, {"numResults": 1, "streamId": feed_id, "query": url})

    def _subscription_edit(self, form: dict[str, list[str]]) -> None:
        state = self.server.state
        feed_id = form.get("s", [""])[0]
        action = form.get("ac", [""])[0]
        if action == "unsubscribe":
            state.feeds.pop(feed_id, None)
        elif action in ("subscribe", "edit"):
            feed = state.feeds.setdefault(
                feed_id, {"url": feed_id.removeprefix("feed/"), "title": "", "folder": ""}
            )
            if "t" in form:
                feed["title"] = form["t"][0]
            label = form.get("a", [""])[0]
            if label.startswith("user/-/label/"):
                feed["folder"] = label.removeprefix("user/-/label/")
        self._send(200, b"OK")


class StandIn(LoopbackServer[State]):
    def __init__(self) -> None:
        super().__init__(Handler, State(), "/api/greader.php")


def serving() -> Iterator[StandIn]:
    """A running stand-in (for a fixture)."""
    yield from running(StandIn())
