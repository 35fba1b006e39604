"""Schema versions, applied in order; ``PRAGMA user_version`` says which ones ran.

Never edit a released step: add a new one. Tests build a database at every earlier
version and upgrade it.
"""

from __future__ import annotations

import re
import sqlite3

from tuireader.domain.text import strip_escapes
from tuireader.storage import search_index

V1 = """
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    folder TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    settings TEXT NOT NULL DEFAULT '{}',
    etag TEXT,
    last_modified TEXT,
    fingerprint TEXT,
    fetched_at INTEGER,
    status TEXT NOT NULL DEFAULT '',
    retry_after INTEGER,
    added_at INTEGER NOT NULL
);
CREATE TABLE stories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    link TEXT NOT NULL DEFAULT '',
    author TEXT NOT NULL DEFAULT '',
    published INTEGER,
    updated INTEGER,
    sort_time INTEGER NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT 'html',
    categories TEXT NOT NULL DEFAULT '[]',
    enclosures TEXT NOT NULL DEFAULT '[]',
    fetched_at INTEGER NOT NULL,
    read INTEGER NOT NULL DEFAULT 0,
    starred INTEGER NOT NULL DEFAULT 0,
    read_at INTEGER,
    UNIQUE (source_id, key)
);
CREATE INDEX stories_by_time ON stories (sort_time DESC, id DESC);
CREATE INDEX stories_by_source ON stories (source_id, sort_time DESC);
"""

V2 = """
ALTER TABLE stories ADD COLUMN extras TEXT NOT NULL DEFAULT '{}';
ALTER TABLE stories ADD COLUMN popularity INTEGER;
ALTER TABLE stories ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE stories ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0;
UPDATE stories SET last_seen = fetched_at;
CREATE INDEX stories_unread ON stories (read, sort_time DESC) WHERE read = 0;
CREATE INDEX stories_starred ON stories (starred) WHERE starred = 1;
CREATE VIRTUAL TABLE story_search USING fts5 (
    title, body, tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO story_search (rowid, title, body)
    SELECT id, title, strip_tags(content || ' ' || summary) FROM stories;
"""

V3 = """
CREATE TABLE prefs (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE INDEX stories_by_title ON stories (title COLLATE NOCASE);
"""

V4 = """
ALTER TABLE stories ADD COLUMN sig TEXT NOT NULL DEFAULT '';
ALTER TABLE stories ADD COLUMN cluster_id INTEGER;
ALTER TABLE stories ADD COLUMN finished INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN dismissed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX stories_by_cluster ON stories (cluster_id) WHERE cluster_id IS NOT NULL;
CREATE INDEX stories_unsigned ON stories (id) WHERE sig = '';
CREATE VIRTUAL TABLE story_vocab USING fts5vocab (story_search, 'row');
CREATE INDEX stories_source_read ON stories (source_id, read);
"""

V5 = """
CREATE TABLE story_pages (
    story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    etag TEXT,
    last_modified TEXT,
    fetched_at INTEGER NOT NULL
);
CREATE TABLE undo_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    payload TEXT NOT NULL
);
ALTER TABLE sources ADD COLUMN removed_at INTEGER;
"""

V6 = """
CREATE INDEX IF NOT EXISTS stories_source_read ON stories (source_id, read);
"""

V7 = """
UPDATE stories SET sort_time = fetched_at WHERE published IS NULL AND updated IS NULL;
"""
"""An undated story goes by when it was first seen (``fetched_at``); before, each change to
it moved it to the time of that refresh."""

# Text stored before escape sequences were removed whole: drop any sequence still there and
# the residue the old cleaner left (``[31m``, ``]8;;url\``), then forget every source's
# validators and fingerprint so the next refresh reads each one again with today's cleaner
# (a changed text updates the story and keeps its read and starred state).
V8 = """
UPDATE stories SET title = unescape(title), author = unescape(author),
    summary = unescape(summary), content = unescape(content)
    WHERE dirty(title) OR dirty(author) OR dirty(summary) OR dirty(content);
UPDATE sources SET title = unescape(title) WHERE dirty(title);
UPDATE sources SET status = unescape(status) WHERE dirty(status);
UPDATE story_pages SET text = unescape(text) WHERE dirty(text);
UPDATE sources SET etag = NULL, last_modified = NULL, fingerprint = NULL
"""

# Folder sync (issue 11): every change of read, starred, a subscription or a source's folder
# is journaled by triggers in the transaction that makes it, so whatever makes it (the CLI,
# the app, undo, mark-all) and however the process ends, the journal and the state agree.
# Changes applied from another device's log run with a row in sync_applying (inside their
# own transaction, never committed), which the triggers skip. Times are the database
# clock's, in Unix milliseconds. Each trigger body is one statement ending its line with
# "; END" (the splitter below cuts on a semicolon at the end of a line).
V9 = """
CREATE TABLE sync_device (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    device TEXT NOT NULL
);
INSERT INTO sync_device (one, device) VALUES (1, lower(hex(randomblob(8))));
CREATE TABLE sync_journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    source_url TEXT NOT NULL,
    story_key TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX sync_journal_by_target ON sync_journal (source_url, story_key, field);
CREATE TABLE sync_applying (flag INTEGER);
CREATE TABLE sync_state (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE sync_winners (
    source_url TEXT NOT NULL,
    story_key TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    at INTEGER NOT NULL,
    device TEXT NOT NULL,
    seq INTEGER NOT NULL,
    applied INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source_url, story_key, field)
);
CREATE INDEX sync_winners_pending ON sync_winners (applied) WHERE applied = 0;
CREATE TRIGGER sync_story_read AFTER UPDATE OF read ON stories
    WHEN old.read IS NOT new.read AND NOT EXISTS (SELECT 1 FROM sync_applying)
    BEGIN INSERT INTO sync_journal (source_url, story_key, field, value, at)
    SELECT url, new.key, 'read', CAST(new.read AS TEXT),
    CAST(round((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)
    FROM sources WHERE id = new.source_id; END;
CREATE TRIGGER sync_story_starred AFTER UPDATE OF starred ON stories
    WHEN old.starred IS NOT new.starred AND NOT EXISTS (SELECT 1 FROM sync_applying)
    BEGIN INSERT INTO sync_journal (source_url, story_key, field, value, at)
    SELECT url, new.key, 'starred', CAST(new.starred AS TEXT),
    CAST(round((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)
    FROM sources WHERE id = new.source_id; END;
CREATE TRIGGER sync_source_added AFTER INSERT ON sources
    WHEN new.kind = 'feed' AND new.removed_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM sync_applying)
    BEGIN INSERT INTO sync_journal (source_url, story_key, field, value, at)
    VALUES (new.url, '', 'subscribed', '1',
    CAST(round((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)); END;
CREATE TRIGGER sync_source_added_folder AFTER INSERT ON sources
    WHEN new.kind = 'feed' AND new.folder != '' AND NOT EXISTS (SELECT 1 FROM sync_applying)
    BEGIN INSERT INTO sync_journal (source_url, story_key, field, value, at)
    VALUES (new.url, '', 'folder', new.folder,
    CAST(round((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)); END;
CREATE TRIGGER sync_source_removed AFTER UPDATE OF removed_at ON sources
    WHEN new.kind = 'feed' AND (old.removed_at IS NULL) != (new.removed_at IS NULL)
    AND NOT EXISTS (SELECT 1 FROM sync_applying)
    BEGIN INSERT INTO sync_journal (source_url, story_key, field, value, at)
    VALUES (new.url, '', 'subscribed', CASE WHEN new.removed_at IS NULL THEN '1' ELSE '0' END,
    CAST(round((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)); END;
CREATE TRIGGER sync_source_deleted AFTER DELETE ON sources
    WHEN old.kind = 'feed' AND old.removed_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM sync_applying)
    BEGIN INSERT INTO sync_journal (source_url, story_key, field, value, at)
    VALUES (old.url, '', 'subscribed', '0',
    CAST(round((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)); END;
CREATE TRIGGER sync_source_folder AFTER UPDATE OF folder ON sources
    WHEN new.kind = 'feed' AND old.folder IS NOT new.folder
    AND NOT EXISTS (SELECT 1 FROM sync_applying)
    BEGIN INSERT INTO sync_journal (source_url, story_key, field, value, at)
    VALUES (new.url, '', 'folder', new.folder,
    CAST(round((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)); END
"""

# Server accounts (issue 11): an account's subscriptions are sources of kind 'account' that
# name the account and the server's id for the feed; each stored story of theirs is linked to
# the server's id for it, with its state there as of the last sync (the base that tells "the
# server changed it" from "we changed it"). Cursors say where the next incremental read
# starts; the outbox holds subscribe/unsubscribe requests until the server took them. Read and
# starred changes wait in sync_journal (V9), sent from a per-account marker in sync_state.
# A page saved for later is journaled too (field 'saved', its title and link as JSON), so
# folder sync brings it to the user's other machines.
V10 = """
ALTER TABLE sources ADD COLUMN account TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN remote_id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX sources_by_remote ON sources (account, remote_id) WHERE account != '';
CREATE TABLE remote_items (
    account TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    read INTEGER NOT NULL,
    starred INTEGER NOT NULL,
    PRIMARY KEY (account, remote_id)
);
CREATE INDEX remote_items_by_story ON remote_items (story_id);
CREATE TABLE remote_cursors (
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (account, name)
);
CREATE TABLE remote_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    op TEXT NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    remote_id TEXT NOT NULL DEFAULT '',
    folder TEXT NOT NULL DEFAULT '',
    at INTEGER NOT NULL
);
CREATE TRIGGER sync_story_saved AFTER INSERT ON stories
    WHEN NOT EXISTS (SELECT 1 FROM sync_applying)
    AND EXISTS (SELECT 1 FROM sources WHERE id = new.source_id AND kind = 'saved')
    BEGIN INSERT INTO sync_journal (source_url, story_key, field, value, at)
    SELECT url, new.key, 'saved', json_object('title', new.title, 'link', new.link),
    CAST(round((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)
    FROM sources WHERE id = new.source_id; END
"""

# Discovery's semantic side (issue 12): a story's meaning as a compact vector (int8, one byte
# per dimension, see tuireader.content.embedding), computed after the story is stored, off
# the refresh's critical path. A table of its own, so writing vectors never touches (or fires
# the sync triggers on) the stories table; an empty blob is a story with nothing to embed.
V11 = """
CREATE TABLE story_vectors (
    story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
    vec BLOB NOT NULL
);
"""

V12 = search_index.REBUILD + ";\n" + search_index.TRIGGERS
"""The search index keeps no copy of the text (contentless FTS5), and triggers keep it in
step with the stories (see :mod:`tuireader.storage.search_index`)."""

# Killfiles (issue 13): which stories an ``[[ignore]]`` rule caught, by the rule's query,
# and what it did ("hide": left out of every view and count; "mark_read"). A story is
# caught once per rule, so one the user marks unread again stays unread. stories_filter holds
# the short columns filter expressions test most, so a count or a page of ids over 100,000
# stories scans it instead of every story's row (bodies included).
V13 = """
CREATE TABLE story_ignored (
    story_id INTEGER PRIMARY KEY REFERENCES stories(id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    action TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX story_ignored_hidden ON story_ignored (story_id) WHERE action = 'hide';
CREATE INDEX stories_filter ON stories (source_id, sort_time, read, starred, title, author);
"""

# Acting on stories (issue 13): the enclosure download queue, kept across restarts. A story
# that leaves keeps its finished file (the row loses its story); a URL is queued once.
V14 = """
CREATE TABLE downloads (
    id INTEGER PRIMARY KEY,
    story_id INTEGER REFERENCES stories(id) ON DELETE SET NULL,
    url TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued',
    received INTEGER NOT NULL DEFAULT 0,
    total INTEGER,
    error TEXT NOT NULL DEFAULT '',
    added_at INTEGER NOT NULL
);
CREATE INDEX downloads_by_story ON downloads (story_id);
"""

# Sources beyond plain feeds (issue 13): each fetch's outcome, a bounded log per source (the
# feed health view reads it), and where a feed now permanently redirects, kept until the
# user adopts the new URL.
V15 = """
CREATE TABLE fetch_log (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    status INTEGER,
    not_modified INTEGER NOT NULL DEFAULT 0,
    new_stories INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX fetch_log_by_source ON fetch_log (source_id, id);
ALTER TABLE sources ADD COLUMN moved_to TEXT NOT NULL DEFAULT '';
"""

V16 = """
DELETE FROM story_ignored WHERE action = 'hide'
    AND story_id IN (SELECT id FROM stories WHERE starred != 0);
CREATE TRIGGER story_starred_shown AFTER UPDATE OF starred ON stories
    WHEN new.starred != 0 BEGIN
    DELETE FROM story_ignored WHERE story_id = new.id AND action = 'hide';
END
"""
"""A story the user stars is never hidden by a rule (rules skip starred stories as they
apply; this is for one starred after a rule hid it: by the CLI, a sync, a peer)."""

STEPS: tuple[str, ...] = (
    V1, V2, V3, V4, V5, V6, V7, V8, V9, V10, V11, V12, V13, V14, V15, V16
)  # fmt: skip
SCHEMA_VERSION = len(STEPS)

_TAGS = re.compile(r"<[^>]*>")
# What the old one-character-at-a-time cleaner left of an escape sequence.
_RESIDUE = re.compile(r"\[(?:\d{1,3}(?:;\d{1,3})*)?m|\]8;[^;\s]*;[^\s\\]*\\?|\][0-9]{1,3};(?=\S)")


def _strip_tags(text: str | None) -> str:
    return _TAGS.sub(" ", text or "")


def _unescape(text: str | None) -> str:
    return _RESIDUE.sub("", strip_escapes(text or ""))


def _dirty(text: str | None) -> bool:
    # Stored text holds no C1 characters (the old cleaner dropped them); an ESC left by some
    # path, or the residue (which needs a bracket), is what to look for. The "in" tests run
    # at memchr speed: a regex over every body of a 100,000-story library took seconds.
    if not text:
        return False
    if "\x1b" in text:
        return True
    if "[" not in text and "]" not in text:
        return False
    return _RESIDUE.search(text) is not None


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply every step after the database's version up to ``target``; return the old version."""
    conn.create_function("strip_tags", 1, _strip_tags, deterministic=True)
    conn.create_function("unescape", 1, _unescape, deterministic=True)
    conn.create_function("dirty", 1, _dirty, deterministic=True)
    search_index.register(conn)
    current: int = conn.execute("PRAGMA user_version").fetchone()[0]
    for version in range(current + 1, target + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(STEPS[version - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # a full disk may have ended it already
                conn.execute("ROLLBACK")
            raise
    return current


def _statements(script: str) -> list[str]:
    """The script's statements (a trigger's body holds ``;`` too: pieces are joined until
    SQLite says the statement is complete)."""
    out: list[str] = []
    pending = ""
    for piece in script.split(";\n"):
        pending = f"{pending};\n{piece}" if pending else piece
        if sqlite3.complete_statement(pending + ";"):
            if pending.strip():
                out.append(pending.strip())
            pending = ""
    if pending.strip():
        out.append(pending.strip())
    return out
