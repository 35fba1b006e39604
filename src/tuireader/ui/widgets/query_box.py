"""The search and filter line under the headlines: hidden until asked for."""

from __future__ import annotations

from enum import Enum

from textual.content import Content
from textual.message import Message
from textual.widgets import Input

from tuireader.domain.text import clean_line


class Mode(Enum):
    """What the line is typed for."""

    SEARCH = "search titles and text, enter to run"
    FILTER = 'filter titles as you type, or an expression (title =~ "x" and age < 7)'


class QueryBox(Input):
    """Posts :class:`Filtered` as the user types a filter, :class:`Searched` when a search
    is entered, and :class:`Closed` when the line is put away."""

    class Filtered(Message):
        """The filter text changed."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Searched(Message):
        """A search was entered."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Closed(Message):
        """The line was put away."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-hidden")
        self.mode = Mode.SEARCH
        self._error = ""

    @property
    def error(self) -> str:
        """Why the filter typed is not an expression yet ("" when it is, or is words)."""
        return self._error

    @error.setter
    def error(self, reason: str) -> None:
        self._error = reason
        self.border_subtitle = Content(clean_line(reason)) if reason else None  # plain: no markup

    def ask(self, mode: Mode, value: str) -> None:
        """Show the line for ``mode``, holding ``value``, and take focus."""
        self.mode = mode
        self.placeholder = mode.value
        self.value = value
        self.error = ""
        self.remove_class("-hidden")
        self.screen.set_focus(self)  # at once: the keys typed next, in the same batch, are its

    @property
    def shown(self) -> bool:
        """Whether the line is on screen."""
        return not self.has_class("-hidden")

    def close(self) -> None:
        """Put the line away."""
        self.add_class("-hidden")
        self.post_message(self.Closed())

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.mode is Mode.FILTER and self.shown:
            self.post_message(self.Filtered(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.mode is Mode.SEARCH:
            self.post_message(self.Searched(event.value.strip()))
        elif self._error:  # said once, and the line stays to be mended
            self.notify(self._error, title="Not an expression", severity="error", markup=False)
            return
        self.close()
