"""Pages of a filter expression's view: ids first, then those stories' rows.

The ids come from the ``stories_filter`` index, sorted (the ``+`` before each ORDER BY term
keeps SQLite from walking the time index and reading every story's whole row to test it).
Where the test is costly (a regex runs in Python for each story), a view's count and its
pages come from one scan: every matching id, in the view's order, kept until the store
changes (this connection's writes or another's commit). A cheap test is asked again each
time: counting 100,000 matches costs less than sorting them.
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

    @staticmethod
    def costly(where: str) -> bool:
        """Whether the test runs Python for each story (a regex)."""
        return " REGEXP " in where

    def count(self, where: str, args: list[object], order: str) -> int:
        """How many stories match."""
        if self.costly(where):
            return len(self.ids(where, args, order))
        row = self.conn.execute(
            f"SELECT count(*) FROM stories s JOIN sources src ON src.id = s.source_id{where}",
            args,
        ).fetchone()
        return int(row[0])

    def page(
        self, where: str, args: list[object], order: str, limit: int, offset: int
    ) -> list[int]:
        """The ids of one page, in ``order``."""
        if self.costly(where):
            return self.ids(where, args, order)[offset : offset + limit]
        return self._select(where, args, order, " LIMIT ? OFFSET ?", [limit, offset])

    def ids(self, where: str, args: list[object], order: str) -> list[int]:
        """Every matching id, in ``order`` (ORDER BY terms, comma-separated)."""
        key = (where, tuple(args), order, self._generation())
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        ids = self._select(where, args, order, "", [])
        self._last = (key, ids)
        return ids

    def _select(
        self, where: str, args: list[object], order: str, limit: str, more: list[object]
    ) -> list[int]:
        unindexed = ", ".join("+" + term for term in order.split(", "))
        return [
            int(r[0])
            for r in self.conn.execute(
                f"SELECT s.id FROM stories s JOIN sources src ON src.id = s.source_id{where}"
                f" ORDER BY {unindexed}{limit}",
                [*args, *more],
            )
        ]

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
