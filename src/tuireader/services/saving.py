"""The read-later inbox: any web page or local file, extracted and kept offline."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from tuireader.domain.errors import ComponentError, UsageError
from tuireader.domain.models import Source, SourceKind, Story
from tuireader.domain.plain_text import story_text
from tuireader.domain.text import clean_line, safe_link
from tuireader.services.files import read_user_file, regular_file
from tuireader.services.library import Library
from tuireader.sources.article import extract_article
from tuireader.sources.feedparse import parse_feed
from tuireader.sources.http import Fetcher
from tuireader.sources.local.loader import load_path
from tuireader.sources.pdf import parse_pdf

SAVED_URL = "tuireader:saved"
MAX_FILE = 50 * 1024 * 1024


def saved_source(library: Library) -> Source:
    """The inbox's source (made on first use)."""
    source, _ = library.add_source(Source(url=SAVED_URL, kind=SourceKind.SAVED, title="Saved"))
    return source


def _from_file(path: Path) -> Story:
    """The story a local file holds; raises :class:`UsageError` saying why it has none."""
    if path.suffix.lower() == ".pdf":
        return parse_pdf(read_user_file(path, MAX_FILE), path.name)
    if regular_file(path).st_size > MAX_FILE:
        raise UsageError(f"cannot save {path}: larger than {MAX_FILE // (1024 * 1024)} MB")
    loaded = load_path(path, parse_feed)
    if not loaded.stories:
        reason = loaded.errors[0][1] if loaded.errors else "nothing readable in it"
        error = ComponentError if loaded.degraded else UsageError
        raise error(f"cannot save {path}: {reason}")
    return loaded.stories[0]


class Saver:
    """Turns a URL or a path into a story in the "Saved" view."""

    def __init__(self, library: Library, fetcher: Fetcher) -> None:
        self.library = library
        self.fetcher = fetcher

    async def save(self, ref: str) -> tuple[Story, bool]:
        """Fetch or read ``ref``, extract it and store it; returns it and whether it is new."""
        ref = ref.strip()
        if ref.lower().startswith(("http://", "https://")):
            url = safe_link(ref)
            fetched = await self.fetcher.fetch(url)
            story = await asyncio.to_thread(
                extract_article, fetched.data, fetched.content_type, url
            )
            story.key = url
        elif "://" in ref:
            raise UsageError(f"only http(s) URLs and local paths can be saved: {clean_line(ref)}")
        else:
            path = Path(ref).expanduser().resolve()
            story = await asyncio.to_thread(_from_file, path)
            story.key = "file:" + str(path)
            story.link = story.link or ""
        story.published = story.published or datetime.now(UTC)
        source = saved_source(self.library)
        counts = self.library.store(
            source,
            [(story, story_text(story.title, story.body, story.content_type, story.categories))],
            seen_since=0,
            exact_texts=True,
        )
        stored = counts.touched[0].id if counts.touched else None
        if stored is None:  # saved before and unchanged
            found = self.library.page_by_key(source, story.key)
            return found, False
        return self.library.story(stored), counts.new > 0
