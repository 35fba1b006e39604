"""Sources: add, find, update fetch state, remove."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import replace

from tuireader.domain.health import FETCH_LOG_KEEP
from tuireader.domain.models import FetchStatus, Source, SourceOptions, fetch_failed
from tuireader.storage.database import write
from tuireader.storage.rows import SOURCE_COLUMNS, SOURCE_COUNT, options_json, source_from_row
from tuireader.storage.story_views import HIDDEN


class SourceRepo:
    """Reads and writes the ``sources`` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, source: Source) -> tuple[Source, bool]:
        """Insert a source unless its URL is known; returns it and whether it was new.

        Adding a removed (not yet vacuumed) source again brings it back with its stories.
        """
        existing = self.by_url(source.url, include_removed=True)
        if existing is not None and existing.id is not None:
            if self.is_removed(existing.id):
                self.restore(existing.id)
                return existing, True
            return existing, False
        with write(self.conn):
            cur = self.conn.execute(
                "INSERT INTO sources (url, kind, title, folder, tags, settings, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    source.url,
                    source.kind.value,
                    source.title,
                    source.folder,
                    json.dumps(list(source.tags)),
                    options_json(source.options),
                    int(time.time()),
                ),
            )
        return replace(source, id=cur.lastrowid), True

    def all(self) -> list[Source]:
        """Every source with its unread and total counts, by folder then name."""
        # One pass over the (source_id, read) index, not a subquery per source.
        rows = self.conn.execute(
            f"SELECT {SOURCE_COLUMNS}, coalesce(c.unread, 0), coalesce(c.total, 0)"
            " FROM sources LEFT JOIN (SELECT source_id, sum(read = 0) AS unread,"
            " count(*) AS total FROM stories s WHERE "
            + HIDDEN
            + " GROUP BY source_id) c ON c.source_id = sources.id"
            " WHERE removed_at IS NULL"
            " ORDER BY folder COLLATE NOCASE, coalesce(nullif(title, ''), url) COLLATE NOCASE"
        ).fetchall()
        out = []
        for row in rows:
            source = source_from_row(row)
            source.unread, source.total = row[SOURCE_COUNT], row[SOURCE_COUNT + 1]
            out.append(source)
        return out

    def get(self, source_id: int) -> Source | None:
        """The source with this id."""
        row = self.conn.execute(
            f"SELECT {SOURCE_COLUMNS} FROM sources WHERE id = ?", (source_id,)
        ).fetchone()
        return source_from_row(row) if row else None

    def by_url(self, url: str, include_removed: bool = False) -> Source | None:
        """The source with this URL or path."""
        live = "" if include_removed else " AND removed_at IS NULL"
        row = self.conn.execute(
            f"SELECT {SOURCE_COLUMNS} FROM sources WHERE url = ?{live}", (url,)
        ).fetchone()
        return source_from_row(row) if row else None

    def find(self, ref: str) -> list[Source]:
        """Sources matching an id, an exact URL/path, or a title (exact, case-insensitive)."""
        if ref.isdigit():
            found = self.get(int(ref))
            if found and found.id is not None and not self.is_removed(found.id):
                return [found]
        exact = self.by_url(ref)
        if exact:
            return [exact]
        rows = self.conn.execute(
            f"SELECT {SOURCE_COLUMNS} FROM sources WHERE title = ? COLLATE NOCASE"
            " AND removed_at IS NULL",
            (ref,),
        ).fetchall()
        return [source_from_row(r) for r in rows]

    def record_fetch(
        self,
        source_id: int,
        status: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        fingerprint: str | None = None,
        title: str | None = None,
        retry_after: int | None = None,
        keep_validators: bool = False,
        http_status: int | None = None,
        new_stories: int = 0,
        moved_to: str | None = None,
    ) -> None:
        """Remember how the last fetch went (and the validators for the next one), and log
        it in the source's fetch log (its last :data:`FETCH_LOG_KEEP` fetches are kept).
        ``moved_to``: where it now permanently redirects (``""``: nowhere; ``None``: as
        before)."""
        now = int(time.time())
        sets = ["status = ?", "fetched_at = ?", "retry_after = ?"]
        args: list[object] = [status, now, retry_after]
        if not keep_validators:
            sets += ["etag = ?", "last_modified = ?"]
            args += [etag, last_modified]
        if fingerprint is not None:
            sets.append("fingerprint = ?")
            args.append(fingerprint)
        if title:
            sets.append("title = CASE WHEN title = '' THEN ? ELSE title END")
            args.append(title)
        if moved_to is not None:
            sets.append("moved_to = ?")
            args.append(moved_to)
        args.append(source_id)
        unchanged = status in (FetchStatus.NOT_MODIFIED, FetchStatus.UNCHANGED)
        error = status if fetch_failed(status) else ""
        with write(self.conn):
            self.conn.execute(f"UPDATE sources SET {', '.join(sets)} WHERE id = ?", args)
            self.conn.execute(
                "INSERT INTO fetch_log (source_id, at, status, not_modified, new_stories, error)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (source_id, now, http_status, int(unchanged), new_stories, error),
            )
            self.conn.execute(
                "DELETE FROM fetch_log WHERE source_id = ? AND id < (SELECT id FROM fetch_log"
                " WHERE source_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
                (source_id, source_id, FETCH_LOG_KEEP - 1),
            )

    def set_options(self, source_id: int, options: SourceOptions) -> None:
        """Store what the user set on a source."""
        with write(self.conn):
            self.conn.execute(
                "UPDATE sources SET settings = ? WHERE id = ?", (options_json(options), source_id)
            )

    def adopt_url(self, source_id: int, new_url: str) -> bool:
        """Give a source a new URL (a permanent redirect's target, its https:// address),
        forgetting the old one's validators; False if another source has that URL."""
        try:
            with write(self.conn):
                self.conn.execute(
                    "UPDATE sources SET url = ?, moved_to = '', etag = NULL,"
                    " last_modified = NULL WHERE id = ?",
                    (new_url, source_id),
                )
        except sqlite3.IntegrityError:
            return False
        return True

    def move(self, source_id: int, new_url: str) -> bool:
        """Change a source's URL after a permanent redirect; False if the URL is taken."""
        try:
            with write(self.conn):
                self.conn.execute("UPDATE sources SET url = ? WHERE id = ?", (new_url, source_id))
        except sqlite3.IntegrityError:
            return False
        return True

    def update(self, source: Source) -> None:
        """Save a source's title, folder, tags and settings."""
        assert source.id is not None
        with write(self.conn):
            self.conn.execute(
                "UPDATE sources SET title = ?, folder = ?, tags = ?, settings = ? WHERE id = ?",
                (
                    source.title,
                    source.folder,
                    json.dumps(list(source.tags)),
                    options_json(source.options),
                    source.id,
                ),
            )

    def remove(self, source_id: int) -> int:
        """Hide a source and its stories until the next vacuum; returns how many stories."""
        with write(self.conn):
            self.conn.execute(
                "UPDATE sources SET removed_at = ? WHERE id = ?", (int(time.time()), source_id)
            )
        row = self.conn.execute(
            "SELECT count(*) FROM stories WHERE source_id = ?", (source_id,)
        ).fetchone()
        return int(row[0])

    def delete(self, source_id: int) -> int:
        """Delete a source and its stories for good (no undo); returns how many stories.

        Their fetched pages go with them (``ON DELETE CASCADE``)."""
        with write(self.conn):
            gone = self.conn.execute("DELETE FROM stories WHERE source_id = ?", (source_id,))
            self.conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))
        return int(gone.rowcount)

    def is_removed(self, source_id: int) -> bool:
        """Whether the source is removed (and recoverable)."""
        row = self.conn.execute(
            "SELECT removed_at IS NOT NULL FROM sources WHERE id = ?", (source_id,)
        ).fetchone()
        return bool(row and row[0])

    def restore(self, source_id: int) -> None:
        """Bring a removed source back."""
        with write(self.conn):
            self.conn.execute("UPDATE sources SET removed_at = NULL WHERE id = ?", (source_id,))

    def purge_removed(self) -> int:
        """Delete removed sources and their stories for good; returns how many sources."""
        with write(self.conn):
            ids = [
                r[0]
                for r in self.conn.execute("SELECT id FROM sources WHERE removed_at IS NOT NULL")
            ]
            for source_id in ids:
                self.conn.execute("DELETE FROM stories WHERE source_id = ?", (source_id,))
                self.conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))
        return len(ids)
