"""Pages of a filter expression's view: the matching ids found once, then paged.

A view's count and its pages come from one scan: the ids of every matching story, in the
view's order, found in the ``stories_filter`` index (the ``+`` before each ORDER BY term
keeps SQLite from walking the time index and reading every story's whole row to test it)
and kept until the store changes (this connection's writes or another's commit), so a
regex runs once over the library for a count and all the pages after it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from tuireader.storage.rows import HEADLINE_COLUMNS


class FilterPages:
    """The ordered ids of the last filtered view asked for, on one connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._last: tuple[tuple[object, ...], list[int]] | None = None

    def _generation(self) -> tuple[int, int]:
        """Changes when anything is written: by another connection, or by this one."""
        version = int(self.conn.execute("PRAGMA data_version").fetchone()[0])
        return version, self.conn.total_changes

    def forget(self) -> None:
        """Drop what is kept (benchmarks time the first answer)."""
        self._last = None

    def ids(self, where: str, args: list[object], order: str) -> list[int]:
        """Every matching id, in ``order`` (ORDER BY terms, comma-separated)."""
        key = (where, tuple(args), order, self._generation())
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        unindexed = ", ".join("+" + term for term in order.split(", "))
        ids = [
            int(r[0])
            for r in self.conn.execute(
                f"SELECT s.id FROM stories s JOIN sources src ON src.id = s.source_id{where}"
                f" ORDER BY {unindexed}",
                args,
            )
        ]
        self._last = (key, ids)
        return ids

    def rows(self, ids: list[int], extra: str = "") -> list[Any]:
        """Headline rows (and ``extra`` columns) of these stories, in their order."""
        if not ids:
            return []
        rows = self.conn.execute(
            f"SELECT {HEADLINE_COLUMNS}{extra} FROM stories s JOIN sources src"
            f" ON src.id = s.source_id WHERE s.id IN ({','.join('?' * len(ids))})",
            ids,
        ).fetchall()
        place = {story_id: n for n, story_id in enumerate(ids)}
        return sorted(rows, key=lambda row: place[row[0]])
