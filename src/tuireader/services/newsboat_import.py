"""``tuireader import --from newsboat``: newsboat's ``urls`` (or its OPML export),
``config`` and ``cache.db`` brought over, with a report of what mapped and what did not."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tuireader.config.additions import Additions, CannotMerge, IgnoreEntry, merge, snippet
from tuireader.domain.command_feed import command_source
from tuireader.domain.errors import NotOpmlError, UsageError
from tuireader.domain.filter_lang import FilterError, parse
from tuireader.domain.ids import story_key
from tuireader.domain.models import ContentType, Enclosure, Source, SourceKind, Story
from tuireader.domain.text import clean_line, plural, safe_link
from tuireader.services.files import read_user_file
from tuireader.services.library import Library, source_for
from tuireader.services.newsboat_keys import map_keys
from tuireader.sources.newsboat.cache import CachedItem, read_feeds, read_items
from tuireader.sources.newsboat.config import ConfigLine, read_config
from tuireader.sources.newsboat.urls import UrlEntry, UrlKind, read_urls
from tuireader.sources.opml import read_opml_document


@dataclass(frozen=True, slots=True)
class NewsboatFiles:
    """Where newsboat's files are (any may be missing)."""

    urls: Path | None = None
    opml: Path | None = None
    config: Path | None = None
    cache: Path | None = None

    def found(self) -> list[Path]:
        """The files that exist."""
        return [p for p in (self.urls, self.opml, self.config, self.cache) if p and p.is_file()]


def find_files(target: Path | None, env: Mapping[str, str], home: Path) -> NewsboatFiles:
    """newsboat's files: in ``target`` (a folder holding ``urls``, ``config``,
    ``cache.db``; or one file: an OPML export, a ``urls`` file or a ``cache.db``), else
    where newsboat itself looks: ``$XDG_CONFIG_HOME/newsboat`` (and the cache in
    ``$XDG_DATA_HOME/newsboat``) when that folder exists, else ``~/.newsboat``."""
    if target is not None:
        target = target.expanduser()
        if target.is_file():
            head = read_user_file(target)[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
            if head.startswith(b"SQLite format 3"):
                return NewsboatFiles(cache=target)
            if head.startswith(b"<"):
                return NewsboatFiles(opml=target)
            return NewsboatFiles(urls=target)
        if not target.is_dir():
            raise UsageError(f"no newsboat files at {target}: no such file or folder")
        config_dir = data_dir = target
    else:
        xdg_config = Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "newsboat"
        if xdg_config.is_dir():
            config_dir = xdg_config
            data_dir = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share") / "newsboat"
        else:
            config_dir = data_dir = home / ".newsboat"
    files = NewsboatFiles(
        urls=config_dir / "urls", config=config_dir / "config", cache=data_dir / "cache.db"
    )
    if not files.found():
        raise UsageError(f"no newsboat files (urls, config, cache.db) in {config_dir}")
    return files


@dataclass(slots=True)
class ImportReport:
    """What an import did, for the user."""

    added: list[Source] = field(default_factory=list)
    already: int = 0
    commands: int = 0
    """Of ``added``: command feeds (``exec:``/``filter:``)."""
    views: list[str] = field(default_factory=list)
    ignores: int = 0
    stories: int = 0
    read: int = 0
    starred: int = 0
    cache_file: Path | None = None
    """The ``cache.db`` read, if there was one."""
    config_file: Path | None = None
    config_added: list[str] = field(default_factory=list)
    """One line per table written to the config."""
    mapped: list[str] = field(default_factory=list)
    """Bindings and macros that mapped."""
    unmapped: list[str] = field(default_factory=list)
    """One line per thing that could not be brought over, saying why."""
    by_hand: str = ""
    """TOML the user has to add themselves (the config could not be merged cleanly)."""


def _not_readable(expression: str) -> str:
    """Why tuireader's filter language does not read a newsboat expression ("" when it
    does): it goes into the config only if it does, or no command would run after it."""
    try:
        parse(expression)
    except FilterError as exc:
        return clean_line(str(exc))
    return ""


def _folder_and_tags(tags: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    tags = [c for c in (clean_line(t) for t in tags) if c]
    return (tags[0], tuple(tags[1:])) if tags else ("", ())


def entry_source(entry: UrlEntry, report: ImportReport) -> Source | None:
    """The source a ``urls`` line subscribes to (``None`` for a query feed, or a line
    that is not a feed we can follow, listed in the report)."""
    folder, tags = _folder_and_tags(entry.plain_tags)
    title = clean_line(entry.title)
    where = f"urls line {entry.line}"
    if entry.hidden:
        report.unmapped.append(f"{where}: {clean_line(entry.url)} is hidden in newsboat (!tag)")
    if entry.kind is UrlKind.FEED:
        try:
            checked = source_for(entry.url)
        except UsageError as exc:
            report.unmapped.append(f"{where}: {exc}")
            return None
        return Source(url=checked.url, kind=SourceKind.FEED, title=title, folder=folder, tags=tags)
    if entry.kind in (UrlKind.EXEC, UrlKind.FILTER):
        return command_source(entry.url, title, folder, tags)
    if entry.kind is UrlKind.OTHER:
        report.unmapped.append(f"{where}: {clean_line(entry.url)} is not an http(s) feed")
    return None


def cached_story(item: CachedItem) -> Story:
    """A newsboat article as the story our feed parser makes of the same item, keyed the
    same way (so the next refresh finds it): newsboat's guid is the feed's guid when it
    has one, else link + date text, else the link, else the title."""
    link = safe_link(item.link)
    title = clean_line(item.title)
    guid = item.guid.strip()
    published = datetime.fromtimestamp(item.published, UTC) if item.published > 0 else None
    keyed_on = published
    if guid and item.link and guid != item.link.strip() and guid.startswith(item.link.strip()):
        guid = ""  # link + pubDate: the item had no guid; our key is its link
    elif guid and not item.link and guid == item.title:
        # the title: no guid, no link. newsboat dates an undated item with the time it
        # fetched it, so its date cannot be told from a real one: key it as undated (a
        # dated one is then matched by title and date when the feed is next refreshed)
        guid, keyed_on = "", None
    enclosures: tuple[Enclosure, ...] = ()
    if enclosure := safe_link(item.enclosure_url):
        enclosures = (Enclosure(enclosure, clean_line(item.enclosure_type)),)
    return Story(
        key=story_key(guid, link, title, keyed_on),
        title=title,
        link=link,
        author=clean_line(item.author),
        published=published,
        content=item.content,
        content_type=ContentType.HTML,
        enclosures=enclosures,
    )


class NewsboatImport:
    """Brings a newsboat setup into the library and the config."""

    def __init__(self, library: Library, config_file: Path, default_keys: Mapping[str, str]):
        self.library = library
        self.config_file = config_file
        self.default_keys = default_keys
        """Command id → default keys, to map ``bind-key`` and ``macro`` against."""

    def run(self, files: NewsboatFiles) -> ImportReport:
        """Import what ``files`` holds; raises :class:`UsageError` for a file that cannot be
        read at all."""
        report = ImportReport()
        additions = Additions()
        config_lines: list[ConfigLine] = []
        cache = files.cache
        if files.config is not None and files.config.is_file():
            parsed = read_config(files.config)
            report.unmapped += parsed.problems
            config_lines = parsed.lines
            cache = self._cache_file(config_lines, files) or cache
        titles: dict[str, str] = {}
        if cache is not None and cache.is_file():
            titles = {feed.url: clean_line(feed.title) for feed in read_feeds(cache)}
        sources = self._subscriptions(files, titles, report, additions)
        self._config(config_lines, report, additions)
        if cache is not None and cache.is_file():
            report.cache_file = cache
            self._cache(cache, sources, report)
        self._write_config(additions, report)
        return report

    # subscriptions --------------------------------------------------------------------------
    def _subscriptions(
        self,
        files: NewsboatFiles,
        titles: Mapping[str, str],
        report: ImportReport,
        additions: Additions,
    ) -> dict[str, Source]:
        found: list[Source] = []
        if files.urls is not None and files.urls.is_file():
            text = read_user_file(files.urls).decode("utf-8", "replace")
            for entry in read_urls(text):
                if entry.kind is UrlKind.QUERY:
                    name, expression = entry.query
                    if name and expression:
                        if unread := _not_readable(expression):
                            report.unmapped.append(
                                f"urls line {entry.line}: query {clean_line(name)!r} left out:"
                                f" {unread}"
                            )
                        else:
                            additions.views[clean_line(name)] = expression
                    else:
                        report.unmapped.append(f"urls line {entry.line}: a query: without a name")
                    continue
                source = entry_source(entry, report)
                if source is not None:
                    found.append(source)
        if files.opml is not None:
            try:
                document = read_opml_document(read_user_file(files.opml))
            except NotOpmlError as exc:
                raise UsageError(f"{files.opml}: {exc}") from None
            for source in [*document.feeds, *document.commands]:
                if not source.folder:  # newsboat's tags come as categories
                    source.folder, source.tags = _folder_and_tags(source.tags)
                found.append(source)
        by_url: dict[str, Source] = {}
        for source in found:
            source.title = source.title or titles.get(source.url, "")
            stored, new = self.library.add_source(source)
            by_url[source.url] = stored
            if new:
                report.added.append(stored)
                report.commands += stored.kind is SourceKind.COMMAND
            else:
                report.already += 1
        report.views = list(additions.views)
        return by_url

    # config -----------------------------------------------------------------------------------
    @staticmethod
    def _cache_file(lines: list[ConfigLine], files: NewsboatFiles) -> Path | None:
        for line in lines:
            if line.command == "cache-file" and line.args:
                path = Path(line.args[0]).expanduser()
                if not path.is_absolute() and files.config is not None:
                    path = files.config.parent / path
                return path
        return None

    def _config(self, lines: list[ConfigLine], report: ImportReport, adds: Additions) -> None:
        mode = next((ln.args[0] for ln in reversed(lines) if ln.command == "ignore-mode"), "")
        other: dict[str, int] = {}
        for line in lines:
            if line.command == "ignore-article":
                if len(line.args) < 2:
                    report.unmapped.append(f"config {line.where}: ignore-article needs two values")
                    continue
                feed, query = line.args[0], line.args[1]
                if unread := _not_readable(query):
                    report.unmapped.append(
                        f"config {line.where}: ignore-article left out: {unread}"
                    )
                    continue
                sources = () if feed == "*" else (feed,)
                adds.ignores.append(IgnoreEntry(query=query, sources=sources, action="hide"))
            elif line.command not in ("bind-key", "bind", "unbind-key", "macro", "ignore-mode"):
                other[line.command] = other.get(line.command, 0) + 1
        if mode == "display":
            report.mapped.append("ignore-mode display: the rules hide stories, keeping them")
        report.ignores = len(adds.ignores)
        keys = map_keys(lines, self.default_keys)
        adds.keys.update(keys.keys)
        adds.macros.update(keys.macros)
        report.mapped += keys.mapped
        report.unmapped += keys.unmapped
        skipped = {"cache-file", "urls-source"}
        names = sorted(n for n in other if n not in skipped)
        if names:
            report.unmapped.append(
                f"config: {plural(sum(other[n] for n in names), 'setting')} not mapped"
                f" ({', '.join(names)})"
            )

    def _write_config(self, additions: Additions, report: ImportReport) -> None:
        if not additions:
            return
        path = self.config_file
        try:
            text = path.read_text(encoding="utf-8") if path.exists() else ""
        except (OSError, UnicodeDecodeError) as exc:
            report.by_hand = snippet(additions)
            report.unmapped.append(f"cannot read {path} ({exc}): add the lines below by hand")
            return
        try:
            merged = merge(text, additions, header="# from newsboat (tuireader import)")
        except CannotMerge as exc:
            report.by_hand = snippet(additions)
            report.unmapped.append(f"{path}: {exc}; add the lines below by hand")
            return
        report.unmapped += merged.kept
        report.views, report.ignores = merged.views, merged.ignores  # what it wrote, not kept
        if merged.text == text:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(merged.text, encoding="utf-8")
        os.replace(partial, path)  # never half a config: the old one stays until this
        report.config_file = path
        report.config_added = _described(additions)

    # cache.db ---------------------------------------------------------------------------------
    def _cache(self, cache: Path, sources: dict[str, Source], report: ImportReport) -> None:
        missing: dict[str, int] = {}
        batch: list[CachedItem] = []
        for item in read_items(cache):
            if batch and batch[0].feed_url != item.feed_url:
                self._store(batch, sources, missing, report)
                batch = []
            batch.append(item)
        if batch:
            self._store(batch, sources, missing, report)
        if missing:
            report.unmapped.append(
                f"cache.db: {plural(sum(missing.values()), 'article')} of"
                f" {plural(len(missing), 'feed')} not in the urls file left out"
            )

    def _store(
        self,
        items: list[CachedItem],
        sources: dict[str, Source],
        missing: dict[str, int],
        report: ImportReport,
    ) -> None:
        url = items[0].feed_url
        source = sources.get(url) or self.library.source_by_url(url)
        if source is None:
            missing[url] = len(items)
            return
        stories = [cached_story(item) for item in items]
        seen: set[str] = set()
        unique: list[tuple[Story, CachedItem]] = []
        for story, item in zip(stories, items, strict=True):
            if story.key not in seen:
                seen.add(story.key)
                unique.append((story, item))
        # no text: the search index makes its own (by trigger), and discovery signs these
        # stories later, as it signs any story stored before it ran (Discovery.index_backlog)
        texts = [(story, "") for story, _ in unique]
        read = {s.key for s, item in unique if not item.unread or item.deleted}
        starred = {s.key for s, item in unique if item.flags}
        counts = self.library.import_stories(source, texts, read, starred)
        report.stories += counts[0]
        report.read += counts[1]
        report.starred += counts[2]


def _described(additions: Additions) -> list[str]:
    lines = [f"[views.{name}]" for name in additions.views]
    if additions.ignores:
        lines.append(f"{plural(len(additions.ignores), '[[ignore]] rule')}")
    if additions.keys:
        lines.append(f"[keys] {', '.join(additions.keys)}")
    if additions.macros:
        lines.append(f"[macros] {', '.join(additions.macros)}")
    return lines
