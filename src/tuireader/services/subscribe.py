"""Adding a source, the one way every front end does it.

Bad input is refused before anything is stored: a URL without a host or with another scheme,
a path that does not exist, a file that is not a regular file or holds nothing readable. A
web page is looked into for the feeds it names (autodiscovery): one is subscribed, several
are offered (:class:`SeveralFeedsError`), none is refused. A URL whose first fetch fails is
not kept; with ``fetch=False`` (``--no-fetch``) only the checks that need no network are made.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from pathlib import Path

from tuireader.domain.errors import (
    FirstFetchError,
    NotAFeedError,
    SeveralFeedsError,
    SourceError,
    UsageError,
)
from tuireader.domain.models import Source, SourceKind
from tuireader.domain.text import clean_line, one_line_error
from tuireader.services.library import Library, source_for
from tuireader.services.refresh import Refresher
from tuireader.services.refresh_report import RefreshReport
from tuireader.services.source_fetch import read_command_feed
from tuireader.sources.discover_feeds import feed_links, looks_like_html
from tuireader.sources.feedparse import parse_feed
from tuireader.sources.http import Fetcher, FetchResult, HttpStatusError
from tuireader.sources.local.loader import load_path

OpenRefresher = Callable[[], AbstractAsyncContextManager[Refresher]]
"""Opens a refresher with its HTTP client (``Context.refresher``, ``Session.refresher``)."""

GONE = {404, 410}
"""Statuses that mean the address is wrong, not that the server is having a bad day."""


@dataclass(frozen=True, slots=True)
class Added:
    """What adding a source did."""

    source: Source
    new: bool
    """False: it was subscribed already (nothing was fetched)."""
    report: RefreshReport | None = None
    """Its first refresh; ``None`` when nothing was fetched."""
    found_on: str = ""
    """The page the feed was found on, when the user gave a page (autodiscovery)."""


async def subscribe(
    library: Library,
    ref: str,
    *,
    folder: str = "",
    title: str = "",
    refresher: OpenRefresher | None = None,
) -> Added:
    """Check ``ref``, subscribe to it and refresh it once with a refresher ``refresher()``
    opens (only once the checks that need no network have passed).

    With no ``refresher`` the source is stored without fetching, after those checks. Raises
    :class:`UsageError` (or :class:`SeveralFeedsError`) for input that cannot be a source,
    :class:`FirstFetchError` when the first fetch fails; in both cases nothing is stored.
    """
    source = source_for(ref, folder, title)
    existing = library.source_by_url(source.url)
    if existing is not None:
        return Added(existing, new=False)
    if source.kind is SourceKind.LOCAL:
        return await _add_local(library, source, refresher)
    if source.kind is SourceKind.COMMAND and refresher is not None:
        return await _add_command(library, source, refresher)
    if refresher is None:
        stored, new = library.add_source(source)
        return Added(stored, new)
    async with refresher() as opened:
        source, fetched, page = await _find_feed(opened.fetcher, source)
        moved = fetched.moved_to
        if moved:  # nothing is built on the old address yet: subscribe to where it moved
            source, fetched = replace(source, url=moved), replace(fetched, moved_to=None)
        if page or moved:
            existing = library.source_by_url(source.url)
            if existing is not None:
                return Added(existing, new=False, found_on=page)
        stored, new = library.add_source(source)
        opened.prime(stored.url, fetched)
        report = await opened.refresh([stored])
    return Added(_reread(library, stored), new, report, page)


def _reread(library: Library, source: Source) -> Source:
    """The source as its first refresh left it (the feed's title, counts)."""
    return library.source_by_url(source.url) or source


async def _add_local(library: Library, source: Source, refresher: OpenRefresher | None) -> Added:
    path = Path(source.url)
    if path.is_file():
        if path.stat().st_size == 0:
            raise UsageError(f"cannot add {path}: empty file")
        if refresher is not None:
            await asyncio.to_thread(_check_file, path)
    stored, new = library.add_source(source)
    if refresher is None:
        return Added(stored, new)
    async with refresher() as opened:
        report = await opened.refresh([stored])
    return Added(_reread(library, stored), new, report)


async def _add_command(library: Library, source: Source, refresher: OpenRefresher) -> Added:
    """A command feed: its command is run (its feed fetched) once, and it is added only when
    that prints a feed."""
    what = clean_line(source.url)
    async with refresher() as opened:
        try:
            fetched = await read_command_feed(source, opened.fetcher)
        except SourceError as exc:
            raise FirstFetchError(f"{what}: {one_line_error(exc)}; not added") from None
        problem = await _not_a_feed(fetched, fetched.url)
        if problem is not None:
            raise UsageError(f"{what}: the command's output is {problem}; not added")
        stored, new = library.add_source(source)
        opened.prime(stored.url, fetched)
        report = await opened.refresh([stored])
    return Added(_reread(library, stored), new, report)


def _check_file(path: Path) -> None:
    """Refuse a single file nothing can be read from (not text, no title, broken feed)."""
    loaded = load_path(path, parse_feed)
    if not loaded.stories and not loaded.feeds:
        reason = loaded.errors[0][1] if loaded.errors else "nothing readable in it"
        raise UsageError(f"cannot add {path}: {reason}")


async def _fetch(fetcher: Fetcher, url: str, what: str) -> FetchResult:
    """GET ``url``; a failure says ``what`` was fetched ("URL:") and that nothing was kept."""
    try:
        return await fetcher.fetch(url)
    except HttpStatusError as exc:
        if exc.status in GONE:
            raise UsageError(f"{what} {exc}; not added") from None
        raise FirstFetchError(f"{what} {exc}; not added") from None
    except SourceError as exc:
        raise FirstFetchError(f"{what} {one_line_error(exc)}; not added") from None


async def _find_feed(fetcher: Fetcher, source: Source) -> tuple[Source, FetchResult, str]:
    """The feed to subscribe to, the response it came with, and the page that named it."""
    url = source.url
    fetched = await _fetch(fetcher, url, f"{clean_line(url)}:")
    problem = await _not_a_feed(fetched, url)
    if problem is None:
        return source, fetched, ""
    if not looks_like_html(fetched.data, fetched.content_type):
        raise UsageError(f"{clean_line(url)}: {problem}; not added")
    links = feed_links(fetched.data, fetched.url or url)
    if not links:
        raise UsageError(f"{clean_line(url)}: not a feed, and the page names no feed; not added")
    if len(links) > 1:
        raise SeveralFeedsError(
            f"{clean_line(url)} names {len(links)} feeds; add one of them by its URL",
            tuple((link.url, link.title) for link in links),
        )
    feed = links[0].url
    what = f"{clean_line(url)} names the feed {clean_line(feed)}, but"
    fetched = await _fetch(fetcher, feed, f"{what} it answers")
    problem = await _not_a_feed(fetched, feed)
    if problem is not None:
        raise UsageError(f"{what} that is {problem}; not added")
    return replace(source, url=feed), fetched, url


async def _not_a_feed(fetched: FetchResult, url: str) -> str | None:
    """Why the response is not a feed, or ``None`` when it parses as one."""
    try:
        await asyncio.to_thread(parse_feed, fetched.data, url)
    except NotAFeedError as exc:
        reason = one_line_error(exc)
        return reason if reason.startswith("not a feed") else f"not a feed ({reason})"
    return None
