"""Adding saved views, killfile rules, key bindings and macros to the user's ``config.toml``
text without touching what is there: appended (or put under an existing ``[keys]`` /
``[macros]`` header), then read back to check the file now says exactly the old config plus
the additions."""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tuireader.config.toml_text import toml_key, toml_string


@dataclass(frozen=True, slots=True)
class IgnoreEntry:
    """A ``[[ignore]]`` table: stories matching ``query`` get ``action``."""

    query: str
    sources: tuple[str, ...] = ()
    """Feed URLs the rule is for; empty: every source."""
    action: str = "hide"


@dataclass(slots=True)
class Additions:
    """What an import adds to the config."""

    views: dict[str, str] = field(default_factory=dict)
    """``[views.NAME] query = "..."``, by name."""
    ignores: list[IgnoreEntry] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    """``[keys]``: command id → comma-separated keys."""
    macros: dict[str, list[str]] = field(default_factory=dict)
    """``[macros]``: key → command ids run in order."""

    def __bool__(self) -> bool:
        return bool(self.views or self.ignores or self.keys or self.macros)


@dataclass(slots=True)
class Merged:
    """The new config text and what was left out because the config already says it."""

    text: str
    kept: list[str] = field(default_factory=list)
    """One line per entry the existing config already has (it wins)."""
    views: list[str] = field(default_factory=list)
    """The names of the views written in."""
    ignores: int = 0
    """How many ignore rules were written in."""


class CannotMerge(Exception):
    """The additions cannot be written into this config cleanly (an inline ``views = {..}``
    table, say); the message says why, and :func:`snippet` gives the text to add by hand."""


def _list(values: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(toml_string(v) for v in values) + "]"


def _view_lines(views: dict[str, str]) -> list[str]:
    lines: list[str] = []
    for name, query in views.items():
        lines += [f"[views.{toml_key(name)}]", f"query = {toml_string(query)}", ""]
    return lines


def _ignore_lines(rules: list[IgnoreEntry]) -> list[str]:
    lines: list[str] = []
    for rule in rules:
        lines += ["[[ignore]]", f"query = {toml_string(rule.query)}"]
        if rule.sources:
            lines.append(f"sources = {_list(rule.sources)}")
        lines += [f"action = {toml_string(rule.action)}", ""]
    return lines


def _entries(table: dict[str, Any]) -> list[str]:
    return [
        f"{toml_key(k)} = {_list(v) if isinstance(v, list) else toml_string(v)}"
        for k, v in table.items()
    ]


def snippet(additions: Additions) -> str:
    """The additions as TOML to paste into a config by hand."""
    lines = _view_lines(additions.views) + _ignore_lines(additions.ignores)
    for name, table in (("keys", additions.keys), ("macros", additions.macros)):
        if table:
            lines += [f"[{name}]", *_entries(dict(table)), ""]
    return "\n".join(lines).rstrip("\n") + "\n" if lines else ""


def _parse(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CannotMerge(f"the config is not valid TOML ({exc})") from None


def merge(text: str, additions: Additions, header: str = "") -> Merged:
    """``text`` with the additions written in; an entry the config already has is kept as
    the config has it (and listed in ``kept``). ``header`` is a comment line put before
    the appended block. Raises :class:`CannotMerge` when the result would not read back
    as the old config plus the additions."""
    before = _parse(text)
    kept: list[str] = []
    old_views = before.get("views", {})
    if not isinstance(old_views, dict):
        raise CannotMerge("the config's 'views' is not a table")
    views = {}
    for name, query in additions.views.items():
        if name in old_views:
            kept.append(f"view {name!r}: the config already has [views.{toml_key(name)}]")
        else:
            views[name] = query
    old_ignores = before.get("ignore", [])
    if not isinstance(old_ignores, list):
        raise CannotMerge("the config's 'ignore' is not an array of tables")
    have = {
        (r.get("query"), tuple(r.get("sources", ()))) for r in old_ignores if isinstance(r, dict)
    }
    ignores = []
    for rule in additions.ignores:
        if (rule.query, rule.sources) in have:
            kept.append(f"ignore rule {rule.query!r}: already in the config")
        else:
            ignores.append(rule)
    tables: dict[str, dict[str, Any]] = {}
    wanted: tuple[tuple[str, Mapping[str, Any]], ...] = (
        ("keys", additions.keys),
        ("macros", additions.macros),
    )
    for name, asked in wanted:
        old = before.get(name, {})
        if not isinstance(old, dict):
            raise CannotMerge(f"the config's '{name}' is not a table")
        tables[name] = {}
        for key, value in asked.items():
            if key in old:
                kept.append(f"[{name}] {key}: the config already sets it")
            else:
                tables[name][key] = value

    lines = text.splitlines(keepends=True)
    appended: list[str] = _view_lines(views) + _ignore_lines(ignores)
    for name, table in tables.items():
        if not table:
            continue
        entries = [line + "\n" for line in _entries(table)]
        at = _header_line(lines, name) if name in before else None
        if at is not None:
            lines[at + 1 : at + 1] = entries
        elif name in before:
            raise CannotMerge(f"the config's [{name}] is not written as a [{name}] header")
        else:
            appended += [f"[{name}]", *(e.rstrip("\n") for e in entries), ""]
    new = "".join(lines)
    if appended:
        if new and not new.endswith("\n"):
            new += "\n"
        if new.strip():
            new += "\n"
        if header:
            new += header + "\n"
        new += "\n".join(appended).rstrip("\n") + "\n"
    expected = copy.deepcopy(before)
    if views:
        expected.setdefault("views", {}).update({n: {"query": q} for n, q in views.items()})
    for rule in ignores:
        entry: dict[str, Any] = {"query": rule.query}
        if rule.sources:
            entry["sources"] = list(rule.sources)
        entry["action"] = rule.action
        expected.setdefault("ignore", []).append(entry)
    for name, table in tables.items():
        if table:
            expected.setdefault(name, {}).update(table)
    try:
        after = tomllib.loads(new)
    except tomllib.TOMLDecodeError as exc:
        raise CannotMerge(f"the result would not be valid TOML ({exc})") from None
    if after != expected:
        raise CannotMerge("the result would not read back as the old config plus the import")
    return Merged(new, kept, list(views), len(ignores))


def _header_line(lines: list[str], name: str) -> int | None:
    pattern = re.compile(rf"^\s*\[\s*{name}\s*\]\s*(#.*)?$")
    for number, line in enumerate(lines):
        if pattern.match(line.rstrip("\r\n")):
            return number
    return None


def read_views(text: str) -> dict[str, str]:
    """The ``[views.NAME] query = "..."`` tables of a config's text (name → query), for
    export; anything else in the file is ignored. (Merge point: the saved-views settings
    give these once they land.)"""
    views = _parse(text).get("views", {})
    if not isinstance(views, dict):
        return {}
    return {
        str(name): table["query"]
        for name, table in views.items()
        if isinstance(table, dict) and isinstance(table.get("query"), str)
    }
