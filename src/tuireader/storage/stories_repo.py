"""Stories: upsert from a fetch (state untouched), page through views, mark, search."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence

from tuireader.domain.dates import to_timestamp
from tuireader.domain.models import StoreCounts, Story, StoryText
from tuireader.domain.query import StoryQuery
from tuireader.domain.titles import fold as normalize_title
from tuireader.storage import search_index
from tuireader.storage.database import write
from tuireader.storage.rows import (
    FULL_COLUMNS,
    enclosures_json,
    extras_json,
    story_from_row,
)
from tuireader.storage.story_views import StoryViews


def _hash(story: Story, extras: str, enclosures: str) -> str:
    parts = (
        story.title,
        story.link,
        story.author,
        str(to_timestamp(story.published)),
        str(to_timestamp(story.updated)),
        story.summary,
        story.content,
        story.content_type,
        "\x1e".join(story.categories),
        extras,
        enclosures,
        str(story.popularity),
    )
    return hashlib.blake2b(
        "\x1f".join(parts).encode("utf-8", "replace"), digest_size=12
    ).hexdigest()


class StoryRepo:
    """Reads and writes the ``stories`` table and its search index."""

    def __init__(self, conn: sqlite3.Connection, clock: Callable[[], float] = time.time) -> None:
        self.conn = conn
        self.clock = clock
        self.views = StoryViews(conn, clock)

    def page(
        self, query: StoryQuery, limit: int, offset: int = 0, total: int | None = None
    ) -> list[Story]:
        """Headline rows (no bodies) for a view, in its order (see :class:`StoryViews`)."""
        return self.views.page(query, limit, offset, total)

    def count(self, query: StoryQuery) -> int:
        """How many stories a view holds."""
        return self.views.count(query)

    def ids(self, query: StoryQuery) -> list[int]:
        """Ids of every story in a view, in its order."""
        return self.views.ids(query)

    def upsert(
        self,
        source_id: int,
        items: Sequence[tuple[Story, str]],
        adopt: bool = True,
        exact_texts: bool = False,
    ) -> StoreCounts:
        """Store parsed stories with their text; read/starred state is never touched.

        ``exact_texts``: each text is ``story_text(title, body, content type, categories)``
        exactly, and the search index takes it as the story's words instead of making them
        again (a refresh made them in its workers; the tests check every one). Otherwise
        the index makes its own, and the text only goes back in the counts.

        A story's time is its own date; an undated one goes by when it was first seen (its
        ``fetched_at``, never moved by a later change), as newsboat does. ``adopt``: an
        unknown key may be a stored story renamed (feeds whose ids change); ``False`` where
        keys are stable (a sync server's ids), and only the incoming keys are looked up.
        """
        now = int(self.clock())
        known: dict[str, tuple[int, str, int]] = {}
        # stories this fetch no longer lists, by normalised title and date: an item whose id
        # changes on every fetch (a fresh guid, a ?session= link) is one of these, renamed
        orphans: dict[tuple[str, int | None], list[tuple[str, int]]] = {}
        incoming = {story.key for story, _ in items}
        if adopt:
            for key, sid, digest, first, title, published in self.conn.execute(
                "SELECT key, id, content_hash, fetched_at, title, published FROM stories"
                " WHERE source_id = ?",
                (source_id,),
            ):
                known[key] = (sid, digest, first)
                if key not in incoming:
                    orphans.setdefault((normalize_title(title), published), []).append((key, sid))
        else:
            keys = sorted(incoming)
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                for key, sid, digest, first in self.conn.execute(
                    "SELECT key, id, content_hash, fetched_at FROM stories"
                    f" WHERE source_id = ? AND key IN ({','.join('?' * len(chunk))})",
                    (source_id, *chunk),
                ):
                    known[key] = (sid, digest, first)
        renames: list[tuple[str, int]] = []
        seen: list[tuple[int, int]] = []
        touched: list[StoryText] = []
        inserts: list[tuple[object, ...]] = []
        updates: list[tuple[object, ...]] = []
        offers: dict[int, tuple[search_index.Columns, str]] = {}
        with write(self.conn), contextlib.ExitStack() as done:
            done.callback(search_index.forget_offers, self.conn)
            # ids are handed out here, inside the write lock, so the rows go in with one
            # executemany call; their search entries follow by the index's triggers, which
            # take the texts made already (in a refresh's workers) instead of making them
            next_id = self._next_id()
            for story, text in items:
                extras = extras_json(story)
                enclosures = enclosures_json(story)
                digest = _hash(story, extras, enclosures)
                existing = known.get(story.key)
                if existing is None and orphans:
                    existing = self._adopt(story, orphans, known, renames)
                if existing is not None and existing[1] == digest:
                    seen.append((now, existing[0]))
                    continue
                published = to_timestamp(story.published)
                updated = to_timestamp(story.updated)
                seen_at = now if existing is None else existing[2]
                values = (
                    story.title,
                    story.link,
                    story.author,
                    published,
                    updated,
                    published or updated or seen_at,
                    story.summary,
                    story.content,
                    story.content_type.value,
                    json.dumps(list(story.categories), ensure_ascii=False),
                    enclosures,
                    extras,
                    story.popularity,
                    digest,
                    now,
                )
                if existing is None:
                    story_id = next_id
                    next_id += 1
                    inserts.append((*values, source_id, story.key, now, story_id))
                else:
                    story_id = existing[0]
                    updates.append((*values, story_id))
                known[story.key] = (story_id, digest, seen_at)
                if exact_texts and text:
                    columns = (story.title, story.content, story.summary, values[8], values[9])
                    offers[story_id] = (columns, text)
                touched.append(StoryText(story_id, story.key, story.title, text, story.categories))
            self.conn.executemany("UPDATE stories SET key = ? WHERE id = ?", renames)
            search_index.offer(self.conn, offers)
            self.conn.executemany(
                "INSERT INTO stories (title, link, author, published, updated, sort_time,"
                " summary, content, content_type, categories, enclosures, extras,"
                " popularity, content_hash, last_seen, source_id, key, fetched_at, id)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                inserts,
            )
            self.conn.executemany(
                "UPDATE stories SET title=?, link=?, author=?, published=?, updated=?,"
                " sort_time=?, summary=?, content=?, content_type=?, categories=?,"
                " enclosures=?, extras=?, popularity=?, content_hash=?, last_seen=?"
                " WHERE id = ?",
                updates,
            )
            self.conn.executemany("UPDATE stories SET last_seen = ? WHERE id = ?", seen)
        return StoreCounts(len(inserts), len(updates), len(seen), tuple(touched))

    @staticmethod
    def _adopt(
        story: Story,
        orphans: dict[tuple[str, int | None], list[tuple[str, int]]],
        known: dict[str, tuple[int, str, int]],
        renames: list[tuple[str, int]],
    ) -> tuple[int, str, int] | None:
        """The stored story an unknown incoming id stands for, renamed to it; else None."""
        matches = orphans.get((normalize_title(story.title), to_timestamp(story.published)))
        if not matches or not story.title:
            return None
        old_key, story_id = matches.pop(0)
        renames.append((story.key, story_id))
        existing = known.pop(old_key)
        known[story.key] = existing
        return existing

    def _next_id(self) -> int:
        """The next story id: past every id ever used (AUTOINCREMENT never reuses one)."""
        row = self.conn.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'stories'), 0),"
            " coalesce((SELECT max(id) FROM stories), 0))"
        ).fetchone()
        return int(row[0]) + 1

    def get(self, story_id: int) -> Story | None:
        """One story with its body and page lists."""
        row = self.conn.execute(
            f"SELECT {FULL_COLUMNS} FROM stories s JOIN sources src ON src.id = s.source_id"
            " WHERE s.id = ?",
            (story_id,),
        ).fetchone()
        return story_from_row(row) if row else None

    def id_for_key(self, source_id: int, key: str) -> int | None:
        """The id of a source's story by its stable key."""
        row = self.conn.execute(
            "SELECT id FROM stories WHERE source_id = ? AND key = ?", (source_id, key)
        ).fetchone()
        return int(row[0]) if row else None

    def keys_of(self, source_id: int) -> dict[str, int]:
        """A source's stories: key → id."""
        return dict(
            self.conn.execute("SELECT key, id FROM stories WHERE source_id = ?", (source_id,))
        )

    def read_keys(self, source_id: int) -> list[tuple[str, str, str, int | None]]:
        """A source's read stories: (key, title, link, published), oldest first."""
        return list(
            self.conn.execute(
                "SELECT key, title, link, published FROM stories WHERE source_id = ?"
                " AND read = 1 ORDER BY sort_time, id",
                (source_id,),
            )
        )

    def mark(
        self, ids: Iterable[int], *, read: bool | None = None, starred: bool | None = None
    ) -> list[int]:
        """Set read and/or starred on stories; returns the ids whose state changed."""
        id_list = list(ids)
        changed: list[int] = []
        now = int(self.clock())
        with write(self.conn):
            for start in range(0, len(id_list), 500):
                chunk = id_list[start : start + 500]
                marks = ",".join("?" * len(chunk))
                if read is not None:
                    changed += [
                        r[0]
                        for r in self.conn.execute(
                            f"UPDATE stories SET read = ?, read_at = ? WHERE id IN ({marks})"
                            " AND read != ? RETURNING id",
                            (int(read), now if read else None, *chunk, int(read)),
                        )
                    ]
                if starred is not None:
                    changed += [
                        r[0]
                        for r in self.conn.execute(
                            f"UPDATE stories SET starred = ? WHERE id IN ({marks})"
                            " AND starred != ? RETURNING id",
                            (int(starred), *chunk, int(starred)),
                        )
                    ]
        return sorted(set(changed))

    def by_titles(self, titles: Sequence[str]) -> dict[str, int]:
        """Story ids for titles (case-insensitive, exact), newest story winning."""
        wanted = list(dict.fromkeys(t for t in titles if t))
        found: dict[str, int] = {}
        for start in range(0, len(wanted), 400):
            chunk = wanted[start : start + 400]
            marks = ",".join("?" * len(chunk))
            for story_id, title in self.conn.execute(
                f"SELECT id, title FROM stories WHERE title COLLATE NOCASE IN ({marks})"
                " ORDER BY sort_time",
                chunk,
            ):
                found[title.casefold()] = story_id
        return found

    def prune(
        self, source_id: int, max_stories: int | None, max_age_days: int | None, seen_since: int
    ) -> int:
        """Drop read, unstarred stories no longer in the feed past the source's limits.

        Unread and starred stories are always kept, and so is anything the feed still
        lists (dropping it would bring it back as unread on the next refresh).
        """
        victims: set[int] = set()
        base = (
            "SELECT id FROM stories WHERE source_id = ? AND read = 1 AND starred = 0"
            " AND last_seen < ?"
        )
        if max_age_days is not None:
            cutoff = int(self.clock()) - max_age_days * 86400
            victims.update(
                r[0]
                for r in self.conn.execute(
                    base + " AND sort_time < ?", (source_id, seen_since, cutoff)
                )
            )
        if max_stories is not None:
            eligible = {r[0] for r in self.conn.execute(base, (source_id, seen_since))}
            overflow = self.conn.execute(
                "SELECT id FROM stories WHERE source_id = ? ORDER BY sort_time DESC, id DESC"
                " LIMIT -1 OFFSET ?",
                (source_id, max_stories),
            )
            victims.update(r[0] for r in overflow if r[0] in eligible)
        if victims:
            with write(self.conn):
                for sid in victims:
                    self.conn.execute("DELETE FROM stories WHERE id = ?", (sid,))
        return len(victims)

    def last_seen(self, source_id: int) -> int:
        """When the source's latest fetch saw its stories (what it still lists was seen
        then; 0 when it has none)."""
        row = self.conn.execute(
            "SELECT coalesce(max(last_seen), 0) FROM stories WHERE source_id = ?", (source_id,)
        ).fetchone()
        return int(row[0])

    def vacuum(self) -> None:
        """Compact the search index and the file."""
        self.conn.execute("INSERT INTO story_search (story_search) VALUES ('optimize')")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.execute("VACUUM")

    # new since a mark (notifications after a refresh) ------------------------------------
    def newest_id(self) -> int:
        """The highest story id stored (ids only grow: later stories have higher ones)."""
        row = self.conn.execute("SELECT coalesce(max(id), 0) FROM stories").fetchone()
        return int(row[0])

    def since(self, story_id: int, limit: int) -> tuple[int, list[str]]:
        """How many stories came after ``story_id``, and the newest ``limit`` titles."""
        count = self.conn.execute(
            "SELECT count(*) FROM stories WHERE id > ?", (story_id,)
        ).fetchone()[0]
        titles = [
            r[0]
            for r in self.conn.execute(
                "SELECT title FROM stories WHERE id > ? ORDER BY sort_time DESC, id DESC LIMIT ?",
                (story_id, limit),
            )
        ]
        return int(count), titles
