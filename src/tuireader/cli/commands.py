"""One function per command; each returns an exit code."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from tuireader.app import Context
from tuireader.cli.output import (
    ProgressBar,
    print_json,
    source_json,
    story_json,
    story_line,
)
from tuireader.config.paths import resolve_paths
from tuireader.config.settings import TEMPLATE
from tuireader.domain.dates import date_line
from tuireader.domain.errors import FirstFetchError, NotOpmlError, SeveralFeedsError, UsageError
from tuireader.domain.files import os_reason
from tuireader.domain.filter_lang import FilterError
from tuireader.domain.filter_lang import parse as parse_filter
from tuireader.domain.models import Source, Story
from tuireader.domain.query import StoryQuery
from tuireader.domain.text import clean_line, clean_text, plural
from tuireader.domain.titles import display_title
from tuireader.services.files import read_user_file, write_user_file
from tuireader.services.images import ImageCachePolicy, expire_images
from tuireader.services.indexing import indexer_lock, start_indexer, wait_for_index
from tuireader.services.reading import export_story, reader_text, unescaped
from tuireader.services.refresh_report import Outcome, RefreshReport
from tuireader.services.subscribe import subscribe

OK, FAILED, USAGE = 0, 1, 2


def no_db(args: argparse.Namespace) -> int:
    """Commands that open no database: ``locate``, ``config``, ``doctor`` and ``account``."""
    paths = resolve_paths(data_dir=args.data_dir, config_dir=args.config_dir)
    if args.command == "account":
        from tuireader.cli.account import cmd_account

        return cmd_account(paths, args)
    if args.command == "doctor":
        from tuireader.cli.doctor import doctor

        return doctor(paths)
    if args.command == "locate":
        print(f"config  {paths.config_file}")
        print(f"data    {paths.database}")
        print(f"cache   {paths.cache_dir}")
        print(f"log     {paths.log_file}")
        return OK
    if args.write:
        if paths.config_file.exists():
            raise UsageError(f"{paths.config_file} exists; not overwriting it")
        try:
            paths.config_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot make {paths.config_dir}: {os_reason(exc)}") from None
        write_user_file(paths.config_file, TEMPLATE)
        print(f"wrote {paths.config_file}")
        return OK
    sys.stdout.write(TEMPLATE)
    return OK


def _refresh(
    context: Context, sources: Sequence[Source], quiet: bool, due_only: bool = False
) -> int:
    bar = ProgressBar(len(sources)) if not quiet else ProgressBar(0)

    async def go() -> RefreshReport:
        async with context.refresher() as refresher:
            refresher.defer_discovery = not wait_for_index()
            return await refresher.refresh(
                sources,
                lambda done, total, result: bar.update(done, result.source.name),
                due_only=due_only,
            )

    try:
        report = asyncio.run(go())
    finally:
        bar.close()
    code = _report(report, quiet)
    _index_later(context, report)
    return code


def _index_later(context: Context, report: RefreshReport) -> None:
    """The rest of indexing (signing and clustering the new stories, then meaning), after
    the report is out: by a detached process, so that the command (and cron) is done once
    the stories are stored and searchable."""
    signed = report.discovery.signed if report.discovery is not None else 0
    if report.stopped or not (signed or report.to_index):
        return
    paths = context.paths
    if wait_for_index() or not start_indexer(paths.data_dir, paths.config_dir):
        context.discovery.index_backlog()
        _index_meaning(context)


def _index_meaning(context: Context) -> None:
    meaning = context.discovery.index_meaning()
    if meaning.problem:
        print(f"tuireader: discovery: {clean_line(meaning.problem)}", file=sys.stderr)


def cmd_index(context: Context, args: argparse.Namespace) -> int:
    """Embed by meaning the stories stored without a vector (what ``refresh`` starts in
    the background); with another indexer running, leave the work to it."""
    with indexer_lock(context.paths.data_dir) as mine:
        if mine:
            context.discovery.index_backlog()
            _index_meaning(context)
    return OK


def _report(report: RefreshReport, quiet: bool) -> int:
    for result in report.failed:
        print(f"FAILED {clean_line(result.source.label)}: {result.message}", file=sys.stderr)
    for result in report.results:
        if quiet or not result.message:
            continue
        if result.outcome is Outcome.WAITING:
            print(f"WAITING {clean_line(result.source.label)}: {result.message}", file=sys.stderr)
        elif result.outcome is Outcome.UPDATED:  # loaded, but some files were skipped
            for name, why in result.skipped:
                where = f"{clean_line(result.source.name)}/{clean_line(name)}"
                print(f"SKIPPED {where}: {clean_line(why)}", file=sys.stderr)
    if report.offline:
        print("offline: no source could be reached; reading from the cache", file=sys.stderr)
    if report.stopped:
        print(f"stopped: {report.stopped}", file=sys.stderr)
    if not quiet:
        print(report.summary())
    return FAILED if report.failed or report.stopped else OK


def cmd_refresh(context: Context, args: argparse.Namespace) -> int:
    """Fetch feeds and reload local sources (then the notify command, if new stories)."""
    mark = context.library.newest_story_id()
    code = _refresh_all(context, args)
    if context.settings.actions.notify_command:
        from tuireader.services.notify import new_stories, run_notify_command

        new = new_stories(context.library, mark)
        problem = (
            run_notify_command(context.settings.actions.notify_command, new) if (new.count) else ""
        )
        if problem:
            print(f"tuireader: {problem}", file=sys.stderr)
            code = max(code, FAILED)
    return code


def _refresh_all(context: Context, args: argparse.Namespace) -> int:
    sources = (
        context.library.find_sources(args.sources) if args.sources else context.library.sources()
    )
    if not sources:
        if not args.quiet:
            print("No sources. Add one with `tuireader add URL|PATH`.")
        code = OK
    else:  # a full refresh leaves sources whose refresh_interval has not passed for later
        code = _refresh(context, sources, args.quiet, due_only=not args.sources and not args.force)
    if context.settings.accounts and not args.sources:  # a full refresh syncs every account
        from tuireader.cli.sync import sync_accounts

        results, failed = sync_accounts(context, list(context.settings.accounts.values()))
        for result in results:
            if "error" in result:
                name = clean_line(result["account"])
                print(f"tuireader: {name}: {clean_line(result['error'])}", file=sys.stderr)
        code = max(code, FAILED if failed else OK)
    return code


def cmd_add(context: Context, args: argparse.Namespace) -> int:
    """Subscribe to a URL (or the feed a page names) or add a local path; an OPML file
    imports its feeds. Nothing is kept when the input is refused or the first fetch fails."""
    ref = args.ref
    if args.account:
        return _add_to_account(context, args.account, ref, args.folder)
    if "://" not in ref and ref.lower().endswith(".opml"):
        return _import(context, Path(ref), fetch=not args.no_fetch)

    opener = None if args.no_fetch else context.refresher
    try:
        added = asyncio.run(
            subscribe(context.library, ref, folder=args.folder, title=args.title, refresher=opener)
        )
    except SeveralFeedsError as exc:
        print(f"tuireader: {exc}:", file=sys.stderr)
        for url, title in exc.feeds:
            named = f"  ({clean_line(title)})" if title else ""
            print(f"  {url}{named}", file=sys.stderr)
        return USAGE
    except FirstFetchError as exc:
        raise FirstFetchError(f"{exc} (`--no-fetch` adds it without fetching)") from None
    source = added.source
    if added.found_on:
        print(f"found the feed {clean_line(source.url)} on {clean_line(added.found_on)}")
    if not added.new:
        print(f"already subscribed: {clean_line(source.name)} (id {source.id})")
        return OK
    print(f"added {clean_line(source.name)} (id {source.id})")
    if added.report is None:
        return OK
    code = _report(added.report, quiet=False)
    _index_later(context, added.report)
    return code


def _add_to_account(context: Context, name: str, url: str, folder: str) -> int:
    from tuireader.cli.sync import chosen_accounts
    from tuireader.services.account_sync import subscribe as subscribe_on_server

    [account] = chosen_accounts(context, name)
    if not account.is_server:
        raise UsageError(f"{name} is a folder account: add the feed without --account")
    if "://" not in url:
        raise UsageError("an account subscribes to feed URLs (http:// or https://)")
    subscribe_on_server(context.conn, account, url, folder)
    print(
        f"queued {clean_line(url)} for {clean_line(name)}; the next sync sends it"
        f" (`tuireader sync {clean_line(name)}`)"
    )
    return OK


def cmd_samples(context: Context, args: argparse.Namespace) -> int:
    """Bring the bundled sample library back (it stays until removed)."""
    from tuireader.app import assets_dir
    from tuireader.services.seed import seed_samples

    source = seed_samples(context.library, assets_dir(), first_run=False)
    if source is None:
        print("the sample library is already there")
        return OK
    print(f"added the sample library (id {source.id}; `tuireader remove {source.id}` removes it)")
    return _refresh(context, [source], quiet=False)


def cmd_save(context: Context, args: argparse.Namespace) -> int:
    """Keep a page or file in the Saved view."""

    async def go() -> tuple[Story, bool]:
        async with context.saver() as saver:
            return await saver.save(args.ref)

    story, new = asyncio.run(go())
    verb = "saved" if new else "already saved"
    print(f"{verb}: {display_title(story.title)} (id {story.id})")
    return OK


def cmd_remove(context: Context, args: argparse.Namespace) -> int:
    """Unsubscribe."""
    found = context.library.find_sources([args.source])
    if len(found) > 1:
        ids = ", ".join(str(s.id) for s in found)
        raise UsageError(f"{args.source!r} matches several sources ({ids}); give an id")
    hidden = context.library.remove_source(found[0])
    print(
        f"removed {clean_line(found[0].name)} ({plural(hidden, 'story', 'stories')};"
        " `tuireader undo` brings it"
        " back until the next vacuum)"
    )
    return OK


def cmd_sources(context: Context, args: argparse.Namespace) -> int:
    """Each source with its unread count and last fetch status."""
    sources = context.library.sources()
    if args.json:
        print_json([source_json(s) for s in sources])
        return OK
    for s in sources:
        folder = f"[{clean_line(s.folder)}] " if s.folder else ""
        if s.account:
            folder = f"{clean_line(s.account)}: {folder}"
        status = clean_line(s.status) or "never fetched"
        print(f"{s.id:>4} {s.unread:>5} unread  {folder}{clean_line(s.name)}  — {status}")
    if not sources:
        print("No sources. Add one with `tuireader add URL|PATH`.")
    return OK


def cmd_list(context: Context, args: argparse.Namespace) -> int:
    """Stories, newest first."""
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    source_ids = tuple(s.id for s in context.library.find_sources(args.source) if s.id is not None)
    if args.query is not None:  # given, even empty: "the expression is empty"
        try:
            parse_filter(args.query)
        except FilterError as exc:
            raise UsageError(f"--query: {exc}") from None
    if args.ignored:
        return _list_ignored(context, args)
    query = StoryQuery(
        unread=args.unread,
        starred=args.starred,
        source_ids=source_ids,
        search=args.search,
        expr=args.query or "",
    )
    stories = context.library.page(query, args.limit)
    if args.json:
        print_json([story_json(s) for s in stories])
        return OK
    for story in stories:
        print(story_line(story))
    return OK


def _list_ignored(context: Context, args: argparse.Namespace) -> int:
    """``list --ignored``: what the killfile caught, each with its rule."""
    caught = context.library.ignored(args.limit)
    if args.json:
        print_json([{**story_json(s), "rule": rule} for s, rule in caught])
        return OK
    for story, rule in caught:
        print(f"{story_line(story)}  [{clean_line(rule)}]")
    if not caught:
        print("No story was caught by a killfile rule ([[ignore]] in the config).")
    return OK


def cmd_show(context: Context, args: argparse.Namespace) -> int:
    """One story as reader text with its links and page lists."""
    if args.pipe:
        from tuireader.cli.enclosures import pipe_story

        return pipe_story(context, args.id, args.pipe, args.pipe_url)
    story = context.library.story(args.id)
    if args.format:
        sys.stdout.write(export_story(story, args.format))
        return OK
    reader = reader_text(story)
    if args.json:
        data = story_json(story, full=True)
        data.update(text=reader.markdown, links=list(reader.links), images=list(reader.images))
        print_json(data)
        return OK
    head = [f"# {display_title(story.title)}", ""]
    meta = [
        ("Source", story.source_title),
        ("Author", story.author),
        ("Date", date_line(story.published, story.updated, story.first_seen)),
        ("Link", story.link),
        ("Category", ", ".join(story.categories)),
        ("Popularity", "" if story.popularity is None else str(story.popularity)),
    ]
    head += [f"{name}: {clean_line(value)}" for name, value in meta if value]
    print("\n".join(head) + "\n")
    print(clean_text(unescaped(reader.markdown)).rstrip() + "\n")
    if reader.links:
        print("Links:")
        for n, link in enumerate(reader.links, 1):
            print(f"[{n}] {clean_line(link)}")
        print()
    for name, titles in (
        ("Related", story.related),
        ("Ranking", story.ranking),
        ("Recommendation", story.recommendation),
    ):
        if titles:
            print(f"{name}:")
            for title in titles:
                print(f"- {clean_line(title)}")
            print()
    return OK


def cmd_mark(context: Context, args: argparse.Namespace) -> int:
    """Change read or starred state."""
    for story_id in args.ids:
        context.library.story(story_id)  # raises for an unknown id
    state = args.state
    changed = context.library.mark(
        args.ids,
        read={"read": True, "unread": False}.get(state),
        starred={"star": True, "unstar": False}.get(state),
    )
    print(f"marked {len(changed)} of {len(args.ids)} {state}")
    return OK


def _import(context: Context, path: Path, fetch: bool = False) -> int:
    path = path.expanduser()
    data = read_user_file(path)
    try:
        added, skipped = context.library.import_opml(data)
    except NotOpmlError as exc:
        raise UsageError(f"{path}: {exc}") from None
    print(f"imported {plural(len(added), 'feed')} ({skipped} already subscribed)")
    from tuireader.sources.opml import read_opml_document

    if commands := len(read_opml_document(data).commands):
        print(
            f"left out {plural(commands, 'command feed')} (|command, filtercmd): a file from"
            " elsewhere must not run commands; `import --from newsboat FILE` subscribes to them"
        )
    if fetch and added:
        return _refresh(context, added, quiet=False)
    return OK


def cmd_import(context: Context, args: argparse.Namespace) -> int:
    """Subscribe to the feeds an OPML file lists, or bring newsboat's setup over."""
    if args.origin == "newsboat":
        from tuireader.cli.newsboat import import_newsboat

        return import_newsboat(context, args.file)
    if not args.file:
        raise UsageError("give the OPML file to import (or --from newsboat)")
    return _import(context, Path(args.file))


def cmd_export(context: Context, args: argparse.Namespace) -> int:
    """Write OPML 2.0, or newsboat's urls and read articles."""
    if args.target == "newsboat":
        from tuireader.cli.newsboat import export_newsboat

        return export_newsboat(context, args.file)
    text = context.library.export_opml()
    if args.file:
        write_user_file(Path(args.file).expanduser(), text)
    else:
        sys.stdout.write(text)
    return OK


def cmd_vacuum(context: Context, args: argparse.Namespace) -> int:
    """Compact the database."""
    before = context.paths.database.stat().st_size
    purged = context.library.vacuum()
    after = context.paths.database.stat().st_size
    gone = f"; {purged} removed source(s) deleted for good" if purged else ""
    if expired := expire_images(context.paths.cache_dir):
        gone += f"; {expired} image(s) unused for {ImageCachePolicy().max_age_days} days deleted"
    print(f"vacuumed: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB{gone}")
    return OK


def cmd_undo(context: Context, args: argparse.Namespace) -> int:
    """Undo the last bulk action."""
    label = context.library.undo()
    print(f"undone: {clean_line(label)}" if label else "nothing to undo")
    return OK
