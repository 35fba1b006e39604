"""A loopback stand-in for Miniflux's REST API (``/v1/…``), written from its published API
(docs/api and ``internal/api``): API-key (``X-Auth-Token``) or basic auth, feeds and
categories, entries filtered by status, starred, ``after_entry_id`` and ``changed_after`` with
limit/offset/order, ``PUT /v1/entries`` for status, ``PUT /v1/entries/{id}/bookmark``
(toggles), ``POST /v1/feeds`` and ``DELETE /v1/feeds/{id}``. The official ``miniflux`` client
from PyPI is run against it in the tests, as a cross-check that it answers as Miniflux does.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from standin import LoopbackServer, running


@dataclass
class Entry:
    id: int
    feed_id: int
    title: str
    url: str
    published: int
    content: str = ""
    status: str = "unread"
    starred: bool = False
    changed: int = 0


@dataclass
class State:
    user: str = "reader"
    password: str = "s3cret word"
    token: str = "api-token-1234"
    feeds: dict[int, dict[str, object]] = field(default_factory=dict)
    categories: dict[int, str] = field(default_factory=lambda: {1: "All"})
    entries: dict[int, Entry] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    clock: int = 1_790_000_000

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def category(self, title: str) -> int:
        for cid, name in self.categories.items():
            if name == title:
                return cid
        cid = max(self.categories) + 1
        self.categories[cid] = title
        return cid

    def add_feed(self, url: str, title: str, category: str = "All") -> int:
        fid = max(self.feeds, default=0) + 1
        self.feeds[fid] = {"feed_url": url, "title": title, "category_id": self.category(category)}
        return fid

    def add_entry(self, feed_id: int, title: str, published: int, **kw: object) -> Entry:
        eid = max(self.entries, default=100) + 1
        entry = Entry(eid, feed_id, title, f"http://stand-in.example/{eid}", published, **kw)  # type: ignore[arg-type]
        entry.changed = self.tick()
        self.entries[eid] = entry
        return entry


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


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

    def _authorized(self) -> bool:
        state = self.server.state
        if self.headers.get("X-Auth-Token") == state.token:
            return True
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            pair = base64.b64decode(auth[6:]).decode(errors="replace")
            return pair == f"{state.user}:{state.password}"
        return False

    def _body(self) -> object:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"null") if length else None

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def do_PUT(self) -> None:
        self._route("PUT")

    def do_DELETE(self) -> None:
        self._route("DELETE")

    def _feed(self, fid: int) -> dict[str, object]:
        state = self.server.state
        feed = state.feeds[fid]
        cid = int(feed["category_id"])  # type: ignore[call-overload]
        return {
            "id": fid,
            "user_id": 1,
            "title": feed["title"],
            "feed_url": feed["feed_url"],
            "site_url": "http://stand-in.example/",
            "category": {"id": cid, "title": state.categories[cid], "user_id": 1},
        }

    def _entry(self, e: Entry) -> dict[str, object]:
        return {
            "id": e.id,
            "user_id": 1,
            "feed_id": e.feed_id,
            "status": e.status,
            "hash": str(e.id),
            "title": e.title,
            "url": e.url,
            "published_at": _iso(e.published),
            "changed_at": _iso(e.changed),
            "content": e.content,
            "author": "Desk",
            "starred": e.starred,
            "feed": self._feed(e.feed_id),
        }

    def _route(self, method: str) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        path, query = parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()}
        state.requests.append(f"{method} {path}")
        if not self._authorized():
            self._send(401, {"error_message": "Access Unauthorized"})
            return
        if method == "GET" and path == "/v1/me":
            self._send(200, {"id": 1, "username": state.user})
        elif method == "GET" and path == "/v1/feeds":
            self._send(200, [self._feed(fid) for fid in sorted(state.feeds)])
        elif method == "GET" and path == "/v1/categories":
            self._send(
                200, [{"id": c, "title": t, "user_id": 1} for c, t in state.categories.items()]
            )
        elif method == "GET" and path == "/v1/entries":
            self._entries(query)
        elif method == "GET" and (m := re.fullmatch(r"/v1/entries/(\d+)", path)):
            found = state.entries.get(int(m.group(1)))
            if found is None:
                self._send(404, {"error_message": "Entry not found"})
            else:
                self._send(200, self._entry(found))
        elif method == "PUT" and path == "/v1/entries":
            body = self._body()
            assert isinstance(body, dict)
            for eid in body["entry_ids"]:
                entry = state.entries.get(int(eid))
                if entry is not None:
                    entry.status = str(body["status"])
                    entry.changed = state.tick()
            self._send(204)
        elif method == "PUT" and (m := re.fullmatch(r"/v1/entries/(\d+)/bookmark", path)):
            entry = state.entries.get(int(m.group(1)))
            if entry is None:
                self._send(404, {"error_message": "Entry not found"})
                return
            entry.starred = not entry.starred
            entry.changed = state.tick()
            self._send(204)
        elif method == "POST" and path == "/v1/feeds":
            body = self._body()
            assert isinstance(body, dict)
            cid = int(body.get("category_id") or 1)
            fid = state.add_feed(
                str(body["feed_url"]), str(body["feed_url"]), state.categories[cid]
            )
            self._send(201, {"feed_id": fid})
        elif method == "DELETE" and (m := re.fullmatch(r"/v1/feeds/(\d+)", path)):
            fid = int(m.group(1))
            state.feeds.pop(fid, None)
            for eid in [e.id for e in state.entries.values() if e.feed_id == fid]:
                del state.entries[eid]
            self._send(204)
        else:
            self._send(404, {"error_message": "Not found"})

    def _entries(self, query: dict[str, str]) -> None:
        state = self.server.state
        found = list(state.entries.values())
        if "status" in query:
            found = [e for e in found if e.status == query["status"]]
        if query.get("starred") in ("true", "1"):
            found = [e for e in found if e.starred]
        if "after_entry_id" in query:
            found = [e for e in found if e.id > int(query["after_entry_id"])]
        if "changed_after" in query:
            found = [e for e in found if e.changed > int(query["changed_after"])]
        reverse = query.get("direction", "asc") == "desc"
        order = query.get("order", "published_at")
        found.sort(key=lambda e: e.id if order == "id" else e.published, reverse=reverse)
        total = len(found)
        offset = int(query.get("offset", "0"))
        limit = int(query.get("limit", "100"))
        page = found[offset : offset + limit]
        self._send(200, {"total": total, "entries": [self._entry(e) for e in page]})


class StandIn(LoopbackServer[State]):
    def __init__(self) -> None:
        super().__init__(Handler, State(), "")


def serving() -> Iterator[StandIn]:
    """A running stand-in (for a fixture)."""
    yield from running(StandIn())
