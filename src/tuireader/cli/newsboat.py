"""``import --from newsboat`` and ``export --to newsboat``: what came over, what did not."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tuireader.app import Context
from tuireader.domain.errors import UsageError
from tuireader.domain.text import clean_line, plural
from tuireader.services.newsboat_export import export_newsboat as write_export
from tuireader.services.newsboat_import import ImportReport, NewsboatImport, find_files
from tuireader.ui.commands import COMMANDS

OK = 0


def import_newsboat(context: Context, where: str | None) -> int:
    """Bring newsboat's subscriptions, rules, keys and read state over; print the report."""
    files = find_files(Path(where) if where else None, os.environ, Path.home())
    keys = {c.id: context.settings.keys.get(c.id, c.keys) for c in COMMANDS}
    report = NewsboatImport(context.library, context.paths.config_file, keys).run(files)
    _print(report, [str(p) for p in files.found()])
    return OK


def _print(report: ImportReport, found: list[str]) -> None:
    print(f"imported from newsboat ({', '.join(found)}):")
    commands = f", {report.commands} of them command feeds" if report.commands else ""
    print(f"  {plural(len(report.added), 'source')} added{commands}; {report.already} already here")
    if report.views:
        print(f"  {plural(len(report.views), 'saved view')}: {', '.join(report.views)}")
    if report.ignores:
        print(f"  {plural(report.ignores, 'killfile rule')} (ignore-article)")
    if report.cache_file is None:
        print("  no cache.db: no stories or read state")
    else:
        print(
            f"  {plural(report.stories, 'story', 'stories')} from {report.cache_file}:"
            f" {report.read} read, {report.starred} starred (flagged)"
        )
    if report.config_file is not None:
        print(f"  added to {report.config_file}: {'; '.join(report.config_added)}")
    for line in report.mapped:
        print(f"  mapped {clean_line(line)}")
    if report.unmapped:
        print(f"not brought over ({len(report.unmapped)}):")
        for line in report.unmapped:
            print(f"  {clean_line(line)}")
    if report.by_hand:
        print("add these lines to the config by hand:", file=sys.stderr)
        sys.stderr.write(report.by_hand)


def export_newsboat(context: Context, where: str | None) -> int:
    """Write ``urls`` and ``read-articles`` for newsboat into a folder."""
    if not where:
        raise UsageError("give the folder to write newsboat's urls and read-articles into")
    report = write_export(context.library, context.paths.config_file, Path(where))
    print(f"wrote {report.urls} ({plural(report.feeds, 'feed')}, {plural(report.views, 'view')})")
    print(f"wrote {report.read_file} ({plural(report.read, 'read article')})")
    print(
        f"in newsboat: `newsboat -u {report.urls} -x reload`, then"
        f" `newsboat -u {report.urls} -I {report.read_file}`"
    )
    return OK
