"""Pages of a filter expression's view: ids first, then those stories' rows.

Two ways to a page, chosen by how many stories match (the view's count comes first):

- Many match: walk the time index, newest first, testing each story, and stop at the page's
  end. The first page of a view that half the stories match reads about 200 rows.
- Few match: test every story in the ``stories_filter`` index, then sort the matches (the
  ``+`` before each ORDER BY term keeps SQLite from walking the time index, reading every
  story's whole row to find a few).

Where the test is costly (a regex runs in Python for each story, or every body is read), a
view's count and its pages come from one scan: every matching id, in the view's order, kept
until the store changes (this connection's writes or another's commit). A cheap test is
asked again each time: counting 100,000 matches costs less than sorting them.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from tuireader.storage.rows import HEADLINE_COLUMNS

_WALK_ROWS = 20_000
"""A page is found by walking the time index when about this many stories or fewer are
tested on the way (the page's end times the share of stories that match)."""

_BY_TIME = "s.sort_time DESC, s.id DESC"
"""The order the time index walks (``stories_by_time``)."""

_READS_BODIES = ("s.content", "s.summary", "story_pages p")
"""What makes a test read every story's body."""

_BODIES = (" REGEXP ", *_READS_BODIES)
"""What makes a test costly: Python run for each story, or every story's body read."""

MAP_BYTES = 1 << 30
"""How much of the store a scan of every body reads through a memory map, from the first
such scan on: at 100,000 stories (290 MB of bodies) the scan takes 70 ms less than read
into SQLite's page cache a page at a time (140 -> 90 ms here). The cost is the mapped pages
counted in the process's resident size: the OS's file cache, shared and reclaimed like it,
not the heap."""


class FilterPages:
    """The ordered ids of the last filtered view asked for, on one connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._last: tuple[tuple[object, ...], list[int]] | None = None
        self._counted: tuple[tuple[object, ...], int, int] | None = None
        self._mapped = False

    def _generation(self) -> tuple[int, int]:
        """Changes when anything is written: by another connection, or by this one."""
        version = int(self.conn.execute("PRAGMA data_version").fetchone()[0])
        return version, self.conn.total_changes

    def forget(self) -> None:
        """Drop what is kept (benchmarks time the first answer)."""
        self._last = None
        self._counted = None

    @staticmethod
    def costly(where: str) -> bool:
        """Whether the test runs Python for each story (a regex) or reads every body."""
        return any(part in where for part in _BODIES)

    def count(self, where: str, args: list[object], order: str) -> int:
        """How many stories match."""
        if self.costly(where):
            return len(self.ids(where, args, order))
        join = " JOIN sources src ON src.id = s.source_id" if "src." in where else ""
        row = self.conn.execute(f"SELECT count(*) FROM stories s{join}{where}", args).fetchone()
        matched = int(row[0])
        stored = int(self.conn.execute("SELECT count(*) FROM stories").fetchone()[0])
        self._counted = ((where, tuple(args), self._generation()), matched, stored)
        return matched

    def page(
        self, where: str, args: list[object], order: str, limit: int, offset: int
    ) -> list[int]:
        """The ids of one page, in ``order``."""
        if self.costly(where):
            return self.ids(where, args, order)[offset : offset + limit]
        more: list[object] = [limit, offset]
        if order == _BY_TIME and self._walk(where, args, limit + offset):
            return self._select(where, args, order, " LIMIT ? OFFSET ?", more, walk=True)
        return self._select(where, args, order, " LIMIT ? OFFSET ?", more)

    def _walk(self, where: str, args: list[object], end: int) -> bool:
        """Whether walking the time index to the ``end``th match tests few enough stories
        (known from this view's count, when it was the last asked on an unchanged store)."""
        counted = self._counted
        if counted is None or counted[0] != (where, tuple(args), self._generation()):
            return False
        matched, stored = counted[1], counted[2]
        return matched > 0 and end * stored <= _WALK_ROWS * matched

    def ids(self, where: str, args: list[object], order: str) -> list[int]:
        """Every matching id, in ``order`` (ORDER BY terms, comma-separated)."""
        key = (where, tuple(args), order, self._generation())
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        if any(part in where for part in _READS_BODIES):
            self._map()
        ids = self._select(where, args, order, "", [])
        self._last = (key, ids)
        return ids

    def _map(self) -> None:
        """Read the store through a memory map from now on (see :data:`MAP_BYTES`)."""
        if not self._mapped:
            self.conn.execute(f"PRAGMA mmap_size = {MAP_BYTES}")
            self._mapped = True

    def _select(
        self,
        where: str,
        args: list[object],
        order: str,
        limit: str,
        more: list[object],
        walk: bool = False,
    ) -> list[int]:
        if walk:
            stories, terms = "stories s INDEXED BY stories_by_time", order
        else:
            stories, terms = "stories s", ", ".join("+" + term for term in order.split(", "))
        join = " JOIN sources src ON src.id = s.source_id" if "src." in where + order else ""
        return [
            int(r[0])
            for r in self.conn.execute(
                f"SELECT s.id FROM {stories}{join}{where} ORDER BY {terms}{limit}",
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
