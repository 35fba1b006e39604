"""Discovery commands: related, trending, recommend, clusters."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tuireader.app import Context
from tuireader.cli.output import print_json, story_line
from tuireader.domain.discovery import Ranked
from tuireader.domain.errors import UsageError
from tuireader.domain.text import clean_line, plural
from tuireader.services.reading import PAGE_LISTS, page_lists

OK = 0


def _limit(args: argparse.Namespace) -> int:
    limit: int = getattr(args, "limit", 20)
    if limit < 1:
        raise UsageError("--limit must be at least 1")
    return limit


def _print(
    context: Context, ranked: Sequence[Ranked], as_json: bool, empty: str = "Nothing yet."
) -> int:
    stories = {r.id: context.library.story(r.id) for r in ranked}
    if as_json:
        print_json(
            [
                {
                    "id": r.id,
                    "title": stories[r.id].title,
                    "source": stories[r.id].source_title,
                    "score": r.score,
                    "why": r.why,
                }
                for r in ranked
            ]
        )
        return OK
    for r in ranked:
        print(f"{r.score:6.3f} {story_line(stories[r.id])}")
        print(f"       {clean_line(r.why)}")
    if not ranked:
        print(empty)
    return OK


def cmd_related(context: Context, args: argparse.Namespace) -> int:
    """Stories most like one story, the other versions of its event, and the lists its page
    gives (the same lists the app shows beside it)."""
    story = context.library.story(args.id)  # raises for an unknown id
    _backlog(context)
    problem = context.discovery.semantic.problem
    ranked = context.discovery.related(args.id, _limit(args))
    if problem is None:  # found out only now (the open story was embedded on demand)
        _said_meaning(context)
    also = context.discovery.also_in(args.id)
    page = page_lists(story, context.library.match_titles)
    if args.json:
        stories = {i: context.library.story(i) for i in [r.id for r in ranked] + also}
        print_json(
            {
                "related": [
                    {"id": r.id, "title": stories[r.id].title, "score": r.score, "why": r.why}
                    for r in ranked
                ],
                "also_in": [
                    {"id": i, "title": stories[i].title, "source": stories[i].source_title}
                    for i in also
                ],
                "page": {
                    name: [{"title": line.title, "id": line.story_id} for line in lines]
                    for name, lines in page.items()
                },
            }
        )
        return OK
    if also:
        print("Also in:")
        for i in also:
            print("       " + story_line(context.library.story(i)))
        print()
    if ranked:
        print("Related:")
        _print(context, ranked, False)
    for name, heading in PAGE_LISTS:
        if not page[name]:
            continue
        if ranked or also or name != PAGE_LISTS[0][0]:
            print()
        print(f"{heading}, from the page:")
        for line in page[name]:
            if line.story_id is None:
                print(f"       {clean_line(line.title)}  (not in the library)")
            else:
                print("       " + story_line(context.library.story(line.story_id)))
    if not (ranked or also or any(page.values())):
        print("Nothing yet: no similar stories, and the page lists none.")
    return OK


def cmd_trending(context: Context, args: argparse.Namespace) -> int:
    """Recent events by coverage, recency and popularity."""
    _backlog(context)
    hours = context.discovery.trending_hours
    return _print(
        context,
        context.discovery.trending(_limit(args)),
        args.json,
        f"Nothing in the last {hours} hours.",
    )


def cmd_recommend(context: Context, args: argparse.Namespace) -> int:
    """Unread stories like the ones read to the end or starred."""
    _backlog(context)

    def titles(ids: Sequence[int]) -> dict[int, str]:
        return {i: context.library.story(i).title for i in ids}

    ranked = context.discovery.recommend(titles, _limit(args))
    if not ranked and not args.json:
        if context.discovery.has_profile():
            print(
                "Nothing to recommend: no unread story of the library's last 14 days is like"
                " the ones you starred or read to the end."
            )
        else:
            print("Nothing to recommend yet: star stories or read them to the end.")
        return OK
    return _print(context, ranked, args.json)


def cmd_clusters(context: Context, args: argparse.Namespace) -> int:
    """Groups of stories from several sources about one event."""
    if args.days < 1:
        raise UsageError("--days must be at least 1")
    _backlog(context)
    groups = context.discovery.clusters(args.days * 24)
    if args.json:
        print_json(
            [
                [
                    {
                        "id": i,
                        "title": context.library.story(i).title,
                        "source": context.library.story(i).source_title,
                    }
                    for i in g
                ]
                for g in groups
            ]
        )
        return OK
    for group in groups:
        print(f"{len(group)} stories:")
        for i in group:
            print("  " + story_line(context.library.story(i)))
    if not groups:
        days = args.days
        print(f"No clusters in the last {plural(days, 'day')} (`--days` looks further back).")
    return OK


def _backlog(context: Context) -> None:
    """Sign what was never signed, embed what was never embedded (a library older than
    vectors, once), and say so when meaning cannot be used."""
    context.discovery.index_backlog()
    context.discovery.index_meaning()
    _said_meaning(context)


def _said_meaning(context: Context) -> None:
    problem = context.discovery.semantic.problem
    if problem:
        print(f"tuireader: discovery: {clean_line(problem)}", file=sys.stderr)
