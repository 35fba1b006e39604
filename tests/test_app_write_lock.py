"""While another process (a cron ``tuireader refresh``) holds the database's write lock, the
app still answers every key: a mark shows on screen at once and is stored when the lock is
released. The other process here is a real one, holding a real ``BEGIN IMMEDIATE``."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from apphelpers import database, make_app, workers_done
from tuireader.ui.widgets.article_pane import ArticlePane
from tuireader.ui.widgets.headline_list import HeadlineList
from tuireader.ui.widgets.status_bar import StatusBar

SIZE = (140, 40)

HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE prefs SET value = value WHERE 0")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
print("released", flush=True)
"""


class LockHolder:
    """Another process holding the write lock until :meth:`release`."""

    def __init__(self, db: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "released"
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return database(tmp_path)


@pytest.fixture
def holder_for(db: Path) -> Iterator[type[LockHolder]]:
    holders: list[LockHolder] = []

    class Holder(LockHolder):
        def __init__(self, path: Path) -> None:
            super().__init__(path)
            holders.append(self)

    yield Holder
    for holder in holders:
        holder.stop()


def stored_state(db: Path, story_id: int) -> tuple[int, int]:
    """(read, starred) as another connection sees it."""
    conn = sqlite3.connect(db)
    try:
        row = conn.execute("SELECT read, starred FROM stories WHERE id = ?", (story_id,)).fetchone()
    finally:
        conn.close()
    return int(row[0]), int(row[1])


def row_text(headlines: HeadlineList, index: int) -> str:
    return headlines.render_line(index - int(headlines.scroll_offset.y)).text


async def test_a_mark_shows_while_another_process_holds_the_write_lock(
    db: Path, holder_for: type[LockHolder]
) -> None:
    app = make_app(db.parent.parent)
    async with app.run_test(size=SIZE) as pilot:
        await workers_done(app)
        headlines = app.screen.query_one(HeadlineList)
        first = headlines.story_at(0)
        assert first is not None and first.id is not None and not first.read
        assert row_text(headlines, 0).startswith("●")  # unread
        holder = holder_for(db)
        await pilot.press("m")  # mark read, with the write lock held elsewhere
        await pilot.press("s")  # and star
        await pilot.pause(0.3)
        # on screen at once, while the lock is still held...
        assert holder.process.poll() is None
        assert row_text(headlines, 0).startswith(" ★"), row_text(headlines, 0)
        # ...the key after it answers too (the event loop is not waiting on the lock)...
        await pilot.press("j")
        assert headlines.cursor == 1
        # ...and the status line says what waits to be stored
        await pilot.pause(0.6)
        assert "unsaved" in str(app.screen.query_one("#status-text").render())
        assert stored_state(db, first.id) == (0, 0)  # not stored yet: the lock is held
        holder.release()
        await workers_done(app)
        await pilot.pause()
        assert stored_state(db, first.id) == (1, 1)  # stored once the lock is released
        assert app.screen.query_one(StatusBar).unsaved == 0
        assert row_text(headlines, 0).startswith(" ★")


async def test_a_story_opens_and_reads_while_the_write_lock_is_held(
    db: Path, holder_for: type[LockHolder]
) -> None:
    app = make_app(db.parent.parent)
    async with app.run_test(size=SIZE) as pilot:
        await workers_done(app)
        headlines = app.screen.query_one(HeadlineList)
        first = headlines.story_at(0)
        assert first is not None and first.id is not None
        holder = holder_for(db)
        await pilot.press("enter")  # opens and marks read
        for _ in range(50):
            await pilot.pause(0.05)
            if app.screen.query_one(ArticlePane).story is not None:
                break
        article = app.screen.query_one(ArticlePane)
        assert article.story is not None and article.story.id == first.id
        assert not row_text(headlines, 0).startswith("●")  # shown read
        assert holder.process.poll() is None and stored_state(db, first.id)[0] == 0
        holder.release()
        await workers_done(app)
        assert stored_state(db, first.id)[0] == 1


async def test_toggles_in_the_article_act_on_the_state_shown(db: Path) -> None:
    """Opening marks a story read; m in its article then marks it unread again (not "read"
    once more, from the state the article was opened with), and s stars it."""
    app = make_app(db.parent.parent)
    async with app.run_test(size=SIZE) as pilot:
        await workers_done(app)
        headlines = app.screen.query_one(HeadlineList)
        first = headlines.story_at(0)
        assert first is not None and first.id is not None
        await pilot.press("enter")
        await workers_done(app)
        await pilot.pause()
        assert isinstance(app.focused, ArticlePane)
        assert stored_state(db, first.id) == (1, 0)
        await pilot.press("m", "s")
        await workers_done(app)
        assert stored_state(db, first.id) == (0, 1)
        assert row_text(headlines, 0).startswith("●★")
