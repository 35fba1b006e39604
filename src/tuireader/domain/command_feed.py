"""Command feeds as newsboat writes them: ``exec:CMD`` (the command's output is the feed) and
``filter:CMD:URL`` (the feed at URL piped through the command). That text is the source's
URL, unchanged, so an import of newsboat's ``urls`` file and ``tuireader add`` agree on it.

Unlike newsboat we run the command without a shell: it is split into an argument list the
way a shell splits words (quotes, backslashes), with ``~`` expanded, and shell syntax
(pipes, redirections, ``;``, ``&&``, ``$VAR``) is refused with a line saying so.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from tuireader.domain.errors import UsageError
from tuireader.domain.models import Source, SourceKind
from tuireader.domain.text import clean_line

EXEC = "exec:"
FILTER = "filter:"

_OPERATORS = frozenset({"|", "||", "&", "&&", ";", ";;", "<", ">", ">>", "<<", "2>", "2>&1", "&>"})


@dataclass(frozen=True, slots=True)
class CommandFeed:
    """A command feed's parts."""

    command: str
    """The command as written (before splitting)."""
    feed_url: str = ""
    """For ``filter:``, the feed fetched and piped in; empty for ``exec:``."""

    @property
    def is_filter(self) -> bool:
        """The command reads a fetched feed on its stdin."""
        return bool(self.feed_url)

    def url(self) -> str:
        """The canonical source URL (newsboat's spelling)."""
        if self.feed_url:
            return f"{FILTER}{self.command}:{self.feed_url}"
        return f"{EXEC}{self.command}"


def is_command_url(ref: str) -> bool:
    """Whether ``ref`` is written as a command feed (``exec:`` or ``filter:``)."""
    return ref.startswith((EXEC, FILTER))


def command_source(url: str, title: str = "", folder: str = "", tags: Sequence[str] = ()) -> Source:
    """An imported command feed (newsboat's ``urls``, OPML), kept with its URL exactly as
    written (``exec:~/bin/x --y``, ``filter:sed "s/a/b/":https://example.com/feed``). It is
    not checked here: one that cannot run without a shell says so when it is refreshed,
    and nothing the user had is dropped on the way in."""
    if not is_command_url(url):
        raise ValueError(f"not a command feed URL: {url!r}")
    return Source(url=url, kind=SourceKind.COMMAND, title=title, folder=folder, tags=tuple(tags))


def parse_command_url(url: str) -> CommandFeed:
    """The parts of ``exec:CMD`` or ``filter:CMD:URL`` (the command ends at the first colon,
    as in newsboat); :class:`UsageError` naming what is missing."""
    if url.startswith(EXEC):
        command = url[len(EXEC) :].strip()
        if not command:
            raise UsageError("exec: needs a command (exec:~/bin/feed-script --arg)")
        return CommandFeed(command)
    if url.startswith(FILTER):
        rest = url[len(FILTER) :]
        command, colon, feed = rest.partition(":")
        command, feed = command.strip(), feed.strip()
        if not colon or not command:
            raise UsageError("filter: is written filter:COMMAND:URL (the command has no colon)")
        if not feed.lower().startswith(("http://", "https://")):
            shown = clean_line(feed) or "nothing"
            raise UsageError(f"filter: pipes an http(s) feed through the command, not {shown}")
        return CommandFeed(command, feed)
    raise UsageError(f"not a command feed: {clean_line(url)}")


def command_argv(command: str) -> list[str]:
    """The argument list a command runs as (no shell); :class:`UsageError` for a command
    that cannot be split or that needs a shell."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise UsageError(f"cannot split the command {clean_line(command)!r}: {exc}") from None
    if not argv:
        raise UsageError("the command is empty")
    for word in argv:
        if word in _OPERATORS or word.startswith(("|", ">", "<")) or word.endswith("|"):
            raise UsageError(
                f"commands run without a shell, so {word!r} is not understood: put the"
                " pipeline or redirection in a script and name the script"
            )
    if argv[0].startswith("$"):
        raise UsageError("commands run without a shell: write the program's path, not a variable")
    return [os.path.expanduser(word) if word.startswith("~") else word for word in argv]
