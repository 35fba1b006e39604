"""The main screen: lays out the sidebar, the headline list, the reader pane and the status
line, holds the view they show, and routes their messages.

Each pane owns its state and its moving keys; the long tasks on sources live in
:class:`~tuireader.ui.source_tasks.SourceTasks`. The screen's own commands are short: they
say what changes and where it goes. A change to the store (a mark, a star) is shown at once
and written on the writer thread, so a key never waits for the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker

from tuireader.domain.accounts import Account, AccountStatus
from tuireader.domain.errors import UsageError
from tuireader.domain.filter_lang import read_typed
from tuireader.domain.models import Source, SourceOptions, Story
from tuireader.domain.query import SortKey, StoryQuery
from tuireader.domain.text import clean_line, plural
from tuireader.services.account_status import account_statuses
from tuireader.services.library import Library
from tuireader.services.session import Session
from tuireader.ui.commands import (
    BY_ACTION,
    BY_ID,
    Command,
    Needs,
    Scope,
    all_commands,
    bindings,
    macro_commands,
)
from tuireader.ui.confirm_modal import ConfirmModal
from tuireader.ui.downloads_modal import DownloadsModal
from tuireader.ui.failures import forward_failure
from tuireader.ui.hints import empty_hint
from tuireader.ui.modals import HelpScreen
from tuireader.ui.source_tasks import SourceTasks
from tuireader.ui.store_changes import StoreChanges
from tuireader.ui.story_actions import StoryActions
from tuireader.ui.view_picker_modal import ViewPickerModal
from tuireader.ui.widgets.article_pane import ArticlePane
from tuireader.ui.widgets.fitted_footer import FittedFooter
from tuireader.ui.widgets.headline_list import HeadlineList
from tuireader.ui.widgets.query_box import Mode, QueryBox
from tuireader.ui.widgets.reader_pane import ReaderPane
from tuireader.ui.widgets.sidebar import SavedViewCount, Sidebar, View
from tuireader.ui.widgets.status_bar import StatusBar
from tuireader.ui.widgets.story_list import StoryList

if TYPE_CHECKING:
    from tuireader.services.reading import OpenedStory

T = TypeVar("T")

NARROW = 100
"""Under this many columns the sidebar is shown only on request, over the headlines: at 80
(the classic terminal) the headlines take the whole width, as in newsboat."""
BULK_CONFIRM = 50
"""Marking more stories than this read at once asks first."""
SORTS = (SortKey.DATE, SortKey.SOURCE, SortKey.TITLE)


@dataclass(frozen=True, slots=True)
class _Counts:
    searches: list[str]
    sources: list[Source]
    unread: int
    accounts: dict[str, AccountStatus]
    views: list[SavedViewCount]


def _counts(lib: Library, query: StoryQuery, accounts: list[Account]) -> _Counts:
    """Saved searches and views (with their unread counts), sources with their counts, the
    view's unread count (in an Unread view too: a story read there stays listed until the
    view is shown again), and where each sync account stands."""
    unread = lib.count(replace(query, unread=True))
    saved = lib.pref("saved_searches", [])
    searches = [s for s in saved if isinstance(s, str)] if isinstance(saved, list) else []
    views = [
        SavedViewCount(v.name, v.query, lib.count(StoryQuery(expr=v.query, unread=True)))
        for v in lib.saved_views()
    ]
    return _Counts(searches, lib.sources(), unread, account_statuses(lib, accounts), views)


class MainScreen(Screen[None]):
    """Holds the view (as reactives bound into the panes) and routes the panes' messages."""

    BINDINGS = bindings()  # type: ignore[assignment]

    view_query: reactive[StoryQuery] = reactive(StoryQuery, always_update=True)
    """The view shown in the headline list."""
    view_label: reactive[str] = reactive("All")

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.library = session.library
        """Read on the event loop: headline pages, counts, sources (WAL reads never wait)."""
        self._focus_on_open: int | None = None
        """The story whose article takes focus once painted (unless the reader went back)."""
        self._back_at = 0.0
        """When "back" was last pressed."""
        self._counting = False
        self._count_again = False
        self._sidebar_wanted = session.settings.general.show_sidebar
        self._sidebar_overlay = False
        """Under :data:`NARROW` columns: the sidebar is shown over the headlines."""
        self._failed_accounts: set[str] = set()
        """Accounts whose last sync in this session failed (the sidebar shows them so)."""
        self.macros = macro_commands(session.settings.macros)
        """The user's macros, declared as commands (bound here, in the palette and help)."""
        for binding in Binding.make_bindings(bindings(commands=self.macros)):
            self._bindings._add_binding(binding)  # the class's bindings are the same for all

    def compose(self) -> ComposeResult:
        session = self.session
        with Horizontal(id="body"):
            yield Sidebar(id="sidebar")
            with Vertical(id="main"):
                yield HeadlineList(
                    self.library.page, self.library.count, id="headlines", now=session.clock
                ).data_bind(view_query=MainScreen.view_query)
                yield ReaderPane(
                    self._open_story,
                    lambda story_id: session.discovery.lists_for(story_id),
                    session.images if session.inline_images else None,
                    browser=session.settings.general.browser,
                    id="reading",
                )
        yield QueryBox(id="query-input")
        yield StatusBar(now=session.clock, id="status").data_bind(
            view_query=MainScreen.view_query, view_label=MainScreen.view_label
        )
        yield FittedFooter()
        yield SourceTasks(session)
        yield StoryActions(session)
        yield StoreChanges(session.writes)

    async def _open_story(self, story_id: int) -> OpenedStory:
        return await self.session.reads.run(lambda lib: lib.open_story(story_id))

    @property
    def headlines(self) -> HeadlineList:
        """The headline list."""
        return self.query_one(HeadlineList)

    @property
    def reader(self) -> ReaderPane:
        """The open story and its lists."""
        return self.query_one(ReaderPane)

    @property
    def article(self) -> ArticlePane:
        """The article pane."""
        return self.query_one(ArticlePane)

    @property
    def status(self) -> StatusBar:
        """The status line."""
        return self.query_one(StatusBar)

    @property
    def changes(self) -> StoreChanges:
        """Where the screen's changes to the store go."""
        return self.query_one(StoreChanges)

    @property
    def tasks(self) -> SourceTasks:
        """The long tasks on sources and stories."""
        return self.query_one(SourceTasks)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    def on_mount(self) -> None:
        # the sidebar and the counts follow the headline list's first count (Reloaded);
        # the computed lists wait for the first paint: the headlines come first
        self.call_after_refresh(self.reader.recompute)
        self.call_after_refresh(self._warm_up)
        # stories stored without a vector (the sample library on first run): embedded on a
        # thread once the list is painted, so start-up does not pay for the model
        self.call_after_refresh(self.tasks.index_backlog)
        self.headlines.focus()
        self.headlines.empty_text = empty_hint(self.view_query, self.session.settings.keys)
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

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        """Load the HTML converter while the reader looks at the list, not on the first open."""
        from tuireader.services.reading import reader_text

        reader_text(Story(key="", title="", content="<p>warm up</p>"))
        import rich.markdown  # noqa: F401 - the article's renderer, before it is needed

    # layout -----------------------------------------------------------------------------
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

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(Sidebar)
        if self.size.width < NARROW:  # no room beside the headlines: over them, until a choice
            self._sidebar_overlay = not self._sidebar_overlay
            self._layout()
            self.set_focus(sidebar if self._sidebar_overlay else self.headlines)
            return
        self._sidebar_wanted = not sidebar.display
        self._layout()

    def action_next_pane(self) -> None:
        self.focus_next()

    def action_previous_pane(self) -> None:
        self.focus_previous()

    def action_back(self) -> None:
        self._focus_on_open = None  # "back" wins over the focus change that follows a paint
        self._back_at = time.monotonic()
        if self._sidebar_overlay:
            self._sidebar_overlay = False
            self._layout()
        box = self.query_one(QueryBox)
        if box.shown:
            box.close()
        self.set_focus(self.headlines)  # at once: the next key must see it

    # what the store holds changed ---------------------------------------------------------
    def refresh_sidebar(self) -> None:
        """Read the sources and the counts again, on the counts thread (at 100,000 stories an
        unread count takes a quarter of a second: never on the event loop, never twice at
        once — asks made while one runs are answered by one more run after it)."""
        if self._counting:
            self._count_again = True
            return
        self._counting = True
        self._recount()

    @work(group="counts", exit_on_error=False)
    async def _recount(self) -> None:
        try:
            while True:
                self._count_again = False
                counts = await self.session.counts.run(
                    partial(_counts, query=self.view_query, accounts=self.session.accounts)
                )
                sources = counts.sources
                self.query_one(Sidebar).show(
                    sources,
                    counts.searches,
                    sum(s.unread for s in sources),  # one query gives every count
                    now=self.session.clock(),
                    accounts=[a.name for a in self.session.accounts if a.is_server],
                    failed_accounts=self._failed_accounts,
                    views=counts.views,
                )
                self.status.unread = counts.unread
                self.status.accounts = tuple(counts.accounts.items())
                self.refresh_bindings()  # what can run (and so the footer) follows the counts
                if not self._count_again:
                    return
        finally:
            self._counting = False

    def _stored(self, reload: bool = False) -> None:
        """After a change reached the store: counts, and the lists it moves."""
        if reload:
            self.headlines.reload()
        self.refresh_sidebar()
        self.reader.recompute()

    @on(StoreChanges.Stored)
    def _change_stored(self, event: StoreChanges.Stored) -> None:
        if event.lists_only:
            self.reader.recompute()
        else:
            self._stored(reload=event.reload)

    @on(StoreChanges.Waiting)
    def _waiting(self, event: StoreChanges.Waiting) -> None:
        self.status.unsaved = event.count

    @on(HeadlineList.Reloaded)
    def _counted(self, event: HeadlineList.Reloaded) -> None:
        self.status.total = event.total
        self.refresh_sidebar()

    def watch_view_query(self, query: StoryQuery) -> None:
        if self.is_mounted:
            self.headlines.empty_text = empty_hint(query, self.session.settings.keys)

    @on(SourceTasks.Changed)
    def _library_changed(self, event: SourceTasks.Changed) -> None:
        for notice in event.notices:
            self.notify(clean_line(notice), title="Sample library removed", timeout=12)
        self._drop_gone_story()
        self._stored(reload=True)

    def _drop_gone_story(self) -> None:
        """The open story left the library (the samples left with it): close it."""
        story_id = self.reader.story_id
        if story_id is None:
            return
        try:
            self.library.story(story_id)
        except UsageError:
            self._close_story()

    def _close_story(self) -> None:
        self.reader.story_id = None
        if self.focused is self.article or self.focused is None:
            self.set_focus(self.headlines)

    @on(SourceTasks.SourceRemoved)
    def _source_removed(self, event: SourceTasks.SourceRemoved) -> None:
        shown = self.article.story
        if shown is not None and shown.source_id == event.source_id:
            self._close_story()

    @on(SourceTasks.StoryUpdated)
    def _story_updated(self, event: SourceTasks.StoryUpdated) -> None:
        if self.reader.story_id == event.story_id:
            self.reader.story_id = event.story_id  # read and painted again

    @on(SourceTasks.Refreshing)
    def _refreshing(self, event: SourceTasks.Refreshing) -> None:
        self.status.refreshing = True
        if event.total:
            self.status.progress(event.done, event.total)

    @on(SourceTasks.Syncing)
    def _syncing(self, event: SourceTasks.Syncing) -> None:
        self.status.syncing = event.account

    @on(SourceTasks.SyncEnded)
    def _account_synced(self, event: SourceTasks.SyncEnded) -> None:
        result = event.result
        if result.failed:
            self._failed_accounts.add(result.account)
        else:
            self._failed_accounts.discard(result.account)
        self.status.syncing = ""
        self._stored(reload=True)  # its stories and counts, before the next account's

    @on(SourceTasks.Indexed)
    def _indexed(self) -> None:
        self.reader.recompute()

    @on(SourceTasks.Refreshed)
    def _refreshed(self, event: SourceTasks.Refreshed) -> None:
        status = self.status
        status.refreshing = False
        status.syncing = ""
        status.offline = event.offline
        self._stored(reload=True)
        status.note = event.summary

    # views ------------------------------------------------------------------------------
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

    def action_search(self) -> None:
        self.query_one(QueryBox).ask(Mode.SEARCH, self.view_query.search)

    def action_filter(self) -> None:
        self.query_one(QueryBox).ask(Mode.FILTER, self.view_query.filter or self.view_query.text)

    @on(StoryList.Unmatched)
    def _list_unmatched(self, event: StoryList.Unmatched) -> None:
        """A headline the library does not hold: say so, and offer to search for it."""
        title = clean_line(event.title)
        self.notify(
            f"“{title[:80]}” is not in the library. Enter searches for it, escape cancels.",
            title="No such story",
        )
        self.query_one(QueryBox).ask(Mode.SEARCH, title)

    @on(QueryBox.Filtered)
    def _filtered(self, event: QueryBox.Filtered) -> None:
        """An expression (it parses, with an operator) filters by it; anything else is
        plain words in the title, as before."""
        text = event.text
        is_expression, error = read_typed(text)
        self.query_one(QueryBox).error = str(error) if error else ""
        if error:  # half-typed or broken: no filter until it is an expression
            self.view_query = replace(self.view_query, text="", filter="")
        elif is_expression:
            self.view_query = replace(self.view_query, text="", filter=text)
        else:
            self.view_query = replace(self.view_query, text=text, filter="")

    @on(QueryBox.Searched)
    def _searched(self, event: QueryBox.Searched) -> None:
        self.view_label = "Search"
        self.view_query = StoryQuery(search=event.text, sort=self.view_query.sort)

    @on(QueryBox.Closed)
    def _query_closed(self) -> None:
        self.set_focus(self.headlines)

    def action_clear_filter(self) -> None:
        if self.view_query.search and self.view_label == "Search":
            self.view_label = "All"  # a search cleared is every story again
        self.view_query = replace(self.view_query, search="", text="", filter="")

    def action_save_search(self) -> None:
        search = self.view_query.search
        expression = self.view_query.filter
        if expression:
            self.changes.write(
                lambda lib: lib.save_view(expression),
                lambda _: self.notify(f"Saved view: {clean_line(expression)[:60]}", markup=False),
            )
            return
        if not search:
            self.notify("Search (/) or filter with an expression (f) first, then save it.")
            return

        def save(lib: Library) -> None:
            saved = lib.pref("saved_searches", [])
            kept = [s for s in saved if isinstance(s, str)] if isinstance(saved, list) else []
            if search not in kept:
                lib.set_pref("saved_searches", [*kept, search])

        self.changes.write(save)

    def action_forget_view(self) -> None:
        expression, search = self.view_query.expr, self.view_query.search
        if not expression and not search:
            self.notify("Show a saved view or search (in the sidebar) first, then forget it.")
            return
        shown = clean_line(expression or search)[:60]

        def forget(lib: Library) -> str:
            if expression:
                return lib.forget_view(expression)
            saved = lib.pref("saved_searches", [])
            kept = [s for s in saved if isinstance(s, str)] if isinstance(saved, list) else []
            if search not in kept:
                return ""
            lib.set_pref("saved_searches", [s for s in kept if s != search])
            return "forgot"

        def said(result: str) -> None:
            if result == "forgot":
                self.notify(f"Forgot {shown}", markup=False)
                self.show_view(View("all", "All", StoryQuery()))
            elif result == "config":
                self.notify(
                    f"{shown} is a [views] table in config.toml: remove it there.", markup=False
                )
            else:
                self.notify(f"{shown} is not a saved view.", markup=False)

        self.changes.write(forget, said)

    def action_cycle_sort(self) -> None:
        nxt = SORTS[(SORTS.index(self.view_query.sort) + 1) % len(SORTS)]
        self.view_query = replace(self.view_query, sort=nxt)
        self.notify(f"Sorted by {nxt.value}.")

    def action_unread_first(self) -> None:
        self.view_query = replace(self.view_query, unread_first=not self.view_query.unread_first)

    def action_collapse(self) -> None:
        self.view_query = replace(self.view_query, collapse=not self.view_query.collapse)
        self.notify(
            "Same-story clusters " + ("collapsed." if self.view_query.collapse else "expanded.")
        )

    # opening stories --------------------------------------------------------------------
    @on(HeadlineList.StoryChosen)
    def _story_chosen(self, event: HeadlineList.StoryChosen) -> None:
        self.open_story(event.story_id, focus=event.asked > self._back_at)

    @on(StoryList.Chosen)
    def _list_chosen(self, event: StoryList.Chosen) -> None:
        self.open_story(event.story_id)

    def open_story(self, story_id: int, focus: bool = True) -> None:
        """Show a story (its article takes focus once painted) and mark it read, at once or
        after the configured delay."""
        self._focus_on_open = story_id if focus else None
        self.reader.story_id = story_id
        delay = self.session.settings.general.mark_read_delay
        if delay > 0:
            self.set_timer(delay, lambda: self._mark_read_if_open(story_id))
        else:
            self._mark_read_if_open(story_id)

    def _mark_read_if_open(self, story_id: int) -> None:
        if self.reader.story_id != story_id:
            return
        shown = self.headlines.current
        if shown is not None and shown.id == story_id and shown.read:
            return  # already read: nothing to write
        self._mark([story_id], read=True)

    @on(ReaderPane.Opened)
    def _opened(self, event: ReaderPane.Opened) -> None:
        if self._focus_on_open == event.story_id:
            self.set_focus(self.article)
        self._focus_on_open = None

    @on(ArticlePane.Finished)
    def _finished(self, event: ArticlePane.Finished) -> None:
        story_id = event.story_id
        self.changes.write(lambda lib: lib.mark_finished(story_id), lists_only=True)

    def action_open(self) -> None:
        """Enter with the article focused: the headline list's story (the palette's Open)."""
        self.headlines.action_open()

    def action_page_or_next(self) -> None:
        if self.article.story is not None and not self.article.at_end:
            self.article.scroll_page_down(animate=False)
        else:
            self.action_next_unread()

    def action_next_unread(self) -> None:
        self._jump_unread(1)

    def action_previous_unread(self) -> None:
        self._jump_unread(-1)

    def _jump_unread(self, step: int) -> None:
        index = self.headlines.find_unread(step, skip=self.reader.story_id)
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
        if story is not None and story.id is not None:
            self.open_story(story.id, focus=False)

    # changes ----------------------------------------------------------------------------
    def _target(self) -> Story | None:
        """The story a command acts on: the open one when the article has focus, else the
        highlighted headline."""
        headlines = self.headlines
        shown = self.article.story
        if self.focused is self.article and shown is not None and shown.id is not None:
            current = headlines.current
            if current is not None and current.id == shown.id:
                return current  # with the marks made since the article was opened
            try:
                return headlines.with_marks(self.library.story(shown.id))
            except UsageError:  # gone meanwhile
                return None
        return headlines.current

    def _mark(
        self, ids: list[int], *, read: bool | None = None, starred: bool | None = None
    ) -> None:
        """Show a mark at once; store it on the writer thread."""
        headlines = self.headlines
        headlines.show_marks(ids, read=read, starred=starred)
        self.changes.write(
            lambda lib: lib.mark(ids, read=read, starred=starred),
            lambda _: headlines.marks_settled(ids, stored=True),
            undo=lambda: headlines.marks_settled(ids, stored=False),
        )

    def action_toggle_read(self) -> None:
        story = self._target()
        if story is not None and story.id is not None:
            self._mark([story.id], read=not story.read)

    def action_toggle_star(self) -> None:
        story = self._target()
        if story is not None and story.id is not None:
            self._mark([story.id], starred=not story.starred)

    def _confirm_many(self, count: int, question: str, then: Callable[[], None]) -> None:
        """Run ``then`` at once for a few stories; ask first when more than BULK_CONFIRM."""
        if count <= BULK_CONFIRM:
            then()
            return
        self.app.push_screen(
            ConfirmModal(question, "mark them read"), lambda yes: then() if yes else None
        )

    def action_mark_all_read(self) -> None:
        query, label = self.view_query, self.view_label
        count = self.library.count(replace(query, unread=True))

        def said(done: int) -> None:
            if done:
                self.notify(f"Marked {plural(done, 'story', 'stories')} read. u undoes it.")

        self._confirm_many(
            count,
            f"Mark {count} stories in {clean_line(label)} read? u undoes it afterwards.",
            lambda: self.changes.write(
                lambda lib: lib.mark_all_read(query, f"mark {label} read"), said, reload=True
            ),
        )

    def action_mark_source_read(self) -> None:
        source = self._current_source()
        if source is None or source.id is None:
            return
        count = self.library.count(StoryQuery(source_ids=(source.id,), unread=True))
        name = clean_line(source.name)

        def said(done: int) -> None:
            self.notify(f"Marked {plural(done, 'story', 'stories')} in {name} read. u undoes it.")

        self._confirm_many(
            count,
            f"Mark {count} stories of {name} read? u undoes it afterwards.",
            lambda: self.changes.write(lambda lib: lib.mark_source_read(source), said, reload=True),
        )

    def action_undo(self) -> None:
        def said(label: str | None) -> None:
            self.notify("Nothing to undo." if label is None else f"Undone: {clean_line(label)}")

        self.changes.write(lambda lib: lib.undo(), said, reload=True)

    def action_not_interested(self) -> None:
        """Fewer like the highlighted line of a side list when one has focus, else like the
        open story."""
        focused = self.focused
        line = focused.current if isinstance(focused, StoryList) else None
        if line is not None and line.story_id is not None:
            story_id, said = line.story_id, f"Fewer stories like {clean_line(line.title)[:60]!r}."
        else:
            story = self._target()
            if story is None or story.id is None:
                return
            story_id, said = story.id, "Fewer stories like this one."
        self.changes.write(
            lambda lib: lib.dismiss(story_id),
            lambda _: self.notify(said, markup=False),
            lists_only=True,
        )

    def action_why(self) -> None:
        focused = self.focused
        lists = (
            [focused]
            if isinstance(focused, StoryList)
            else [self.query_one(f"#{i}", StoryList) for i in ("ranking", "related", "recommended")]
        )
        for widget in lists:
            if not isinstance(widget, StoryList):
                continue
            item = widget.current
            if item is not None and (item.detail or item.note):
                why = item.detail or item.note
                self.notify(clean_line(why), title=clean_line(item.title)[:60], timeout=10)
                return
        self.notify("Highlight a line in Related, Ranking or Recommended first.")

    # sources ----------------------------------------------------------------------------
    def _current_source(self) -> Source | None:
        """The source the sidebar highlights when it has focus, else the current story's
        source, else the one source the view shows (a source with no stories yet, say a feed
        that never answered, can still be refreshed or removed)."""
        story = self._target()
        sidebar = self.query_one(Sidebar)
        highlighted = sidebar.current if self.focused is sidebar else None
        if highlighted is not None and len(highlighted.query.source_ids) == 1:
            wanted = highlighted.query.source_ids[0]
        elif story is not None and story.source_id is not None:
            wanted = story.source_id
        elif len(self.view_query.source_ids) == 1:
            wanted = self.view_query.source_ids[0]
        else:
            return None
        try:
            found = self.library.find_sources([str(wanted)])
        except UsageError:  # removed meanwhile
            return None
        return found[0] if found else None

    def start_refresh(self, sources: list[Source] | None) -> None:
        """Refresh in the background; keys keep working."""
        self.tasks.start_refresh(sources)

    def action_refresh_source(self) -> None:
        source = self._current_source()
        if source is not None:
            self.start_refresh([source])

    def action_refresh_all(self) -> None:
        self.start_refresh(None)

    def action_sync_accounts(self) -> None:
        if not self.session.accounts:
            self.notify("No sync accounts: add one with `tuireader account add`.")
            return
        self.tasks.start_sync()

    def action_add_source(self) -> None:
        self.tasks.add_source()

    def action_remove_source(self) -> None:
        source = self._current_source()
        if source is not None and source.id is not None:
            count = self.library.count(StoryQuery(source_ids=(source.id,)))
            self.tasks.remove_source(source, count)

    def action_source_settings(self) -> None:
        source = self._current_source()
        if source is None:
            return
        from tuireader.ui.source_settings_modal import SourceSettingsModal

        def chosen(options: SourceOptions | None) -> None:
            if options is not None:
                name = clean_line(source.name)
                self.changes.write(
                    lambda lib: lib.set_options(source, options),
                    lambda _: self.notify(f"Settings of {name} saved.", markup=False),
                    reload=True,
                )

        self.app.push_screen(SourceSettingsModal(source), chosen)

    def action_feed_health(self) -> None:
        from tuireader.ui.health_screen import HealthScreen  # loads the fetch machinery

        def closed(changed: bool | None) -> None:
            if changed:
                self._stored(reload=True)

        self.app.push_screen(HealthScreen(self.session), closed)

    def action_import_opml(self) -> None:
        self.tasks.import_opml()

    def action_export_opml(self) -> None:
        self.tasks.export_opml()

    def action_save_page(self) -> None:
        self.tasks.save_page()

    def action_full_text(self) -> None:
        story = self._target()
        if story is not None and story.id is not None:
            self.tasks.full_text(story.id)

    def action_export_story(self) -> None:
        story = self._target()
        if story is not None and story.id is not None:
            self.tasks.export_story(story.id, story.title)

    # links: the open article has them -------------------------------------------------
    def action_open_browser(self) -> None:
        story = self._target()
        if story is not None and story.link:
            self.reader.open_url(story.link)

    def action_open_link(self, n: int) -> None:
        self.reader.open_link(n)

    def action_pick_link(self) -> None:
        self.reader.pick_link()

    def action_open_image(self) -> None:
        self.reader.open_image()

    def action_help(self) -> None:
        self.app.push_screen(
            HelpScreen(self.session.settings.keys, all_commands(self.session.settings.macros))
        )

    # acting on stories: enclosures, pipe, macros, notifications (issue 13) ---------------
    @property
    def actions(self) -> StoryActions:
        """Playing, downloading, piping, notifying."""
        return self.query_one(StoryActions)

    def action_play_enclosure(self) -> None:
        listing = self.article.enclosure_list
        self.actions.choose_enclosure(
            self.article.story,
            "Play",
            lambda story, n: self.actions.play(story, n, listing.downloaded(n)),
        )

    def action_download_enclosure(self) -> None:
        self.actions.choose_enclosure(self.article.story, "Download", self.actions.download)

    def action_downloads(self) -> None:
        self.actions.list_downloads(
            lambda downloads, folder: self.app.push_screen(DownloadsModal(downloads, folder))
        )

    def action_pipe_story(self) -> None:
        story = self._target()
        if story is not None and story.id is not None:
            self.actions.ask_pipe(story.id)

    async def action_run_macro(self, key: str) -> None:
        """Run a macro's commands in order, each as its key would."""
        for command_id in self.session.settings.macros.get(key, ()):
            command = BY_ID[command_id]
            name = command.action.removeprefix("app.")
            focused = self.focused
            target: object = self.app if command.action.startswith("app.") else self
            if command.scope is Scope.FOCUSED and hasattr(
                focused, f"action_{name.partition('(')[0]}"
            ):
                target = focused
            await self.app.run_action(name, target)  # type: ignore[arg-type]

    @on(StoryActions.DownloadMoved)
    def _download_moved(self, event: StoryActions.DownloadMoved) -> None:
        story = self.article.story
        if story is not None and story.id == event.download.story_id:
            self.article.enclosure_list.show_download(event.download)
        if isinstance(self.app.screen, DownloadsModal):
            self.app.screen.show_download(event.download)

    @on(ReaderPane.Opened)
    def _show_downloads(self, event: ReaderPane.Opened) -> None:
        story = self.article.story
        if story is not None and story.enclosures and self.session.downloads is not None:
            self.actions.show_downloads(event.story_id)

    @on(SourceTasks.NewStoriesArrived)
    def _new_stories(self, event: SourceTasks.NewStoriesArrived) -> None:
        self.actions.notify_new(event.new)

    # what can run -----------------------------------------------------------------------
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
                return bool(self.view_query.search or self.view_query.filter)
            case Needs.SAVED:
                return bool(self.view_query.expr or self.view_query.search)
            case Needs.ACCOUNTS:
                return bool(self.session.accounts)
            case Needs.ENCLOSURES:
                story = self.article.story
                return story is not None and bool(story.enclosures)
