"""What a refresh reports: each source's outcome and the one summary line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from tuireader.domain.command_feed import FILTER
from tuireader.domain.models import Source, SourceKind
from tuireader.domain.text import clean_line

if TYPE_CHECKING:  # types only: the UI reads reports without loading the refresh machinery
    from tuireader.services.discovery import IndexReport
    from tuireader.services.fulltext import FullTextReport


class Outcome(StrEnum):
    """How refreshing one source went."""

    UPDATED = "updated"
    NOT_MODIFIED = "not modified"
    UNCHANGED = "unchanged"
    WAITING = "waiting"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SourceResult:
    """One source's refresh."""

    source: Source
    outcome: Outcome
    new: int = 0
    message: str = ""
    offline: bool = False
    skipped: tuple[tuple[str, str], ...] = ()
    """(file, reason) for each file of a local source that was not loaded."""


@dataclass(slots=True)
class RefreshReport:
    """Every source's result, in the order they finished."""

    results: list[SourceResult] = field(default_factory=list)
    discovery: IndexReport | None = None
    to_index: int = 0
    """Stories stored and left unsigned for the indexer (see ``Refresher.defer_discovery``)."""
    discovery_error: str = ""
    full_text: FullTextReport | None = None
    stopped: str = ""
    """Why the refresh stopped before every source was done (the disk is full)."""
    not_due: int = 0
    """Sources left for later: their refresh interval has not passed (``refresh --force``
    fetches them)."""

    @property
    def failed(self) -> list[SourceResult]:
        """Sources that failed (waiting on Retry-After does not count)."""
        return [r for r in self.results if r.outcome is Outcome.FAILED]

    @property
    def new(self) -> int:
        """New stories across sources."""
        return sum(r.new for r in self.results)

    @property
    def offline(self) -> bool:
        """Every network source failed to connect: we are probably offline."""
        net = [r for r in self.results if _networked(r.source)]
        return bool(net) and all(r.offline for r in net)

    def summary(self) -> str:
        """One line for the user."""
        counts: dict[Outcome, int] = {}
        for r in self.results:
            counts[r.outcome] = counts.get(r.outcome, 0) + 1
        parts = [f"{self.new} new {'story' if self.new == 1 else 'stories'}"]
        if self.full_text is not None:
            fetched = self.full_text.fetched
            parts.append(f"{fetched} full text{'' if fetched == 1 else 's'}")
            if self.full_text.failed:
                parts.append(failed_pages(self.full_text.failed, self.full_text.failed_titles))
        skipped = sum(len(r.skipped) for r in self.results)
        if skipped:
            parts.append(f"{skipped} file{'s' if skipped != 1 else ''} skipped")
        for outcome in (Outcome.NOT_MODIFIED, Outcome.UNCHANGED, Outcome.WAITING, Outcome.FAILED):
            if counts.get(outcome):
                parts.append(f"{counts[outcome]} {outcome.value}")
        if self.not_due:
            parts.append(f"{self.not_due} not due")
        if self.discovery_error:
            parts.append("related lists not updated (internal error, see the log)")
        n = len(self.results)
        line = f"Refreshed {n} source{'s' if n != 1 else ''}: " + ", ".join(parts)
        return f"{line}; stopped: {self.stopped}" if self.stopped else line


def _networked(source: Source) -> bool:
    """A feed fetched over the network: a URL, or a ``filter:`` over one (an ``exec:``
    command's failure says nothing about the network)."""
    kind = source.kind
    return kind is SourceKind.FEED or (kind is SourceKind.COMMAND and source.url.startswith(FILTER))


Progress = Callable[[int, int, SourceResult], None]
"""Called as each source finishes: (sources done, sources in all, its result)."""


@dataclass(frozen=True, slots=True)
class SourceDone:
    """A refresh's progress: one more source finished."""

    result: SourceResult
    done: int
    """Sources finished so far, this one included."""
    total: int
    """Sources the refresh was asked for."""


RefreshEvent = SourceDone | RefreshReport
"""What :meth:`Refresher.events <tuireader.services.refresh.Refresher.events>` yields: a
:class:`SourceDone` as each source finishes, then the :class:`RefreshReport` (last, once)."""


def failed_pages(count: int, titles: Sequence[str], shown: int = 3) -> str:
    """``page failed: Ferry times`` or ``2 pages failed: a, b`` (the first few, cut short)."""
    names = [clean_line(t)[:40] or "(untitled)" for t in titles[:shown]]
    if count > len(names):
        names.append("…")
    listed = ", ".join(names)
    if count == 1:
        return f"page failed: {listed}" if listed else "page failed"
    return f"{count} pages failed" + (f": {listed}" if listed else "")
