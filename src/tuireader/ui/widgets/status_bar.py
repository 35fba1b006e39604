"""The status line: counts, refresh progress and online/offline state."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import ProgressBar, Static


class StatusBar(Horizontal):
    """Attributes only: the screen sets them; nothing here reaches for services."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; }
    StatusBar > #status-text { width: 1fr; }
    StatusBar > ProgressBar { width: 40; display: none; }
    StatusBar.-refreshing > ProgressBar { display: block; }
    """

    message: reactive[str] = reactive("")
    offline: reactive[bool] = reactive(False)
    refreshing: reactive[bool] = reactive(False)

    def compose(self) -> ComposeResult:
        yield Static(id="status-text")
        yield ProgressBar(show_eta=False, id="refresh-progress")

    def _paint(self) -> None:
        text = Text(self.message)
        text.append("   offline" if self.offline else "", style="bold")
        self.query_one("#status-text", Static).update(text)

    def watch_message(self) -> None:
        self._paint()

    def watch_offline(self) -> None:
        self._paint()

    def watch_refreshing(self, refreshing: bool) -> None:
        self.set_class(refreshing, "-refreshing")

    def progress(self, done: int, total: int) -> None:
        """Move the refresh bar."""
        self.query_one(ProgressBar).update(total=total, progress=done)
