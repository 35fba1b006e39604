"""What the screen says when a view is empty, and key names as the user sees them."""

from __future__ import annotations

from collections.abc import Mapping

from tuireader.domain.query import StoryQuery
from tuireader.domain.text import clean_line
from tuireader.ui.commands import BY_ID, keys_for

KEY_NAMES = {"question_mark": "?", "slash": "/", "space": "space", "enter": "enter"}


def key_label(command_id: str, overrides: Mapping[str, str]) -> str:
    """The first key a command answers to now, as printed on a keyboard."""
    first = keys_for(BY_ID[command_id], overrides).split(",")[0].strip()
    return KEY_NAMES.get(first, first)


def empty_hint(query: StoryQuery, overrides: Mapping[str, str]) -> str:
    """One line for a view with no stories: why, and how to fill it."""

    def key(command_id: str) -> str:
        return key_label(command_id, overrides)

    if query.search:
        return (
            f"Nothing matches “{clean_line(query.search)[:60]}” — "
            f"{key('clear_filter')} clears the search"
        )
    if query.text:
        return f"No title matches the filter — {key('clear_filter')} clears it"
    if query.starred:
        return f"No starred stories — press {key('toggle_star')} on a story to star it"
    if query.saved:
        return f"Nothing saved — press {key('save_page')} to keep a web page or a file for later"
    if query.unread:
        return f"No unread stories — {key('refresh_all')} refreshes every source"
    return f"No stories here — {key('refresh_all')} refreshes, {key('add_source')} adds a source"
