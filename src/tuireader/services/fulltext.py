"""Full text for summary-only feeds: fetch the story's page, extract the article, keep it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from tuireader.domain.errors import INTERNAL, ComponentError, SourceError
from tuireader.domain.models import FetchStatus, Source, Story
from tuireader.domain.plain_text import plain_text
from tuireader.domain.text import one_line_error, safe_link
from tuireader.services.library import Library
from tuireader.sources.article import extract_article
from tuireader.sources.http import Fetcher

logger = logging.getLogger(__name__)

GOOD = (FetchStatus.OK, FetchStatus.NOT_MODIFIED)
"""What ``fetch_one`` returns when the page is stored (or still current)."""


@dataclass(frozen=True, slots=True)
class FullTextReport:
    """What a batch of page fetches did."""

    fetched: int = 0
    unchanged: int = 0
    failed: int = 0
    failed_titles: tuple[str, ...] = ()
    """The titles of the stories whose page failed, so a summary can name them."""


def wants_full_text(story: Story, mode: str, min_words: int, words: int | None = None) -> bool:
    """Whether a story's page should be fetched under a source's ``full_text`` mode
    (``words``: the feed text's word count, when already known)."""
    if mode == "never" or not safe_link(story.link):
        return False
    if mode == "always":
        return True
    if words is None:
        words = len(plain_text(story.body, story.content_type).split())
    return words < min_words


class FullText:
    """Fetches pages through a fetcher limited to two requests at a time per host."""

    def __init__(self, library: Library, fetcher: Fetcher, min_words: int = 80) -> None:
        self.library = library
        self.fetcher = fetcher
        self.min_words = min_words

    def wanted(self, story: Story, source: Source, words: int | None = None) -> bool:
        """Whether this story's page should be fetched on refresh (the mode the config gives
        the source, whatever settings the ``source`` object carries)."""
        mode = self.library.settings_for(source).full_text
        return wants_full_text(story, mode, self.min_words, words)

    async def fetch_many(self, story_ids: Sequence[int]) -> FullTextReport:
        """Fetch pages for stories that have none yet (never the same page twice, unless the
        last attempt failed through a fault of ours)."""
        done = self.library.pages_settled(story_ids)
        todo = [i for i in dict.fromkeys(story_ids) if i not in done]
        results = await asyncio.gather(*(self.fetch_one(i) for i in todo))
        failed = [i for i, r in zip(todo, results, strict=True) if r not in GOOD]
        return FullTextReport(
            fetched=sum(r == FetchStatus.OK for r in results),
            unchanged=sum(r == FetchStatus.NOT_MODIFIED for r in results),
            failed=len(failed),
            failed_titles=tuple(self.library.story(i).title for i in failed),
        )

    async def fetch_one(self, story_id: int) -> str:
        """Fetch (or refetch, conditionally) one story's page; returns its status line."""
        story = self.library.story(story_id)
        url = safe_link(story.link)
        if not url:
            return "no http(s) link to fetch"
        etag, modified = self.library.page_validators(story_id)
        try:
            fetched = await self.fetcher.fetch(url, etag, modified)
            if fetched.status == 304:
                self.library.save_page(story_id, url, FetchStatus.OK)
                return FetchStatus.NOT_MODIFIED
            article = await asyncio.to_thread(
                extract_article, fetched.data, fetched.content_type, url
            )
        except ComponentError as exc:  # ours: stored so that the next refresh tries again
            logger.error("full text of story %s: %s", story_id, exc)
            status = one_line_error(f"{INTERNAL}: {exc}")
            self.library.save_page(story_id, url, status)
            return status
        except SourceError as exc:
            status = one_line_error(exc)
            self.library.save_page(story_id, url, status)  # the old text, if any, stays
            return status
        except Exception as exc:  # an extractor bug must not stop the other pages
            logger.exception("full text of story %s (%s) failed", story_id, url)
            status = one_line_error(f"{INTERNAL}: {type(exc).__name__}: {exc}")
            self.library.save_page(story_id, url, status)
            return status
        text = article.content
        self.library.save_page(
            story_id,
            url,
            FetchStatus.OK,
            text,
            fetched.etag,
            fetched.last_modified,
        )
        return FetchStatus.OK
