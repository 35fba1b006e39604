"""Converting between rows and domain objects."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from tuireader.domain.dates import from_timestamp
from tuireader.domain.models import (
    ContentType,
    Enclosure,
    Source,
    SourceKind,
    SourceOptions,
    Story,
)
from tuireader.domain.source_options import options_dict, options_from_dict

SOURCE_COLUMNS = (
    "id, url, kind, title, folder, tags, settings, etag, last_modified, fingerprint, "
    "fetched_at, status, retry_after, account, remote_id, moved_to"
)
SOURCE_COUNT = 16
"""How many columns :data:`SOURCE_COLUMNS` selects."""


def source_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Source:
    """A :class:`Source` from a row selected with :data:`SOURCE_COLUMNS`."""
    (sid, url, kind, title, folder, tags, settings, etag, lm, fp, fetched, status, retry) = row[:13]
    account, remote_id, moved_to = row[13:16]
    return Source(
        id=sid,
        url=url,
        kind=SourceKind(kind),
        title=title,
        folder=folder,
        tags=tuple(json.loads(tags or "[]")),
        options=options_from_dict(json.loads(settings or "{}")),
        etag=etag,
        last_modified=lm,
        fingerprint=fp,
        fetched_at=from_timestamp(fetched),
        status=status,
        retry_after=from_timestamp(retry),
        account=account,
        remote_id=remote_id,
        moved_to=moved_to or "",
    )


def options_json(options: SourceOptions) -> str:
    """Only the options that are set, as JSON."""
    return json.dumps(options_dict(options), sort_keys=True, ensure_ascii=False)


HEADLINE_COLUMNS = (
    "s.id, s.source_id, s.key, s.title, s.link, s.author, s.published, s.updated, "
    "s.read, s.starred, s.read_at, s.popularity, src.title, src.url, s.fetched_at"
)
HEADLINE_COUNT = 15
"""How many columns :data:`HEADLINE_COLUMNS` selects."""
FULL_COLUMNS = HEADLINE_COLUMNS + (
    ", s.summary, s.content, s.content_type, s.categories, s.enclosures, s.extras"
)


def story_from_row(row: tuple[Any, ...]) -> Story:
    """A :class:`Story` from a row selected with HEADLINE or FULL columns."""
    (
        sid,
        source_id,
        key,
        title,
        link,
        author,
        published,
        updated,
        read,
        starred,
        read_at,
        popularity,
        source_title,
        source_url,
        first_seen,
    ) = row[:HEADLINE_COUNT]
    story = Story(
        key=key,
        title=title,
        link=link,
        author=author,
        published=from_timestamp(published),
        updated=from_timestamp(updated),
        id=sid,
        source_id=source_id,
        source_title=source_title or source_url,
        read=bool(read),
        starred=bool(starred),
        read_at=from_timestamp(read_at),
        popularity=popularity,
        first_seen=from_timestamp(first_seen),
    )
    if len(row) > HEADLINE_COUNT:
        summary, content, content_type, categories, enclosures, extras = row[
            HEADLINE_COUNT : HEADLINE_COUNT + 6
        ]
        story.summary = summary
        story.content = content
        story.content_type = ContentType(content_type)
        story.categories = tuple(json.loads(categories or "[]"))
        story.enclosures = tuple(Enclosure(**e) for e in json.loads(enclosures or "[]"))
        page = json.loads(extras or "{}")
        story.related = tuple(page.get("related", ()))
        story.ranking = tuple(page.get("ranking", ()))
        story.recommendation = tuple(page.get("recommendation", ()))
    return story


def extras_json(story: Story) -> str:
    """The page lists a story carries, as JSON."""
    page = {
        name: list(getattr(story, name))
        for name in ("related", "ranking", "recommendation")
        if getattr(story, name)
    }
    return json.dumps(page, ensure_ascii=False) if page else "{}"


def enclosures_json(story: Story) -> str:
    """A story's enclosures as JSON."""
    return json.dumps(
        [{"url": e.url, "type": e.type, "length": e.length} for e in story.enclosures]
    )
