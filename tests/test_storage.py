"""Storage on real SQLite files: migrations, two processes, corrupt and newer files."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tuireader.config.settings import RetentionSettings, Settings
from tuireader.domain.errors import StorageError
from tuireader.domain.models import Source, SourceKind, Story
from tuireader.domain.query import SortKey, StoryQuery
from tuireader.services.library import Library
from tuireader.storage.database import connect, open_database
from tuireader.storage.migrations import SCHEMA_VERSION, STEPS, migrate


def make_story(i: int, **kw: object) -> Story:
    base = dict(
        key=f"k{i}",
        title=f"Story number {i}",
        link=f"http://s.example/{i}",
        published=datetime(2026, 1, 1, tzinfo=UTC).replace(day=1 + i % 28),
        content=f"<p>body of story {i} about {'apples' if i % 2 else 'pears'}</p>",
    )
    base.update(kw)
    return Story(**base)  # type: ignore[arg-type]


def new_library(path: Path) -> Library:
    conn, _ = open_database(path)
    return Library(conn, Settings())


def seed(lib: Library, n: int = 10) -> Source:
    source, _ = lib.add_source(Source(url="http://s.example/feed", kind=SourceKind.FEED))
    lib.store(source, [(make_story(i), make_story(i).content) for i in range(n)], seen_since=0)
    return source


@pytest.mark.parametrize("start", range(SCHEMA_VERSION))
def test_upgrade_from_every_earlier_version_keeps_data(tmp_path: Path, start: int) -> None:
    path = tmp_path / "old.db"
    conn = connect(path)
    migrate(conn, target=start)
    if start >= 1:  # a v1 database with a source and a read, starred story
        conn.execute(
            "INSERT INTO sources (id, url, kind, added_at) VALUES (1, 'http://o/', 'feed', 0)"
        )
        conn.execute(
            "INSERT INTO stories (source_id, key, title, sort_time, fetched_at, read, starred,"
            " content) VALUES (1, 'old', 'Old story about turnips', 5, 5, 1, 1, '<p>turnip</p>')"
        )
    if start >= 2:  # from v2 on, the app keeps the search index itself
        conn.execute(
            "INSERT INTO story_search (rowid, title, body) VALUES (1, 'Old story', 'turnip')"
        )
    conn.close()
    lib = new_library(path)
    with contextlib.closing(connect(path)) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    assert version == SCHEMA_VERSION == len(STEPS)
    if start >= 1:
        old = lib.page(StoryQuery(), 10)[0]
        assert old.title == "Old story about turnips" and old.read and old.starred
        assert lib.count(StoryQuery(search="turnip")) == 1  # indexed by the migration


def test_newer_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.execute("CREATE TABLE future (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match="newer tuireader"):
        open_database(path)
    assert path.read_bytes() == before


def test_corrupt_database_is_moved_aside_and_a_fresh_one_started(tmp_path: Path) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is not a database at all" * 1000)
    conn, notice = open_database(path)
    assert notice is not None and "moved it to" in notice and "\n" not in notice
    aside = list(tmp_path.glob("bad.db.bad-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_wal_and_search(tmp_path: Path) -> None:
    lib = new_library(tmp_path / "db.sqlite")
    with contextlib.closing(connect(tmp_path / "db.sqlite")) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    seed(lib, 10)
    assert lib.count(StoryQuery(search="apples")) == 5
    assert lib.count(StoryQuery(search="appl")) == 5  # prefix
    assert lib.count(StoryQuery(search='"; DROP TABLE stories; --')) == 0  # safe


def test_retention_never_drops_unread_or_starred(tmp_path: Path) -> None:
    lib = new_library(tmp_path / "db.sqlite")
    source = seed(lib, 20)
    ids = lib.ids(StoryQuery())  # newest first
    lib.mark(ids[:15], read=True)
    lib.mark(ids[10:12], starred=True)
    lib.settings = replace(lib.settings, retention=RetentionSettings(max_stories=5))
    # none of them is in the latest fetch any more
    lib.store(source, [], seen_since=2**40)
    left = set(lib.ids(StoryQuery()))
    newest, starred, unread = set(ids[:5]), set(ids[10:12]), set(ids[15:])
    # The 5 newest stay as the limit says; the older starred and unread ones stay past it;
    # every other (read, unstarred, older) story goes.
    assert left == newest | starred | unread
    assert lib.count(StoryQuery(search="story")) == len(left) == 12  # index follows


def test_reimport_keeps_state(tmp_path: Path) -> None:
    lib = new_library(tmp_path / "db.sqlite")
    source = seed(lib, 3)
    first = lib.ids(StoryQuery())
    lib.mark(first[:1], read=True, starred=True)
    lib.store(
        source, [(make_story(i, content="changed"), "changed") for i in range(3)], seen_since=0
    )
    story = lib.story(first[0])
    assert story.read and story.starred and story.content == "changed"


WRITER = textwrap.dedent("""
    import sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from tuireader.config.settings import RetentionSettings, Settings
    from tuireader.domain.models import Source, SourceKind, Story
    from tuireader.services.library import Library
    from tuireader.storage.database import open_database
    conn, _ = open_database(Path(sys.argv[1]))
    lib = Library(conn, Settings())
    src, _ = lib.add_source(Source(url="http://s.example/feed", kind=SourceKind.FEED))
    for round in range(40):
        items = [(Story(key=f"k{i}", title=f"Story {i} r{round}", content="x" * 2000), "x")
                 for i in range(200)]
        lib.store(src, items, seen_since=0)
        if round == 0:
            print("started", flush=True)
    print(time.time())
""")


def test_two_processes_write_at_once_without_lock_errors_or_lost_marks(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    lib = new_library(path)
    seed(lib, 0)
    lib.store(
        lib.sources()[0], [(make_story(i, key=f"k{i}"), "") for i in range(200)], seen_since=0
    )
    ids = lib.ids(StoryQuery())
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert len(ids) == 200
    assert proc.stdout is not None and proc.stdout.readline() == "started\n"
    began = time.time()
    for story_id in ids:
        lib.mark([story_id], read=True)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "locked" not in err
    assert float(out) > began  # the other process was still writing while these marks went in
    assert lib.count(StoryQuery(unread=True)) == 0  # no read mark lost to the other writer
    assert {s.title.rsplit(" ", 1)[1] for s in lib.page(StoryQuery(), 300)} == {"r39"}


@pytest.mark.parametrize("sort", list(SortKey))
@pytest.mark.parametrize("unread_first", [False, True])
def test_far_pages_read_from_the_other_end_match(
    tmp_path: Path, sort: SortKey, unread_first: bool
) -> None:
    lib = new_library(tmp_path / "db.sqlite")
    seed(lib, 50)
    lib.mark(lib.ids(StoryQuery())[::3], read=True)
    query = StoryQuery(sort=sort, unread_first=unread_first)
    everything = [s.id for s in lib.page(query, 100)]
    total = len(everything)
    for offset in (0, 20, 30, 45, 49):
        far = [s.id for s in lib.page(query, 7, offset, total)]
        assert far == everything[offset : offset + 7], offset
