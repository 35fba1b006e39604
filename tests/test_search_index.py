"""The search index keeps no copy of the text and follows the stories by triggers: after
any mix of stores, changed stories, fetched pages and deletions it holds exactly the words
a fresh index built from the stories holds (a contentless FTS5 table forgets what it
indexed, so a wrong "delete" would leave stale words behind, found by no test of search
alone)."""

from __future__ import annotations

import contextlib
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tuireader.config.settings import Settings
from tuireader.domain.models import Source, SourceKind, Story
from tuireader.domain.query import StoryQuery
from tuireader.services.library import Library
from tuireader.storage import search_index
from tuireader.storage.database import connect, open_database
from tuireader.storage.migrations import migrate


def story(i: int, words: str) -> Story:
    return Story(
        key=f"k{i}",
        title=f"Story {i} {words.split()[0]}",
        link=f"http://s.example/{i}",
        published=datetime(2026, 1, 1 + i % 28, tzinfo=UTC),
        content=f"<p>{words}</p><script>var hidden = 'scriptword';</script>",
        categories=("Orchards",) if i % 2 else (),
    )


def vocab(conn: sqlite3.Connection, table: str = "story_vocab") -> set[tuple[str, int, int]]:
    return {(t, d, c) for t, d, c in conn.execute(f"SELECT term, doc, cnt FROM {table}")}


def fresh_vocab(conn: sqlite3.Connection) -> set[tuple[str, int, int]]:
    """The vocabulary of an index built now from the stories, as schema step 12 builds it."""
    conn.execute(
        "CREATE VIRTUAL TABLE temp.rebuilt USING fts5 (title, body, content = '',"
        " tokenize = 'unicode61 remove_diacritics 2')"
    )
    conn.execute(
        "INSERT INTO temp.rebuilt (rowid, title, body) SELECT s.id, s.title, search_body(s.title,"
        " s.content, s.summary, s.content_type, s.categories, p.text)"
        " FROM stories s LEFT JOIN story_pages p ON p.story_id = s.id"
    )
    conn.execute("CREATE VIRTUAL TABLE temp.rebuilt_vocab USING fts5vocab (temp, rebuilt, 'row')")
    try:
        return vocab(conn, "temp.rebuilt_vocab")
    finally:
        conn.execute("DROP TABLE temp.rebuilt_vocab")
        conn.execute("DROP TABLE temp.rebuilt")


@pytest.fixture
def library(tmp_path: Path) -> Library:
    conn, _ = open_database(tmp_path / "t.db")
    return Library(conn, Settings())


def found(lib: Library, words: str) -> int:
    return lib.count(StoryQuery(search=words))


def test_the_index_follows_every_change_and_holds_no_stale_word(
    library: Library, tmp_path: Path
) -> None:
    lib = library
    source, _ = lib.add_source(Source(url="http://s.example/feed", kind=SourceKind.FEED))
    other, _ = lib.add_source(Source(url="http://o.example/feed", kind=SourceKind.FEED))
    lib.store(source, [(story(i, f"apples pears quince{i}"), "") for i in range(6)], 0)
    lib.store(other, [(story(i, f"walnuts hazel{i}"), "") for i in range(10, 14)], 0)
    assert found(lib, "apples") == 6 and found(lib, "walnuts") == 4
    assert found(lib, "orchards") == 5  # sections are searched
    assert found(lib, "scriptword") == 0  # a script is not words of the story

    # a changed story: its old words leave the index, its new ones come in
    lib.store(source, [(story(1, "plums damsons"), "")], 0)
    assert found(lib, "quince1") == 0 and found(lib, "damsons") == 1
    # a fetched page replaces the feed's words; fetched again, the new page's
    sid = lib.page(StoryQuery(search="quince2"), 5)[0].id
    assert sid is not None
    lib.save_page(sid, "http://s.example/2", "ok", "The page tells of **medlars**.")
    assert found(lib, "medlars") == 1 and found(lib, "quince2") == 0
    lib.save_page(sid, "http://s.example/2", "ok", "Now of rowanberries.")
    assert found(lib, "medlars") == 0 and found(lib, "rowanberries") == 1
    lib.save_page(sid, "http://s.example/2", "not modified")  # a 304 keeps the text
    assert found(lib, "rowanberries") == 1
    # deleted for good: a source, and the sources removed
    with contextlib.closing(connect(tmp_path / "t.db")) as conn:
        conn.execute("DELETE FROM sources WHERE id = ?", (other.id,))
    assert found(lib, "walnuts") == 0
    with contextlib.closing(connect(tmp_path / "t.db")) as conn:
        assert vocab(conn) == fresh_vocab(conn)
        assert vocab(conn)  # not two empty sets
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "story_search_content" not in tables  # the text is not kept twice


def test_a_connection_without_the_function_cannot_write_stories(tmp_path: Path) -> None:
    """Loud, never silent: a write from a connection that lacks search_body fails."""
    path = tmp_path / "t.db"
    conn, _ = open_database(path)
    conn.execute("INSERT INTO sources (id, url, kind, added_at) VALUES (1, 'http://o/', 'f', 0)")
    conn.close()
    bare = sqlite3.connect(path)
    with pytest.raises(sqlite3.OperationalError, match="search_body"):
        bare.execute(
            "INSERT INTO stories (source_id, key, title, sort_time, fetched_at)"
            " VALUES (1, 'k', 't', 0, 0)"
        )
    bare.close()


def test_search_body_never_raises_on_odd_columns() -> None:
    assert "t" in search_index.search_body("t", None, None, None, None, None)
    assert "x" in search_index.search_body("t", "x", "", "no such type", "{not json", None)
    assert "Sec" in search_index.search_body("t", "", "", "html", '["Sec", 3]', None)


def test_an_index_from_before_step_12_is_built_anew(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = connect(path)
    migrate(conn, target=11)
    conn.execute("INSERT INTO sources (id, url, kind, added_at) VALUES (1, 'http://o/', 'f', 0)")
    conn.execute(
        "INSERT INTO stories (id, source_id, key, title, sort_time, fetched_at, content,"
        " content_type) VALUES (1, 1, 'a', 'Turnips', 0, 0, '<p>swede</p>', 'html')"
    )
    conn.execute("INSERT INTO story_search (rowid, title, body) VALUES (1, 'Turnips', 'swede')")
    conn.execute(
        "INSERT INTO story_pages (story_id, url, text, status, fetched_at)"
        " VALUES (1, 'http://o/1', 'mangelwurzel', 'ok', 0)"
    )
    migrate(conn)
    assert vocab(conn) == fresh_vocab(conn)
    hits = conn.execute("SELECT rowid FROM story_search WHERE story_search MATCH 'mangelwurzel'")
    assert [r[0] for r in hits] == [1]
    conn.execute("DELETE FROM stories WHERE id = 1")
    assert vocab(conn) == set()
    conn.close()


def test_a_text_handed_in_as_exact_is_taken_and_checked(library: Library) -> None:
    """A refresh hands the store each story's text (made in its workers): the index takes
    it, and under the tests' check a text that is not the story's own is an error."""
    from tuireader.domain.plain_text import story_text

    lib = library
    source, _ = lib.add_source(Source(url="http://s.example/feed", kind=SourceKind.FEED))
    good = story(1, "apples pears")
    text = story_text(good.title, good.body, good.content_type, good.categories)
    lib.store(source, [(good, text)], 0, exact_texts=True)
    assert found(lib, "pears") == 1
    wrong = story(2, "medlars quinces")
    with pytest.raises(sqlite3.OperationalError):
        lib.store(source, [(wrong, "not its text")], 0, exact_texts=True)
    assert found(lib, "medlars") == 0  # nothing half stored
    lib.store(source, [(wrong, "not its text")], 0)  # not handed in as exact: made anew
    assert found(lib, "medlars") == 1
