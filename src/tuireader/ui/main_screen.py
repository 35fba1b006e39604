"""The main screen: sidebar, headline list, article pane and story lists; owns the view state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Input

from tuireader.domain.errors import StorageError
from tuireader.domain.models import Source, Story
from tuireader.domain.query import SortKey, StoryQuery
from tuireader.domain.text import clean_line, plural
from tuireader.services.browser import open_link
from tuireader.services.session import Session
from tuireader.ui.commands import BY_ACTION, Command, Needs, bindings
from tuireader.ui.confirm_modal import ConfirmModal
from tuireader.ui.failures import storage_guarded, storage_refused
from tuireader.ui.hints import empty_hint
from tuireader.ui.modals import HelpScreen, LinkPickerModal
from tuireader.ui.reading_flow import ReadingFlow
from tuireader.ui.source_actions import SourceActions
from tuireader.ui.view_actions import ViewActions
from tuireader.ui.view_picker_modal import ViewPickerModal
from tuireader.ui.widgets.article_pane import ArticlePane
from tuireader.ui.widgets.fitted_footer import FittedFooter
from tuireader.ui.widgets.headline_list import HeadlineList
from tuireader.ui.widgets.sidebar import Sidebar, View
from tuireader.ui.widgets.status_bar import StatusBar
from tuireader.ui.widgets.story_list import ListLine, StoryList

if TYPE_CHECKING:  # these load later, off the start-up path
    from tuireader.services.refresh_report import RefreshReport, SourceResult


NARROW = 80
"""Under this many columns the sidebar is shown only on request, over the headlines."""
BULK_CONFIRM = 50
"""Marking more stories than this read at once asks first."""


class MainScreen(ReadingFlow, SourceActions, ViewActions):
    """Owns the current view as reactives and binds it into the widgets."""

    BINDINGS = bindings()  # type: ignore[assignment]

    view_query: reactive[StoryQuery] = reactive(StoryQuery, always_update=True)
    """The view shown in the headline list."""
    view_label: reactive[str] = reactive("All")

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.library = session.library
        self._input_mode = ""
        self._said_offline = False
        self._partial_refresh = False
        """The refresh running covers only some sources (just added or imported)."""
        self._open_id: int | None = None
        self._pending_focus: int | None = None
        self._unread = 0
        self._page_lists: dict[str, list[ListLine]] = {}
        self._discover_timer: Timer | None = None
        self._discover_asked = 0.0
        self._sidebar_wanted = session.settings.general.show_sidebar
        self._sidebar_overlay = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield Sidebar(id="sidebar")
            with Vertical(id="main"):
                yield HeadlineList(
                    self.library.page, self.library.count, id="headlines", now=self.session.clock
                ).data_bind(view_query=MainScreen.view_query)
                with Horizontal(id="reading"):
                    yield ArticlePane(id="article")
                    with Vertical(id="lists"):
                        yield StoryList("Related", id="related")
                        yield StoryList("Ranking", id="ranking")
                        yield StoryList("Recommended", id="recommended")
        yield Input(id="query-input", classes="-hidden")
        yield StatusBar(id="status")
        yield FittedFooter()

    @property
    def headlines(self) -> HeadlineList:
        return self.query_one(HeadlineList)

    @property
    def article(self) -> ArticlePane:
        return self.query_one(ArticlePane)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    def on_mount(self) -> None:
        self.refresh_sidebar()
        # the computed lists wait for the first paint: the headlines come first
        self.call_after_refresh(self._discover, None)
        self.call_after_refresh(self._warm_up)
        self.headlines.focus()
        self.headlines.empty_text = empty_hint(self.view_query, self.session.settings.keys)
        self._update_status()
        if self.session.notice:
            self.notify(clean_line(self.session.notice), severity="warning", timeout=10)
        if self.session.first_run:
            self.notify(
                "Sample library loaded; it leaves when you add a source of your own."
                " Press a to add a feed, or ? for help.",
                title="Welcome",
                timeout=10,
            )
        if self.session.settings.general.refresh_on_start and not self.session.first_run:
            self.start_refresh(None)

    def on_resize(self) -> None:
        self._layout()

    def _layout(self) -> None:
        narrow = self.size.width < NARROW
        sidebar = self.query_one(Sidebar)
        overlay = narrow and self._sidebar_overlay
        sidebar.set_class(overlay, "-overlay")
        sidebar.display = overlay or (self._sidebar_wanted and not narrow)
        if not narrow:
            self._sidebar_overlay = False
        if sidebar.display is False and self.focused is sidebar:
            self.set_focus(self.headlines)
        self.query_one("#lists").display = self.size.width >= 120

    # state shown ----------------------------------------------------------------------
    def refresh_sidebar(self) -> None:
        searches = self.library.pref("saved_searches", [])
        sources = self.library.sources()
        self._unread = sum(s.unread for s in sources)  # one query gives every count
        self.query_one(Sidebar).show(
            sources,
            searches if isinstance(searches, list) else [],
            self._unread,
            now=self.session.clock(),
        )

    def _update_status(self, extra: str = "") -> None:
        q = self.view_query
        parts = [self.view_label]
        if q.search:
            parts.append(f"search: {q.search}")
        if q.text:
            parts.append(f"filter: {q.text}")
        if q.sort is not SortKey.DATE or q.unread_first:
            parts.append("sort: " + q.sort.value + (", unread first" if q.unread_first else ""))
        total = self.headlines.total
        unread = total if q.unread else self.library.count(replace(q, unread=True))
        parts.append(plural(total, "story", "stories"))
        parts.append(f"{unread} unread")
        if extra:
            parts.append(extra)
        self.status.message = clean_line(" · ".join(parts))
        self.refresh_bindings()  # what can run (and so the footer) follows the view

    def watch_view_query(self, query: StoryQuery) -> None:
        if self.is_mounted:
            self.headlines.empty_text = empty_hint(query, self.session.settings.keys)
            self.call_after_refresh(self._update_status)

    # choosing views and stories -------------------------------------------------------
    @on(Sidebar.ViewChosen)
    def _view_chosen(self, event: Sidebar.ViewChosen) -> None:
        self.show_view(event.view)

    def show_view(self, view: View) -> None:
        """Make ``view`` the one the headline list shows (keeping the sort)."""
        self.view_label = view.label
        self.view_query = replace(
            view.query, sort=self.view_query.sort, unread_first=self.view_query.unread_first
        )
        if self._sidebar_overlay:
            self._sidebar_overlay = False
            self._layout()
        self.set_focus(self.headlines)

    def views(self) -> list[View]:
        """Every view the sidebar offers, in its order."""
        return [row.view for row in self.query_one(Sidebar).rows if row.view is not None]

    def palette_entries(self, command: Command) -> list[tuple[str, str, Callable[[], None]]]:
        """Palette lines for a command that stands for many (one "Go to view" per view)."""
        if command.id != "go_to_view":
            return []
        return [
            (
                f"Go to view: {clean_line(v.label)}",
                "Show it in the headline list",
                partial(self.show_view, v),
            )
            for v in self.views()
        ]

    def action_go_to_view(self, view_id: str = "") -> None:
        """Show a view by id, or choose one from a list."""
        views = self.views()
        chosen = next((v for v in views if v.id == view_id), None)
        if chosen is not None:
            self.show_view(chosen)
            return
        self.app.push_screen(
            ViewPickerModal(views), lambda view: self.show_view(view) if view else None
        )

    @on(HeadlineList.Chosen)
    def _story_chosen(self, event: HeadlineList.Chosen) -> None:
        self.open_story(event.story)

    @on(StoryList.Chosen)
    def _list_chosen(self, event: StoryList.Chosen) -> None:
        self.open_story(self.library.story(event.story_id))

    # refresh --------------------------------------------------------------------------
    def start_refresh(self, sources: list[Source] | None) -> None:
        """Refresh in the background; keys keep working."""
        self.status.refreshing = True
        self._partial_refresh = sources is not None
        self._refresh(sources)

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def _refresh(self, sources: list[Source] | None) -> None:
        from tuireader.services.refresh_report import RefreshReport

        try:
            async with self.session.refresher() as refresher:
                report = await refresher.refresh(sources, self._progress)
        except Exception:  # the status line stops saying "refreshing"; the app's handler
            self._refreshed(RefreshReport())  # for failed workers logs it and tells the user
            raise
        self._refreshed(report)

    def _progress(self, done: int, total: int, result: SourceResult) -> None:
        self.status.progress(done, total)
        from tuireader.services.refresh_report import Outcome

        # a source that cannot be reached is said on its own when only some were refreshed
        # (just added or imported); in a full refresh, all of them failing means "offline"
        partial = self._partial_refresh
        if result.message and result.outcome is Outcome.FAILED and (partial or not result.offline):
            self.notify(
                result.message,
                title=clean_line(result.source.label)[:80],
                severity="warning",
                timeout=8,
            )

    def _refreshed(self, report: RefreshReport) -> None:
        self.status.refreshing = False
        offline = report.offline and not self._partial_refresh
        self.status.offline = offline
        if offline and not self._said_offline:
            self._said_offline = True
            self.notify(
                "Offline: no source could be reached. Reading from the cache.", severity="warning"
            )
        if report.stopped:
            self.notify(
                f"Refresh stopped: {clean_line(report.stopped)}. What is stored can still be read.",
                severity="error",
                timeout=15,
                markup=False,
            )
        self.headlines.reload()
        self.refresh_sidebar()
        self._update_status(report.summary() if report.results else "")
        self._discover(self._open_id)

    # actions: moving ------------------------------------------------------------------
    def action_cursor_down(self) -> None:
        if isinstance(self.focused, Sidebar | StoryList):
            self.focused.action_cursor_down()
        elif isinstance(self.focused, ArticlePane):
            self.article.scroll_down(animate=False)
        else:
            self.headlines.move_to(self.headlines.cursor + 1)

    def action_cursor_up(self) -> None:
        if isinstance(self.focused, Sidebar | StoryList):
            self.focused.action_cursor_up()
        elif isinstance(self.focused, ArticlePane):
            self.article.scroll_up(animate=False)
        else:
            self.headlines.move_to(self.headlines.cursor - 1)

    def action_first(self) -> None:
        if isinstance(self.focused, ArticlePane):
            self.article.scroll_home(animate=False)
        else:
            self.headlines.move_to(0)

    def action_last(self) -> None:
        if isinstance(self.focused, ArticlePane):
            self.article.scroll_end(animate=False)
        else:
            self.headlines.move_to(self.headlines.total - 1)

    def action_page_down(self) -> None:
        if isinstance(self.focused, ArticlePane):
            self.article.scroll_page_down(animate=False)
        else:
            self.headlines.move_to(self.headlines.cursor + self.headlines.page_height())

    def action_page_up(self) -> None:
        if isinstance(self.focused, ArticlePane):
            self.article.scroll_page_up(animate=False)
        else:
            self.headlines.move_to(self.headlines.cursor - self.headlines.page_height())

    def action_open(self) -> None:
        if isinstance(self.focused, Sidebar | StoryList):
            self.focused.action_select()
            return
        story = self.headlines.current
        if story is not None:
            self.open_story(story)

    def action_back(self) -> None:
        self._pending_focus = None  # "back" wins over the focus change that follows a paint
        if self._sidebar_overlay:
            self._sidebar_overlay = False
            self._layout()
        if not self.query_one("#query-input").has_class("-hidden"):
            self._close_input()
        self.set_focus(self.headlines)  # at once: the next key must see it

    def action_next_pane(self) -> None:
        self.focus_next()

    def action_previous_pane(self) -> None:
        self.focus_previous()

    def action_page_or_next(self) -> None:
        if self.article.story is not None and not self.article.at_end:
            self.article.scroll_page_down(animate=False)
        else:
            self.action_next_unread()

    def _find_unread(self, step: int) -> int | None:
        index = self.headlines.cursor + step
        while 0 <= index < self.headlines.total:
            story = self.headlines.story_at(index)
            if (
                story is not None
                and not story.read
                and (self.article.story is None or story.id != self.article.story.id)
            ):
                return index
            index += step
        return None

    def action_next_unread(self) -> None:
        self._jump_unread(1)

    def action_previous_unread(self) -> None:
        self._jump_unread(-1)

    def _jump_unread(self, step: int) -> None:
        index = self._find_unread(step)
        across = index is None and step > 0 and self.view_query != StoryQuery(unread=True)
        if across and self.library.count(StoryQuery(unread=True)):
            # nothing more in this view: carry on in every source's unread stories
            self.view_label = "Unread"
            self.view_query = StoryQuery(unread=True, sort=self.view_query.sort)
            index = 0
        if index is None:
            self.notify("No more unread stories.")
            return
        self.headlines.move_to(index)
        story = self.headlines.story_at(index)
        if story is not None:
            self.open_story(story, focus=False)

    # actions: state -------------------------------------------------------------------
    def _target(self) -> Story | None:
        if isinstance(self.focused, ArticlePane) and self.article.story is not None:
            return self.library.story(self.article.story.id or 0)
        return self.headlines.current

    @storage_guarded
    def action_toggle_read(self) -> None:
        story = self._target()
        if story is None or story.id is None:
            return
        self.library.mark([story.id], read=not story.read)
        self.headlines.update_story(self.library.story(story.id))
        self._after_marks()
        self._refresh_lists()

    @storage_guarded
    def action_toggle_star(self) -> None:
        story = self._target()
        if story is None or story.id is None:
            return
        self.library.mark([story.id], starred=not story.starred)
        self.headlines.update_story(self.library.story(story.id))
        self._after_marks()
        self._refresh_lists()  # discovery notices the change; the lists are asked again

    def _confirm_many(self, count: int, question: str, then: Callable[[], None]) -> None:
        """Run ``then`` at once for a few stories; ask first when more than BULK_CONFIRM."""

        def run() -> None:
            try:
                then()
            except StorageError as error:
                storage_refused(self, error)

        if count <= BULK_CONFIRM:
            run()
            return
        self.app.push_screen(
            ConfirmModal(question, "mark them read"), lambda yes: run() if yes else None
        )

    def action_mark_all_read(self) -> None:
        count = self.library.count(replace(self.view_query, unread=True))
        label = clean_line(self.view_label)

        def mark() -> None:
            done = self.library.mark_all_read(self.view_query, f"mark {self.view_label} read")
            if done:
                self.notify(f"Marked {plural(done, 'story', 'stories')} read. u undoes it.")
            self.headlines.reload()
            self._after_marks()

        self._confirm_many(
            count, f"Mark {count} stories in {label} read? u undoes it afterwards.", mark
        )

    def action_mark_source_read(self) -> None:
        source = self._current_source()
        if source is None:
            return
        assert source.id is not None
        count = self.library.count(StoryQuery(source_ids=(source.id,), unread=True))
        name = clean_line(source.name)

        def mark() -> None:
            done = self.library.mark_source_read(source)
            self.notify(f"Marked {plural(done, 'story', 'stories')} in {name} read. u undoes it.")
            self.headlines.reload()
            self._after_marks()

        self._confirm_many(
            count, f"Mark {count} stories of {name} read? u undoes it afterwards.", mark
        )

    @storage_guarded
    def action_undo(self) -> None:
        label = self.library.undo()
        if label is None:
            self.notify("Nothing to undo.")
            return
        self.notify(f"Undone: {clean_line(label)}")
        self.headlines.reload()
        self._after_marks()

    # actions: links ---------------------------------------------------------------------
    def _open_url(self, url: str) -> None:
        problem = open_link(url, self.session.settings.general.browser)
        if problem:
            self.notify(f"{problem}: {clean_line(url)[:80]}", severity="warning")

    def action_open_browser(self) -> None:
        story = self._target()
        if story is not None and story.link:
            self._open_url(story.link)

    def _no_links(self, kind: str = "links") -> str:
        if self.article.story is None:
            return f"Open a story first: its {kind} are numbered in the article."
        return f"This story has no {kind}."

    def action_open_link(self, n: int) -> None:
        links = self.article.links
        if 1 <= n <= len(links):
            self._open_url(links[n - 1])
        elif not links:
            self.notify(self._no_links())
        else:
            self.notify(f"This story has only {plural(len(links), 'link', 'links')}.")

    def action_pick_link(self) -> None:
        if not self.article.links:
            self.notify(self._no_links())
            return
        self.app.push_screen(
            LinkPickerModal(self.article.links),
            lambda url: self._open_url(url) if url else None,
        )

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.session.settings.keys))

    def can_run(self, action: str) -> bool:
        """Whether a command can do something now (the palette offers only those)."""
        command = BY_ACTION.get(action.partition("(")[0])
        return command is None or self.has(command.needs)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A command runs when it has what its declaration says it needs; one that says why
        not runs anyway, and says so."""
        command = BY_ACTION.get(action)
        if command is None or command.says_why_not:
            return True
        return self.has(command.needs)

    def has(self, needs: Needs) -> bool:
        """Whether what a command needs is there now."""
        match needs:
            case Needs.NOTHING:
                return True
            case Needs.STORY:
                return self.headlines.total > 0 or self.article.story is not None
            case Needs.SOURCE:
                return self._current_source() is not None
            case Needs.LISTED_STORY:
                return self.headlines.total > 0
            case Needs.LINKS:
                return bool(self.article.links)
            case Needs.IMAGES:
                return bool(self.article.images)
            case Needs.UNDO:
                return self.library.can_undo()
            case Needs.SEARCH:
                return bool(self.view_query.search)
