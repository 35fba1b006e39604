"""Formatting for the terminal: one-line stories, ages, progress."""

from __future__ import annotations

import json
import sys
import unicodedata
from typing import Any, TextIO

from tuireader.domain.dates import short_age
from tuireader.domain.models import Source, Story
from tuireader.domain.text import clean_line
from tuireader.domain.titles import display_title


def width(text: str) -> int:
    """Terminal columns a string takes (wide CJK and emoji count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit(text: str, columns: int) -> str:
    """Cut or pad ``text`` to exactly ``columns`` terminal columns."""
    out: list[str] = []
    used = 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > columns:
            if out and used + 1 > columns:
                out.pop()
                used -= 1
            out.append("…")
            used += 1
            break
        out.append(ch)
        used += w
    return "".join(out) + " " * max(0, columns - used)


def story_line(story: Story) -> str:
    """``ID  N*  source  title  age``."""
    flags = ("N" if not story.read else " ") + ("*" if story.starred else " ")
    source = fit(clean_line(story.source_title), 18)
    when = short_age(story.published) or "-"
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
        self.stream.write(f"\r\x1b[2K{bar} {done}/{self.total} {fit(clean_line(label), 40)}")
        self.stream.flush()

    def close(self) -> None:
        """Clear the line."""
        if self.enabled:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
