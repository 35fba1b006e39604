"""The status line: the view, its counts, refresh progress, where the sync accounts stand
and online/offline state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import ProgressBar, Static

from tuireader.domain.accounts import AccountStatus
from tuireader.domain.query import SortKey, StoryQuery
from tuireader.domain.text import clean_line, plural

REPAINT_EVERY = 30.0
"""Seconds between repaints of the sync ages ("synced 3 min ago") while nothing else moves."""


def synced_words(when: datetime | None, now: datetime) -> str:
    """ "synced 3 min ago" ("just now" also for a time ahead of the clock), "never synced"."""
    if when is None:
        return "never synced"
    seconds = int((now - when).total_seconds())
    if seconds < 60:
        return "synced just now"
    if seconds < 3600:
        return f"synced {seconds // 60} min ago"
    if seconds < 86400:
        return f"synced {seconds // 3600} h ago"
    return f"synced {seconds // 86400} d ago"


def accounts_line(
    statuses: Sequence[tuple[str, AccountStatus]], now: datetime, only: str | None = None
) -> str:
    """What the status line says of the sync accounts: each one's last sync and the changes
    waiting to be sent; ``only`` that account when it is one of them (its view is shown)."""
    shown = [(n, s) for n, s in statuses if n == only] or list(statuses)
    parts = []
    for name, status in shown:
        waiting = f", {status.waiting} waiting" if status.waiting else ""
        parts.append(f"{name}: {synced_words(status.last_sync, now)}{waiting}")
    return " · ".join(parts)


def status_line(
    label: str, query: StoryQuery, total: int, unread: int, note: str = "", accounts: str = ""
) -> str:
    """What the status line says about a view: its name, search, filter, sort and counts,
    then what the last refresh did and where the sync accounts stand."""
    parts = [label]
    if query.search:
        parts.append(f"search: {query.search}")
    if query.text:
        parts.append(f"filter: {query.text}")
    if query.sort is not SortKey.DATE or query.unread_first:
        parts.append("sort: " + query.sort.value + (", unread first" if query.unread_first else ""))
    parts.append(plural(total, "story", "stories"))
    parts.append(f"{unread} unread")
    if note:
        parts.append(note)
    if accounts:
        parts.append(accounts)
    return clean_line(" · ".join(parts))


class StatusBar(Horizontal):
    """Computed from its reactive attributes, which the screen sets or binds; nothing here
    reaches for services."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; }
    StatusBar > Static { text-wrap: nowrap; text-overflow: ellipsis; }
    StatusBar > #status-text { width: 1fr; }
    StatusBar > #status-accounts { width: auto; max-width: 60%; padding: 0 1; color: $text-muted; }
    StatusBar > ProgressBar { width: 40; display: none; }
    StatusBar.-refreshing > ProgressBar { display: block; }
    """

    view_label: reactive[str] = reactive("All")
    view_query: reactive[StoryQuery] = reactive(StoryQuery)
    total: reactive[int] = reactive(0)
    unread: reactive[int] = reactive(0)
    note: reactive[str] = reactive("")
    """What the last refresh did (until the view changes)."""
    offline: reactive[bool] = reactive(False)
    refreshing: reactive[bool] = reactive(False)
    unsaved: reactive[int] = reactive(0)
    """Changes asked for and not yet stored (the database is busy)."""
    accounts: reactive[tuple[tuple[str, AccountStatus], ...]] = reactive(())
    """Each sync account's name and status, in the config's order."""
    syncing: reactive[str] = reactive("")
    """The account being synced now (shown as progress)."""

    def __init__(self, *, now: Callable[[], datetime] | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self._now = now or (lambda: datetime.now(UTC))

    def compose(self) -> ComposeResult:
        yield Static(id="status-text")
        yield Static(id="status-accounts")
        yield ProgressBar(show_eta=False, id="refresh-progress")

    def on_mount(self) -> None:
        self._paint()
        self.set_interval(REPAINT_EVERY, self._paint_ages)

    def _paint_ages(self) -> None:
        if self.accounts:
            self._paint()

    @property
    def message(self) -> str:
        """The line as shown (without the online state), from the reactives."""
        return status_line(
            self.view_label, self.view_query, self.total, self.unread, self.note, self.account_text
        )

    @property
    def account_text(self) -> str:
        """What the right end of the line says of the sync accounts (empty: none)."""
        if self.syncing:
            return f"syncing {self.syncing}…"
        return accounts_line(self.accounts, self._now(), self.view_query.account)

    def watch_view_query(self) -> None:
        self.note = ""
        self._paint()

    def watch_view_label(self) -> None:
        self.note = ""
        self._paint()

    def watch_total(self) -> None:
        self._paint()

    def watch_unread(self) -> None:
        self._paint()

    def watch_note(self) -> None:
        self._paint()

    def _paint(self) -> None:
        if not self.is_mounted:
            return
        line = status_line(self.view_label, self.view_query, self.total, self.unread, self.note)
        text = Text(line)
        if self.unsaved:
            text.append(f"   {self.unsaved} unsaved (database busy)", style="bold")
        text.append("   offline" if self.offline else "", style="bold")
        self.query_one("#status-text", Static).update(text)
        # the accounts at the right end: a long refresh note never hides them
        accounts = clean_line(self.account_text)
        right = self.query_one("#status-accounts", Static)
        right.display = bool(accounts)
        right.update(Text(accounts))

    def watch_offline(self) -> None:
        self._paint()

    def watch_accounts(self) -> None:
        self._paint()

    def watch_syncing(self) -> None:
        self._paint()

    def watch_unsaved(self) -> None:
        self._paint()

    def watch_refreshing(self, refreshing: bool) -> None:
        self.set_class(refreshing, "-refreshing")

    def progress(self, done: int, total: int) -> None:
        """Move the refresh bar."""
        self.query_one(ProgressBar).update(total=total, progress=done)
