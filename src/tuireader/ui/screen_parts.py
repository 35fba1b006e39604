"""What the main screen's parts share: its services, state and the few methods each part
calls on the others. Each part (reading, sources, views) inherits this, and the screen
brings them together; the stubs here are overridden by the part or screen that owns them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from tuireader.domain.models import Source, Story
from tuireader.domain.query import StoryQuery
from tuireader.services.library import Library
from tuireader.services.session import Session
from tuireader.ui.failures import WorkerFailed
from tuireader.ui.widgets.article_pane import ArticlePane
from tuireader.ui.widgets.headline_list import HeadlineList
from tuireader.ui.widgets.story_list import ListLine

if TYPE_CHECKING:  # loads with the first refresh, off the start-up path
    from tuireader.services.refresh_report import RefreshReport


class ScreenParts(Screen[None]):
    """Shared attributes (set by the screen) and the methods the parts call on each other."""

    library: Library
    session: Session
    view_query: StoryQuery
    view_label: str
    _open_id: int | None
    _pending_focus: int | None
    _page_lists: dict[str, list[ListLine]]
    _discover_timer: Timer | None
    _discover_asked: float
    _input_mode: str
    _sidebar_wanted: bool
    _sidebar_overlay: bool
    """Under 80 columns: the sidebar is shown over the headlines."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A failed worker goes up to the app's one handler (the state change does not)."""
        if event.state is WorkerState.ERROR:
            self.post_message(WorkerFailed(event.worker))

    @property
    def headlines(self) -> HeadlineList:
        """The headline list."""
        raise NotImplementedError

    @property
    def article(self) -> ArticlePane:
        """The article pane."""
        raise NotImplementedError

    def _target(self) -> Story | None:
        raise NotImplementedError

    def start_refresh(self, sources: list[Source] | None) -> None:
        raise NotImplementedError

    def refresh_sidebar(self) -> None:
        raise NotImplementedError

    def _refreshed(self, report: RefreshReport) -> None:
        raise NotImplementedError

    def _update_status(self, extra: str = "") -> None:
        raise NotImplementedError

    def _after_marks(self) -> None:
        raise NotImplementedError

    def _show_story(self, story: Story) -> None:
        raise NotImplementedError

    def _refresh_lists(self) -> None:
        raise NotImplementedError

    def _close_story(self) -> None:
        raise NotImplementedError

    def _layout(self) -> None:
        raise NotImplementedError

    def _open_url(self, url: str) -> None:
        raise NotImplementedError
