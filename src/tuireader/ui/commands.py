"""Every command, declared once: id, default keys, action, title and help.

From these come the key bindings, the footer, the command palette, the help screen and the
user's keymap overrides (``[keys]`` in the config, by command id).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI checks [keys] against these ids without loading Textual
    from textual.app import App
    from textual.binding import Binding


class Needs(Enum):
    """What a command needs before it can do anything; the screen answers whether it is there."""

    NOTHING = "nothing"
    STORY = "a story listed or open"
    SOURCE = "a source: the current story's, or the one the view shows"
    LISTED_STORY = "a story in the list"
    LINKS = "links in the open article"
    IMAGES = "images in the open article"
    UNDO = "a bulk action to undo"
    SEARCH = "a search or a filter expression in the view"
    SAVED = "a saved view or search shown"
    ACCOUNTS = "a sync account in the config"
    ENCLOSURES = "enclosures (audio, video, images) in the open story"


class Scope(Enum):
    """Where a command's keys are bound."""

    SCREEN = "screen"
    """On the main screen: the key works whatever has focus."""
    FOCUSED = "focused"
    """On each pane that can take focus: the pane moves its own cursor or scroll (the
    headline list its rows, the article its text, the sidebar its views)."""


@dataclass(frozen=True, slots=True)
class Command:
    """One thing the user can do."""

    id: str
    keys: str
    """Default keys, comma-separated, in Textual's key names."""
    action: str
    title: str
    help: str
    group: str = "Reading"
    footer: bool = False
    """Shown in the footer."""
    palette: bool = True
    """Offered in the command palette."""
    priority: bool = False
    needs: Needs = Needs.NOTHING
    """Without it the command cannot run: its key does nothing, the palette leaves it out."""
    says_why_not: bool = False
    """Without what it needs, its key still runs and says what is missing (the palette still
    leaves it out)."""
    scope: Scope = Scope.SCREEN

    @property
    def action_name(self) -> str:
        """The action without its namespace and parameters, as ``check_action`` gets it."""
        return self.action.removeprefix("app.").partition("(")[0]


COMMANDS: tuple[Command, ...] = (
    Command(
        "cursor_down",
        "j,down",
        "cursor_down",
        "Down",
        "Next story (scrolls the article when it has focus)",
        "Moving",
        scope=Scope.FOCUSED,
    ),
    Command(
        "cursor_up", "k,up", "cursor_up", "Up", "Previous story", "Moving", scope=Scope.FOCUSED
    ),
    Command(
        "first", "g,home", "first", "First", "Go to the first story", "Moving", scope=Scope.FOCUSED
    ),
    Command("last", "G,end", "last", "Last", "Go to the last story", "Moving", scope=Scope.FOCUSED),
    Command(
        "page_down",
        "pagedown",
        "page_down",
        "Page down",
        "Down a page",
        "Moving",
        palette=False,
        scope=Scope.FOCUSED,
    ),
    Command(
        "page_up",
        "pageup",
        "page_up",
        "Page up",
        "Up a page",
        "Moving",
        palette=False,
        scope=Scope.FOCUSED,
    ),
    Command(
        "open",
        "enter,l",
        "open",
        "Open",
        "Open the story in the article pane",
        footer=True,
        needs=Needs.STORY,
        scope=Scope.FOCUSED,
    ),
    Command("back", "h,escape", "back", "Back", "Back to the headline list", "Moving"),
    Command(
        "next_pane",
        "tab",
        "next_pane",
        "Next pane",
        "Focus the next pane",
        "Moving",
        palette=False,
        priority=True,
    ),
    Command(
        "previous_pane",
        "shift+tab",
        "previous_pane",
        "Previous pane",
        "Focus the previous pane",
        "Moving",
        palette=False,
        priority=True,
    ),
    Command(
        "page_or_next",
        "space",
        "page_or_next",
        "Read on",
        "Scroll the article; at its end, open the next unread story",
    ),
    Command(
        "next_unread",
        "n",
        "next_unread",
        "Next unread",
        "Open the next unread story, across sources",
        footer=True,
    ),
    Command(
        "previous_unread",
        "N",
        "previous_unread",
        "Previous unread",
        "Open the previous unread story",
    ),
    Command(
        "toggle_read",
        "m",
        "toggle_read",
        "Read/unread",
        "Toggle the story's read mark",
        footer=True,
        needs=Needs.STORY,
    ),
    Command(
        "toggle_star",
        "s",
        "toggle_star",
        "Star",
        "Toggle the story's star",
        footer=True,
        needs=Needs.STORY,
    ),
    Command(
        "mark_all_read",
        "A",
        "mark_all_read",
        "Mark all read",
        "Mark every story in the view read (u undoes it)",
    ),
    Command(
        "undo",
        "u",
        "undo",
        "Undo",
        "Undo the last bulk action (mark all read, mark source read, remove a source); "
        "repeatable, also after a restart",
        needs=Needs.UNDO,
        says_why_not=True,
    ),
    Command(
        "mark_source_read",
        "M",
        "mark_source_read",
        "Mark source read",
        "Mark every story of the current story's source read (u undoes it)",
        needs=Needs.LISTED_STORY,
    ),
    Command(
        "refresh_source",
        "r",
        "refresh_source",
        "Refresh source",
        "Refresh the current story's source, or the source the view shows",
        "Sources",
        needs=Needs.SOURCE,
    ),
    Command(
        "refresh_all",
        "R",
        "refresh_all",
        "Refresh all",
        "Refresh every source and sync every account",
        "Sources",
        footer=True,
    ),
    Command(
        "sync_accounts",
        "Y",
        "sync_accounts",
        "Sync accounts",
        "Sync every account (server or shared folder) without refreshing the other sources",
        "Sources",
        needs=Needs.ACCOUNTS,
        says_why_not=True,
    ),
    Command(
        "save_page",
        "B",
        "save_page",
        "Save for later",
        "Keep a web page or a local file (HTML, Markdown, text, PDF) in the Saved view",
        "Sources",
    ),
    Command(
        "export_story",
        "e",
        "export_story",
        "Save story to file",
        "Write the open story to a .md, .html or .txt file",
    ),
    Command(
        "full_text",
        "t",
        "full_text",
        "Fetch full text",
        "Fetch (or refetch) the story's page and keep its article text offline",
    ),
    Command(
        "open_browser",
        "o",
        "open_browser",
        "Open in browser",
        "Open the story's link in the system browser",
        needs=Needs.STORY,
    ),
    Command(
        "pick_link",
        "L",
        "pick_link",
        "Links",
        "Choose one of the article's links",
        needs=Needs.LINKS,
        says_why_not=True,
    ),
    Command(
        "open_image",
        "v",
        "open_image",
        "Open image",
        "Open one of the article's images ([image N]) in the browser",
        needs=Needs.IMAGES,
        says_why_not=True,
    ),
    # acting on stories (issue 13) --------------------------------------------------------
    Command(
        "play_enclosure",
        "P",
        "play_enclosure",
        "Play enclosure",
        "Play or open one of the open story's enclosures with the player (actions.player);"
        " a downloaded one plays from its file",
        "Acting",
        needs=Needs.ENCLOSURES,
        says_why_not=True,
    ),
    Command(
        "download_enclosure",
        "d",
        "download_enclosure",
        "Download enclosure",
        "Queue one of the open story's enclosures for download into actions.download_dir"
        " (resumed after a restart)",
        "Acting",
        needs=Needs.ENCLOSURES,
        says_why_not=True,
    ),
    Command(
        "downloads",
        "W",
        "downloads",
        "Downloads",
        "Show the download queue with each file's progress",
        "Acting",
    ),
    Command(
        "pipe_story",
        "vertical_line",
        "pipe_story",
        "Pipe story",
        "Send the story (Markdown, or its link: actions.pipe_sends) to a command's stdin",
        "Acting",
        needs=Needs.STORY,
    ),
    Command(
        "search",
        "slash",
        "search",
        "Search",
        "Full-text search; results become the view",
        "Views",
        footer=True,
    ),
    Command(
        "filter",
        "f",
        "filter",
        "Filter",
        'Filter the view by title as you type, or by an expression (title =~ "x")',
        "Views",
    ),
    Command(
        "clear_filter", "F", "clear_filter", "Clear filter", "Drop the search or filter", "Views"
    ),
    Command(
        "save_search",
        "ctrl+s",
        "save_search",
        "Save search",
        "Keep the current search, or the filter expression as a view, in the sidebar",
        "Views",
        needs=Needs.SEARCH,
    ),
    Command(
        "forget_view",
        "X",
        "forget_view",
        "Forget view",
        "Take the saved view or search shown out of the sidebar (a config view: edit the config)",
        "Views",
        needs=Needs.SAVED,
    ),
    Command("cycle_sort", "S", "cycle_sort", "Sort", "Sort by date, source or title", "Views"),
    Command(
        "unread_first",
        "U",
        "unread_first",
        "Unread first",
        "Toggle putting unread stories first",
        "Views",
    ),
    Command(
        "collapse",
        "c",
        "collapse",
        "Collapse same story",
        "Show one line per event covered by several sources (+N sources)",
        "Views",
    ),
    Command(
        "why",
        "w",
        "why",
        "Why it ranks",
        "Explain the highlighted line of Related, Ranking or Recommended",
        "Discovery",
    ),
    Command(
        "not_interested",
        "x",
        "not_interested",
        "Not interested",
        "Recommend fewer stories like this one",
        "Discovery",
    ),
    Command(
        "toggle_sidebar",
        "b",
        "toggle_sidebar",
        "Sidebar",
        "Show or hide the sidebar (under 100 columns: over the headlines)",
        "Views",
    ),
    Command(
        "go_to_view",
        "ctrl+g",
        "go_to_view",
        "Go to view",
        "Show a view: All, Unread, Starred, Saved, Today, a saved search, a folder or a source "
        "(the palette lists each one)",
        "Views",
    ),
    Command(
        "add_source", "a", "add_source", "Add source", "Subscribe to a URL or add a path", "Sources"
    ),
    Command(
        "remove_source",
        "D",
        "remove_source",
        "Remove source",
        "Unsubscribe from the current story's source, or the source the view shows",
        "Sources",
        needs=Needs.SOURCE,
    ),
    Command(
        "source_settings",
        "C",
        "source_settings",
        "Source settings",
        "Change the highlighted source's settings (the sidebar's, else the current story's):"
        " refresh interval, user agent, basic auth, cookies file, retention, full text",
        "Sources",
        needs=Needs.SOURCE,
    ),
    Command(
        "feed_health",
        "H",
        "feed_health",
        "Feed health",
        "Each source's last success and error, error streak, 304s and stories per week,"
        " dead feeds first; fixes a URL that moved",
        "Sources",
    ),
    Command(
        "import_opml",
        "I",
        "import_opml",
        "Import OPML",
        "Subscribe to an OPML file's feeds",
        "Sources",
    ),
    Command(
        "export_opml", "E", "export_opml", "Export OPML", "Write subscriptions to a file", "Sources"
    ),
    Command(
        "help",
        "question_mark",
        "help",
        "Help",
        "Show every command and its keys",
        "App",
        footer=True,
    ),
    Command(
        "palette",
        "ctrl+p",
        "app.command_palette",
        "Palette",
        "Open the command palette",
        "App",
        palette=False,
    ),
    Command("quit", "q", "app.quit", "Quit", "Quit tuireader", "App", footer=True),
    *(
        Command(
            f"open_link_{n}",
            str(n),
            f"open_link({n})",
            f"Open link {n}",
            f"Open the article's link [{n}] in the browser",
            palette=False,
            needs=Needs.LINKS,
            says_why_not=True,
        )
        for n in range(1, 10)
    ),
)

BY_ID = {c.id: c for c in COMMANDS}
BY_ACTION = {c.action_name: c for c in COMMANDS if not c.action.startswith("app.")}
"""The screen's commands by action name; the commands sharing an action (``open_link``) share
what they need."""


# --- macros: a key runs a sequence of commands ([macros] in the config) -------------------
MACRO_PREFIX = "macro_"


def macro_commands(macros: Mapping[str, Iterable[str]]) -> tuple[Command, ...]:
    """One command per ``[macros]`` entry, declared like every other (so bound, in the
    palette and on the help screen); its action runs the listed command ids in order."""
    out = []
    for key, ids in macros.items():
        names = [BY_ID[i].title if i in BY_ID else i for i in ids]
        out.append(
            Command(
                MACRO_PREFIX + key,
                key,
                f"run_macro({key!r})",
                "Macro: " + ", then ".join(names),
                "Runs " + ", then ".join(ids),
                "Macros",
            )
        )
    return tuple(out)


def all_commands(macros: Mapping[str, Iterable[str]]) -> tuple[Command, ...]:
    """The declared commands and the user's macros."""
    return COMMANDS + macro_commands(macros)


def bindings(scope: Scope = Scope.SCREEN, commands: Iterable[Command] = COMMANDS) -> list[Binding]:
    """Textual bindings of the commands in ``scope``; each carries its command id so a keymap
    can rebind it (Textual applies the keymap to every node in the focus chain)."""
    from textual.binding import Binding

    return [
        Binding(c.keys, c.action, c.title, show=c.footer, id=c.id, priority=c.priority)
        for c in commands
        if c.scope is scope
    ]


def keymap(overrides: Mapping[str, str]) -> dict[str, str]:
    """The user's ``[keys]`` table, keeping only known command ids."""
    return {cid: keys for cid, keys in overrides.items() if cid in BY_ID}


def keys_for(command: Command, overrides: Mapping[str, str]) -> str:
    """The keys a command answers to now, for display."""
    return overrides.get(command.id, command.keys)


def shown_keys(keys: str, app: App[object]) -> str:
    """Comma-separated key names as the footer shows them (``App.get_key_display``),
    space-separated: ``"question_mark,ctrl+s"`` is ``"? ^s"``."""
    from textual.binding import Binding

    return " ".join(app.get_key_display(Binding(key.strip(), "")) for key in keys.split(","))


def key_table_markdown(app: App[object] | None = None) -> str:
    """The README's key table: each group's commands with their default keys, as the help
    screen lists them; the commands sharing an action (``open_link_1`` to ``_9``) on one row."""
    if app is None:
        from textual.app import App

        app = App()
    lines = ["| keys | command id | what it does |", "|---|---|---|"]
    groups: dict[str, list[list[Command]]] = {}
    for command in COMMANDS:
        rows = groups.setdefault(command.group, [])
        if rows and rows[-1][0].action_name == command.action_name:
            rows[-1].append(command)
        else:
            rows.append([command])
    for group, rows in groups.items():
        lines.append(f"| **{group}** | | |")
        for row in rows:
            first, last = row[0], row[-1]
            keys, ids, what = shown_keys(first.keys, app), first.id, first.help
            if len(row) > 1:  # a numbered family: one key each
                keys = f"{shown_keys(first.keys, app)}–{shown_keys(last.keys, app)}"
                ids = f"{first.id} … {last.id}"
                what = what.replace(f"[{first.keys}]", "[N]")
            cells = (f"`{keys}`", f"`{ids}`", what.replace("|", "\\|"))
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
