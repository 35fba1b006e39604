"""The library facade: everything the CLI and the app ask of the store."""

from __future__ import annotations

import sqlite3
import stat
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tuireader.config.settings import Settings
from tuireader.domain.command_feed import command_argv, is_command_url, parse_command_url
from tuireader.domain.dates import to_timestamp
from tuireader.domain.errors import ReadOnlyError, UsageError
from tuireader.domain.files import kind_of, os_reason
from tuireader.domain.filter_lang import looks_like_expression
from tuireader.domain.filter_lang import parse as parse_filter
from tuireader.domain.health import FetchSummary
from tuireader.domain.killfile import IgnoreRule, SavedView
from tuireader.domain.models import (
    Source,
    SourceKind,
    SourceOptions,
    SourceSettings,
    StoreCounts,
    Story,
)
from tuireader.domain.query import StoryQuery
from tuireader.domain.text import clean_line
from tuireader.sources.opml import read_opml, write_opml
from tuireader.storage.database import write
from tuireader.storage.discovery_repo import DiscoveryRepo
from tuireader.storage.health_repo import HealthRepo
from tuireader.storage.killfile_repo import KillfileRepo
from tuireader.storage.pages_repo import PagesRepo
from tuireader.storage.prefs_repo import PrefsRepo
from tuireader.storage.sources_repo import SourceRepo
from tuireader.storage.stories_repo import StoryRepo
from tuireader.storage.undo_repo import UndoRepo

if TYPE_CHECKING:  # the reader's renderer loads when a story is first opened
    from tuireader.services.reading import OpenedStory

SAMPLES_PREF = "first_run_samples"
"""The URL of the sample library seeded on a first run, while it is still there to leave."""
VIEWS_PREF = "saved_views"
"""Views saved in the app: a list of ``{"name": ..., "query": ...}``."""
KILLFILE_PREF = "killfile_rules"
"""The rules (their labels) the store's ``story_ignored`` was last brought in line with."""
SAMPLES_LEFT = (
    "The sample library has left now that you have a source of your own ({n} sample stories"
    " removed); `tuireader samples` brings it back."
)


def source_for(ref: str, folder: str = "", title: str = "") -> Source:
    """A new source from what the user typed: an http(s) URL with a host, or a path that
    exists; raises :class:`UsageError` saying what is wrong with anything else."""
    ref = ref.strip()
    if not ref:
        raise UsageError("give a feed URL or a local path")
    if ref.lower().startswith(("http://", "https://")):
        return Source(url=_checked_url(ref), kind=SourceKind.FEED, folder=folder, title=title)
    if is_command_url(ref):
        try:
            feed = parse_command_url(ref)
            command_argv(feed.command)  # refused now if it could never run
            if feed.is_filter:
                _checked_url(feed.feed_url)
        except UsageError as exc:
            raise UsageError(f"{clean_line(ref)}: {exc}") from None
        return Source(url=feed.url(), kind=SourceKind.COMMAND, folder=folder, title=title)
    if "://" in ref:
        raise UsageError(
            "only http(s) URLs, exec:/filter: commands and local paths can be added:"
            f" {clean_line(ref)}"
        )
    path = Path(ref).expanduser().resolve()
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        hint = ""
        if _looks_like_a_host(ref):
            hint = f" (for a web address, write https://{clean_line(ref)})"
        raise UsageError(f"cannot add {path}: {os_reason(exc)}{hint}") from None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise UsageError(f"cannot add {path}: it is {kind_of(mode)}, not a regular file")
    return Source(url=str(path), kind=SourceKind.LOCAL, folder=folder, title=title)


def _checked_url(url: str) -> str:
    shown = clean_line(url)
    if any(ch.isspace() for ch in url):
        raise UsageError(f"a URL has no spaces: {shown!r}")
    try:
        parts = urlsplit(url)
        _port = parts.port  # raises for a port that is not a number
    except ValueError as exc:
        raise UsageError(f"not a valid URL ({exc}): {shown}") from None
    if not parts.hostname:
        raise UsageError(f"the URL names no host: {shown}")
    return url


_FILE_SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".json", ".opml", ".html", ".htm", ".md"}
_FILE_SUFFIXES |= {".markdown", ".txt", ".pdf"}


def _looks_like_a_host(ref: str) -> bool:
    """``example.org/feed``: a web address typed without its scheme, not a missing file."""
    head = ref.split("/", 1)[0]
    if "." not in head.strip(".") or any(ch in head for ch in " ~\\"):
        return False
    return Path(head).suffix.lower() not in _FILE_SUFFIXES


class Library:
    """Sources and stories, with the settings that shape them."""

    def __init__(
        self, conn: sqlite3.Connection, settings: Settings, clock: Callable[[], float] = time.time
    ) -> None:
        self._conn = conn
        self.settings = settings
        self._sources = SourceRepo(conn)
        self._stories = StoryRepo(conn, clock)
        self._prefs = PrefsRepo(conn)
        self._flags = DiscoveryRepo(conn)
        self._undo = UndoRepo(conn)
        self._pages = PagesRepo(conn)
        self._killfile = KillfileRepo(conn, clock)
        self._health = HealthRepo(conn)
        self._notices: list[str] = []

    @property
    def connection(self) -> sqlite3.Connection:
        """The connection the library is on (for the composition root to hand to services
        that share it)."""
        return self._conn

    # sources -----------------------------------------------------------------------------
    # Every Source this facade hands out has the config's settings applied: the repository
    # is private, and each method that yields a Source passes it through _with_settings.
    def sources(self) -> list[Source]:
        """Every source with counts and last status, settings from the config applied."""
        return [self._with_settings(s) for s in self._sources.all()]

    def settings_for(self, source: Source) -> SourceSettings:
        """The settings in effect for a source: what was set on it (``source.options``),
        else its ``[sources]`` entry in the config (by URL or title), else the retention and
        full-text defaults."""
        own = source.options
        override = self.settings.sources.get(source.url) or self.settings.sources.get(source.title)
        retention = self.settings.retention
        max_stories = (override.max_stories if override else 0) or retention.max_stories
        max_age = (override.max_age_days if override else 0) or retention.max_age_days
        if own.max_stories is not None:
            max_stories = own.max_stories
        if own.max_age_days is not None:
            max_age = own.max_age_days
        return SourceSettings(
            max_stories=max_stories or None,
            max_age_days=max_age or None,
            full_text=own.full_text
            or (override.full_text if override else "")
            or self.settings.general.full_text,
            refresh_interval=own.refresh_interval,
            user_agent=own.user_agent or "",
            auth_user=own.auth_user or "",
            password_command=own.password_command or "",
            cookies_file=own.cookies_file or "",
        )

    def set_options(self, source: Source, options: SourceOptions) -> Source:
        """Store what the user set on a source and return it with its settings in effect; a
        tighter retention applies at once (never to unread or starred stories, nor to what
        the feed still lists)."""
        assert source.id is not None
        self._sources.set_options(source.id, options)
        stored = self._sources.get(source.id)
        assert stored is not None
        updated = self._with_settings(stored)
        if source.kind is not SourceKind.SAVED:
            limits = updated.settings
            if limits.max_stories or limits.max_age_days:
                self._stories.prune(
                    source.id,
                    limits.max_stories,
                    limits.max_age_days,
                    self._stories.last_seen(source.id),
                )
        return updated

    def adopt_url(self, source: Source, new_url: str) -> Source:
        """Give a source a new URL (where it permanently redirects, or its https://
        address); :class:`UsageError` when another source has it."""
        assert source.id is not None
        if not self._sources.adopt_url(source.id, new_url):
            raise UsageError(f"another source has the URL {clean_line(new_url)} already")
        stored = self._sources.get(source.id)
        assert stored is not None
        return self._with_settings(stored)

    def _with_settings(self, source: Source) -> Source:
        source.settings = self.settings_for(source)
        return source

    def add_source(self, source: Source) -> tuple[Source, bool]:
        """Subscribe; returns the stored source and whether it is new.

        The first source of the user's own retires the first-run sample library (see
        :meth:`take_notices`).
        """
        stored, new = self._sources.add(source)
        if new and stored.url != self._prefs.get(SAMPLES_PREF, ""):
            self._retire_samples()
        return self._with_settings(stored), new

    def add_samples(self, source: Source, first_run: bool) -> tuple[Source, bool]:
        """Subscribe to the bundled sample library.

        On a first run it is there only until the user adds a source of their own; asked for
        later (``tuireader samples``) it is an ordinary source that stays until removed.
        """
        self._prefs.set(SAMPLES_PREF, source.url if first_run else "")
        stored, new = self._sources.add(source)
        return self._with_settings(stored), new

    def _retire_samples(self) -> None:
        url = self._prefs.get(SAMPLES_PREF, "")
        if not url:
            return
        self._prefs.set(SAMPLES_PREF, "")
        samples = self._sources.by_url(url, include_removed=True)
        if samples is None or samples.id is None:
            return
        removed = self._sources.delete(samples.id)
        self._undo.drop_source(samples.id)
        self._notices.append(SAMPLES_LEFT.format(n=removed))

    def take_notices(self) -> list[str]:
        """One-line messages for the user about what the library did on its own (the sample
        library leaving), each given once."""
        notices, self._notices = self._notices, []
        return notices

    def source_by_url(self, url: str) -> Source | None:
        """The subscribed source with this URL or path, if any."""
        found = self._sources.by_url(url)
        return self._with_settings(found) if found is not None else None

    def find_sources(self, refs: Iterable[str]) -> list[Source]:
        """Sources by id, URL/path or title; raises :class:`UsageError` for an unknown one."""
        out: list[Source] = []
        for ref in refs:
            found = self._sources.find(ref)
            if not found and "://" not in ref and Path(ref).expanduser().exists():
                found = self._sources.find(str(Path(ref).expanduser().resolve()))
            if not found:
                raise UsageError(f"no source matches {clean_line(ref)!r}")
            out.extend(self._with_settings(s) for s in found)
        return out

    def remove_source(self, source: Source) -> int:
        """Unsubscribe; its stories stay recoverable (``undo``) until the next vacuum. An
        account's feed is unsubscribed on its server by the next sync (where the API can:
        :class:`UsageError` where it cannot)."""
        assert source.id is not None
        if source.kind is SourceKind.ACCOUNT:
            account = self.settings.accounts.get(source.account)
            if account is not None and not account.type.can_subscribe:
                raise UsageError(
                    f"{source.account}: the {account.type} API cannot remove subscriptions;"
                    " remove the feed on the server, and the next sync removes it here"
                )
        hidden = self._sources.remove(source.id)
        self._undo.push("remove_source", f"remove {source.name}", {"source_id": source.id})
        return hidden

    def mark_all_read(self, query: StoryQuery, label: str = "mark all read") -> int:
        """Mark every unread story in a view read, as one undoable action."""
        changed = self._stories.mark(self._stories.ids(replace(query, unread=True)), read=True)
        if changed:
            self._undo.push("mark_read", label, {"ids": changed})
        return len(changed)

    def mark_source_read(self, source: Source) -> int:
        """Mark a source's stories read, as one undoable action."""
        assert source.id is not None
        return self.mark_all_read(StoryQuery(source_ids=(source.id,)), f"mark {source.name} read")

    def undo(self) -> str | None:
        """Revert the latest bulk action; returns what was undone, or ``None``."""
        entry = self._undo.peek()
        if entry is None:
            return None
        if entry.kind == "mark_read":
            self._stories.mark(entry.payload["ids"], read=False)
        elif entry.kind == "remove_source":
            self._sources.restore(int(entry.payload["source_id"]))
        self._undo.drop(entry.id)
        return entry.label

    def can_undo(self) -> bool:
        """Whether there is anything to undo."""
        return self._undo.peek() is not None

    def move(self, source: Source, new_url: str) -> None:
        """Follow a permanent redirect."""
        assert source.id is not None
        if self._sources.move(source.id, new_url):
            source.url = new_url

    def fetch_history(
        self, now: datetime, weeks: int
    ) -> tuple[dict[int, FetchSummary], dict[int, list[int]]]:
        """Each source's fetch log summed up, and its stories per week over the last
        ``weeks`` weeks, by source id (what the feed health view is made of)."""
        return self._health.summaries(), self._health.weekly(int(now.timestamp()), weeks)

    def record(
        self,
        source: Source,
        status: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        fingerprint: str | None = None,
        title: str | None = None,
        retry_after: datetime | None = None,
        keep_validators: bool = False,
        http_status: int | None = None,
        new_stories: int = 0,
        moved_to: str | None = None,
    ) -> None:
        """Remember a fetch's outcome (and log it for the health view)."""
        assert source.id is not None
        self._sources.record_fetch(
            source.id,
            status,
            etag=etag,
            last_modified=last_modified,
            fingerprint=fingerprint,
            title=title,
            retry_after=to_timestamp(retry_after),
            keep_validators=keep_validators,
            http_status=http_status,
            new_stories=new_stories,
            moved_to=moved_to,
        )
        if moved_to is not None:
            source.moved_to = moved_to

    def store(
        self,
        source: Source,
        items: Sequence[tuple[Story, str]],
        seen_since: int,
        exact_texts: bool = False,
    ) -> StoreCounts:
        """Store fetched stories and apply retention (``exact_texts``: each story's text is
        its ``story_text``, which the search index then takes as it is)."""
        assert source.id is not None
        adopt = source.kind is not SourceKind.ACCOUNT  # a server's ids are stable
        counts = self._stories.upsert(source.id, items, adopt=adopt, exact_texts=exact_texts)
        if self.settings.ignore and counts.touched:
            self._ignore([t.id for t in counts.touched])
        settings = self.settings_for(source)  # the config's word, whatever the caller holds
        if source.kind is not SourceKind.SAVED and (settings.max_stories or settings.max_age_days):
            self._stories.prune(source.id, settings.max_stories, settings.max_age_days, seen_since)
        return counts

    def store_many(
        self,
        batch: Sequence[tuple[Source, Sequence[tuple[Story, str]]]],
        seen_since: int,
        exact_texts: bool = False,
    ) -> list[StoreCounts]:
        """:meth:`store` for several sources, in one transaction."""
        with write(self._conn):
            return [self.store(source, items, seen_since, exact_texts) for source, items in batch]

    def import_stories(
        self,
        source: Source,
        items: Sequence[tuple[Story, str]],
        read: set[str],
        starred: set[str],
    ) -> tuple[int, int, int]:
        """Store stories brought from another reader (newsboat's cache) with their read and
        starred state, by key; returns (new stories, marked read, starred). A story already
        stored keeps the state it has here."""
        assert source.id is not None
        with write(self._conn):
            before = self._stories.keys_of(source.id)
            counts = self._stories.upsert(source.id, items, adopt=False)
            ids = self._stories.keys_of(source.id)
            fresh = {key: sid for key, sid in ids.items() if key not in before}
            marked = self._stories.mark([fresh[k] for k in read if k in fresh], read=True)
            stars = self._stories.mark([fresh[k] for k in starred if k in fresh], starred=True)
        return counts.new, len(marked), len(stars)

    def read_keys(self, source: Source) -> list[tuple[str, str, str, int | None]]:
        """A source's read stories as (key, title, link, published timestamp), for another
        reader to take."""
        assert source.id is not None
        return self._stories.read_keys(source.id)

    # killfile -----------------------------------------------------------------------------
    def _rules(self) -> list[tuple[IgnoreRule, tuple[int, ...] | None]]:
        """The config's rules, each with the ids of the sources it is limited to."""
        out: list[tuple[IgnoreRule, tuple[int, ...] | None]] = []
        for rule in self.settings.ignore:
            ids: tuple[int, ...] | None = None
            if rule.sources:
                found = (s for ref in rule.sources for s in self._sources.find(ref))
                ids = tuple(sorted({s.id for s in found if s.id is not None}))
            out.append((rule, ids))
        return out

    def _ignore(self, story_ids: Sequence[int] | None) -> int:
        """Apply the rules to these stories (``None``: to every stored one)."""
        caught = self._killfile.apply(self._rules(), story_ids)
        if caught.marked_read:
            self._stories.mark(caught.marked_read, read=True)
        return caught.hidden + len(caught.marked_read or [])

    def apply_killfile(self) -> int:
        """Bring what the store says the rules caught in line with the config, when the
        rules changed since the last time: what a dropped rule hid shows again, and the
        rules are applied to every stored story. Returns how many stories they caught."""
        labels = [r.label for r in self.settings.ignore]
        if self._prefs.get(KILLFILE_PREF, []) == labels:
            return 0
        try:
            self._killfile.forget_others(labels)
            caught = self._ignore(None) if labels else 0
            self._prefs.set(KILLFILE_PREF, labels)
        except ReadOnlyError:
            return 0  # a read-only library is shown as it is
        return caught

    def saved_views(self) -> list[SavedView]:
        """The config's ``[views]``, then those saved in the app (one whose expression no
        longer parses, after an upgrade say, is left out)."""
        views = list(self.settings.views.values())
        stored = self._prefs.get(VIEWS_PREF, [])
        for item in stored if isinstance(stored, list) else []:
            query = item.get("query") if isinstance(item, dict) else None
            if isinstance(query, str) and looks_like_expression(query):
                views.append(SavedView(str(item.get("name") or query), query))
        return views

    def save_view(self, query: str, name: str = "") -> None:
        """Keep a filter expression as a saved view (once)."""
        parse_filter(query)
        stored = self._prefs.get(VIEWS_PREF, [])
        kept = [v for v in stored if isinstance(v, dict)] if isinstance(stored, list) else []
        if all(v.get("query") != query for v in kept):
            self._prefs.set(VIEWS_PREF, [*kept, {"name": name or query, "query": query}])

    def forget_view(self, query: str) -> str:
        """Take a view saved in the app out: ``"forgot"``; ``"config"`` when the config
        holds it (it is edited there); ``""`` when no view has that expression."""
        stored = self._prefs.get(VIEWS_PREF, [])
        kept = [v for v in stored if isinstance(v, dict)] if isinstance(stored, list) else []
        left = [v for v in kept if v.get("query") != query]
        if len(left) < len(kept):
            self._prefs.set(VIEWS_PREF, left)
            return "forgot"
        return "config" if any(v.query == query for v in self.settings.views.values()) else ""

    def ignored(self, limit: int) -> list[tuple[Story, str]]:
        """The stories the rules caught, newest first, each with the rule that caught it."""
        why = self._killfile.caught(limit)
        stories = self._stories.page(StoryQuery(ignored=True), limit)
        return [(s, why.get(s.id or 0, ("", ""))[0]) for s in stories]

    # OPML ---------------------------------------------------------------------------------
    def import_opml(self, data: bytes) -> tuple[list[Source], int]:
        """Subscribe to the feeds an OPML document lists; returns new sources and skipped."""
        added: list[Source] = []
        skipped = 0
        for source in read_opml(data):
            stored, new = self.add_source(source)
            if new:
                added.append(stored)
            else:
                skipped += 1
        return added, skipped

    def export_opml(self) -> str:
        """Every feed as OPML 2.0, folders kept."""
        return write_opml(s for s in self.sources() if s.kind is SourceKind.FEED)

    # stories ------------------------------------------------------------------------------
    def page(
        self, query: StoryQuery, limit: int, offset: int = 0, total: int | None = None
    ) -> list[Story]:
        """Headlines for a view (``total``, when known, makes far pages cheap)."""
        return self._stories.page(query, limit, offset, total)

    def count(self, query: StoryQuery) -> int:
        """Stories in a view."""
        return self._stories.count(query)

    def ids(self, query: StoryQuery) -> list[int]:
        """Story ids in a view."""
        return self._stories.ids(query)

    def story(self, story_id: int) -> Story:
        """One story in full, with its fetched page; raises :class:`UsageError` if none."""
        found = self._stories.get(story_id)
        if found is None:
            raise UsageError(f"no story with id {story_id}")
        page = self._pages.get(story_id)
        if page is not None:
            found.full_text = page.text
            found.full_text_status = page.status
        return found

    def open_story(self, story_id: int) -> OpenedStory:
        """A story made ready to show: in full, as reader text, with its page lists matched
        (milliseconds for a feed item, more for a long page: call it off the event loop)."""
        from tuireader.services.reading import open_story

        return open_story(self.story(story_id), self.match_titles)

    # full-text pages ------------------------------------------------------------------------
    def pages_settled(self, story_ids: Sequence[int]) -> set[int]:
        """Which of these stories have a page attempt stored that is not to be made again
        (one that failed through a fault of ours is made again)."""
        return self._pages.have(list(story_ids))

    def pages_to_retry(self, source_ids: Sequence[int]) -> list[int]:
        """Stories of these sources whose page failed through a fault of ours, oldest
        attempt first."""
        return self._pages.to_retry(list(source_ids))

    def page_validators(self, story_id: int) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) to refetch a story's stored page conditionally; both
        ``None`` when no text is stored (a failed attempt is fetched in full)."""
        page = self._pages.get(story_id)
        if page is None or not page.text:
            return None, None
        return page.etag, page.last_modified

    def save_page(
        self,
        story_id: int,
        url: str,
        status: str,
        text: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Store a page fetch's outcome; ``text=None`` keeps the text stored before (a 304
        or a failed refetch); search then finds the story by the page's words."""
        self._pages.save(story_id, url, status, text, etag, last_modified)

    def page_by_key(self, source: Source, key: str) -> Story:
        """A source's story by its stable key."""
        assert source.id is not None
        story_id = self._stories.id_for_key(source.id, key)
        if story_id is None:
            raise UsageError(f"no story with key {clean_line(key)!r}")
        return self.story(story_id)

    def mark(
        self, ids: Iterable[int], *, read: bool | None = None, starred: bool | None = None
    ) -> list[int]:
        """Change state; returns the ids that changed."""
        return self._stories.mark(ids, read=read, starred=starred)

    def mark_finished(self, story_id: int) -> None:
        """The reader reached the end of the story (it now shapes recommendations)."""
        self._flags.set_flag(story_id, "finished", True)

    def dismiss(self, story_id: int, value: bool = True) -> None:
        """ "Not interested": recommend fewer stories like this one."""
        self._flags.set_flag(story_id, "dismissed", value)

    def match_titles(self, titles: Sequence[str]) -> list[int | None]:
        """For each headline, the id of a library story with that title, if any."""
        found = self._stories.by_titles(titles)
        return [found.get(t.casefold()) for t in titles]

    def pref(self, name: str, default: object = None) -> object:
        """A stored preference (theme, saved searches)."""
        return self._prefs.get(name, default)

    def set_pref(self, name: str, value: object) -> None:
        """Store a preference."""
        self._prefs.set(name, value)

    # new stories since a mark (notifications) --------------------------------------------
    def newest_story_id(self) -> int:
        """A mark to ask :meth:`stories_since` from (taken before a refresh)."""
        return self._stories.newest_id()

    def stories_since(self, mark: int, limit: int = 20) -> tuple[int, list[str]]:
        """How many stories arrived after ``mark``, and the newest ``limit`` titles."""
        return self._stories.since(mark, limit)

    def close(self) -> None:
        """Close the library's database connection."""
        self._conn.close()

    def vacuum(self) -> int:
        """Delete removed sources for good and compact the database; returns sources purged."""
        purged = self._sources.purge_removed()
        self._undo.drop_kind("remove_source")
        self._stories.vacuum()
        return purged
