"""Undo that lasts: bulk actions kept in the database, reverted after a restart."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from apphelpers import build_library, database, make_app
from tuireader.domain.query import StoryQuery


def test_undo_survives_a_restart_and_repeats(tmp_path: Path) -> None:
    home = tmp_path
    lib = build_library(home)
    harbor = next(s for s in lib.sources() if s.title == "Harbor Gazette")
    assert lib.mark_source_read(harbor) == 4
    assert lib.mark_all_read(StoryQuery()) == 3
    lib.close()
    again = build_library(home)  # a new process, as after a restart
    assert again.count(StoryQuery(unread=True)) == 0
    assert again.undo() == "mark all read"
    assert again.count(StoryQuery(unread=True)) == 3
    assert again.undo() == "mark Harbor Gazette read"
    assert again.count(StoryQuery(unread=True)) == 7
    assert again.undo() is None


def test_removed_source_is_recoverable_until_vacuum(tmp_path: Path) -> None:
    home = tmp_path
    lib = build_library(home)
    valley = next(s for s in lib.sources() if s.title == "Valley Tech")
    lib.remove_source(valley)
    assert [s.title for s in lib.sources()] == ["Harbor Gazette"]
    assert lib.count(StoryQuery()) == 4
    assert lib.count(StoryQuery(search="compiler")) == 0
    assert lib.undo() == "remove Valley Tech"
    assert lib.count(StoryQuery()) == 7
    lib.remove_source(valley)
    assert lib.vacuum() == 1
    assert lib.undo() is None  # vacuum made the removal final
    assert lib.count(StoryQuery()) == 4
    with contextlib.closing(sqlite3.connect(database(home))) as conn:
        assert conn.execute("SELECT count(*) FROM stories").fetchone()[0] == 4


def test_adding_a_removed_source_again_brings_its_stories_back(tmp_path: Path) -> None:
    lib = build_library(tmp_path)
    valley = next(s for s in lib.sources() if s.title == "Valley Tech")
    lib.remove_source(valley)
    _source, new = lib.add_source(valley)
    assert new and lib.count(StoryQuery()) == 7


async def test_app_undo_after_restart(tmp_path: Path) -> None:
    home = tmp_path
    app = make_app(home)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("A")
    assert build_library(home).count(StoryQuery(unread=True)) == 0
    again = make_app(home)
    async with again.run_test(size=(120, 36)) as pilot:
        await pilot.press("u")
    assert build_library(home).count(StoryQuery(unread=True)) == 7
