"""The status line: the view, its counts, refresh progress and online/offline state."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import ProgressBar, Static

from tuireader.domain.query import SortKey, StoryQuery
from tuireader.domain.text import clean_line, plural


def status_line(label: str, query: StoryQuery, total: int, unread: int, note: str = "") -> str:
    """What the status line says about a view: its name, search, filter, sort and counts."""
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
    return clean_line(" · ".join(parts))


class StatusBar(Horizontal):
    """Computed from its reactive attributes, which the screen sets or binds; nothing here
    reaches for services."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; }
    StatusBar > #status-text { width: 1fr; }
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

    def compose(self) -> ComposeResult:
        yield Static(id="status-text")
        yield ProgressBar(show_eta=False, id="refresh-progress")

    def on_mount(self) -> None:
        self._paint()

    @property
    def message(self) -> str:
        """The line as shown (without the online state), from the reactives."""
        return status_line(self.view_label, self.view_query, self.total, self.unread, self.note)

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
        text = Text(self.message)
        if self.unsaved:
            text.append(f"   {self.unsaved} unsaved (database busy)", style="bold")
        text.append("   offline" if self.offline else "", style="bold")
        if self.is_mounted:
            self.query_one("#status-text", Static).update(text)

    def watch_offline(self) -> None:
        self._paint()

    def watch_unsaved(self) -> None:
        self._paint()

    def watch_refreshing(self, refreshing: bool) -> None:
        self.set_class(refreshing, "-refreshing")

    def progress(self, done: int, total: int) -> None:
        """Move the refresh bar."""
        self.query_one(ProgressBar).update(total=total, progress=done)
