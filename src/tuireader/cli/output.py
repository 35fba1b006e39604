"""Formatting for the terminal: one-line stories, ages, progress."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from tuireader.domain.dates import age_words
from tuireader.domain.models import Source, Story
from tuireader.domain.titles import display_title
from tuireader.ui.text import fit


def story_line(story: Story) -> str:
    """``ID  N*  source  title  age``."""
    flags = ("N" if not story.read else " ") + ("*" if story.starred else " ")
    source = fit(story.source_title, 18)
    when = age_words(story.dated, story.first_seen) or "-"
    return f"{story.id:>6} {flags} {source} {display_title(story.title)}  ({when})"


def story_json(story: Story, full: bool = False) -> dict[str, Any]:
    """A story as JSON-ready data."""
    data: dict[str, Any] = {
        "id": story.id,
        "source_id": story.source_id,
        "source": story.source_title,
        "title": story.title,
        "link": story.link,
        "author": story.author,
        "published": story.published.isoformat() if story.published else None,
        "updated": story.updated.isoformat() if story.updated else None,
        "first_seen": story.first_seen.isoformat() if story.first_seen else None,
        "read": story.read,
        "starred": story.starred,
        "popularity": story.popularity,
    }
    if full:
        data.update(
            summary=story.summary,
            content=story.content,
            content_type=story.content_type.value,
            categories=list(story.categories),
            enclosures=[
                {"url": e.url, "type": e.type, "length": e.length} for e in story.enclosures
            ],
            related=list(story.related),
            ranking=list(story.ranking),
            recommendation=list(story.recommendation),
        )
    return data


def source_json(source: Source) -> dict[str, Any]:
    """A source as JSON-ready data."""
    return {
        "id": source.id,
        "url": source.url,
        "kind": source.kind.value,
        "title": source.title,
        "folder": source.folder,
        "tags": list(source.tags),
        "account": source.account or None,
        "unread": source.unread,
        "total": source.total,
        "status": source.status,
        "fetched_at": source.fetched_at.isoformat() if source.fetched_at else None,
    }


def print_json(data: Any, out: TextIO = sys.stdout) -> None:
    """Pretty JSON on stdout."""
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


class ProgressBar:
    """A one-line progress bar on stderr, drawn only on a terminal."""

    def __init__(self, total: int, stream: TextIO = sys.stderr) -> None:
        self.total = total
        self.stream = stream
        self.enabled = stream.isatty() and total > 0

    def update(self, done: int, label: str) -> None:
        """Redraw with ``done`` of ``total`` finished."""
        if not self.enabled:
            return
        cells = 24
        filled = cells * done // self.total
        bar = "█" * filled + "░" * (cells - filled)
        self.stream.write(f"\r\x1b[2K{bar} {done}/{self.total} {fit(label, 40)}")
        self.stream.flush()

    def close(self) -> None:
        """Clear the line."""
        if self.enabled:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
