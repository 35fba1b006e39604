"""What a view of stories asks for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SortKey(StrEnum):
    """Orders a headline list can take."""

    DATE = "date"
    SOURCE = "source"
    TITLE = "title"


@dataclass(frozen=True, slots=True)
class StoryQuery:
    """A filter over the library; empty fields do not filter."""

    unread: bool = False
    starred: bool = False
    saved: bool = False
    """Only the read-later inbox."""
    source_ids: tuple[int, ...] = ()
    folder: str | None = None
    account: str | None = None
    """Only the sources of this sync account (``""``: only sources of no account)."""
    search: str = ""
    """Full-text search (title and body)."""
    text: str = ""
    """A plain substring filter on the title."""
    since: datetime | None = None
    sort: SortKey = SortKey.DATE
    unread_first: bool = False
    collapse: bool = False
    """One line per same-story cluster (its newest story), with the other sources counted."""
    expr: str = ""
    """A filter-language expression (:mod:`tuireader.domain.filter_lang`) stories must match:
    a saved view's."""
    filter: str = ""
    """An expression typed into the filter line, on top of the view's own."""
    ignored: bool = False
    """Only the stories a killfile rule caught (hidden or marked read); otherwise hidden
    stories are left out of every view."""


def fts_query(text: str) -> str:
    """A safe FTS5 MATCH expression: every word required, the last one as a prefix."""
    words = [w.replace('"', '""') for w in text.split() if w.strip('"')]
    if not words:
        return ""
    parts = [f'"{w}"' for w in words]
    parts[-1] += "*"
    return " ".join(parts)
