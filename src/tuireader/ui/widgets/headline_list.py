"""The headline list: one line per story, rendered on demand from pages of SQLite rows.

It owns its cursor, its page cache and the marks shown before the store has them (a mark is
written on another thread; while another process holds the write lock it is shown here
already, and kept over reloads until the store confirms or refuses it).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tuireader.domain.dates import story_age
from tuireader.domain.models import Story
from tuireader.domain.query import StoryQuery
from tuireader.domain.titles import display_title
from tuireader.ui.commands import Scope, bindings
from tuireader.ui.text import fit
from tuireader.ui.widgets.lines import follow_cursor

PAGE = 200
MAX_PAGES = 16

FetchPage = Callable[[StoryQuery, int, int, int], list[Story]]
"""(view, limit, offset, total rows) -> rows."""
Count = Callable[[StoryQuery], int]


class HeadlineList(ScrollView, can_focus=True, inherit_bindings=False):
    """Never one widget per row: lines are drawn from cached pages of rows.

    Choosing a row (enter, a click) posts :class:`HeadlineList.StoryChosen`."""

    BINDINGS = bindings(Scope.FOCUSED)  # type: ignore[assignment]

    COMPONENT_CLASSES = {
        "headline-list--cursor",
        "headline-list--unread",
        "headline-list--read",
        "headline-list--star",
        "headline-list--source",
        "headline-list--age",
        "headline-list--empty",
    }
    DEFAULT_CSS = """
    HeadlineList { background: $surface; }
    HeadlineList > .headline-list--cursor { background: $accent 40%; }
    HeadlineList:focus > .headline-list--cursor { background: $accent; color: $text; }
    HeadlineList > .headline-list--unread { text-style: bold; }
    HeadlineList > .headline-list--read { color: $text-muted; }
    HeadlineList > .headline-list--star { color: $warning; }
    HeadlineList > .headline-list--source { color: $text-accent; }
    HeadlineList > .headline-list--age { color: $text-muted; }
    HeadlineList > .headline-list--empty { color: $text-muted; text-style: italic; }
    """

    view_query: reactive[StoryQuery] = reactive(StoryQuery, always_update=True)
    """The view shown; set from the screen."""
    cursor: reactive[int] = reactive(0)
    """Row index of the highlighted story."""
    empty_text: reactive[str] = reactive("")
    """Shown on the first line when the view has no stories; set from the screen."""

    class Highlighted(Message):
        """The cursor moved onto a story."""

        def __init__(self, story: Story | None) -> None:
            super().__init__()
            self.story = story

    class StoryChosen(Message):
        """The user opened a story (enter or a click)."""

        def __init__(self, story_id: int) -> None:
            super().__init__()
            self.story_id = story_id
            self.asked = time.monotonic()
            """When: a "back" pressed after it (in the same batch of keys) keeps the focus."""

    class Reloaded(Message):
        """The rows were counted again (a new view, a refresh, a mark-all)."""

        def __init__(self, total: int) -> None:
            super().__init__()
            self.total = total

    def __init__(
        self,
        fetch_page: FetchPage,
        count: Count,
        *,
        id: str | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(id=id)
        self._fetch_page = fetch_page
        self._count = count
        self._pages: OrderedDict[int, list[Story]] = OrderedDict()
        self._shown_marks: dict[int, dict[str, bool]] = {}
        """Marks shown before the store has them: story id -> {"read": ..., "starred": ...}."""
        self.total = 0
        self._now = now or (lambda: datetime.now(UTC))

    # data ---------------------------------------------------------------------------------
    def watch_view_query(self, query: StoryQuery) -> None:
        self.reload(keep_cursor=False)

    def reload(self, keep_cursor: bool = True) -> None:
        """Drop cached rows and count again (after a refresh or a mark-all)."""
        current = self.story_at(self.cursor) if keep_cursor and self.total else None
        self._pages.clear()
        self.total = self._count(self.view_query)
        self.virtual_size = Size(self.size.width, self.total)
        if not keep_cursor:
            self.cursor = 0
            self.scroll_to(y=0, animate=False)
        elif current is not None:
            self.cursor = min(self.cursor, max(0, self.total - 1))
        self.refresh()
        self.post_message(self.Reloaded(self.total))
        self.post_message(self.Highlighted(self.story_at(self.cursor)))

    def story_at(self, index: int) -> Story | None:
        """The story on row ``index``, reading its page if needed."""
        if not 0 <= index < self.total:
            return None
        page_no, offset = divmod(index, PAGE)
        page = self._pages.get(page_no)
        if page is None:
            page = self._fetch_page(self.view_query, PAGE, page_no * PAGE, self.total)
            for row in page:
                if row.id in self._shown_marks:
                    self._apply(row, self._shown_marks[row.id])
            self._pages[page_no] = page
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page[offset] if offset < len(page) else None

    @staticmethod
    def _apply(row: Story, marks: dict[str, bool]) -> None:
        row.read = marks.get("read", row.read)
        row.starred = marks.get("starred", row.starred)

    def show_marks(
        self, ids: list[int], *, read: bool | None = None, starred: bool | None = None
    ) -> None:
        """Show a mark at once, before the store has it (kept over reloads until
        :meth:`marks_settled`)."""
        change = {k: v for k, v in (("read", read), ("starred", starred)) if v is not None}
        for story_id in ids:
            self._shown_marks.setdefault(story_id, {}).update(change)
        wanted = set(ids)
        for page in self._pages.values():
            for row in page:
                if row.id in wanted:
                    self._apply(row, change)
        self.refresh()

    def with_marks(self, story: Story) -> Story:
        """``story`` with the marks shown for it that the store does not have yet."""
        if story.id in self._shown_marks:
            self._apply(story, self._shown_marks[story.id])
        return story

    def marks_settled(self, ids: list[int], *, stored: bool) -> None:
        """The store has the marks shown for ``ids`` (or refused them: then the rows are read
        again and show what is stored)."""
        for story_id in ids:
            self._shown_marks.pop(story_id, None)
        if not stored:
            self.reload()

    @property
    def current(self) -> Story | None:
        """The highlighted story."""
        return self.story_at(self.cursor)

    def find_unread(self, step: int, skip: int | None = None) -> int | None:
        """The row of the next (``step`` 1) or previous (-1) unread story from the cursor,
        leaving out the story ``skip`` (the open one)."""
        index = self.cursor + step
        while 0 <= index < self.total:
            story = self.story_at(index)
            if story is not None and not story.read and story.id != skip:
                return index
            index += step
        return None

    # movement -----------------------------------------------------------------------------
    def action_cursor_down(self) -> None:
        """Next story."""
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        """Previous story."""
        self.move_to(self.cursor - 1)

    def action_first(self) -> None:
        """First story."""
        self.move_to(0)

    def action_last(self) -> None:
        """Last story."""
        self.move_to(self.total - 1)

    def action_page_down(self) -> None:
        """A screenful down."""
        self.move_to(self.cursor + self.page_height())

    def action_page_up(self) -> None:
        """A screenful up."""
        self.move_to(self.cursor - self.page_height())

    def action_open(self) -> None:
        """Open the highlighted story."""
        story = self.current
        if story is not None and story.id is not None:
            self.post_message(self.StoryChosen(story.id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """ "Open" needs a story in the list."""
        return self.total > 0 if action == "open" else True

    def move_to(self, index: int) -> None:
        """Put the cursor on row ``index`` (clamped) and keep it in view."""
        if self.total == 0:
            return
        self.cursor = max(0, min(index, self.total - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        follow_cursor(self, old, new)
        self.post_message(self.Highlighted(self.story_at(new)))

    def page_height(self) -> int:
        """Rows in one screenful."""
        return max(1, self.scrollable_content_region.height - 1)

    async def _on_click(self, event: events.Click) -> None:
        index = int(self.scroll_offset.y) + event.y
        if 0 <= index < self.total:
            self.move_to(index)
            story = self.story_at(index)
            if story is not None and story.id is not None:
                self.post_message(self.StoryChosen(story.id))

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.total)

    # drawing ------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        story = self.story_at(index)
        base = self.rich_style
        if story is None:
            if self.total == 0 and index == 0 and self.empty_text:
                hint = base + self.get_component_rich_style("headline-list--empty", partial=True)
                return Strip([Segment(" " + fit(self.empty_text, max(1, width - 1)), hint)])
            return Strip.blank(width, base)
        return self._line(story, index == self.cursor, width, base)

    def _line(self, story: Story, is_cursor: bool, width: int, base: Style) -> Strip:
        def style(name: str) -> Style:
            return self.get_component_rich_style(name, partial=True)

        row_style = base + (
            style("headline-list--unread") if not story.read else style("headline-list--read")
        )
        if is_cursor:
            row_style += self.get_component_rich_style("headline-list--cursor")
        when = story_age(story.dated, story.first_seen, self._now())
        source_w = 16 if width >= 70 else 10
        title_w = max(4, width - 4 - source_w - 1 - 6)
        segments = [
            Segment("●" if not story.read else " ", row_style),
            Segment("★" if story.starred else " ", row_style + style("headline-list--star")),
            Segment(" ", row_style),
            Segment(fit(story.source_title, source_w), row_style + style("headline-list--source")),
            Segment(" ", row_style),
            *self._title(story, title_w, row_style, style("headline-list--source")),
            # a space, then the age right-aligned: a full title never runs into it
            Segment(" " + when[:5].rjust(5), row_style + style("headline-list--age")),
        ]
        return Strip(segments).adjust_cell_length(width, row_style)

    @staticmethod
    def _title(story: Story, width: int, style: Style, extra: Style) -> list[Segment]:
        if not story.cluster_sources:
            return [Segment(fit(display_title(story.title), width), style)]
        more = f" +{story.cluster_sources} source{'s' if story.cluster_sources > 1 else ''}"
        room = max(4, width - len(more))
        return [
            Segment(fit(display_title(story.title), room), style),
            Segment(fit(more, width - room), style + extra),
        ]

    def render_text(self, index: int) -> Text:
        """The plain text of a row (for tests and screen readers)."""
        story = self.story_at(index)
        if story is None and self.total == 0 and index == 0:
            return Text(self.empty_text)
        return Text(display_title(story.title) if story else "")
