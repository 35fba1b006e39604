"""Saved views and killfile rules: named filter expressions from the config."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class IgnoreAction(StrEnum):
    """What a killfile rule does to a story it catches."""

    HIDE = "hide"
    """Left out of every view and count (``tuireader list --ignored`` still shows it)."""
    MARK_READ = "mark_read"
    """Marked read, once: marked unread again, it stays unread."""


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """``[[ignore]]``: stories matching ``query`` (in ``sources``, if any) are caught."""

    query: str
    action: IgnoreAction = IgnoreAction.HIDE
    sources: tuple[str, ...] = ()
    """Source URLs, paths or titles the rule is limited to; empty: every source."""

    @property
    def label(self) -> str:
        """The rule as one line, for ``--ignored``: its query, action and sources."""
        where = f" in {', '.join(self.sources)}" if self.sources else ""
        return f"{self.action}: {self.query}{where}"


@dataclass(frozen=True, slots=True)
class SavedView:
    """A named expression shown in the sidebar with its unread count."""

    name: str
    query: str
