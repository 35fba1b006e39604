"""Stable story ids: the same story keeps its id across refreshes and re-imports."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from tuireader.domain.models import Story


def _digest(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()[:16]


def story_key(guid: str, link: str, title: str, published: datetime | None) -> str:
    """The guid when present, else the link, else title + date.

    Scoped by source: the storage layer keys stories by ``(source_id, key)``.
    """
    # No prefixes: a feed whose guid is its link gets one key whichever parser read it.
    if guid.strip():
        return guid.strip()
    if link.strip():
        return link.strip()
    stamp = published.isoformat() if published else ""
    return "t:" + _digest(title.strip(), stamp)


def dedupe_keys(stories: Iterable[Story]) -> list[Story]:
    """Give stories that share a key within one document distinct, stable keys.

    Two items with one guid are told apart by their title and link, not their
    position, so reordering a feed keeps each item's state. An exact duplicate
    (same key, title and link) is dropped.
    """
    seen: set[str] = set()
    out: list[Story] = []
    for story in stories:
        key = story.key
        if key in seen:
            key = f"{story.key}#{_digest(story.title, story.link)}"
            if key in seen:
                continue
        seen.add(key)
        story.key = key
        out.append(story)
    return out
