"""``tuireader source show|set|fix`` and ``tuireader health``."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from tuireader.app import Context
from tuireader.cli.output import print_json, source_json
from tuireader.domain.errors import UsageError
from tuireader.domain.health import SourceHealth, health_cells, health_note
from tuireader.domain.models import Source
from tuireader.domain.source_options import (
    KEYS,
    OPTIONS,
    effective_words,
    options_dict,
    parse_assignments,
    shown_value,
)
from tuireader.domain.text import clean_line
from tuireader.services.feed_health import Fixed, feed_health, fix_source

OK = 0


def _one(context: Context, ref: str) -> Source:
    found = context.library.find_sources([ref])
    if len(found) > 1:
        ids = ", ".join(str(s.id) for s in found)
        raise UsageError(f"{ref!r} matches several sources ({ids}); give an id")
    return found[0]


def _show(source: Source) -> None:
    print(f"source {source.id}: {clean_line(source.name)}")
    print(f"  url     {clean_line(source.url)}")
    print(f"  kind    {source.kind.value}")
    if source.folder:
        print(f"  folder  {clean_line(source.folder)}")
    if source.moved_to:
        print(
            f"  moved   permanently to {clean_line(source.moved_to)}"
            f" (`tuireader source fix {source.id}` adopts it)"
        )
    print()
    width = max(len(k) for k in KEYS)
    for info in OPTIONS:
        mine = shown_value(source.options, info.key)
        where = "set here" if mine else "default"
        value = clean_line(mine) if mine else effective_words(source.settings, info.key)
        print(f"  {info.key:<{width}}  {value}  ({where})")


def _settings_json(source: Source) -> dict[str, Any]:
    data = source_json(source)
    data["moved_to"] = source.moved_to or None
    data["options"] = options_dict(source.options)
    data["settings"] = {key: getattr(source.settings, key) for key in KEYS}
    return data


def cmd_source(context: Context, args: argparse.Namespace) -> int:
    """Show or change one source's settings, or fix its URL."""
    source = _one(context, args.source)
    if args.source_command == "show":
        if args.json:
            print_json(_settings_json(source))
        else:
            _show(source)
        return OK
    if args.source_command == "set":
        options = parse_assignments(source.options, list(args.assignments))
        _show(context.library.set_options(source, options))
        return OK

    async def fix() -> Fixed:
        async with context.refresher() as refresher:
            return await fix_source(refresher.library, refresher.fetcher, source)

    print(asyncio.run(fix()).line())
    return OK


def _health_json(health: SourceHealth) -> dict[str, Any]:
    log = health.log
    source = health.source
    return {
        "id": source.id,
        "title": source.title,
        "url": source.url,
        "kind": source.kind.value,
        "state": health.state.value,
        "last_success": log.last_success.isoformat() if log.last_success else None,
        "last_error": log.last_error or None,
        "last_error_at": log.last_error_at.isoformat() if log.last_error_at else None,
        "error_streak": log.error_streak,
        "fetches": log.fetches,
        "not_modified": log.not_modified,
        "not_modified_share": health.not_modified_share,
        "stories_per_week": list(health.weekly),
        "moved_to": source.moved_to or None,
        "https_candidate": health.https_candidate or None,
    }


def cmd_health(context: Context, args: argparse.Namespace) -> int:
    """Each source's health, dead feeds first."""
    now = context.clock()
    rows = feed_health(context.library, now)
    if args.json:
        print_json([_health_json(h) for h in rows])
        return OK
    if not rows:
        print("No sources. Add one with `tuireader add URL|PATH`.")
        return OK
    print(f"{'id':>4}  {'state':<8} {'last ok':<10} {'streak':>6} {'304s':>5}  per week   source")
    for health in rows:
        state, last_ok, streak, share, weekly = health_cells(health, now)
        note = health_note(health)
        tail = f" — {note}" if note else ""
        print(
            f"{health.source.id:>4}  {state:<8} {last_ok:<10} {streak:>6} {share:>5}"
            f"  {weekly:<15} {clean_line(health.source.name)}{tail}"
        )
    fixable = [h for h in rows if h.source.moved_to]
    if fixable:
        ids = " ".join(str(h.source.id) for h in fixable)
        print(f"\n`tuireader source fix ID` adopts a permanent redirect (sources {ids}).")
    return OK
