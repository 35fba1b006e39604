"""Views over the stored stories: a query's count, its pages of headlines and its ids.

A view leaves out the stories of removed sources and those a killfile rule hides. Both
tests are asked of the store first (a removed source is rare, a hiding rule may catch
nothing): a test against an empty set still costs a lookup for every story a view walks.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any

from tuireader.domain.dates import to_timestamp
from tuireader.domain.models import Story
from tuireader.domain.query import SortKey, StoryQuery, fts_query
from tuireader.storage.filter_pages import FilterPages
from tuireader.storage.filter_sql import compile_filter
from tuireader.storage.rows import HEADLINE_COLUMNS, HEADLINE_COUNT, story_from_row

ORDER: dict[SortKey, tuple[str, ...]] = {
    SortKey.DATE: ("s.sort_time DESC", "s.id DESC"),
    SortKey.SOURCE: (
        "coalesce(nullif(src.title, ''), src.url) COLLATE NOCASE ASC",
        "s.sort_time DESC",
        "s.id DESC",
    ),
    SortKey.TITLE: ("s.title COLLATE NOCASE ASC", "s.sort_time DESC", "s.id DESC"),
}

HIDDEN = "s.id NOT IN (SELECT story_id FROM story_ignored WHERE action = 'hide')"
"""Leaves out the stories a killfile rule hides."""

REMOVED = "s.source_id NOT IN (SELECT id FROM sources WHERE removed_at IS NOT NULL)"
"""Leaves out the stories of removed sources (this form lets a count skip the join)."""

_FEW_REMOVED = 64
"""Up to this many removed sources are written into the test as numbers."""


def _flip(term: str) -> str:
    """One ORDER BY term (always written with ASC or DESC) in the opposite direction."""
    if term.endswith(" DESC"):
        return term[: -len(" DESC")] + " ASC"
    return term[: -len(" ASC")] + " DESC"


class StoryViews:
    """Counts and pages of story views on one connection."""

    def __init__(self, conn: sqlite3.Connection, clock: Callable[[], float] = time.time) -> None:
        self.conn = conn
        self.clock = clock
        self.filtered = FilterPages(conn)

    def _removed(self) -> str | None:
        """The test leaving out removed sources' stories; None when no source is removed."""
        ids = [
            int(r[0])
            for r in self.conn.execute(
                "SELECT id FROM sources WHERE removed_at IS NOT NULL LIMIT ?",
                (_FEW_REMOVED + 1,),
            )
        ]
        if not ids:
            return None
        if len(ids) > _FEW_REMOVED:
            return REMOVED
        return f"s.source_id NOT IN ({','.join(str(i) for i in ids)})"

    def _hides(self) -> bool:
        row = self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM story_ignored WHERE action = 'hide')"
        ).fetchone()
        return bool(row[0])

    def where(self, query: StoryQuery) -> tuple[str, list[object]]:
        """The view's WHERE clause over ``stories s JOIN sources src``, and its parameters."""
        clauses: list[str] = []
        removed = self._removed()
        if removed is not None:
            clauses.append(removed)
        args: list[object] = []
        if query.ignored:
            clauses.append("s.id IN (SELECT story_id FROM story_ignored)")
        elif self._hides():
            clauses.append(HIDDEN)
        for expr in (query.expr, query.filter):
            if expr:
                condition, bound = compile_filter(expr, self.clock())
                clauses.append(condition)
                args.extend(bound)
        if query.unread:
            # with an expression, the stories_filter index answers (see filter_sql._FLAGS)
            clauses.append("+s.read = 0" if query.expr or query.filter else "s.read = 0")
        if query.starred:
            clauses.append("s.starred = 1")
        if query.saved:
            clauses.append("src.kind = 'saved'")
        if query.source_ids:
            clauses.append(f"s.source_id IN ({','.join('?' * len(query.source_ids))})")
            args.extend(query.source_ids)
        if query.folder is not None:
            clauses.append("src.folder = ?")
            args.append(query.folder)
        if query.account is not None:
            clauses.append("src.account = ?")
            args.append(query.account)
        if query.since is not None:
            clauses.append("s.sort_time >= ?")
            args.append(to_timestamp(query.since))
        if query.text:
            clauses.append("instr(lower(s.title), ?) > 0")
            args.append(query.text.lower())
        if query.collapse:
            clauses.append(
                "(s.cluster_id IS NULL OR NOT EXISTS (SELECT 1 FROM stories o"
                " WHERE o.cluster_id = s.cluster_id AND (o.sort_time > s.sort_time"
                " OR (o.sort_time = s.sort_time AND o.id > s.id))))"
            )
        match = fts_query(query.search) if query.search else ""
        if query.search:
            clauses.append("s.id IN (SELECT rowid FROM story_search WHERE story_search MATCH ?)")
            args.append(match or '""')
        if not clauses:
            return "", args
        return " WHERE " + " AND ".join(clauses), args

    @staticmethod
    def _terms(query: StoryQuery) -> tuple[str, ...]:
        return (("s.read ASC",) if query.unread_first else ()) + ORDER[query.sort]

    def page(
        self, query: StoryQuery, limit: int, offset: int = 0, total: int | None = None
    ) -> list[Story]:
        """Headline rows (no bodies) for a view, in its order.

        Given the view's ``total``, a page in the far half is read from the other end (the
        order reversed), so jumping to the last story never walks the whole table.
        """
        where, args = self.where(query)
        terms = self._terms(query)
        if query.expr or query.filter:
            ids = self.filtered.page(where, args, ", ".join(terms), limit, offset)
            return self._stories(query, self.filtered.rows(ids, self._extra(query)))
        if total is not None and offset > total // 2:
            back = max(0, total - offset - limit)
            count = min(limit, total - offset)
            reverse = ", ".join(_flip(term) for term in terms)
            rows = self._select(query, where, args, reverse, count, back)
            return list(reversed(rows))
        return self._select(query, where, args, ", ".join(terms), limit, offset)

    def _select(
        self, query: StoryQuery, where: str, args: list[object], order: str, limit: int, offset: int
    ) -> list[Story]:
        rows = self.conn.execute(
            f"SELECT {HEADLINE_COLUMNS}{self._extra(query)} FROM stories s JOIN sources src"
            f" ON src.id = s.source_id{where} ORDER BY {order} LIMIT ? OFFSET ?",
            (*args, limit, offset),
        ).fetchall()
        return self._stories(query, rows)

    @staticmethod
    def _extra(query: StoryQuery) -> str:
        """In a collapsed view, how many other sources carry each story's event."""
        if not query.collapse:
            return ""
        return (
            ", (SELECT count(DISTINCT o.source_id) - 1 FROM stories o"
            " WHERE o.cluster_id = s.cluster_id)"
        )

    @staticmethod
    def _stories(query: StoryQuery, rows: list[Any]) -> list[Story]:
        stories = [story_from_row(r[:HEADLINE_COUNT]) for r in rows]
        if query.collapse:
            for story, row in zip(stories, rows, strict=True):
                story.cluster_sources = max(0, int(row[HEADLINE_COUNT] or 0))
        return stories

    def ids(self, query: StoryQuery) -> list[int]:
        """Ids of every story in a view, in its order."""
        where, args = self.where(query)
        rows = self.conn.execute(
            f"SELECT s.id FROM stories s JOIN sources src ON src.id = s.source_id{where}"
            f" ORDER BY {', '.join(ORDER[query.sort])}",
            args,
        ).fetchall()
        return [r[0] for r in rows]

    def count(self, query: StoryQuery) -> int:
        """How many stories a view holds."""
        where, args = self.where(query)
        if query.expr or query.filter:
            return self.filtered.count(where, args, ", ".join(self._terms(query)))
        needs_sources = query.folder is not None or query.account is not None or query.saved
        join = " JOIN sources src ON src.id = s.source_id" if needs_sources else ""
        row = self.conn.execute(f"SELECT count(*) FROM stories s{join}{where}", args).fetchone()
        return int(row[0])
