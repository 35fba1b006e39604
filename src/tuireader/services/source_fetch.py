"""Fetching one source the way its settings say: its user agent, basic auth (the password
from its ``password_command``, held as a :class:`Secret`), its cookies file; and command
feeds (``exec:``, ``filter:``), run with the HTTP fetch's size and time limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from tuireader.domain.command_feed import command_argv, parse_command_url
from tuireader.domain.errors import SourceError, UsageError
from tuireader.domain.models import Source, SourceSettings
from tuireader.domain.secret import Secret
from tuireader.domain.text import one_line_error
from tuireader.sources.command import CommandLimits, run_command
from tuireader.sources.cookies import CookieFile
from tuireader.sources.http import Fetcher, FetchResult, RequestOptions

PASSWORD_LIMITS = CommandLimits(deadline=10.0, max_bytes=64 * 1024)
"""A ``password_command`` prints one line, at once."""


async def password(command: str) -> Secret:
    """The first line a ``password_command`` prints; a failure is a :class:`SourceError`
    saying why (never what it printed on stdout)."""
    try:
        argv = command_argv(command)
        out = await run_command(argv, limits=PASSWORD_LIMITS)
    except (SourceError, UsageError) as exc:
        raise SourceError(f"password_command: {one_line_error(exc)}") from None
    lines = out.decode("utf-8", "replace").splitlines()
    first = lines[0].strip("\r") if lines else ""
    if not first:
        raise SourceError("password_command printed an empty first line")
    return Secret(first)


@asynccontextmanager
async def request_options(settings: SourceSettings) -> AsyncIterator[RequestOptions]:
    """The request options a source's settings ask for; its cookies file is read first and
    written back afterwards when the server changed a cookie (also when the fetch failed)."""
    auth = None
    if settings.auth_user:
        secret = await password(settings.password_command) if settings.password_command else None
        auth = (settings.auth_user, secret or Secret(""))
    cookies = None
    if settings.cookies_file:
        path = Path(settings.cookies_file).expanduser()
        cookies = await asyncio.to_thread(CookieFile(path).load)
    try:
        yield RequestOptions(
            user_agent=settings.user_agent,
            auth=auth,
            cookies=cookies.jar if cookies is not None else None,
        )
    finally:
        if cookies is not None and cookies.changed:
            await asyncio.to_thread(cookies.save)


async def read_command_feed(
    source: Source, fetcher: Fetcher, options: RequestOptions | None = None
) -> FetchResult:
    """What a command feed gives: ``exec:``'s output, or ``filter:``'s feed fetched
    (conditionally, with the source's validators) and piped through its command. A 304 for
    the filter's feed runs nothing. ``url`` is the filter's feed (the base for its links)."""
    try:
        feed = parse_command_url(source.url)
        argv = command_argv(feed.command)
    except UsageError as exc:
        raise SourceError(str(exc)) from None
    limits = CommandLimits(deadline=fetcher.limits.deadline, max_bytes=fetcher.limits.max_bytes)
    if not feed.is_filter:
        return FetchResult(200, await run_command(argv, limits=limits))
    fetched = await fetcher.fetch(feed.feed_url, source.etag, source.last_modified, options)
    # the feed moved for good: the source's URL to adopt is the filter over the new address
    moved = replace(feed, feed_url=fetched.moved_to).url() if fetched.moved_to else None
    if fetched.status == 304:
        return replace(fetched, moved_to=moved)
    out = await run_command(argv, stdin=fetched.data, limits=limits)
    return FetchResult(
        200,
        out,
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        moved_to=moved,
        url=fetched.url or feed.feed_url,
    )
