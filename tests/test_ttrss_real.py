"""The tt-rss client against a real Tiny Tiny RSS: Debian 12's package with PostgreSQL.

`.ci/ttrss-up` installs and starts it on 127.0.0.1 (`.ci/run` does, and stops it after) and
prints ``TUIREADER_TTRSS_URL``, ``_USER`` and ``_PASSWORD``; the user has the categories
"World" and "Tech". The feeds are served by a loopback server in this module, and tt-rss
fetches them when asked (``updateFeed``). Every test starts from an account with no feed and
no star, and serves its feeds under paths of its own, so no test sees another's articles.
Outside CI without a server the tests skip and say why; inside CI they fail.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tuireader.domain.remote import RemoteItem
from tuireader.sources.ttrss import TTRSSAuthError, TTRSSClient, TTRSSError

T0 = 1_790_000_000
_runs = itertools.count(1)
_token = secrets.token_hex(6)  # tt-rss keeps the articles of removed feeds: never reuse a guid


@dataclass
class Server:
    url: str
    user: str
    password: str


@dataclass
class Feeds:
    """The feeds served to tt-rss: path -> (title, number of items)."""

    base: str
    served: dict[str, tuple[str, int]] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def add(self, path: str, title: str, items: int) -> str:
        self.served[path] = (title, items)
        return self.base + path

    def grow(self, path: str, more: int) -> None:
        title, items = self.served[path]
        self.served[path] = (title, items + more)

    def rss(self, path: str) -> bytes | None:
        if path not in self.served:
            return None
        title, count = self.served[path]
        items = "".join(
            f"<item><title>{escape(title)} #{n}</title>"
            f"<link>http://example.org{path}/{n}</link><guid>{path}/{n}</guid>"
            f"<pubDate>{formatdate(T0 + 60 * n, usegmt=True)}</pubDate>"
            f"<description>{escape(f'<p>Body of {title} #{n} &amp; more</p>')}</description>"
            "</item>"
            for n in range(count)
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>http://example.org{path}</link>"
            f"<description>test feed</description>{items}</channel></rss>"
        ).encode()


@pytest.fixture(scope="module")
def server() -> Server:
    url = os.environ.get("TUIREADER_TTRSS_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must run a tt-rss (TUIREADER_TTRSS_URL): .ci/run starts .ci/ttrss-up")
        pytest.skip('no tt-rss here: run `eval "$(.ci/ttrss-up)"` (root) to test against one')
    return Server(url, os.environ["TUIREADER_TTRSS_USER"], os.environ["TUIREADER_TTRSS_PASSWORD"])


@pytest.fixture(scope="module")
def feeds() -> Iterator[Feeds]:
    served = Feeds("")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            served.hits.append(self.path)
            body = served.rss(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    served.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield served
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=120, trust_env=False) as client:
        yield client


async def reset(reader: TTRSSClient) -> None:
    """No feed, no star and nothing unread left.

    tt-rss keeps the starred articles of a feed removed, in "Archived articles" (feed 0),
    and the API cannot delete them: they are left read and unstarred, and the tests look
    only at their own feeds' articles."""
    await reader.mark(sorted(await reader.starred_ids()), starred=False)
    for feed in await reader.subscriptions():
        await reader.unsubscribe(feed.id)
    await reader.mark(sorted(await reader.unread_ids()), read=True)  # the archived ones


def mine(items: list[RemoteItem], *feed_ids: str) -> list[RemoteItem]:
    return [i for i in items if i.feed_id in feed_ids]


@pytest.fixture
async def reader(server: Server, http: httpx.AsyncClient) -> AsyncIterator[TTRSSClient]:
    client = TTRSSClient(http, server.url, server.user, server.password)
    await reset(client)
    yield client
    await reset(client)


@pytest.fixture
def run() -> str:
    """A path prefix of this test's own, so no two tests (or runs) share a feed or an article:
    tt-rss finds an article it still holds from a removed feed "up to date" and does not give
    it to the user again."""
    return f"/run-{_token}-{next(_runs)}"


async def categories(reader: TTRSSClient) -> dict[str, int]:
    return {title: cid for cid, title in (await reader.categories()).items()}


async def test_a_wrong_password_is_one_line_naming_no_secret(
    server: Server, http: httpx.AsyncClient
) -> None:
    wrong = "wrong horse battery staple"
    with pytest.raises(TTRSSAuthError) as caught:
        await TTRSSClient(http, server.url, server.user, wrong).subscriptions()
    message = str(caught.value)
    assert "\n" not in message and server.user in message
    assert "horse" not in message and server.password not in message


async def test_feeds_with_categories_and_paged_headlines(
    reader: TTRSSClient, feeds: Feeds, run: str
) -> None:
    cats = await categories(reader)
    assert {"World", "Tech"} <= set(cats)
    urls = {
        "World": feeds.add(f"{run}/world.xml", "World desk", 130),
        "Tech": feeds.add(f"{run}/tech.xml", "Tech desk", 90),
        "": feeds.add(f"{run}/misc.xml", "Misc desk", 25),
    }
    ids = {
        folder: await reader.subscribe(url, category_id=cats.get(folder, 0))
        for folder, url in urls.items()
    }
    await asyncio.gather(*(reader.update_feed(i) for i in ids.values()))
    subs = {f.id: f for f in await reader.subscriptions()}
    assert set(subs) == set(ids.values())
    for folder, feed_id in ids.items():
        assert subs[feed_id].url == urls[folder]
        assert subs[feed_id].folders == ((folder,) if folder else ())
    assert subs[ids["Tech"]].title == "Tech desk"

    before = reader.requests
    every = await reader.headlines()
    assert reader.requests - before == len(every) // 200 + 1  # 200 a page
    items = mine(every, *ids.values())
    assert len(items) == 245 and len({i.id for i in every}) == len(every)
    world = [i for i in items if i.feed_id == ids["World"]]
    assert sorted(i.title for i in world) == sorted(f"World desk #{n}" for n in range(130))
    sample = next(i for i in world if i.title == "World desk #7")
    assert sample.link.endswith(f"{run}/world.xml/7")
    assert "Body of World desk #7" in sample.content and sample.published is not None
    assert int(sample.published.timestamp()) == T0 + 60 * 7
    assert not any(i.read or i.starred for i in items)
    assert await reader.unread_ids() == {i.id for i in items}
    assert await reader.starred_ids() == set()


async def test_headlines_since_an_id_are_only_the_new_ones(
    reader: TTRSSClient, feeds: Feeds, run: str
) -> None:
    path = f"{run}/growing.xml"
    feed_id = await reader.subscribe(feeds.add(path, "Growing", 210))
    await reader.update_feed(feed_id)
    first = await reader.headlines()
    assert len(mine(first, feed_id)) == 210
    since = max(int(i.id) for i in first)
    assert await reader.headlines(since_id=since) == []
    feeds.grow(path, 7)
    await reader.update_feed(feed_id)
    newer = await reader.headlines(since_id=since)
    assert sorted(i.title for i in newer) == sorted(f"Growing #{n}" for n in range(210, 217))
    assert all(int(i.id) > since for i in newer)
    assert len(mine(await reader.headlines(), feed_id)) == 217


async def test_read_and_starred_go_there_and_come_back(
    reader: TTRSSClient, feeds: Feeds, run: str
) -> None:
    feed_id = await reader.subscribe(feeds.add(f"{run}/marks.xml", "Marks", 230))
    other = await reader.subscribe(feeds.add(f"{run}/other.xml", "Other", 4))
    await asyncio.gather(reader.update_feed(feed_id), reader.update_feed(other))
    ids = sorted(i.id for i in mine(await reader.headlines(), feed_id))
    others = {i.id for i in mine(await reader.headlines(), other)}
    read, starred = ids[:205], ids[3:8]  # more than a page of reads
    await reader.mark(read, read=True)
    await reader.mark(starred, starred=True)
    state = {i.id: (i.read, i.starred) for i in mine(await reader.headlines(), feed_id)}
    assert {i for i, (r, _) in state.items() if r} == set(read)
    assert {i for i, (_, s) in state.items() if s} == set(starred)
    assert await reader.unread_ids() == set(ids[205:]) | others
    assert await reader.starred_ids() == set(starred)
    assert await reader.counts() == {feed_id: (25, 5), other: (4, 0)}
    await reader.mark(starred[:2], read=False, starred=False)
    assert await reader.starred_ids() == set(starred[2:])
    assert await reader.unread_ids() == set(ids[205:]) | set(starred[:2]) | others
    assert await reader.counts() == {feed_id: (27, 3), other: (4, 0)}
    assert await reader.unread_ids(feed_id) == set(ids[205:]) | set(starred[:2])
    assert await reader.starred_ids(feed_id) == set(starred[2:])
    assert await reader.starred_ids(other) == set()


async def test_unsubscribe_keeps_only_the_starred_articles(
    reader: TTRSSClient, feeds: Feeds, run: str
) -> None:
    keep = await reader.subscribe(feeds.add(f"{run}/keep.xml", "Keep", 3))
    gone = await reader.subscribe(feeds.add(f"{run}/gone.xml", "Gone", 4))
    await asyncio.gather(reader.update_feed(keep), reader.update_feed(gone))
    starred = next(i.id for i in await reader.headlines() if i.feed_id == gone)
    await reader.mark([starred], starred=True)
    await reader.unsubscribe(gone)
    assert [f.id for f in await reader.subscriptions()] == [keep]
    left = {i.id: i.feed_id for i in await reader.headlines() if i.feed_id == keep}
    archived = {i.id: i.feed_id for i in await reader.headlines() if i.feed_id == "0"}
    assert len(left) == 3 and archived.get(starred) == "0"  # in "Archived articles"
    assert await reader.starred_ids() == {starred}


async def test_a_feed_that_cannot_be_fetched_is_one_line(
    reader: TTRSSClient, feeds: Feeds, run: str
) -> None:
    with pytest.raises(TTRSSError, match="could not download") as caught:
        await reader.subscribe(f"{feeds.base}{run}/missing.xml")
    assert "\n" not in str(caught.value)
    assert await reader.subscriptions() == []


async def test_an_ended_session_signs_in_again(reader: TTRSSClient) -> None:
    await reader.login()
    reader._sid = "not-a-session"  # what the server says once a session expired
    assert await reader.subscriptions() == []


async def test_the_answers_have_the_shapes_the_stand_in_copies(
    reader: TTRSSClient, feeds: Feeds, run: str, server: Server, http: httpx.AsyncClient
) -> None:
    """Raw answers: numbers and booleans as JSON types in this version (tests/ttrssserver.py
    sends the same; its ``strings`` mode stands for tt-rss on an older PHP)."""
    world = (await categories(reader))["World"]
    feed_id = await reader.subscribe(feeds.add(f"{run}/shape.xml", "Shape", 2), world)
    await reader.update_feed(feed_id)
    url = server.url.rstrip("/") + "/api/"

    async def call(**body: object) -> object:
        answer = (await http.post(url, json=body)).json()
        assert answer["status"] == 0, answer
        return answer["content"]

    login = await call(op="login", user=server.user, password=server.password)
    assert isinstance(login, dict)
    sid = login["session_id"]
    assert login["api_level"] == 15
    cats = await call(op="getCategories", sid=sid, include_empty=True)
    assert isinstance(cats, list)
    assert {c["title"]: c["id"] for c in cats}["World"] == world
    assert {"Labels", "Special", "Uncategorized"} <= {c["title"] for c in cats}
    listed = await call(op="getFeeds", sid=sid, cat_id=-3)
    assert isinstance(listed, list)
    assert [(f["id"], f["cat_id"]) for f in listed] == [(int(feed_id), world)]  # no virtual
    heads = await call(op="getHeadlines", sid=sid, feed_id=-4, show_content=False)
    assert isinstance(heads, list)
    heads = [h for h in heads if h["feed_id"] != 0]  # not the archived ones
    assert len(heads) == 2
    for head in heads:
        assert isinstance(head["id"], int) and head["feed_id"] == int(feed_id)
        assert head["unread"] is True and head["marked"] is False
        assert isinstance(head["updated"], int) and head["content"] == ""
    bad = (await http.post(url, json={"op": "getFeeds", "sid": "nope"})).json()
    assert bad["status"] == 1 and bad["content"] == {"error": "NOT_LOGGED_IN"}


def _account_home(tmp: object, server: Server) -> dict[str, str]:
    from pathlib import Path

    root = Path(str(tmp))
    config = root / "config"
    config.mkdir()
    (config / "config.toml").write_text(
        f'[accounts.tt]\ntype = "ttrss"\nurl = "{server.url}"\nuser = "{server.user}"\n'
        f'password_command = "echo {server.password}"\n',
        encoding="utf-8",
    )
    return {
        **os.environ,
        "TUIREADER_DATA_DIR": str(root / "data"),
        "TUIREADER_CONFIG_DIR": str(config),
        "TUIREADER_CACHE_DIR": str(root / "cache"),
        "TUIREADER_LOG_DIR": str(root / "log"),
    }


async def test_an_account_syncs_with_the_real_tt_rss_end_to_end(
    server: Server, reader: TTRSSClient, feeds: Feeds, run: str, tmp_path: object
) -> None:
    import json

    from test_cli import run as cli

    cats = await categories(reader)
    world = await reader.subscribe(feeds.add(f"{run}/w.xml", "World wire", 30), cats["World"])
    misc = await reader.subscribe(feeds.add(f"{run}/m.xml", "Misc wire", 5))
    await asyncio.gather(reader.update_feed(world), reader.update_feed(misc))
    first = sorted(mine(await reader.headlines(), world, misc), key=lambda i: i.title)
    await reader.mark([first[0].id], read=True)
    await reader.mark([first[1].id], starred=True)
    env = _account_home(tmp_path, server)

    def sync() -> dict[str, object]:
        done = cli(env, "sync", "tt", "--json", timeout=300)
        assert done.returncode == 0, done.stderr
        assert server.password not in done.stdout + done.stderr
        result: dict[str, object] = json.loads(done.stdout)[0]
        return result

    def here() -> dict[str, dict[str, object]]:
        listed = cli(env, "list", "--json", "--limit", "1000").stdout
        return {s["title"]: s for s in json.loads(listed)}

    report = sync()
    assert report["feeds"] == 2 and report["new"] == 35, report
    stories = here()
    assert set(stories) == {i.title for i in first}
    assert (stories[first[0].title]["read"], stories[first[1].title]["starred"]) == (True, True)
    sources = json.loads(cli(env, "sources", "--json").stdout)
    assert {s["title"]: s["folder"] for s in sources} == {"World wire": "World", "Misc wire": ""}

    # both ways: a mark here reaches tt-rss, a mark there comes here
    target = first[2]
    for flag in ("--read", "--star"):
        assert cli(env, "mark", str(stories[target.title]["id"]), flag).returncode == 0
    await reader.mark([first[3].id], read=True)
    report = sync()
    assert report["sent"] == 2 and report["applied"] == 1 and report["new"] == 0, report
    assert target.id not in await reader.unread_ids()
    assert target.id in await reader.starred_ids()
    assert here()[first[3].title]["read"] is True

    # incremental: new articles only
    feeds.grow(f"{run}/m.xml", 3)
    await reader.update_feed(misc)
    report = sync()
    assert report["new"] == 3, report

    # subscribe and unsubscribe go to the server
    extra = feeds.add(f"{run}/x.xml", "Extra wire", 2)
    assert cli(env, "add", extra, "--account", "tt").returncode == 0
    report = sync()
    assert extra in {f.url for f in await reader.subscriptions()}
    misc_id = next(
        s["id"]
        for s in json.loads(cli(env, "sources", "--json").stdout)
        if s["title"] == "Misc wire"
    )
    assert cli(env, "remove", str(misc_id)).returncode == 0
    sync()
    assert misc not in {f.id for f in await reader.subscriptions()}
    assert not any(t.startswith("Misc wire") for t in here())
