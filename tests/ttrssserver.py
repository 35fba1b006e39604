"""A loopback stand-in for Tiny Tiny RSS's JSON API (``/api/``), written from its published
API: ``login`` and ``sid`` (a session the test can expire), ``API_DISABLED``,
``getCategories``, ``getFeeds`` (``cat_id=-3``), ``getHeadlines`` (``feed_id=-4``, ``since_id``,
``limit`` capped at 200, ``skip``), ``updateArticle`` (``field`` 0 starred / 2 unread, ``mode``
0/1/2), ``subscribeToFeed`` and ``unsubscribeFeed``. Until the real tt-rss runs in CI, this is
what the client is tested against."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from standin import LoopbackServer, running


@dataclass
class Article:
    id: int
    feed_id: int
    title: str
    updated: int
    unread: bool = True
    marked: bool = False


@dataclass
class State:
    user: str = "reader"
    password: str = "s3cret word"
    api_enabled: bool = True
    sessions: set[str] = field(default_factory=set)
    categories: dict[int, str] = field(default_factory=lambda: {0: "Uncategorized"})
    feeds: dict[int, dict[str, object]] = field(default_factory=dict)
    articles: dict[int, Article] = field(default_factory=dict)
    ops: list[str] = field(default_factory=list)

    def add_feed(self, url: str, title: str, category: str = "") -> int:
        cid = 0
        if category:
            cid = next((k for k, v in self.categories.items() if v == category), 0)
            if not cid:
                cid = max(self.categories) + 1
                self.categories[cid] = category
        fid = max(self.feeds, default=0) + 1
        self.feeds[fid] = {"feed_url": url, "title": title, "cat_id": cid}
        return fid

    def add_article(self, feed_id: int, title: str, updated: int) -> Article:
        article = Article(max(self.articles, default=0) + 1, feed_id, title, updated)
        self.articles[article.id] = article
        return article


class Handler(BaseHTTPRequestHandler):
    server: StandIn

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, content: object, status: int = 0) -> None:
        data = json.dumps({"seq": 0, "status": status, "content": content}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        op = body.get("op", "")
        state.ops.append(op)
        if op == "login":
            if not state.api_enabled:
                self._answer({"error": "API_DISABLED"}, 1)
            elif body.get("user") == state.user and body.get("password") == state.password:
                sid = secrets.token_hex(8)
                state.sessions.add(sid)
                self._answer({"session_id": sid, "api_level": 14})
            else:
                self._answer({"error": "LOGIN_ERROR"}, 1)
            return
        if body.get("sid") not in state.sessions:
            self._answer({"error": "NOT_LOGGED_IN"}, 1)
            return
        handler = getattr(self, "_" + op, None)
        if handler is None:
            self._answer({"error": "UNKNOWN_METHOD"}, 1)
            return
        handler(body)

    def _getCategories(self, body: dict[str, object]) -> None:
        cats = self.server.state.categories.items()
        self._answer([{"id": k, "title": v, "unread": 0} for k, v in cats])

    def _getFeeds(self, body: dict[str, object]) -> None:
        feeds = [{"id": k, **v, "unread": 0} for k, v in self.server.state.feeds.items()]
        self._answer([{"id": -1, "title": "Starred articles"}, *feeds])

    def _getHeadlines(self, body: dict[str, object]) -> None:
        state = self.server.state
        since = int(body.get("since_id", 0) or 0)  # type: ignore[call-overload]
        limit = min(200, int(body.get("limit", 60) or 60))  # type: ignore[call-overload]
        skip = int(body.get("skip", 0) or 0)  # type: ignore[call-overload]
        found = sorted(
            (a for a in state.articles.values() if a.id > since), key=lambda a: (-a.updated, -a.id)
        )
        page = found[skip : skip + limit]
        self._answer(
            [
                {
                    "id": a.id,
                    "feed_id": a.feed_id,
                    "title": a.title,
                    "link": f"http://stand-in.example/{a.id}",
                    "updated": a.updated,
                    "unread": a.unread,
                    "marked": a.marked,
                    "author": "Desk",
                    "content": f"<p>{a.title}</p>",
                }
                for a in page
            ]
        )

    def _updateArticle(self, body: dict[str, object]) -> None:
        state = self.server.state
        fieldno, mode = int(body["field"]), int(body["mode"])  # type: ignore[call-overload]
        for part in str(body["article_ids"]).split(","):
            article = state.articles.get(int(part))
            if article is None:
                continue
            attr = "marked" if fieldno == 0 else "unread"
            value = not getattr(article, attr) if mode == 2 else bool(mode)
            setattr(article, attr, value)
        self._answer({"status": "OK", "updated": 1})

    def _subscribeToFeed(self, body: dict[str, object]) -> None:
        self.server.state.add_feed(str(body["feed_url"]), str(body["feed_url"]))
        self._answer({"status": {"code": 1}})

    def _unsubscribeFeed(self, body: dict[str, object]) -> None:
        self.server.state.feeds.pop(int(body["feed_id"]), None)  # type: ignore[call-overload]
        self._answer({"status": "OK"})


class StandIn(LoopbackServer[State]):
    def __init__(self) -> None:
        super().__init__(Handler, State(), "/tt-rss")


def serving() -> Iterator[StandIn]:
    """A running stand-in (for a fixture)."""
    yield from running(StandIn())
