"""View actions of the main screen: search, filter, sort, collapse, sidebar, and the
discovery commands. A mixin so the screen stays one responsibility per module."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.widgets import Input

from tuireader.domain.query import SortKey, StoryQuery
from tuireader.domain.text import clean_line
from tuireader.ui.failures import storage_guarded
from tuireader.ui.screen_parts import ScreenParts
from tuireader.ui.widgets.sidebar import Sidebar
from tuireader.ui.widgets.story_list import StoryList

SORTS = (SortKey.DATE, SortKey.SOURCE, SortKey.TITLE)


class ViewActions(ScreenParts):
    """What :class:`~tuireader.ui.main_screen.MainScreen` does to the view it shows."""

    def _open_input(self, mode: str, placeholder: str, value: str | None = None) -> None:
        box = self.query_one("#query-input", Input)
        self._input_mode = mode
        box.placeholder = placeholder
        if value is None:
            value = self.view_query.search if mode == "search" else self.view_query.text
        box.value = value
        box.remove_class("-hidden")
        box.focus()

    def _close_input(self) -> None:
        self.query_one("#query-input").add_class("-hidden")
        self.set_focus(self.headlines)

    def action_search(self) -> None:
        self._open_input("search", "search titles and text, enter to run")

    @on(StoryList.Unmatched)
    def _list_unmatched(self, event: StoryList.Unmatched) -> None:
        """A headline the library does not hold: say so, and offer to search for it."""
        title = clean_line(event.title)
        self.notify(
            f"“{title[:80]}” is not in the library. Enter searches for it, escape cancels.",
            title="No such story",
        )
        self._open_input("search", "search titles and text, enter to run", title)

    def action_filter(self) -> None:
        self._open_input("filter", "filter titles as you type, enter to keep")

    @on(Input.Changed, "#query-input")
    def _input_changed(self, event: Input.Changed) -> None:
        if self._input_mode == "filter":
            self.view_query = replace(self.view_query, text=event.value)

    @on(Input.Submitted, "#query-input")
    def _input_submitted(self, event: Input.Submitted) -> None:
        if self._input_mode == "search":
            self.view_label = "Search"
            self.view_query = StoryQuery(search=event.value.strip(), sort=self.view_query.sort)
        self._close_input()

    def action_clear_filter(self) -> None:
        if self.view_query.search and self.view_label == "Search":
            self.view_label = "All"  # a search cleared is every story again
        self.view_query = replace(self.view_query, search="", text="")

    @storage_guarded
    def action_save_search(self) -> None:
        if not self.view_query.search:
            self.notify("Search first (/), then save it.")
            return
        searches = self.library.pref("saved_searches", [])
        saved = [s for s in searches if isinstance(s, str)] if isinstance(searches, list) else []
        if self.view_query.search not in saved:
            self.library.set_pref("saved_searches", [*saved, self.view_query.search])
        self.refresh_sidebar()

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

    @storage_guarded
    def action_not_interested(self) -> None:
        """Fewer like the highlighted line of a side list when one has focus, else like the
        open story."""
        focused = self.focused
        line = focused.current if isinstance(focused, StoryList) else None
        if line is not None and line.story_id is not None:
            self.library.dismiss(line.story_id)
            self.notify(f"Fewer stories like {clean_line(line.title)[:60]!r}.", markup=False)
            self._refresh_lists()
            return
        story = self._target()
        if story is None or story.id is None:
            return
        self.library.dismiss(story.id)
        self.notify("Fewer stories like this one.")
        self._refresh_lists()

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one(Sidebar)
        if self.size.width < 80:  # no room beside the headlines: over them, until a choice
            self._sidebar_overlay = not self._sidebar_overlay
            self._layout()
            self.set_focus(sidebar if self._sidebar_overlay else self.headlines)
            return
        self._sidebar_wanted = not sidebar.display
        self._layout()
