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


@dataclass(frozen=True, slots=True)
class Ranked:
    """One line: a headline, the library story it matches (if any), and a note."""

    title: str
    story_id: int | None = None
    note: str = ""
    detail: str = ""
    """The full reason, shown by the "why" command."""


class StoryList(OptionList):
    """Takes any ranked list; choosing a matched line posts :class:`StoryList.Chosen`."""

    DEFAULT_CSS = """
    StoryList { height: 1fr; border: round $panel; }
    StoryList:focus { border: round $accent; }
    """

    class Chosen(Message):
        """The user chose a line that matches a library story."""

        def __init__(self, story_id: int) -> None:
            super().__init__()
            self.story_id = story_id

    def __init__(self, title: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = title
        self.items: list[Ranked] = []

    def show(self, items: Sequence[Ranked], subtitle: str = "") -> None:
        """Replace the lines."""
        self.items = list(items)
        self.border_subtitle = subtitle
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

    @property
    def current(self) -> Ranked | None:
        """The highlighted line."""
        if self.highlighted is None or not 0 <= self.highlighted < len(self.items):
            return None
        return self.items[self.highlighted]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        item = self.items[int(event.option.id or 0)]
        if item.story_id is not None:
            self.post_message(self.Chosen(item.story_id))
