"""Server accounts in the app: the real app (make_app) with a GReader stand-in account in its
config.toml. The sidebar groups the account's folders and feeds, refresh syncs it off the
event loop, marks made in the app reach the stand-in, the status line says what waits and
when the last sync was, a server that is down is one line naming it, and removing an
account's feed goes through the usual remove flow (Fever's refusal in one line)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import greaderserver
from apphelpers import make_app, workers_done
from tuireader.domain.accounts import AccountStatus
from tuireader.domain.remote import RemoteFeed
from tuireader.storage.remote_repo import RemoteRepo
from tuireader.ui.confirm_modal import ConfirmModal
from tuireader.ui.main_screen import MainScreen
from tuireader.ui.shell import ReaderApp
from tuireader.ui.widgets.sidebar import RowKind, Sidebar
from tuireader.ui.widgets.status_bar import accounts_line, synced_words

SIZE = (140, 40)
NOW = int(time.time())


@pytest.fixture
def greader() -> Iterator[greaderserver.StandIn]:
    with contextmanager(greaderserver.serving)() as running:
        state = running.state
        tech = state.add_feed("http://feeds.example/tech.xml", "Tech", "News")
        misc = state.add_feed("http://feeds.example/misc.xml", "Misc")
        for n, title in enumerate(("Tide tables", "Rail timetable", "Orchard notes")):
            state.add_item(tech if n < 2 else misc, title, NOW - 3600 * (n + 1))
        yield running


def account(server: Any, name: str = "srv", kind: str = "greader") -> dict[str, Any]:
    return {
        f"accounts.{name}": {
            "type": kind,
            "url": str(server.base) if server is not None else "http://127.0.0.1:1/",
            "user": server.state.user if server is not None else "reader",
            "password": server.state.password if server is not None else "pw",
        }
    }


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Notes:
    """What the app told the user in notifications."""

    def __init__(self, app: ReaderApp) -> None:
        self.lines: list[tuple[str, str]] = []
        original = app.notify

        def notify(message: str, **kw: Any) -> None:
            self.lines.append((str(kw.get("title", "")), str(message)))
            original(message, **kw)

        app.notify = notify  # type: ignore[method-assign]

    def naming(self, text: str) -> list[str]:
        return [m for _, m in self.lines if text in m]


async def settle(pilot: Any) -> MainScreen:
    await workers_done(pilot.app)
    await pilot.pause()
    await workers_done(pilot.app)
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def refresh(pilot: Any) -> MainScreen:
    await pilot.press("R")
    return await settle(pilot)


async def go_to(pilot: Any, view_id: str) -> MainScreen:
    screen = await settle(pilot)
    view = screen.query_one(Sidebar).view(view_id)
    assert view is not None, [r.view.id for r in screen.query_one(Sidebar).rows if r.view]
    screen.query_one(Sidebar).post_message(Sidebar.ViewChosen(view))
    return await settle(pilot)


def rows(screen: MainScreen) -> list[tuple[str, int | None, RowKind]]:
    return [(r.label, r.count, r.kind) for r in screen.query_one(Sidebar).rows if r.view]


def titles(screen: MainScreen) -> list[str]:
    hl = screen.headlines
    return [s.title for i in range(hl.total) if (s := hl.story_at(i)) is not None]


async def test_the_sidebar_groups_the_account_and_its_views_filter(
    tmp_path: Path, greader: greaderserver.StandIn
) -> None:
    app = make_app(tmp_path, config=account(greader))
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(pilot)
        assert ("◆ srv", 0, RowKind.ACCOUNT) in rows(screen)  # listed before its first sync
        screen = await refresh(pilot)
        shown = rows(screen)
        account_rows = shown[shown.index(("◆ srv", 3, RowKind.ACCOUNT)) :]
        assert account_rows == [
            ("◆ srv", 3, RowKind.ACCOUNT),
            ("  Misc", 1, RowKind.SOURCE),
            ("  ▸ News", 2, RowKind.FOLDER),
            ("    Tech", 2, RowKind.SOURCE),
        ]
        # the local sources stay where they were, above the accounts (their fixture
        # URLs cannot be fetched: shown failed)
        labels = [label for label, _, _ in shown]
        assert labels[5:8] == ["Valley Tech", "▸ News", "  Harbor Gazette"]
        assert ("▸ News", 4, RowKind.FOLDER) in shown
        screen = await go_to(pilot, "account-srv")
        assert sorted(titles(screen)) == ["Orchard notes", "Rail timetable", "Tide tables"]
        assert screen.status.message.startswith("srv · 3 stories · 3 unread")
        screen = await go_to(pilot, "account-srv-folder-News")
        assert sorted(titles(screen)) == ["Rail timetable", "Tide tables"]
        screen = await go_to(pilot, "folder-News")  # the local folder of the same name
        assert len(titles(screen)) == 4 and "Tide tables" not in titles(screen)


async def test_a_mark_in_the_app_waits_then_a_refresh_sends_it(
    tmp_path: Path, greader: greaderserver.StandIn
) -> None:
    app = make_app(tmp_path, config=account(greader))
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(pilot)
        assert "srv: never synced" in screen.status.message
        screen = await refresh(pilot)
        assert "srv: synced just now" in screen.status.message
        assert "waiting" not in screen.status.message
        screen = await go_to(pilot, "account-srv")
        story = screen.headlines.current
        assert story is not None
        await pilot.press("m", "s")  # read and starred, here only for now
        screen = await settle(pilot)
        assert "srv: synced just now, 2 waiting" in screen.status.message
        item = next(i for i in greader.state.items.values() if i.title == story.title)
        assert (item.read, item.starred) == (False, False)
        screen = await refresh(pilot)
        assert (item.read, item.starred) == (True, True)
        assert "srv: synced just now" in screen.status.message
        assert "waiting" not in screen.status.message
        item.read = False  # on another device, then the next sync brings it here
        screen = await refresh(pilot)
        assert screen.headlines.current is not None and not screen.headlines.current.read


async def test_sync_accounts_alone_and_a_story_from_the_server(
    tmp_path: Path, greader: greaderserver.StandIn
) -> None:
    app = make_app(tmp_path, config=account(greader))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        notes = Notes(app)
        await settle(pilot)
        await pilot.press("Y")  # the palette's "Sync accounts"
        screen = await settle(pilot)
        assert screen.headlines.total == 7 + 3
        assert "srv: 3 new stories" in screen.status.message
        greader.state.add_item(next(iter(greader.state.feeds)), "Late edition", NOW)
        await pilot.press("Y")
        screen = await settle(pilot)
        assert "Late edition" in titles(screen)
        assert "srv: 1 new story" in screen.status.message
        screen = await go_to(pilot, "account-srv")
        greader.state.add_item(next(iter(greader.state.feeds)), "Evening edition", NOW)
        await pilot.press("r")  # refreshing an account's feed syncs its account
        screen = await settle(pilot)
        assert "Evening edition" in titles(screen)
        assert not [line for line in notes.lines if "srv" in line[1] and "failed" in line[0]]


async def test_a_slow_sync_shows_its_progress_and_keys_keep_working(
    tmp_path: Path, greader: greaderserver.StandIn
) -> None:
    greader.state.delay = 0.2  # each answer: the sync takes a few seconds
    app = make_app(tmp_path, config=account(greader))
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(pilot)
        await pilot.press("R")
        deadline = time.monotonic() + 10
        while "syncing srv…" not in screen.status.message:
            assert time.monotonic() < deadline, screen.status.message
            await pilot.pause(0.02)
        assert screen.status.refreshing
        unread = screen.status.unread
        await pilot.press("m")  # the event loop is free while the server answers
        while screen.status.unread != unread - 1:
            assert time.monotonic() < deadline and screen.status.refreshing
            await pilot.pause(0.02)
        screen = await settle(pilot)
        assert not screen.status.refreshing
        assert "syncing" not in screen.status.message
        assert "srv: synced just now" in screen.status.message


async def test_a_server_that_is_down_is_one_line_and_the_app_keeps_working(
    tmp_path: Path, greader: greaderserver.StandIn
) -> None:
    config = {**account(greader), **account(None, "down")}
    config["accounts.down"]["url"] = f"http://127.0.0.1:{closed_port()}/api/greader.php"
    app = make_app(tmp_path, config=config)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        notes = Notes(app)
        screen = await refresh(pilot)
        said = notes.naming("down")
        assert len(said) == 1, notes.lines
        assert said[0].startswith("down: ") and "127.0.0.1" in said[0] and "\n" not in said[0]
        assert said[0] in screen.status.message
        assert ("◆ down", 0, RowKind.FAILED_ACCOUNT) in rows(screen)
        assert ("◆ srv", 3, RowKind.ACCOUNT) in rows(screen)  # the other account synced
        assert "down: never synced" in screen.status.message
        assert not screen.status.refreshing
        before = screen.status.unread
        await pilot.press("m")  # the app still reads and stores marks
        screen = await settle(pilot)
        assert screen.status.unread == before - 1
        screen = await refresh(pilot)  # each failed sync is said once
        assert len(notes.naming("down: ")) == 2


async def test_removing_an_account_feed_unsubscribes_it_on_the_server(
    tmp_path: Path, greader: greaderserver.StandIn
) -> None:
    app = make_app(tmp_path, config=account(greader))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await refresh(pilot)
        misc = next(s for s in app.session.library.sources() if s.title == "Misc")
        screen = await go_to(pilot, f"source-{misc.id}")
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        screen = await settle(pilot)
        assert "srv: synced just now, 1 waiting" in screen.status.message
        assert "feed/http://feeds.example/misc.xml" in greader.state.feeds
        screen = await refresh(pilot)
        assert "feed/http://feeds.example/misc.xml" not in greader.state.feeds
        assert ("  Misc", 1, RowKind.SOURCE) not in rows(screen)


async def test_a_fever_feed_is_not_removed_and_says_why_in_one_line(tmp_path: Path) -> None:
    app = make_app(tmp_path, config=account(None, "fev", "fever"))
    RemoteRepo(app.session.library.connection).sync_feeds(
        "fev", [RemoteFeed("7", "Fever feed", "http://fever.example/feed.xml")]
    )
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        notes = Notes(app)
        feed = next(s for s in app.session.library.sources() if s.title == "Fever feed")
        screen = await go_to(pilot, f"source-{feed.id}")
        await pilot.press("D")
        await pilot.pause()
        await pilot.press("y")
        screen = await settle(pilot)
        said = notes.naming("fev")
        assert len(said) == 1 and said[0].startswith("Not removed: fev: the fever API cannot")
        assert "\n" not in said[0]
        assert any(s.id == feed.id for s in app.session.library.sources())
        assert ("  Fever feed", 0, RowKind.SOURCE) in rows(screen)


def test_the_status_words_for_accounts() -> None:
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    assert synced_words(None, now) == "never synced"
    assert synced_words(now + timedelta(seconds=30), now) == "synced just now"
    assert synced_words(now - timedelta(minutes=3, seconds=5), now) == "synced 3 min ago"
    assert synced_words(now - timedelta(hours=5), now) == "synced 5 h ago"
    assert synced_words(now - timedelta(days=2), now) == "synced 2 d ago"
    two = (
        ("srv", AccountStatus(now - timedelta(minutes=3), 2)),
        ("home", AccountStatus(None, 0)),
    )
    assert accounts_line(two, now) == "srv: synced 3 min ago, 2 waiting · home: never synced"
    assert accounts_line(two, now, only="home") == "home: never synced"
    assert accounts_line(two, now, only="other") == accounts_line(two, now)


async def test_a_folder_account_syncs_on_refresh_and_says_what_waits(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    app = make_app(tmp_path, config={"accounts.home": {"type": "folder", "path": str(shared)}})
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(pilot)
        # the two fixture sources' subscriptions and one's folder are not in the folder yet
        assert "home: never synced, 3 waiting" in screen.status.message
        assert not any(label.startswith("◆") for label, _, _ in rows(screen))  # no feeds of its own
        await pilot.press("m")  # a local story's mark: journaled for the folder
        screen = await settle(pilot)
        assert "home: never synced, 4 waiting" in screen.status.message
        await pilot.press("Y")
        screen = await settle(pilot)
        assert "home: synced just now" in screen.status.message
        assert "waiting" not in screen.status.message
        logs = list(shared.glob("*.jsonl"))
        assert len(logs) == 1 and '"read"' in logs[0].read_text(encoding="utf-8")
