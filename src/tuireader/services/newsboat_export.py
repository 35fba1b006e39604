"""``tuireader export --to newsboat``: a ``urls`` file and a list of read articles' guids
(for ``newsboat -I``), the way back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from tuireader.config.additions import CannotMerge, read_views
from tuireader.domain.errors import UsageError
from tuireader.domain.models import Source, SourceKind
from tuireader.domain.text import clean_line
from tuireader.services.library import Library
from tuireader.sources.newsboat.urls import UrlEntry, write_urls

READ_FILE = "read-articles"
"""The read articles' guids, one a line: ``newsboat -I read-articles`` marks them read."""


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export wrote."""

    urls: Path
    read_file: Path
    feeds: int
    views: int
    read: int


def source_entry(source: Source) -> UrlEntry:
    """A source as a ``urls`` line: its folder first (newsboat's first tag, and our folder
    when it comes back), then its tags, then ``~title``."""
    tags = [clean_line(source.folder)] if clean_line(source.folder) else []
    tags += [clean_line(t) for t in source.tags if clean_line(t) and clean_line(t) not in tags]
    if clean_line(source.title):
        tags.append("~" + clean_line(source.title))
    return UrlEntry(source.url, tuple(tags))


def newsboat_guids(key: str, title: str, link: str, published: int | None) -> list[str]:
    """The guids newsboat may give a story we key as ``key``: the same key, except that
    an item with neither guid nor link is keyed by its title there, and one with a link
    and a date but no guid by its link followed by the date as the feed wrote it (tried
    in RFC 822 form, as most feeds write it)."""
    if key.startswith("t:"):
        return [title]
    if key == link and published is not None:
        stamp = format_datetime(datetime.fromtimestamp(published, UTC), usegmt=True)
        return [key, key + stamp]
    return [key]


def export_newsboat(library: Library, config_file: Path, folder: Path) -> ExportReport:
    """Write ``urls`` and ``read-articles`` into ``folder``; never over existing files."""
    folder = folder.expanduser()
    if not folder.is_dir():
        raise UsageError(f"cannot export to {folder}: no such folder")
    urls, read_file = folder / "urls", folder / READ_FILE
    for path in (urls, read_file):
        if path.exists():
            raise UsageError(f"{path} exists; not overwriting it (export to an empty folder)")
    sources = [s for s in library.sources() if s.kind in (SourceKind.FEED, SourceKind.COMMAND)]
    entries = [source_entry(s) for s in sources]
    views: dict[str, str] = {}
    if config_file.is_file():
        try:
            views = read_views(config_file.read_text(encoding="utf-8"))
        except (CannotMerge, OSError, UnicodeDecodeError):
            views = {}
    for view in library.saved_views():  # and those saved in the app (ctrl+s)
        if view.query in views.values():
            continue
        name = base = clean_line(view.name).replace(":", " ") or "view"  # ':' ends a name
        for n in range(2, len(views) + 3):
            if name not in views:
                break
            name = f"{base} ({n})"
        views[name] = view.query
    entries += [UrlEntry(f"query:{name}:{query}") for name, query in views.items()]
    guids: list[str] = []
    read = 0
    for source in sources:
        for key, title, link, published in library.read_keys(source):
            read += 1
            guids += newsboat_guids(key, title, link, published)
    guids = [g for g in guids if g and "\n" not in g and "\r" not in g]
    urls.write_text(write_urls(entries), encoding="utf-8")
    # newsboat -I drops a last line without a newline: every line ends with one
    read_file.write_text("".join(g + "\n" for g in guids), encoding="utf-8")
    return ExportReport(urls, read_file, len(sources), len(views), read)
