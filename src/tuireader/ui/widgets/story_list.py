"""A ranked list of stories beside the article ("Related", "Ranking", "Recommended")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tuireader.domain.text import clean_line
from tuireader.domain.titles import display_title
from tuireader.ui.commands import Scope, bindings


@dataclass(frozen=True, slots=True)
class ListLine:
    """One line: a headline, the library story it matches (if any), and a note."""

    title: str
    story_id: int | None = None
    note: str = ""
    detail: str = ""
    """The full reason, shown by the "why" command."""


def merged(*lists: Sequence[ListLine], exclude: int | None = None) -> list[ListLine]:
    """The lists one after the other with no story twice: a line naming a story already
    listed (by id, or by title when it matches no library story) is dropped, and its reason
    joins the first line's. Lines for the story ``exclude`` (the open one) are dropped too."""
    out: list[ListLine] = []
    where: dict[object, int] = {}
    for items in lists:
        for item in items:
            if exclude is not None and item.story_id == exclude:
                continue
            key: object = item.story_id
            if key is None:
                key = clean_line(item.title).casefold()
            if key in where:
                first = out[where[key]]
                extra = item.detail or item.note
                if extra and extra not in first.detail:
                    detail = "; ".join(d for d in (first.detail or first.note, extra) if d)
                    out[where[key]] = ListLine(first.title, first.story_id, first.note, detail)
                continue
            where[key] = len(out)
            out.append(item)
    return out


class StoryList(OptionList):
    """Takes any ranked list; choosing a line posts :class:`StoryList.Chosen` (a library
    story) or :class:`StoryList.Unmatched` (a headline the library does not hold)."""

    BINDINGS = bindings(Scope.FOCUSED)  # type: ignore[assignment]
    """j/k, g/G, enter: the list's own cursor (OptionList has the actions)."""
    DEFAULT_CSS = """
    StoryList { height: 1fr; border: round $panel; scrollbar-gutter: stable; }
    StoryList:focus { border: round $accent; }
    """
    # the gutter is always kept: a scrollbar that appears later would take a column from
    # lines already wrapped to the full width, and cut their last word

    class Chosen(Message):
        """The user chose a line that matches a library story."""

        def __init__(self, story_id: int) -> None:
            super().__init__()
            self.story_id = story_id

    class Unmatched(Message):
        """The user chose a line that matches no story in the library."""

        def __init__(self, title: str) -> None:
            super().__init__()
            self.title = title

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = title
        self.items: list[ListLine] = []
        self.subtitle = ""
        """What the lines are (computed, from the page); the scroll hint is added to it."""

    def show(self, items: Sequence[ListLine], subtitle: str = "") -> None:
        """Replace the lines."""
        self.items = list(items)
        self.subtitle = subtitle
        self.clear_options()
        options = []
        for n, item in enumerate(self.items):
            text = Text(f"{n + 1}. ", style="dim")
            text.append(display_title(item.title), style="" if item.story_id else "dim")
            if item.note:
                text.append(f" · {clean_line(item.note)}", style="dim")
            options.append(Option(text, id=str(n)))
        self.add_options(options)
        if options:
            self.highlighted = 0
        self._show_more()
        self.call_after_refresh(self._show_more)

    @property
    def hidden_below(self) -> int:
        """How many lines are not (wholly) shown below the visible part of the list."""
        lines = self._lines
        bottom = int(self.scroll_y) + self.scrollable_content_region.height
        if not self.items or not lines or bottom >= len(lines):
            return 0
        return len(self.items) - lines[bottom][0]

    def _show_more(self) -> None:
        more = self.hidden_below
        hint = f"↓ {more} more" if more else ""
        self.border_subtitle = " · ".join(p for p in (self.subtitle, hint) if p)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._show_more()

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_more)

    def action_open(self) -> None:
        """Open the highlighted line's story."""
        self.action_select()

    @property
    def current(self) -> ListLine | None:
        """The highlighted line."""
        if self.highlighted is None or not 0 <= self.highlighted < len(self.items):
            return None
        return self.items[self.highlighted]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        item = self.items[int(event.option.id or 0)]
        if item.story_id is not None:
            self.post_message(self.Chosen(item.story_id))
        else:
            self.post_message(self.Unmatched(item.title))
