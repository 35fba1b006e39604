"""newsboat's ``urls`` file: one feed a line, its tags after it (``FileUrlReader`` in
newsboat), read and written the way newsboat does."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from tuireader.sources.newsboat.tokens import quote, quote_if_needed, tokenize


class UrlKind(StrEnum):
    """What a ``urls`` line subscribes to."""

    FEED = "feed"
    """An http(s) feed."""
    QUERY = "query"
    """``query:Name:expression``: a feed made of stored articles matching a filter."""
    EXEC = "exec"
    """``exec:command``: the command's output is the feed."""
    FILTER = "filter"
    """``filter:command:url``: the feed at the URL, piped through the command."""
    OTHER = "other"
    """Anything else (``file://``, a typo): newsboat tries it; we cannot."""


@dataclass(frozen=True, slots=True)
class UrlEntry:
    """One subscription as the ``urls`` file has it."""

    url: str
    tags: tuple[str, ...] = ()
    """As written: ``~Title`` names the feed, ``!tag`` hides it, the rest are tags."""
    line: int = 0

    @property
    def kind(self) -> UrlKind:
        """What the URL is."""
        lowered = self.url.lower()
        if lowered.startswith(("http://", "https://")):
            return UrlKind.FEED
        for kind in (UrlKind.QUERY, UrlKind.EXEC, UrlKind.FILTER):
            if self.url.startswith(f"{kind.value}:"):
                return kind
        return UrlKind.OTHER

    @property
    def title(self) -> str:
        """The first ``~`` tag without its ``~`` (newsboat's title override), else ``""``;
        for a query feed, its name."""
        for tag in self.tags:
            if tag.startswith("~"):
                return tag[1:]
        if self.kind is UrlKind.QUERY:
            return self.query[0]
        return ""

    @property
    def plain_tags(self) -> tuple[str, ...]:
        """The tags newsboat shows and filters by (not ``~title`` or ``!hidden`` ones)."""
        return tuple(t for t in self.tags if t and not t.startswith(("~", "!")))

    @property
    def hidden(self) -> bool:
        """Whether a ``!`` tag hides the feed from newsboat's feed list."""
        return any(t.startswith("!") for t in self.tags)

    @property
    def query(self) -> tuple[str, str]:
        """A query feed's (name, expression); ``("", "")`` for any other line. The
        expression keeps its colons (``age between 0:7``)."""
        if self.kind is not UrlKind.QUERY:
            return "", ""
        _, name, expression = [*self.url.split(":", 2), "", ""][:3]
        return name, expression


def read_urls(text: str) -> list[UrlEntry]:
    """Every subscription in a ``urls`` file, in order.

    Blank lines and lines starting with ``#`` are skipped; the first token is the URL, the
    rest its tags (double quotes keep spaces, ``#`` outside quotes starts a comment). A URL
    listed twice is one entry whose tags are merged, in order.
    """
    entries: list[UrlEntry] = []
    where: dict[str, int] = {}
    for number, line in enumerate(text.split("\n"), 1):
        if not line or line.startswith("#"):
            continue
        tokens = tokenize(line)
        if not tokens:
            continue
        url, tags = tokens[0], tokens[1:]
        if url in where:
            index = where[url]
            old = entries[index]
            merged = old.tags + tuple(t for t in dict.fromkeys(tags) if t not in old.tags)
            entries[index] = UrlEntry(old.url, merged, old.line)
            continue
        where[url] = len(entries)
        entries.append(UrlEntry(url, tuple(tags), number))
    return entries


def write_urls(entries: Iterable[UrlEntry]) -> str:
    """A ``urls`` file newsboat (and :func:`read_urls`) reads back as these entries:
    the URL quoted when it must be, every tag quoted."""
    lines = []
    for entry in entries:
        parts = [quote_if_needed(entry.url)] + [quote(tag) for tag in entry.tags]
        lines.append(" ".join(parts))
    return "".join(line + "\n" for line in lines)
