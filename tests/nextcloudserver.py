"""A loopback stand-in for Nextcloud News' API v1-3, written from ``docs/api/api-v1-3.md``:
basic auth, folders and feeds, ``/items`` (``type=3``, ``getRead``, ``batchSize``, ``offset``
paging by the lowest id seen), ``/items/updated?lastModified=``, read/unread/starred/unstarred
``multiple`` with ``itemIds``, ``/feeds/{id}/read`` with ``newestItemId``, adding and deleting
feeds. ``lastModified`` is the server's own clock, bumped on every change."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from standin import LoopbackServer, running

API = "/index.php/apps/news/api/v1-3"
MULTIPLE = r"/items/(read|unread|starred|unstarred)/multiple"


@dataclass
class Item:
    id: int
    feed_id: int
    title: str
    pub: int
    unread: bool = True
    starred: bool = False
    modified: int = 0


@dataclass
class State:
    user: str = "reader"
    password: str = "s3cret word"
    folders: dict[int, str] = field(default_factory=dict)
    feeds: dict[int, dict[str, object]] = field(default_factory=dict)
    items: dict[int, Item] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    clock: int = 1_790_000_000

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def add_feed(self, url: str, title: str, folder: str = "") -> int:
        folder_id = 0
        if folder:
            folder_id = next((k for k, v in self.folders.items() if v == folder), 0)
            if not folder_id:
                folder_id = max(self.folders, default=0) + 1
                self.folders[folder_id] = folder
        fid = max(self.feeds, default=0) + 1
        self.feeds[fid] = {"url": url, "title": title, "folderId": folder_id}
        return fid

    def add_item(self, feed_id: int, title: str, pub: int) -> Item:
        item = Item(max(self.items, default=0) + 1, feed_id, title, pub, modified=self.tick())
        self.items[item.id] = item
        return item

    def change(self, item: Item, **kw: bool) -> None:
        for k, v in kw.items():
            setattr(item, k, v)
        item.modified = self.tick()


class Handler(BaseHTTPRequestHandler):
    server: StandIn

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: object = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, object]:
        length = int(self.headers.get("Content-Length") or 0)
        data = json.loads(self.rfile.read(length)) if length else {}
        return data if isinstance(data, dict) else {}

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PUT(self) -> None:
        self._route("PUT")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    def _item(self, i: Item) -> dict[str, object]:
        return {
            "id": i.id,
            "guid": f"guid-{i.id}",
            "guidHash": f"hash{i.id}",
            "url": f"http://stand-in.example/{i.id}",
            "title": i.title,
            "author": "Desk",
            "pubDate": i.pub,
            "updatedDate": i.pub,
            "body": f"<p>{i.title}</p>",
            "feedId": i.feed_id,
            "unread": i.unread,
            "starred": i.starred,
            "lastModified": i.modified,
        }

    def _route(self, method: str) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        path = parts.path.removeprefix(API)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        state.requests.append(f"{method} {path}")
        expected = base64.b64encode(f"{state.user}:{state.password}".encode()).decode()
        if self.headers.get("Authorization") != f"Basic {expected}":
            self._send(401, {"message": "Unauthorized"})
            return
        if method == "GET" and path == "/folders":
            self._send(200, {"folders": [{"id": k, "name": v} for k, v in state.folders.items()]})
        elif method == "GET" and path == "/feeds":
            feeds = [
                {"id": k, "link": "http://stand-in.example/", **v} for k, v in state.feeds.items()
            ]
            self._send(200, {"feeds": feeds, "starredCount": 0})
        elif method == "GET" and path == "/items":
            items = sorted(state.items.values(), key=lambda i: -i.id)
            if query.get("getRead", "true") == "false":
                items = [i for i in items if i.unread]
            offset = int(query.get("offset", "0"))
            if offset:
                items = [i for i in items if i.id < offset]
            size = int(query.get("batchSize", "-1"))
            if size > 0:
                items = items[:size]
            self._send(200, {"items": [self._item(i) for i in items]})
        elif method == "GET" and path == "/items/updated":
            since = int(query.get("lastModified", "0"))
            items = [i for i in state.items.values() if i.modified > since]
            self._send(200, {"items": [self._item(i) for i in sorted(items, key=lambda i: i.id)]})
        elif method == "PUT" and (
            m := re.fullmatch(r"/items/(read|unread|starred|unstarred)/multiple", path)
        ):
            what = m.group(1)
            for item_id in self._body().get("itemIds", []):  # type: ignore[union-attr]
                item = state.items.get(int(item_id))
                if item is None:
                    continue
                if what in ("read", "unread"):
                    state.change(item, unread=what == "unread")
                else:
                    state.change(item, starred=what == "starred")
            self._send(200)
        elif method == "PUT" and (m := re.fullmatch(r"/feeds/(\d+)/read", path)):
            newest = int(self._body().get("newestItemId", 0))  # type: ignore[call-overload]
            for item in state.items.values():
                if item.feed_id == int(m.group(1)) and item.id <= newest and item.unread:
                    state.change(item, unread=False)
            self._send(200)
        elif method == "POST" and path == "/feeds":
            body = self._body()
            fid = state.add_feed(str(body["url"]), str(body["url"]))
            self._send(200, {"feeds": [{"id": fid, **state.feeds[fid]}]})
        elif method == "DELETE" and (m := re.fullmatch(r"/feeds/(\d+)", path)):
            state.feeds.pop(int(m.group(1)), None)
            self._send(200)
        else:
            self._send(404, {"message": "not found"})


class StandIn(LoopbackServer[State]):
    def __init__(self) -> None:
        super().__init__(Handler, State(), "")


def serving() -> Iterator[StandIn]:
    """A running stand-in (for a fixture)."""
    yield from running(StandIn())
