"""A loopback stand-in for Tiny Tiny RSS's JSON API (``/api/``), written from its published
API and checked against the real one (Debian 12's tt-rss, ``tests/test_ttrss_real.py``):
``login`` and ``sid`` (a session the test can expire), ``API_DISABLED``, ``getCategories``
(with the virtual ``Labels`` and ``Special``), ``getFeeds`` (``cat_id=-3``), ``getHeadlines``
(``feed_id`` -4 all or -1 starred or one feed; ``view_mode`` unread or marked; ``since_id``,
``limit`` capped at 200, ``skip``, ``show_content``; newest entered first), ``getCounters``
(per feed: ``counter`` unread, ``markedcounter`` starred), ``updateArticle`` (``field`` 0
starred / 2 unread, ``mode`` 0/1/2), ``updateFeed`` (stores the articles the test queued for
the feed), ``subscribeToFeed`` (with ``category_id``; answers the feed id) and
``unsubscribeFeed`` (starred articles stay, in feed 0, as on the real server). ``strings``
sends ids and flags as strings, as tt-rss on an older PHP does."""

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
    queued: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    """Articles (title, date) each feed's next ``updateFeed`` stores."""
    strings: bool = False

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

    def category(self, title: str) -> int:
        """Make a category (the real API cannot); its id."""
        cid = max(self.categories) + 1
        self.categories[cid] = title
        return cid

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

    def _out(self, value: object) -> object:
        """A number or boolean as the server sends it."""
        if not self.server.state.strings:
            return value
        if isinstance(value, bool):
            return "t" if value else "f"
        return str(value)

    def _getCategories(self, body: dict[str, object]) -> None:
        cats = self.server.state.categories.items()
        real = [{"id": self._out(k), "title": v, "unread": 0} for k, v in cats if k]
        virtual = [{"id": -2, "title": "Labels"}, {"id": -1, "title": "Special"}]
        self._answer([*real, *virtual, {"id": 0, "title": "Uncategorized", "unread": 0}])

    def _getFeeds(self, body: dict[str, object]) -> None:
        feeds = [
            {
                "id": self._out(k),
                **v,
                "cat_id": self._out(v["cat_id"]),
                "unread": sum(
                    1 for a in self.server.state.articles.values() if a.feed_id == k and a.unread
                ),
            }
            for k, v in self.server.state.feeds.items()
        ]
        if body.get("cat_id") == -4:  # every feed, the virtual ones too
            feeds[:0] = [{"id": -1, "title": "Starred articles"}, {"id": 0, "title": "Archived"}]
        self._answer(feeds)

    def _getHeadlines(self, body: dict[str, object]) -> None:
        state = self.server.state
        since = int(body.get("since_id", 0) or 0)  # type: ignore[call-overload]
        limit = min(200, int(body.get("limit", 200) or 200))  # type: ignore[call-overload]
        skip = int(body.get("skip", 0) or 0)  # type: ignore[call-overload]
        feed = int(body.get("feed_id", 0))  # type: ignore[call-overload]
        unread_only = body.get("view_mode") == "unread"
        marked_only = body.get("view_mode") == "marked"
        content = body.get("show_content") is True
        found = sorted(
            (
                a
                for a in state.articles.values()
                if a.id > since
                and (feed == -4 or (feed == -1 and a.marked) or feed == a.feed_id)
                and (a.unread or not unread_only)
                and (a.marked or not marked_only)
            ),
            key=lambda a: -a.id,  # the newest entered first
        )
        page = found[skip : skip + limit]
        out = self._out
        self._answer(
            [
                {
                    "id": out(a.id),
                    "feed_id": out(a.feed_id),
                    "title": a.title,
                    "link": f"http://stand-in.example/{a.id}",
                    "updated": out(a.updated),
                    "unread": out(a.unread),
                    "marked": out(a.marked),
                    "author": "Desk",
                    "content": f"<p>{a.title}</p>" if content else "",
                }
                for a in page
            ]
        )

    def _getCounters(self, body: dict[str, object]) -> None:
        state = self.server.state
        arts = state.articles.values()
        unread = sum(a.unread for a in arts)
        out: list[dict[str, object]] = [
            {"id": "global-unread", "counter": unread},
            {"id": "subscribed-feeds", "counter": len(state.feeds)},
            {"id": -4, "counter": unread, "auxcounter": 0},
            {"id": 0, "kind": "cat", "counter": 0, "markedcounter": 0},
        ]
        for fid in state.feeds:
            mine = [a for a in arts if a.feed_id == fid]
            out.append(
                {
                    "id": self._out(fid),
                    "updated": "6:16",
                    "counter": self._out(sum(a.unread for a in mine)),
                    "markedcounter": self._out(sum(a.marked for a in mine)),
                    "has_img": 0,
                }
            )
        self._answer(out)

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

    def _updateFeed(self, body: dict[str, object]) -> None:
        state = self.server.state
        feed = int(body["feed_id"])  # type: ignore[call-overload]
        for title, updated in state.queued.pop(feed, []):
            state.add_article(feed, title, updated)
        self._answer({"status": "OK"})

    def _subscribeToFeed(self, body: dict[str, object]) -> None:
        state = self.server.state
        url = str(body["feed_url"])
        if not url.startswith("http"):
            self._answer({"status": {"code": 2}})
            return
        known = next((k for k, v in state.feeds.items() if v["feed_url"] == url), 0)
        if known:
            self._answer({"status": {"code": 0, "feed_id": known}})
            return
        fid = state.add_feed(url, url)
        cid = int(body.get("category_id", 0) or 0)  # type: ignore[call-overload]
        state.feeds[fid]["cat_id"] = cid if cid in state.categories else 0
        self._answer({"status": {"code": 1, "feed_id": fid}})

    def _unsubscribeFeed(self, body: dict[str, object]) -> None:
        state = self.server.state
        fid = int(body["feed_id"])  # type: ignore[call-overload]
        state.feeds.pop(fid, None)
        for article in list(state.articles.values()):
            if article.feed_id == fid:
                if article.marked:
                    article.feed_id = 0  # tt-rss keeps starred articles in "Archived"
                else:
                    del state.articles[article.id]
        self._answer({"status": "OK"})


class StandIn(LoopbackServer[State]):
    def __init__(self) -> None:
        super().__init__(Handler, State(), "/tt-rss")


def serving() -> Iterator[StandIn]:
    """A running stand-in (for a fixture)."""
    yield from running(StandIn())
