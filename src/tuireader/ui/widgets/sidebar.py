"""The sidebar: built-in views, saved searches, then sources grouped by folder with counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tuireader.domain.models import Source, SourceKind
from tuireader.domain.query import StoryQuery
from tuireader.ui.text import fit


@dataclass(frozen=True, slots=True)
class View:
    """A named query the sidebar offers."""

    id: str
    label: str
    query: StoryQuery


def builtin_views(now: datetime | None = None) -> list[View]:
    """All, Unread, Starred, Today."""
    now = now or datetime.now(UTC)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return [
        View("all", "All", StoryQuery()),
        View("unread", "Unread", StoryQuery(unread=True)),
        View("starred", "Starred", StoryQuery(starred=True)),
        View("saved", "Saved", StoryQuery(saved=True)),
        View("today", "Today", StoryQuery(since=start - timedelta(seconds=0))),
    ]


class Sidebar(OptionList):
    """Choosing an entry posts :class:`Sidebar.ViewChosen`."""

    DEFAULT_CSS = """
    Sidebar { width: 32; border: none; }
    """

    class ViewChosen(Message):
        """The user picked a view."""

        def __init__(self, view: View) -> None:
            super().__init__()
            self.view = view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._views: dict[str, View] = {}
        self._last: tuple[list[Source], list[str], int, datetime | None] | None = None

    def show(
        self,
        sources: Sequence[Source],
        searches: Sequence[str],
        unread_total: int,
        now: datetime | None = None,
    ) -> None:
        """Rebuild the entries, keeping the highlighted one where possible."""
        self._last = (list(sources), list(searches), unread_total, now)
        keep = self.highlighted_option.id if self.highlighted_option is not None else None
        width = max(10, (self.scrollable_content_region.width or 30) - 6)
        views = builtin_views(now)
        options: list[Option | None] = []
        self._views = {}
        for view in views:
            count = f"{unread_total:>5}" if view.id in ("all", "unread") else "     "
            options.append(Option(Text(fit(view.label, width) + count), id=view.id))
            self._views[view.id] = view
        if searches:
            options.append(None)
            for n, q in enumerate(searches):
                vid = f"search-{n}"
                self._views[vid] = View(vid, f"Search: {q}", StoryQuery(search=q))
                options.append(Option(Text(fit("⌕ " + q, width + 5)), id=vid))
        folder: str | None = None
        for source in sources:
            if source.kind is SourceKind.SAVED:  # the "Saved" view above shows it
                continue
            if source.folder != folder:
                folder = source.folder
                options.append(None)
                if folder:
                    vid = f"folder-{folder}"
                    unread = sum(s.unread for s in sources if s.folder == folder)
                    self._views[vid] = View(vid, folder, StoryQuery(folder=folder))
                    label = Text(fit("▸ " + folder, width) + f"{unread:>5}", style="bold")
                    options.append(Option(label, id=vid))
            vid = f"source-{source.id}"
            self._views[vid] = View(vid, source.name, StoryQuery(source_ids=(source.id or 0,)))
            failed = source.status not in ("", "ok", "not modified", "unchanged")
            mark = "!" if failed else " "
            label = Text(
                fit(("  " if folder else "") + source.name, width - 1)
                + mark
                + f"{source.unread:>5}"
            )
            options.append(Option(label, id=vid))
        self.clear_options()
        self.add_options(options)
        if keep is not None and keep in self._views:
            self.highlighted = self.get_option_index(keep)

    def on_resize(self) -> None:
        if self._last is not None:
            self.show(*self._last)

    def view(self, view_id: str) -> View | None:
        """A view by id."""
        return self._views.get(view_id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        view = self._views.get(event.option.id or "")
        if view is not None:
            self.post_message(self.ViewChosen(view))
