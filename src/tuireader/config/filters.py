"""``[views.<name>]`` and ``[[ignore]]`` from ``config.toml``: each query checked here, so a
bad one is a one-line error naming where it is, before anything runs."""

from __future__ import annotations

from typing import Any

from tuireader.domain.errors import ConfigError
from tuireader.domain.filter_lang import FilterError, parse
from tuireader.domain.killfile import IgnoreAction, IgnoreRule, SavedView


def _query(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ConfigError(f"config: '{where}.query' must be a filter expression (a string)")
    try:
        parse(raw)
    except FilterError as exc:
        raise ConfigError(f"config: '{where}.query': {exc}") from None
    return raw


def _table(raw: Any, where: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ConfigError(f"config: [{where}] must be a table")
    for key in raw:
        if key not in allowed:
            raise ConfigError(f"config: unknown key '{where}.{key}'")
    if "query" not in raw:
        raise ConfigError(f"config: [{where}] needs a query")
    return raw


def parse_views(raw: Any) -> dict[str, SavedView]:
    """``[views.<name>] query = "..."``, by name in the file's order."""
    if not isinstance(raw, dict):
        raise ConfigError("config: [views] must be a table of tables")
    views: dict[str, SavedView] = {}
    for name, table in raw.items():
        where = f'views."{name}"'
        fields = _table(table, where, {"query"})
        views[name] = SavedView(name, _query(fields["query"], where))
    return views


def parse_ignore(raw: Any) -> tuple[IgnoreRule, ...]:
    """``[[ignore]] query = "..."``, ``sources = [...]``, ``action = "hide"|"mark_read"``."""
    if not isinstance(raw, list):
        raise ConfigError("config: 'ignore' must be an array of tables ([[ignore]])")
    rules: list[IgnoreRule] = []
    for n, table in enumerate(raw, 1):
        where = f"ignore #{n}"
        fields = _table(table, where, {"query", "sources", "action"})
        action = fields.get("action", IgnoreAction.HIDE.value)
        if action not in {a.value for a in IgnoreAction}:
            raise ConfigError(f'config: \'{where}.action\' must be "hide" or "mark_read"')
        sources = fields.get("sources", [])
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            raise ConfigError(f"config: '{where}.sources' must be a list of URLs or titles")
        query = _query(fields["query"], where)
        rules.append(IgnoreRule(query, IgnoreAction(action), tuple(sources)))
    return tuple(rules)
