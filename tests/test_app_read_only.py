"""The app on a database that refuses writes (read-only, or a full disk) stays up for
reading and says, in one line, that a change was not kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from textual.widgets._toast import Toast

from apphelpers import database, make_app, workers_done
from tuireader.app import Context
from tuireader.services.library import Library
from tuireader.ui.widgets.article_pane import ArticlePane
from tuireader.ui.widgets.headline_list import HeadlineList

SIZE = (140, 40)


def toasts(app: object) -> list[str]:
    return [str(t.render()) for t in app.screen.query(Toast)]  # type: ignore[attr-defined]


async def test_a_read_only_library_reads_and_says_what_it_cannot_keep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path
    uri = f"{database(home).resolve().as_uri()}?mode=ro"

    def read_only_library(context: Context) -> Library:
        return Library(sqlite3.connect(uri, uri=True, isolation_level=None), context.settings)

    # the root's threads (the writer's, the reader's) open their connections read-only
    # (the tests run as root: a read-only file would not stop the writes)
    monkeypatch.setattr(Context, "open_library", read_only_library)
    app = make_app(home)  # builds the library, writable, then...
    read_only = sqlite3.connect(uri, uri=True, isolation_level=None)
    app.session.library = Library(read_only, app.session.settings)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await workers_done(app)
        headlines = app.screen.query_one(HeadlineList)
        first = headlines.story_at(0)
        assert first is not None and not first.read
        await pilot.press("enter")  # opening marks read: refused, said, the story still shown
        await workers_done(app)
        await pilot.pause()
        article = app.screen.query_one(ArticlePane)
        assert article.story is not None and article.story.id == first.id
        said = " ".join(toasts(app))
        assert "Not saved: database is read-only" in said, said
        await pilot.press("s")  # starring: refused too, the app stays up
        await pilot.pause()
        await pilot.press("h", "j")
        assert headlines.cursor == 1
        assert app.is_running
    check = sqlite3.connect(database(home))
    assert check.execute(
        "SELECT read, starred FROM stories WHERE id = ?", (first.id,)
    ).fetchone() == (0, 0)
