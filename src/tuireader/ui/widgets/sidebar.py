"""The sidebar: built-in views, saved searches, the sources grouped by folder with counts,
then each sync account with its own folders and feeds.

Drawn line by line (like the headline list): a library of thousands of sources costs nothing
to show or to update after every mark.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tuireader.domain.models import Source, SourceKind, fetch_failed
from tuireader.domain.query import StoryQuery
from tuireader.ui.commands import Scope, bindings
from tuireader.ui.text import fit
from tuireader.ui.widgets.lines import follow_cursor


@dataclass(frozen=True, slots=True)
class View:
    """A named query the sidebar offers."""

    id: str
    label: str
    query: StoryQuery


class RowKind(StrEnum):
    """What a sidebar line is; its value names the line's component class (``sidebar--failed``)."""

    VIEW = "view"
    FOLDER = "folder"
    SOURCE = "source"
    FAILED = "failed"
    """A source whose last fetch failed."""
    ACCOUNT = "account"
    """A sync account's heading."""
    FAILED_ACCOUNT = "failed-account"
    """A sync account whose last sync (in this session) failed."""
    RULE = "rule"


@dataclass(frozen=True, slots=True)
class SavedViewCount:
    """A saved view (a filter expression) and how many unread stories it holds now."""

    name: str
    query: str
    unread: int


@dataclass(frozen=True, slots=True)
class Row:
    """One sidebar line: a view with a count, a folder heading, or a rule."""

    view: View | None
    label: str
    count: int | None = None
    kind: RowKind = RowKind.VIEW


def builtin_views(now: datetime | None = None) -> list[View]:
    """All, Unread, Starred, Saved, Today."""
    now = now or datetime.now(UTC)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return [
        View("all", "All", StoryQuery()),
        View("unread", "Unread", StoryQuery(unread=True)),
        View("starred", "Starred", StoryQuery(starred=True)),
        View("saved", "Saved", StoryQuery(saved=True)),
        View("today", "Today", StoryQuery(since=start)),
    ]


def build_rows(
    sources: Sequence[Source],
    searches: Sequence[str],
    unread_total: int,
    now: datetime | None = None,
    accounts: Sequence[str] = (),
    failed_accounts: Collection[str] = (),
    views: Sequence[SavedViewCount] = (),
) -> list[Row]:
    """The sidebar's lines, in order: the views, the saved views (filter expressions, with
    their unread counts) and searches, the sources of no
    account by folder, then each sync account (``accounts``, then any other account the
    sources name) with its folders and feeds. An account in ``failed_accounts`` is shown
    failed (its last sync did not finish)."""
    rows = [
        Row(v, v.label, unread_total if v.id in ("all", "unread") else None)
        for v in builtin_views(now)
    ]
    if views:
        rows.append(Row(None, "", kind=RowKind.RULE))
        rows += [
            Row(View(f"view-{n}", v.name, StoryQuery(expr=v.query)), "◇ " + v.name, v.unread)
            for n, v in enumerate(views)
        ]
    if searches:
        rows.append(Row(None, "", kind=RowKind.RULE))
        rows += [
            Row(View(f"search-{n}", f"Search: {q}", StoryQuery(search=q)), "⌕ " + q)
            for n, q in enumerate(searches)
        ]
    own: list[Source] = []
    by_account: dict[str, list[Source]] = {name: [] for name in accounts}
    for source in sources:
        if source.kind is SourceKind.SAVED:  # the "Saved" view above shows it
            continue
        if source.account:
            by_account.setdefault(source.account, []).append(source)
        else:
            own.append(source)
    rows += _grouped(own, "", "")
    for name, feeds in by_account.items():
        rows.append(Row(None, "", kind=RowKind.RULE))
        view = View(f"account-{name}", name, StoryQuery(account=name))
        kind = RowKind.FAILED_ACCOUNT if name in failed_accounts else RowKind.ACCOUNT
        rows.append(Row(view, "◆ " + name, sum(s.unread for s in feeds), kind))
        rows += _grouped(feeds, name, "  ")
    return rows


def _grouped(sources: Sequence[Source], account: str, indent: str) -> list[Row]:
    """Lines for sources (in folder order): a folder heading before each folder's sources;
    an account's are indented under it and filtered to it (``""``: sources of no account)."""
    rows: list[Row] = []
    unread_by_folder: dict[str, int] = {}
    for source in sources:
        unread_by_folder[source.folder] = unread_by_folder.get(source.folder, 0) + source.unread
    folder: str | None = None
    prefix = f"account-{account}-" if account else ""
    for source in sources:
        if source.folder != folder:
            folder = source.folder
            if not account:
                rows.append(Row(None, "", kind=RowKind.RULE))
            if folder:
                label = f"{account}/{folder}" if account else folder
                query = StoryQuery(folder=folder, account=account)
                view = View(f"{prefix}folder-{folder}", label, query)
                rows.append(
                    Row(view, f"{indent}▸ {folder}", unread_by_folder[folder], RowKind.FOLDER)
                )
        view = View(f"source-{source.id}", source.name, StoryQuery(source_ids=(source.id or 0,)))
        failed = fetch_failed(source.status)
        label = indent + ("  " if folder else "") + source.name
        rows.append(Row(view, label, source.unread, RowKind.FAILED if failed else RowKind.SOURCE))
    return rows


class Sidebar(ScrollView, can_focus=True, inherit_bindings=False):
    """Choosing a line posts :class:`Sidebar.ViewChosen`."""

    BINDINGS = [
        Binding("enter", "select", "Open view", show=False),
        *bindings(Scope.FOCUSED),
    ]
    COMPONENT_CLASSES = {
        "sidebar--cursor",
        "sidebar--folder",
        "sidebar--account",
        "sidebar--failed-account",
        "sidebar--failed",
        "sidebar--rule",
        "sidebar--count",
    }
    DEFAULT_CSS = """
    Sidebar { width: 32; }
    Sidebar > .sidebar--cursor { background: $accent 30%; }
    Sidebar:focus > .sidebar--cursor { background: $accent; color: $text; }
    Sidebar > .sidebar--folder { text-style: bold; }
    Sidebar > .sidebar--failed { color: $error; }
    Sidebar > .sidebar--account { text-style: bold; color: $accent; }
    Sidebar > .sidebar--failed-account { text-style: bold; color: $error; }
    Sidebar > .sidebar--rule { color: $panel-lighten-2; }
    Sidebar > .sidebar--count { color: $text-muted; }
    """

    cursor: reactive[int] = reactive(0)

    class ViewChosen(Message):
        """The user picked a view."""

        def __init__(self, view: View) -> None:
            super().__init__()
            self.view = view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[Row] = []

    def show(
        self,
        sources: Sequence[Source],
        searches: Sequence[str],
        unread_total: int,
        now: datetime | None = None,
        accounts: Sequence[str] = (),
        failed_accounts: Collection[str] = (),
        views: Sequence[SavedViewCount] = (),
    ) -> None:
        """Replace the lines, keeping the cursor on the same view where it still exists."""
        keep = self.current.id if self.current is not None else None
        self.rows = build_rows(
            sources, searches, unread_total, now, accounts, failed_accounts, views
        )
        self.virtual_size = Size(self.size.width, len(self.rows))
        if keep is not None:
            for n, row in enumerate(self.rows):
                if row.view is not None and row.view.id == keep:
                    self.cursor = n
                    break
        self.cursor = min(self.cursor, max(0, len(self.rows) - 1))
        self.refresh()

    @property
    def current(self) -> View | None:
        """The view under the cursor."""
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor].view
        return None

    def view(self, view_id: str) -> View | None:
        """A view by id."""
        return next((r.view for r in self.rows if r.view and r.view.id == view_id), None)

    def _step(self, step: int) -> None:
        n = (
            max(0, min(self.cursor + step, len(self.rows) - 1))
            if abs(step) > 1
            else self.cursor + step
        )
        direction = 1 if step >= 0 else -1
        while 0 <= n < len(self.rows) and self.rows[n].view is None:
            n += direction
        if 0 <= n < len(self.rows):
            self.cursor = n

    def action_cursor_down(self) -> None:
        """Next view."""
        self._step(1)

    def action_cursor_up(self) -> None:
        """Previous view."""
        self._step(-1)

    def action_first(self) -> None:
        """First view."""
        self.cursor = 0

    def action_last(self) -> None:
        """Last line with a view."""
        self.cursor = len(self.rows) - 1
        self._step(-1 if self.current is None else 0)

    def action_page_down(self) -> None:
        """A screenful down."""
        self._step(max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        """A screenful up."""
        self._step(-max(1, self.scrollable_content_region.height - 1))

    def action_open(self) -> None:
        """Open the view under the cursor."""
        self.action_select()

    def action_select(self) -> None:
        """Open the view under the cursor."""
        if self.current is not None:
            self.post_message(self.ViewChosen(self.current))

    def watch_cursor(self, old: int, new: int) -> None:
        follow_cursor(self, old, new)

    async def _on_click(self, event: events.Click) -> None:
        index = int(self.scroll_offset.y) + event.y
        if 0 <= index < len(self.rows) and self.rows[index].view is not None:
            self.cursor = index
            self.action_select()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.rows))

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not 0 <= index < len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        if row.kind is RowKind.RULE:
            rule = base + self.get_component_rich_style("sidebar--rule", partial=True)
            return Strip([Segment("─" * width, rule)], width)
        style = base
        if row.kind in (RowKind.FOLDER, RowKind.FAILED, RowKind.ACCOUNT, RowKind.FAILED_ACCOUNT):
            style += self.get_component_rich_style(f"sidebar--{row.kind}", partial=True)
        if index == self.cursor:
            style += self.get_component_rich_style("sidebar--cursor")
        count = f"{row.count:>6}" if row.count is not None else " " * 6
        indent = len(row.label) - len(row.label.lstrip(" "))  # fit() trims the label
        label = " " * indent + fit(row.label, max(1, width - 7 - indent))
        counted: Style = style + self.get_component_rich_style("sidebar--count", partial=True)
        segments = [Segment(" ", style), Segment(label, style), Segment(count, counted)]
        return Strip(segments).adjust_cell_length(width, style)
