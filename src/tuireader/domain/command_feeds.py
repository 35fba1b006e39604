"""Command feeds (``exec:`` and ``filter:`` URLs, as newsboat writes them): the one place
an imported command feed becomes a :class:`Source`, for the command-feed runner to take."""

from __future__ import annotations

from collections.abc import Sequence

from tuireader.domain.models import Source, SourceKind

PREFIXES = ("exec:", "filter:")


def is_command_url(url: str) -> bool:
    """Whether a URL names a command feed."""
    return url.startswith(PREFIXES)


def command_source(url: str, title: str = "", folder: str = "", tags: Sequence[str] = ()) -> Source:
    """A command feed, kept with its URL exactly as newsboat has it (``exec:~/bin/x --y``,
    ``filter:sed "s/a/b/":https://example.com/feed``)."""
    if not is_command_url(url):
        raise ValueError(f"not a command feed URL: {url!r}")
    return Source(url=url, kind=SourceKind.COMMAND, title=title, folder=folder, tags=tuple(tags))
