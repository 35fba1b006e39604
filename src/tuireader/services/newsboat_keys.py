"""newsboat's ``bind-key``, ``bind`` and ``macro`` lines mapped to tuireader's command ids
and key names, where a command does the same thing; the rest is listed, never guessed."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from tuireader.sources.newsboat.config import ConfigLine, read_macro

OPERATIONS: dict[str, str] = {
    "open": "open",
    "quit": "quit",
    "hard-quit": "quit",
    "reload": "refresh_source",
    "reload-all": "refresh_all",
    "mark-feed-read": "mark_source_read",
    "mark-all-feeds-read": "mark_all_read",
    "save": "export_story",
    "next": "cursor_down",
    "prev": "cursor_up",
    "down": "cursor_down",
    "up": "cursor_up",
    "pagedown": "page_down",
    "pageup": "page_up",
    "home": "first",
    "end": "last",
    "next-unread": "next_unread",
    "prev-unread": "previous_unread",
    "open-in-browser": "open_browser",
    "open-in-browser-noninteractively": "open_browser",
    "help": "help",
    "toggle-article-read": "toggle_read",
    "show-urls": "pick_link",
    "search": "search",
    "open-search": "search",
    "set-filter": "filter",
    "clear-filter": "clear_filter",
    "select-filter": "go_to_view",
    "set-tag": "go_to_view",
    "select-tag": "go_to_view",
    "edit-flags": "toggle_star",
    "sort": "cycle_sort",
    "rev-sort": "cycle_sort",
    "cmdline": "palette",
    "one": "open_link_1",
    "two": "open_link_2",
    "three": "open_link_3",
    "four": "open_link_4",
    "five": "open_link_5",
    "six": "open_link_6",
    "seven": "open_link_7",
    "eight": "open_link_8",
    "nine": "open_link_9",
}
"""newsboat operation → the tuireader command that does the same."""

_NAMED = {
    "ENTER": "enter",
    "BACKSPACE": "backspace",
    "LEFT": "left",
    "RIGHT": "right",
    "UP": "up",
    "DOWN": "down",
    "PPAGE": "pageup",
    "NPAGE": "pagedown",
    "HOME": "home",
    "END": "end",
    "ESC": "escape",
    "TAB": "tab",
    "SPACE": "space",
    "DEL": "delete",
    "LT": "less_than_sign",
    "GT": "greater_than_sign",
    **{f"F{n}": f"f{n}" for n in range(1, 13)},
}
# Textual's names for the characters whose Unicode names it shortens (textual.keys)
_SHORT = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}
_CONTEXTS = {"all", "feedlist", "articlelist", "article", "everywhere"}
"""newsboat dialogs that have a tuireader counterpart (the main screen and its article)."""


def textual_key(key: str) -> str | None:
    """A newsboat key (``a``, ``A``, ``^K``, ``ENTER``, ``<``) in Textual's key names, or
    ``None`` when it has none."""
    if key in _NAMED:
        return _NAMED[key]
    if len(key) == 2 and key[0] == "^" and key[1].isalpha():
        return f"ctrl+{key[1].lower()}"
    if len(key) != 1 or not key.isprintable() or key.isspace():
        return None
    if key.isalnum():
        return key
    try:
        name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return None
    return _SHORT.get(name, name)


@dataclass(slots=True)
class KeyMapping:
    """The ``[keys]`` and ``[macros]`` a newsboat config comes to, and what did not map."""

    keys: dict[str, str] = field(default_factory=dict)
    """Command id → its keys now (comma-separated), for each command that changed."""
    macros: dict[str, list[str]] = field(default_factory=dict)
    mapped: list[str] = field(default_factory=list)
    """One line per binding or macro that was mapped."""
    unmapped: list[str] = field(default_factory=list)
    """One line per binding or macro that was not, saying why."""


def map_keys(lines: list[ConfigLine], defaults: Mapping[str, str]) -> KeyMapping:
    """``bind-key``/``bind``/``macro`` lines against the commands' default keys
    (command id → comma-separated keys): a bound key moves to its command, leaving any
    command that had it by default."""
    out = KeyMapping()
    current = {
        cid: [k.strip() for k in keys.split(",") if k.strip()] for cid, keys in defaults.items()
    }
    changed: set[str] = set()
    macro_lines: list[ConfigLine] = []
    for line in lines:
        if line.command == "macro":
            macro_lines.append(line)
            continue
        if line.command == "bind-key":
            if len(line.args) < 2:
                continue
            key, operation = line.args[0], line.args[1]
            context = line.args[2] if len(line.args) > 2 else "all"
        elif line.command == "bind":
            # bind KEYS CONTEXTS OPERATION: one key and one operation map
            if len(line.args) != 3:
                out.unmapped.append(f"{line.where}: bind {' '.join(line.args)} (a sequence)")
                continue
            key, context, operation = line.args
        elif line.command == "unbind-key":
            out.unmapped.append(f"{line.where}: unbind-key {' '.join(line.args)} (not mapped)")
            continue
        else:
            continue
        shown = f"{line.where}: {line.command} {' '.join(line.args)}"
        command = OPERATIONS.get(operation)
        name = textual_key(key)
        if command is None or command not in current:
            out.unmapped.append(f"{shown} (no command does {operation!r})")
        elif name is None:
            out.unmapped.append(f"{shown} (no such key here: {key!r})")
        elif not set(context.split(",")) <= _CONTEXTS:
            out.unmapped.append(f"{shown} (no {context!r} screen here)")
        else:
            for cid, keys in current.items():
                if name in keys and cid != command:
                    keys.remove(name)
                    changed.add(cid)
            if name not in current[command]:
                current[command].insert(0, name)
                changed.add(command)
            out.mapped.append(f"{shown} -> {command} ({name})")
    # a command left with no key keeps its default: Textual gives the key to the command
    # that asked for it, and the config check says so
    out.keys = {cid: ",".join(current[cid]) for cid in sorted(changed) if current[cid]}
    taken = {key: cid for cid, keys in current.items() for key in keys}
    for line in macro_lines:
        _macro(line, taken, out)
    return out


def _macro(line: ConfigLine, taken: Mapping[str, str], out: KeyMapping) -> None:
    shown = f"{line.where}: macro {line.text.strip()}"
    macro = read_macro(line)
    if macro is None:
        out.unmapped.append(f"{shown} (newsboat would refuse it)")
        return
    name = textual_key(macro.key)
    missing = [" ".join(op) for op in macro.operations if op[0] not in OPERATIONS or len(op) > 1]
    if missing:
        out.unmapped.append(f"{shown} (no command for: {'; '.join(missing)})")
    elif name is None:
        out.unmapped.append(f"{shown} (no such key here: {macro.key!r})")
    elif name in taken:
        out.unmapped.append(
            f"{shown} (newsboat runs it as ,{macro.key}; here {name} is {taken[name]})"
        )
    else:
        out.macros[name] = [OPERATIONS[op[0]] for op in macro.operations]
        out.mapped.append(f"{shown} -> [macros] {name}")
