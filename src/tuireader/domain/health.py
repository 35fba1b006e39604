"""How each source is doing: its recent fetches, summed up, and the order to show them in
(dead feeds first)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tuireader.domain.command_feed import FILTER
from tuireader.domain.dates import short_age
from tuireader.domain.models import Source
from tuireader.domain.text import clean_line

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
        """The source's URL over https, to try for an http:// feed (empty when there is
        none: it is https already, or not fetched over HTTP)."""
        return https_version(self.source.url)


def https_version(url: str) -> str:
    """``http://x/feed`` as ``https://x/feed``; a ``filter:`` over an http:// feed with the
    feed's address so; empty for anything else."""
    if url.lower().startswith("http://"):
        return "https://" + url[len("http://") :]
    if url.startswith(FILTER):
        command, colon, feed = url[len(FILTER) :].partition(":")
        upgraded = https_version(feed.strip()) if colon else ""
        return f"{FILTER}{command}:{upgraded}" if upgraded else ""
    return ""


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


def ago(when: datetime | None, now: datetime) -> str:
    """``3h ago``, ``now`` or ``never``."""
    if when is None:
        return "never"
    age = short_age(when, now)
    return age if age == "now" else f"{age} ago"


def health_cells(health: SourceHealth, now: datetime) -> tuple[str, str, str, str, str]:
    """A row of the health view, as text: state, last success, error streak, share of
    304s, stories per week (a sparkline, with the last week's count)."""
    share = health.not_modified_share
    weekly = health.weekly
    return (
        health.state.value,
        ago(health.log.last_success, now),
        str(health.log.error_streak) if health.log.error_streak else "-",
        "-" if share is None else f"{round(share * 100)}%",
        f"{sparkline(weekly)} {weekly[-1] if weekly else 0}",
    )


def health_note(health: SourceHealth) -> str:
    """What to say after a row: the last error (if the last fetch failed) and the fix."""
    notes = []
    if health.log.error_streak and health.log.last_error:
        notes.append(clean_line(health.log.last_error))
    if health.source.moved_to:
        notes.append(f"moved permanently to {clean_line(health.source.moved_to)}")
    elif health.state in (HealthState.DEAD, HealthState.FAILING) and health.https_candidate:
        notes.append("try https")
    return "; ".join(notes)
