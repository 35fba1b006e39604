"""How each source is doing: its recent fetches, summed up, and the order to show them in
(dead feeds first)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tuireader.domain.models import Source

WEEKS = 12
"""How many weeks the stories-per-week sparkline covers."""
DEAD_STREAK = 3
"""Failures in a row, with no success for :data:`DEAD_AFTER`, that make a feed dead."""
DEAD_AFTER = timedelta(days=7)
FETCH_LOG_KEEP = 100
"""Fetches remembered per source (the oldest are dropped)."""

_BARS = "▁▂▃▄▅▆▇█"


class HealthState(StrEnum):
    """A source's state, worst first (the health view's order)."""

    DEAD = "dead"
    """Failing for a while: several failures in a row and no success for a week or more."""
    FAILING = "failing"
    """The last fetch failed."""
    MOVED = "moved"
    """It answers through a permanent redirect: its URL wants fixing."""
    QUIET = "quiet"
    """Fetched fine, but no story in the weeks the sparkline covers."""
    OK = "ok"
    NEW = "new"
    """Never fetched."""


_ORDER = list(HealthState)


@dataclass(frozen=True, slots=True)
class FetchSummary:
    """A source's fetch log, summed up (what storage gives)."""

    fetches: int = 0
    not_modified: int = 0
    """Fetches answered "nothing changed" (HTTP 304, or a local source's files unchanged)."""
    error_streak: int = 0
    """Failures since the last success."""
    last_success: datetime | None = None
    last_error: str = ""
    last_error_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """One source's health."""

    source: Source
    log: FetchSummary
    weekly: tuple[int, ...]
    """Stories per week, oldest week first, the last one ending now."""
    state: HealthState

    @property
    def not_modified_share(self) -> float | None:
        """The share of fetches that came back "not modified" (``None``: no fetches)."""
        return self.log.not_modified / self.log.fetches if self.log.fetches else None

    @property
    def https_candidate(self) -> str:
        """The https:// URL to try for an http:// feed (empty when it is https already)."""
        url = self.source.url
        return "https://" + url[len("http://") :] if url.lower().startswith("http://") else ""


def health_state(
    source: Source, log: FetchSummary, weekly: tuple[int, ...], now: datetime
) -> HealthState:
    """The :class:`HealthState` of a source from its log and its weekly story counts."""
    if log.error_streak:
        stale = log.last_success is None or now - log.last_success >= DEAD_AFTER
        return (
            HealthState.DEAD if log.error_streak >= DEAD_STREAK and stale else HealthState.FAILING
        )
    if source.moved_to:
        return HealthState.MOVED
    if not log.fetches and source.fetched_at is None:
        return HealthState.NEW
    if not any(weekly):
        return HealthState.QUIET
    return HealthState.OK


def build_health(
    source: Source, log: FetchSummary, weekly: tuple[int, ...], now: datetime
) -> SourceHealth:
    """A source's :class:`SourceHealth`."""
    return SourceHealth(source, log, weekly, health_state(source, log, weekly, now))


def by_severity(rows: list[SourceHealth]) -> list[SourceHealth]:
    """Worst first: dead, failing (longest streak first), moved, quiet, ok, new; then by
    name."""
    return sorted(
        rows,
        key=lambda h: (_ORDER.index(h.state), -h.log.error_streak, h.source.name.casefold()),
    )


def sparkline(counts: tuple[int, ...] | list[int]) -> str:
    """One character per count, scaled to the largest (a blank week is the lowest bar)."""
    top = max(counts, default=0)
    if top <= 0:
        return _BARS[0] * len(counts)
    return "".join(_BARS[0 if n <= 0 else 1 + (n * (len(_BARS) - 2)) // top] for n in counts)
