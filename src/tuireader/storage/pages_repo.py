"""Full-text pages fetched for stories: kept offline, fetched once unless they change."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from tuireader.domain.errors import INTERNAL
from tuireader.storage.database import select_in, write

_OURS = INTERNAL.replace("%", "") + "%"


@dataclass(frozen=True, slots=True)
class PageRow:
    """A story's fetched page."""

    story_id: int
    url: str
    text: str
    status: str
    etag: str | None
    last_modified: str | None
    fetched_at: int


class PagesRepo:
    """The ``story_pages`` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, story_id: int) -> PageRow | None:
        """The page stored for a story."""
        row = self.conn.execute(
            "SELECT story_id, url, text, status, etag, last_modified, fetched_at"
            " FROM story_pages WHERE story_id = ?",
            (story_id,),
        ).fetchone()
        return PageRow(*row) if row else None

    def have(self, story_ids: list[int]) -> set[int]:
        """Which of these stories already have a page attempt stored that is not to be made
        again (an attempt that failed through a fault of ours is made again)."""
        sql = (
            "SELECT story_id FROM story_pages WHERE story_id IN ({marks})"
            f" AND status NOT LIKE '{_OURS}'"
        )
        return {int(r[0]) for r in select_in(self.conn, sql, story_ids)}

    def to_retry(self, source_ids: list[int], limit: int = 200) -> list[int]:
        """Stories of these sources whose page failed through a fault of ours (a component
        missing, a bug), oldest attempt first."""
        sql = (
            "SELECT p.story_id FROM story_pages p JOIN stories s ON s.id = p.story_id"
            f" WHERE p.status LIKE '{_OURS}' AND s.source_id IN ({{marks}})"
            " ORDER BY p.fetched_at, p.story_id"
        )
        return [int(r[0]) for r in select_in(self.conn, sql, source_ids)][:limit]

    def save(
        self,
        story_id: int,
        url: str,
        status: str,
        text: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Store a fetch's outcome; ``text=None`` keeps the text stored before (a 304 or a
        failed refetch). The story's search entry follows the text (the index's triggers)."""
        with write(self.conn):
            self.conn.execute(
                "INSERT INTO story_pages (story_id, url, text, status, etag, last_modified,"
                " fetched_at) VALUES (?, ?, coalesce(?, ''), ?, ?, ?, ?)"
                " ON CONFLICT (story_id) DO UPDATE SET url = excluded.url,"
                " text = coalesce(?, story_pages.text), status = excluded.status,"
                " etag = coalesce(excluded.etag, story_pages.etag),"
                " last_modified = coalesce(excluded.last_modified, story_pages.last_modified),"
                " fetched_at = excluded.fetched_at",
                (story_id, url, text, status, etag, last_modified, int(time.time()), text),
            )
