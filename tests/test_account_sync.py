"""Server accounts end to end: the sync service against the loopback stand-ins of GReader,
Miniflux, Nextcloud News and tt-rss (tests/*server.py), on a real library; and the installed
command for the failures a user sees."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import greaderserver
import minifluxserver
import nextcloudserver
import ttrssserver
from apphelpers import database
from test_cli import run
from tuireader.app import build_context
from tuireader.services.account_sync import AccountSyncReport, status_of

NOW = int(time.time())


class Driver:
    """One stand-in, driven the same way whatever its API."""

    kind = ""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.state = server.state

    @property
    def url(self) -> str:
        return str(self.server.base)

    def add_feed(self, url: str, title: str, folder: str = "") -> str:
        raise NotImplementedError

    def add_item(self, feed: str, title: str, published: int) -> str:
        raise NotImplementedError

    def get(self, item: str) -> tuple[bool, bool]:
        raise NotImplementedError

    def set(self, item: str, read: bool | None = None, starred: bool | None = None) -> None:
        raise NotImplementedError

    def remove_feed(self, feed: str) -> None:
        raise NotImplementedError

    def feed_urls(self) -> set[str]:
        raise NotImplementedError


class GReader(Driver):
    kind = "greader"

    def add_feed(self, url: str, title: str, folder: str = "") -> str:
        return str(self.state.add_feed(url, title, folder))

    def add_item(self, feed: str, title: str, published: int) -> str:
        return str(self.state.add_item(feed, title, published).number)

    def _item(self, item: str) -> Any:
        return self.state.items[int(item)]

    def get(self, item: str) -> tuple[bool, bool]:
        found = self._item(item)
        return found.read, found.starred

    def set(self, item: str, read: bool | None = None, starred: bool | None = None) -> None:
        found = self._item(item)
        if read is not None:
            found.read = read
        if starred is not None:
            found.starred = starred

    def remove_feed(self, feed: str) -> None:
        del self.state.feeds[feed]

    def feed_urls(self) -> set[str]:
        return {str(f["url"]) for f in self.state.feeds.values()}


class Miniflux(Driver):
    kind = "miniflux"

    def add_feed(self, url: str, title: str, folder: str = "") -> str:
        return str(self.state.add_feed(url, title, folder or "All"))

    def add_item(self, feed: str, title: str, published: int) -> str:
        return str(self.state.add_entry(int(feed), title, published).id)

    def get(self, item: str) -> tuple[bool, bool]:
        entry = self.state.entries[int(item)]
        return entry.status == "read", entry.starred

    def set(self, item: str, read: bool | None = None, starred: bool | None = None) -> None:
        entry = self.state.entries[int(item)]
        if read is not None:
            entry.status = "read" if read else "unread"
        if starred is not None:
            entry.starred = starred
        entry.changed = self.state.tick()

    def remove_feed(self, feed: str) -> None:
        del self.state.feeds[int(feed)]
        for entry_id in [e.id for e in self.state.entries.values() if e.feed_id == int(feed)]:
            del self.state.entries[entry_id]

    def feed_urls(self) -> set[str]:
        return {str(f["feed_url"]) for f in self.state.feeds.values()}


class Nextcloud(Driver):
    kind = "nextcloud"

    @property
    def url(self) -> str:
        return str(self.server.base)

    def add_feed(self, url: str, title: str, folder: str = "") -> str:
        return str(self.state.add_feed(url, title, folder))

    def add_item(self, feed: str, title: str, published: int) -> str:
        return str(self.state.add_item(int(feed), title, published).id)

    def get(self, item: str) -> tuple[bool, bool]:
        found = self.state.items[int(item)]
        return not found.unread, found.starred

    def set(self, item: str, read: bool | None = None, starred: bool | None = None) -> None:
        changes: dict[str, bool] = {}
        if read is not None:
            changes["unread"] = not read
        if starred is not None:
            changes["starred"] = starred
        self.state.change(self.state.items[int(item)], **changes)

    def remove_feed(self, feed: str) -> None:
        del self.state.feeds[int(feed)]
        for item_id in [i.id for i in self.state.items.values() if i.feed_id == int(feed)]:
            del self.state.items[item_id]

    def feed_urls(self) -> set[str]:
        return {str(f["url"]) for f in self.state.feeds.values()}


class TTRSS(Driver):
    kind = "ttrss"

    def add_feed(self, url: str, title: str, folder: str = "") -> str:
        return str(self.state.add_feed(url, title, folder))

    def add_item(self, feed: str, title: str, published: int) -> str:
        return str(self.state.add_article(int(feed), title, published).id)

    def get(self, item: str) -> tuple[bool, bool]:
        found = self.state.articles[int(item)]
        return not found.unread, found.marked

    def set(self, item: str, read: bool | None = None, starred: bool | None = None) -> None:
        found = self.state.articles[int(item)]
        if read is not None:
            found.unread = not read
        if starred is not None:
            found.marked = starred

    def remove_feed(self, feed: str) -> None:
        del self.state.feeds[int(feed)]
        for article_id in [a.id for a in self.state.articles.values() if a.feed_id == int(feed)]:
            del self.state.articles[article_id]

    def feed_urls(self) -> set[str]:
        return {str(f["feed_url"]) for f in self.state.feeds.values()}


SERVERS: dict[str, tuple[Any, type[Driver]]] = {
    "greader": (greaderserver, GReader),
    "miniflux": (minifluxserver, Miniflux),
    "nextcloud": (nextcloudserver, Nextcloud),
    "ttrss": (ttrssserver, TTRSS),
}


@pytest.fixture(params=sorted(SERVERS))
def server(request: pytest.FixtureRequest) -> Iterator[Driver]:
    module, driver = SERVERS[request.param]
    with contextmanager(module.serving)() as running:
        yield driver(running)


@dataclass
class Home:
    """A data dir with one account on the stand-in."""

    root: Path
    driver: Driver

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "TUIREADER_DATA_DIR": str(self.root / "data"),
            "TUIREADER_CONFIG_DIR": str(self.root / "config"),
            "TUIREADER_CACHE_DIR": str(self.root / "cache"),
            "TUIREADER_LOG_DIR": str(self.root / "log"),
        }

    def sync(self) -> AccountSyncReport:
        context = build_context(env=self.env)
        try:

            async def go() -> AccountSyncReport:
                account = context.settings.accounts["srv"]
                async with context.account_sync(account) as sync:
                    return await sync.sync()

            return asyncio.run(go())
        finally:
            context.close()

    def state(self) -> dict[str, tuple[bool, bool]]:
        """Every story's (read, starred) by title."""
        conn = sqlite3.connect(database(self.root))
        try:
            rows = conn.execute("SELECT title, read, starred FROM stories").fetchall()
        finally:
            conn.close()
        return {r[0]: (bool(r[1]), bool(r[2])) for r in rows}

    def mark(self, title: str, **fields: int) -> None:
        """Change a story here as the app does (one UPDATE: the journal's trigger runs)."""
        conn = sqlite3.connect(database(self.root))
        try:
            sets = ", ".join(f"{k} = ?" for k in fields)
            with conn:
                cur = conn.execute(
                    f"UPDATE stories SET {sets} WHERE title = ?", (*fields.values(), title)
                )
            assert cur.rowcount == 1
        finally:
            conn.close()

    def waiting(self) -> int:
        context = build_context(env=self.env)
        try:
            return status_of(context.conn, context.settings.accounts["srv"]).waiting
        finally:
            context.close()


def make_home(tmp_path: Path, driver: Driver, password: str = "") -> Home:
    config = tmp_path / "config"
    config.mkdir(parents=True, exist_ok=True)
    secret = password or driver.state.password
    (config / "config.toml").write_text(
        "[accounts.srv]\n"
        f'type = "{driver.kind}"\nurl = "{driver.url}"\nuser = "{driver.state.user}"\n'
        f"password = {json.dumps(secret)}\n",
        encoding="utf-8",
    )
    return Home(tmp_path, driver)


def seed(driver: Driver) -> dict[str, str]:
    """Two feeds (one in a folder), five items; item "b" read and "c" starred there."""
    tech = driver.add_feed("http://feeds.example/tech.xml", "Tech", "News")
    misc = driver.add_feed("http://feeds.example/misc.xml", "Misc")
    items = {}
    for n, title in enumerate("abcde"):
        items[title] = driver.add_item(tech if n < 3 else misc, title, NOW - 3600 * (5 - n))
    driver.set(items["b"], read=True)
    driver.set(items["c"], starred=True)
    return items


def test_first_sync_brings_feeds_folders_stories_and_state(tmp_path: Path, server: Driver) -> None:
    seed(server)
    home = make_home(tmp_path, server)
    report = home.sync()
    assert report.error == "", report.error
    assert (report.feeds, report.new) == (2, 5)
    assert home.state() == {
        "a": (False, False),
        "b": (True, False),
        "c": (False, True),
        "d": (False, False),
        "e": (False, False),
    }
    conn = sqlite3.connect(database(tmp_path))
    folders = dict(conn.execute("SELECT title, folder FROM sources WHERE account = 'srv'"))
    assert folders == {"Tech": "News", "Misc": "" if server.kind != "miniflux" else "All"}
    found = conn.execute(
        "SELECT count(*) FROM story_search WHERE story_search MATCH 'c'"
    ).fetchone()[0]
    conn.close()
    assert found >= 1  # synced stories are searchable like any other
    again = home.sync()
    assert (again.new, again.applied, again.sent, again.error) == (0, 0, 0, "")


def test_changes_go_both_ways_and_the_later_wins_per_field(tmp_path: Path, server: Driver) -> None:
    items = seed(server)
    home = make_home(tmp_path, server)
    assert home.sync().error == ""
    home.mark("a", read=1)  # here only
    home.mark("d", starred=1)
    server.set(items["e"], read=True)  # there only
    home.mark("b", starred=1)  # both, different fields of one story: the union
    server.set(items["b"], read=False)
    assert home.waiting() == 3
    report = home.sync()
    assert report.error == ""
    assert report.sent == 3 and report.applied == 2, report
    assert server.get(items["a"]) == (True, False)
    assert server.get(items["d"]) == (False, True)
    assert server.get(items["b"]) == (False, True)
    assert home.state()["e"] == (True, False)
    assert home.state()["b"] == (False, True)
    assert home.waiting() == 0
    assert home.sync().sent == 0  # nothing is sent twice


def test_a_change_queued_here_after_the_servers_wins(tmp_path: Path, server: Driver) -> None:
    items = seed(server)
    home = make_home(tmp_path, server)
    assert home.sync().error == ""
    server.set(items["a"], starred=True)  # on the server first (its clock is in the past)
    home.mark("a", starred=0)  # then here, later: unchanged here, so not queued
    home.mark("a", read=1)
    report = home.sync()
    assert report.error == ""
    assert server.get(items["a"])[0] is True
    # starred: only the server changed it since the last sync: the server's value wins
    assert home.state()["a"] == (True, True)


def test_when_both_sides_changed_a_field_the_later_change_wins(
    tmp_path: Path, server: Driver
) -> None:
    items = seed(server)
    home = make_home(tmp_path, server)
    assert home.sync().error == ""
    home.mark("d", starred=1)  # here: starred, then not, at time t
    home.mark("d", starred=0)
    timed = hasattr(server.state, "clock")  # Miniflux and Nextcloud say when a change was
    if timed:
        server.state.clock = int(time.time()) + 3600  # ... and this one is later than t
    server.set(items["d"], starred=True)
    assert home.sync().error == ""
    # with a time from the server, the later (the server's) wins; without one, the
    # server's change is dated at the last sync, and the one queued here since wins
    expected = timed
    assert home.state()["d"] == (False, expected)
    assert server.get(items["d"]) == (False, expected)


def test_a_server_that_fails_keeps_the_queue_and_the_next_sync_sends_it(
    tmp_path: Path,
) -> None:
    with contextmanager(greaderserver.serving)() as running:
        driver = GReader(running)
        items = seed(driver)
        home = make_home(tmp_path, driver)
        assert home.sync().error == ""
        home.mark("a", read=1)
        home.mark("c", starred=0)
        for status in (500, 429):
            driver.state.fail_next = status
            report = home.sync()
            assert "127.0.0.1" in report.error and str(status) in report.error
            assert home.waiting() == 2
        driver.state.garbage_next = True
        report = home.sync()
        assert "127.0.0.1" in report.error and "\n" not in report.error, report.error
        assert home.waiting() == 2
        report = home.sync()
        assert report.error == "" and report.sent == 2
        assert driver.get(items["a"]) == (True, False)
        assert driver.get(items["c"]) == (False, False)
    report = home.sync()  # the server is gone now
    assert report.error and "127.0.0.1" in report.error
    assert home.state()["a"] == (True, False)  # the library stays as it was


def test_wrong_password_is_one_line_without_the_secret(tmp_path: Path) -> None:
    with contextmanager(greaderserver.serving)() as running:
        driver = GReader(running)
        seed(driver)
        home = make_home(tmp_path, driver, password="not the password 9x7")
        result = run(home.env, "sync", "srv")
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1, result.stderr
        assert "srv" in result.stderr and "refused" in result.stderr
        assert "9x7" not in result.stderr + result.stdout
        as_json = run(home.env, "sync", "--json")
        assert "9x7" not in as_json.stdout + as_json.stderr
        [entry] = json.loads(as_json.stdout)
        assert "refused" in entry["error"]
        for log in (tmp_path / "log").glob("*"):
            assert "9x7" not in log.read_text(encoding="utf-8", errors="replace")


def test_new_items_come_incrementally(tmp_path: Path, server: Driver) -> None:
    items = seed(server)
    home = make_home(tmp_path, server)
    first = home.sync()
    assert first.error == ""
    feed = next(iter(server.state.feeds))
    server.add_item(str(feed), "f", NOW)
    report = home.sync()
    assert report.new == 1 and report.error == ""
    assert "f" in home.state()
    assert report.requests <= first.requests + 1
    assert items  # the seeded ones are not fetched again (no new story but "f")


def test_feeds_follow_the_server_and_subscriptions_go_to_it(tmp_path: Path, server: Driver) -> None:
    seed(server)
    home = make_home(tmp_path, server)
    assert home.sync().error == ""
    misc = next(k for k, v in server.state.feeds.items() if v["title"] == "Misc")
    server.remove_feed(str(misc))
    report = home.sync()
    assert report.removed == 1 and report.feeds == 1
    assert set(home.state()) == {"a", "b", "c"}
    added = run(home.env, "add", "http://feeds.example/new.xml", "--account", "srv")
    assert added.returncode == 0, added.stderr
    assert home.waiting() == 1
    assert home.sync().error == ""
    assert "http://feeds.example/new.xml" in server.feed_urls()
    assert home.waiting() == 0


@pytest.mark.skipif(os.name != "posix", reason="kill -9")
def test_kill_9_during_a_sync_loses_no_queued_change(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    with contextmanager(greaderserver.serving)() as running:
        driver = GReader(running)
        items = seed(driver)
        home = make_home(tmp_path, driver)
        assert home.sync().error == ""
        home.mark("a", read=1)
        home.mark("e", starred=1)
        driver.state.delay = 2.0  # every answer is slow: the sync is killed mid-way
        proc = subprocess.Popen(
            [sys.executable, "-m", "tuireader", "sync", "srv"],
            env={**os.environ, **home.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        driver.state.delay = 0.0
        assert home.waiting() == 2
        report = home.sync()
        assert report.error == "" and report.sent == 2
        assert driver.get(items["a"]) == (True, False)
        assert driver.get(items["e"]) == (False, True)


def test_tt_rss_reads_unread_ids_only_for_feeds_whose_count_changed(tmp_path: Path) -> None:
    with contextmanager(ttrssserver.serving)() as running:
        driver = TTRSS(running)
        items = seed(driver)
        home = make_home(tmp_path, driver)
        assert home.sync().error == ""
        tech = next(k for k, v in driver.state.feeds.items() if v["title"] == "Tech")
        driver.set(items["a"], read=True)  # a Tech story: Tech's unread count changes
        driver.state.ops.clear()
        heads: list[object] = []
        real = running.RequestHandlerClass._getHeadlines

        def spy(handler: Any, body: dict[str, object]) -> None:
            heads.append((body.get("feed_id"), body.get("view_mode")))
            real(handler, body)

        running.RequestHandlerClass._getHeadlines = spy
        try:
            report = home.sync()
        finally:
            running.RequestHandlerClass._getHeadlines = real
        assert report.error == "" and report.applied == 1
        assert home.state()["a"] == (True, False)
        unread_reads = [feed for feed, mode in heads if mode == "unread"]
        assert unread_reads == [tech], heads  # not Misc's, not every feed's


def test_a_summary_only_story_gets_its_page_like_a_feeds_story(
    tmp_path: Path, feed_server: Any
) -> None:
    with contextmanager(greaderserver.serving)() as running:
        driver = GReader(running)
        feed = driver.add_feed("http://feeds.example/brief.xml", "Briefs")
        item = driver.state.add_item(feed, "Brief", NOW, content="<p>One line.</p>")
        item.link = feed_server.url("/pages/article1.html")
        home = make_home(tmp_path, driver)
        assert home.sync().error == ""
    conn = sqlite3.connect(database(tmp_path))
    try:
        [(status, text)] = conn.execute("SELECT status, text FROM story_pages").fetchall()
    finally:
        conn.close()
    assert status == "ok" and len(text.split()) > 50, (status, text[:200])


def test_a_slow_server_is_cut_off_at_the_deadline_in_one_line(tmp_path: Path) -> None:
    with contextmanager(greaderserver.serving)() as running:
        driver = GReader(running)
        seed(driver)
        home = make_home(tmp_path, driver)
        config = tmp_path / "config" / "config.toml"
        config.write_text(
            "[network]\nrefresh_deadline = 1.0\n\n" + config.read_text(), encoding="utf-8"
        )
        driver.state.delay = 3.0
        started = time.monotonic()
        report = home.sync()
        assert time.monotonic() - started < 3.0
        assert report.error == "timed out: the sync's 1 s deadline passed", report.error
        driver.state.delay = 0.0
        assert home.sync().error == ""  # the next one goes through
