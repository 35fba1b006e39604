"""The full-text search index: an FTS5 table that keeps no copy of the text.

``story_search`` is *contentless* (``content=''``): it holds the index alone, not the words
a second time (a third of the store, before). The stories table is the truth, and triggers
(schema step 12) keep the index in step with it whatever writes a story, a fetched page or
a deletion: SQL calls :func:`search_body` on the row's columns, when a row goes in and,
to take its old words out, with the row's old values. A contentless table forgets what it
indexed, so the words taken out must be exactly the words put in: :func:`search_body` must
stay a pure function of the columns. When it changes, add a schema step that builds the
index again (:data:`REBUILD`).
"""

from __future__ import annotations

import json
import os
import sqlite3

from tuireader.domain.models import ContentType
from tuireader.domain.plain_text import story_text

SEARCH_TEXT_VERSION = 1
"""Which :func:`search_body` built the index (a change needs a rebuilding schema step)."""


def search_body(
    title: str | None,
    content: str | None,
    summary: str | None,
    content_type: str | None,
    categories: str | None,
    page_text: str | None,
) -> str:
    """The words a story is found by: its title, sections and body (the fetched page's
    Markdown when there is one, else the feed's content, else its summary) as plain text.
    Never raises: it runs inside SQLite's triggers."""
    try:
        sections = json.loads(categories) if categories else []
    except ValueError:
        sections = []
    if not isinstance(sections, list):
        sections = []
    words = [s for s in sections if isinstance(s, str)]
    if page_text:
        return story_text(title or "", page_text, ContentType.MARKDOWN, words)
    try:
        kind = ContentType(content_type or "text")
    except ValueError:
        kind = ContentType.TEXT
    return story_text(title or "", content or summary or "", kind, words)


CHECK_ENV = "TUIREADER_CHECK_SEARCH_TEXT"
"""Set (the tests set it): every search text offered by a caller is checked against the one
:func:`search_body` makes, and a difference is an error."""

Columns = tuple[str, str, str, str, str]
"""(title, content, summary, content type, categories JSON) as stored."""


class SearchTexts:
    """Search texts a caller already made for the rows it is about to write (a refresh
    makes each story's text in its worker processes, for discovery): the insert and update
    triggers take them instead of making them again on the writing thread. A text is taken
    only for the row it was offered for, with the very columns it was made from."""

    def __init__(self, check: bool = False) -> None:
        self.check = check
        self._pending: dict[int, tuple[Columns, str]] = {}

    def offer(self, texts: dict[int, tuple[Columns, str]]) -> None:
        """Texts by story id, each with the columns it was made from."""
        self._pending.update(texts)

    def clear(self) -> None:
        """Forget what was not taken (rows the write did not change)."""
        self._pending.clear()

    def body(self, story_id: int, *columns: str | None) -> str:
        """What :func:`search_body` would make of these columns (its six, in its order)."""
        offered = self._pending.pop(story_id, None)
        story_columns, page_text = columns[:5], columns[5]
        if offered is not None and not page_text:
            made_from, text = offered
            if made_from == story_columns:
                if self.check and search_body(*columns) != text:
                    raise ValueError(f"story {story_id}: the search text offered differs")
                return text
        return search_body(*columns)


class Connection(sqlite3.Connection):
    """A connection that carries the search texts offered for its writes."""

    search_texts: SearchTexts


def register(conn: sqlite3.Connection) -> None:
    """Give a connection the functions the index's triggers call (every connection that
    writes stories needs them: without them, a write fails loudly, never silently)."""
    conn.create_function("search_body", 6, search_body, deterministic=True)
    texts = getattr(conn, "search_texts", None)
    if texts is None:
        texts = SearchTexts(check=bool(os.environ.get(CHECK_ENV)))
        if isinstance(conn, Connection):
            conn.search_texts = texts
    conn.create_function("search_body_of", 7, texts.body)


def offer(conn: sqlite3.Connection, texts: dict[int, tuple[Columns, str]]) -> bool:
    """Offer search texts for the next write on ``conn`` (False: it takes none)."""
    found = getattr(conn, "search_texts", None)
    if not isinstance(found, SearchTexts):
        return False
    found.offer(texts)
    return True


def forget_offers(conn: sqlite3.Connection) -> None:
    """Drop the texts offered and not taken."""
    found = getattr(conn, "search_texts", None)
    if isinstance(found, SearchTexts):
        found.clear()


_BODY_OF_NEW = (
    "search_body_of(new.id, new.title, new.content, new.summary, new.content_type,"
    " new.categories, (SELECT text FROM story_pages WHERE story_id = new.id))"
)
_BODY_OF_OLD = (
    "search_body(old.title, old.content, old.summary, old.content_type, old.categories,"
    " (SELECT text FROM story_pages WHERE story_id = old.id))"
)
_STORY_BODY = "search_body(s.title, s.content, s.summary, s.content_type, s.categories, {page})"

REBUILD = f"""
DROP TABLE IF EXISTS story_vocab;
DROP TABLE IF EXISTS story_search;
CREATE VIRTUAL TABLE story_search USING fts5 (
    title, body, content = '', tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO story_search (rowid, title, body)
    SELECT s.id, s.title, {_STORY_BODY.format(page="p.text")}
    FROM stories s LEFT JOIN story_pages p ON p.story_id = s.id;
CREATE VIRTUAL TABLE story_vocab USING fts5vocab (story_search, 'row')
"""
"""Build the index anew from the stories (a schema step's statements)."""

TRIGGERS = f"""
CREATE TRIGGER story_search_insert AFTER INSERT ON stories BEGIN
    INSERT INTO story_search (rowid, title, body) VALUES (new.id, new.title, {_BODY_OF_NEW});
END;
CREATE TRIGGER story_search_delete BEFORE DELETE ON stories BEGIN
    INSERT INTO story_search (story_search, rowid, title, body)
        VALUES ('delete', old.id, old.title, {_BODY_OF_OLD});
END;
CREATE TRIGGER story_search_update_before
    BEFORE UPDATE OF title, content, summary, content_type, categories ON stories BEGIN
    INSERT INTO story_search (story_search, rowid, title, body)
        VALUES ('delete', old.id, old.title, {_BODY_OF_OLD});
END;
CREATE TRIGGER story_search_update_after
    AFTER UPDATE OF title, content, summary, content_type, categories ON stories BEGIN
    INSERT INTO story_search (rowid, title, body) VALUES (new.id, new.title, {_BODY_OF_NEW});
END;
CREATE TRIGGER story_search_page_insert AFTER INSERT ON story_pages
    WHEN new.text != '' BEGIN
    INSERT INTO story_search (story_search, rowid, title, body)
        SELECT 'delete', s.id, s.title, {_STORY_BODY.format(page="NULL")}
        FROM stories s WHERE s.id = new.story_id;
    INSERT INTO story_search (rowid, title, body)
        SELECT s.id, s.title, {_STORY_BODY.format(page="new.text")}
        FROM stories s WHERE s.id = new.story_id;
END;
CREATE TRIGGER story_search_page_update AFTER UPDATE OF text ON story_pages
    WHEN old.text IS NOT new.text BEGIN
    INSERT INTO story_search (story_search, rowid, title, body)
        SELECT 'delete', s.id, s.title, {_STORY_BODY.format(page="nullif(old.text, '')")}
        FROM stories s WHERE s.id = new.story_id;
    INSERT INTO story_search (rowid, title, body)
        SELECT s.id, s.title, {_STORY_BODY.format(page="nullif(new.text, '')")}
        FROM stories s WHERE s.id = new.story_id;
END
"""
"""The triggers that keep the index in step with the stories and their fetched pages."""
