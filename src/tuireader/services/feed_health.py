"""The feed health view's service: every source's recent fetches summed up (dead feeds
first), and the fix for a source whose URL wants changing (a permanent redirect to adopt,
or an http:// feed that is served over https)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from tuireader.domain.command_feed import FILTER, parse_command_url
from tuireader.domain.errors import NotAFeedError, SourceError, UsageError
from tuireader.domain.health import (
    WEEKS,
    FetchSummary,
    SourceHealth,
    build_health,
    by_severity,
    https_version,
)
from tuireader.domain.models import Source, SourceKind
from tuireader.domain.text import clean_line, one_line_error
from tuireader.services.library import Library
from tuireader.sources.feedparse import parse_feed
from tuireader.sources.http import Fetcher

SHOWN = (SourceKind.FEED, SourceKind.COMMAND, SourceKind.LOCAL)
"""Kinds the health view lists (saved pages are never fetched again; an account's feeds
are the account's sync's)."""


def feed_health(library: Library, now: datetime) -> list[SourceHealth]:
    """Every fetched source's health, worst first."""
    summaries, weekly = library.fetch_history(now, WEEKS)
    rows = [
        build_health(
            source,
            summaries.get(source.id or 0, FetchSummary()),
            tuple(weekly.get(source.id or 0, [0] * WEEKS)),
            now,
        )
        for source in library.sources()
        if source.kind in SHOWN
    ]
    return by_severity(rows)


@dataclass(frozen=True, slots=True)
class Fixed:
    """What fixing a source's URL did."""

    source: Source
    """The source with its new URL."""
    old_url: str
    how: str
    """In words: "adopted the permanent redirect" or "moved to https"."""

    def line(self) -> str:
        """One line for the user."""
        return (
            f"{clean_line(self.source.name)}: {self.how}:"
            f" {clean_line(self.old_url)} → {clean_line(self.source.url)}"
        )


async def fix_source(library: Library, fetcher: Fetcher, source: Source) -> Fixed:
    """Adopt the URL a source permanently redirects to; else, for an http:// feed, its
    https:// address once that answers with a feed. :class:`UsageError` when there is
    nothing to fix or the https address does not serve the feed (the URL is kept)."""
    old = source.url
    if source.moved_to:
        return Fixed(
            library.adopt_url(source, source.moved_to), old, "adopted the permanent redirect"
        )
    candidate = https_version(old)
    if not candidate:
        raise UsageError(
            f"{clean_line(source.name)}: nothing to fix (no permanent redirect, and not an"
            " http:// feed)"
        )
    feed = parse_command_url(candidate).feed_url if candidate.startswith(FILTER) else candidate
    try:
        fetched = await fetcher.fetch(feed)
        await asyncio.to_thread(parse_feed, fetched.data, fetched.url or feed)
    except NotAFeedError as exc:
        raise UsageError(
            f"{clean_line(feed)} is not the feed ({one_line_error(exc)}); kept {clean_line(old)}"
        ) from None
    except SourceError as exc:
        raise UsageError(
            f"{clean_line(feed)}: {one_line_error(exc)}; kept {clean_line(old)}"
        ) from None
    return Fixed(library.adopt_url(source, candidate), old, "moved to https")
