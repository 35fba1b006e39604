"""Choosing a view from a list: the way to every view when the sidebar is hidden."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tuireader.domain.text import clean_line
from tuireader.ui.widgets.sidebar import View


class ViewPickerModal(ModalScreen[View | None]):
    """Lists the views (built-in, saved searches, folders, sources); returns the chosen one."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("j", "move(1)", "Down", show=False),
        Binding("k", "move(-1)", "Up", show=False),
    ]

    def __init__(self, views: Sequence[View]) -> None:
        super().__init__()
        self.views = list(views)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text("Go to which view?"))
            yield OptionList(
                *(Option(Text(clean_line(v.label)), id=str(n)) for n, v in enumerate(self.views))
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    def action_move(self, step: int) -> None:
        """j and k move as they do in the lists behind."""
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.views[int(event.option.id or 0)])
