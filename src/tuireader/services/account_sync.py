"""Sync with an aggregator server (GReader, Fever, tt-rss, Miniflux, Nextcloud News).

One :meth:`AccountSync.sync`:

1. sends queued subscription changes (the outbox), then makes the account's sources what
   the server lists: the server is the truth for subscriptions and folders;
2. stores the items not stored yet, a page at a time, saving the API's cursor after each
   page, so an interrupted sync resumes where it stopped; they become stories like any
   other (search, full text, discovery);
3. reads the server's read and starred state and settles it with the changes queued here
   (the journal, since the last sync), field by field: a field only one side changed takes
   that side's value; when both changed it, the later change wins (the server's time where
   its API gives one, else the last sync's: a change queued here since is later);
4. sends the changes that won here, each field's last value per item: what the user saw
   and marked, never "everything up to now" (a story that arrived on the server meanwhile
   stays unread).

Every failure of the server is a :class:`SourceError` with one line naming the server;
nothing queued is lost, because the queue's marker moves only after the server took it.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from tuireader.domain.accounts import Account, AccountStatus
from tuireader.domain.errors import SourceError, UsageError
from tuireader.domain.models import ContentType, Story, StoryText
from tuireader.domain.remote import QueuedChange, RemoteItem, RemoteState
from tuireader.domain.text import one_line_error
from tuireader.services.discovery import Discovery
from tuireader.services.fulltext import FullText
from tuireader.services.library import Library
from tuireader.services.parse_worker import prepare
from tuireader.sources.remote_api import RemoteApi
from tuireader.storage.remote_repo import RemoteRepo

logger = logging.getLogger(__name__)

FIELDS = ("read", "starred")


@dataclass(frozen=True, slots=True)
class AccountSyncReport:
    """What one sync did."""

    account: str
    feeds: int = 0
    """Subscriptions on the server."""
    added: int = 0
    removed: int = 0
    """Subscriptions that appeared or went away on the server."""
    new: int = 0
    """Stories stored."""
    applied: int = 0
    """State changes from the server applied here."""
    sent: int = 0
    """State and subscription changes the server took."""
    waiting: int = 0
    """Changes still queued here (after a failure, or made during the sync)."""
    requests: int = 0
    error: str = ""
    """One line when the sync stopped early (what was done stays done)."""
    notes: tuple[str, ...] = ()
    discovery_error: str = ""


@dataclass(slots=True)
class _Run:
    feeds: int = 0
    added: int = 0
    removed: int = 0
    new: int = 0
    applied: int = 0
    sent: int = 0
    notes: list[str] = field(default_factory=list)
    touched: list[StoryText] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)
    terms: dict[int, dict[str, float]] = field(default_factory=dict)


def story_of(item: RemoteItem) -> Story:
    """A server's item as a story (its key is the server's id for it)."""
    return Story(
        key=item.id,
        title=item.title,
        link=item.link,
        author=item.author,
        published=item.published,
        updated=item.updated,
        content=item.content,
        content_type=ContentType.HTML,
        categories=item.categories,
    )


class AccountSync:
    """One library's sync with one server account.

    ``conn`` is the connection ``library`` is on; ``api`` the account's adapter, made with
    the cursor :func:`cursor_of` gives; ``deadline`` the seconds the whole sync may take.
    """

    def __init__(
        self,
        account: Account,
        api: RemoteApi,
        library: Library,
        conn: sqlite3.Connection,
        discovery: Discovery | None = None,
        deadline: float | None = None,
        fulltext: FullText | None = None,
    ) -> None:
        self.account = account
        self.api = api
        self.library = library
        self._repo = RemoteRepo(conn)
        self.discovery = discovery
        self.deadline = deadline
        self.fulltext = fulltext
        """Fetches the pages of summary-only stories, as a refresh does for feeds."""

    async def sync(self) -> AccountSyncReport:
        """Sync; a failure of the server ends it early with ``error`` set, never raises for
        one (a fault of ours still does)."""
        run = _Run()
        name = self.account.name
        error = ""
        try:
            async with asyncio.timeout(self.deadline):
                await self.api.login()
                await self._send_outbox(run)
                await self._feeds(run)
                await self._new_items(run)
                known = self._repo.known(name)
                unread_here: dict[str, int] = {}
                for linked in known.values():
                    if not linked.base_read:
                        unread_here[linked.feed] = unread_here.get(linked.feed, 0) + 1
                state = await self.api.state(unread_here)
                await self._settle(run, state)
                if self.fulltext is not None and run.pages:
                    await self.fulltext.fetch_many(run.pages)
            self._repo.set_cursor(name, self.api.cursor)
            self._repo.set_last_sync(name, int(time.time() * 1000))
        except SourceError as exc:
            error = one_line_error(exc)
            logger.info("sync of account %s stopped: %s", name, error)
        except TimeoutError:
            error = f"timed out: the sync's {self.deadline:g} s deadline passed"
            logger.info("sync of account %s stopped: %s", name, error)
        discovery_error = self._index(run)
        return AccountSyncReport(
            account=name,
            feeds=run.feeds,
            added=run.added,
            removed=run.removed,
            new=run.new,
            applied=run.applied,
            sent=run.sent,
            waiting=self._repo.waiting(name),
            requests=self.api.requests,
            error=error,
            notes=tuple(run.notes),
            discovery_error=discovery_error,
        )

    # subscriptions ----------------------------------------------------------------------
    async def _send_outbox(self, run: _Run) -> None:
        for entry in self._repo.outbox(self.account.name):
            await self.api.subscribe(entry.url, entry.folder)
            self._repo.done(entry.seq)
            run.sent += 1

    async def _feeds(self, run: _Run) -> None:
        """The server's subscriptions; those removed here (and not brought back with undo)
        are unsubscribed there first."""
        feeds = await self.api.feeds()
        gone = self._repo.removed_feeds(self.account.name)
        listed = {f.id for f in feeds}
        if gone & listed:
            for remote_id in sorted(gone & listed):
                await self.api.unsubscribe(remote_id)
                run.sent += 1
            feeds = [f for f in feeds if f.id not in gone]
        run.feeds = len(feeds)
        run.added, run.removed = self._repo.sync_feeds(self.account.name, feeds)

    # items ------------------------------------------------------------------------------
    async def _new_items(self, run: _Run) -> None:
        known = self._repo.known(self.account.name)
        async for page in self.api.new_items(known):
            await self._store(run, page)
            self._repo.set_cursor(self.account.name, self.api.cursor)

    async def _store(self, run: _Run, items: Sequence[RemoteItem]) -> None:
        """Store items as stories of their feeds, linked to the server's ids, with the
        server's state; items of a feed the account does not list are left out."""
        if not items:
            return
        sources = self._repo.feeds(self.account.name)
        by_feed: dict[str, list[RemoteItem]] = defaultdict(list)
        for item in items:
            if item.feed_id in sources:
                by_feed[item.feed_id].append(item)
        groups = [(sources[f], items_) for f, items_ in by_feed.items()]
        prepared = await asyncio.to_thread(
            lambda: [prepare([story_of(i) for i in items_]) for _, items_ in groups]
        )
        all_counts = self.library.store_many(
            [(source, p.items) for (source, _), p in zip(groups, prepared, strict=True)],
            seen_since=0,
            exact_texts=True,
        )
        links: list[tuple[str, int, bool, bool]] = []
        for (source, feed_items), ready, counts in zip(groups, prepared, all_counts, strict=True):
            assert source.id is not None
            run.new += counts.new
            for touched in counts.touched:
                run.terms[touched.id] = ready.terms[touched.key]
                run.touched.append(replace(touched, text=""))
            if self.fulltext is not None:
                by_key = {story.key: story for story, _ in ready.items}
                run.pages.extend(
                    t.id
                    for t in counts.touched
                    if self.fulltext.wanted(by_key[t.key], source, ready.words[t.key])
                )
            ids = self._repo.story_ids(source.id, [i.id for i in feed_items])
            links.extend((i.id, ids[i.id], i.read, i.starred) for i in feed_items if i.id in ids)
        self._repo.link(self.account.name, links)

    # state ------------------------------------------------------------------------------
    async def _settle(self, run: _Run, state: RemoteState) -> None:
        name = self.account.name
        known = self._repo.known(name)
        fresh = [i for i in state.changed if i.id not in known]
        if fresh:
            await self._store(run, fresh)
            known = self._repo.known(name)
        changed = {i.id: i for i in state.changed}
        last_seq, pending = self._repo.pending(name)
        last_sync = self._repo.last_sync(name)
        apply: list[tuple[str, int, str, bool, bool]] = []
        send: dict[tuple[str, bool], list[str]] = defaultdict(list)
        rebase: dict[tuple[str, bool], list[str]] = defaultdict(list)
        for remote_id, linked in known.items():
            queued = pending.get(remote_id, {})
            item = changed.get(remote_id)
            server_at = (
                int(item.changed.timestamp() * 1000)
                if item is not None and item.changed is not None
                else last_sync
            )
            for name_ in FIELDS:
                server = _server_value(state, item, remote_id, name_, linked.feed)
                here = getattr(linked, name_)
                base = getattr(linked, f"base_{name_}")
                winner = _winner(server, base, queued.get(name_), server_at)
                there = base if server is None else server
                if winner != there:
                    send[(name_, winner)].append(remote_id)
                elif winner != here:
                    apply.append((remote_id, linked.story_id, name_, winner, here))
                elif there != base:
                    rebase[(name_, winner)].append(remote_id)
        for (name_, value), ids in rebase.items():
            self._repo.set_bases(name, name_, value, ids)
        if apply:
            run.applied += self._repo.apply(name, apply)
        for (name_, value), ids in send.items():
            await self.api.send(name_, value, ids)
            self._repo.set_bases(name, name_, value, ids)
            run.sent += len(ids)
        self._repo.mark_sent(name, last_seq)

    def _index(self, run: _Run) -> str:
        if self.discovery is None or not run.touched:
            return ""
        try:
            self.discovery.index(run.touched, run.terms)
        except Exception as exc:  # discovery is a bonus: never fail a sync over it
            logger.exception("indexing %d synced stories for discovery failed", len(run.touched))
            return one_line_error(exc)
        return ""


def _server_value(
    state: RemoteState, item: RemoteItem | None, remote_id: str, name: str, feed: str
) -> bool | None:
    """The server's value of a field, ``None`` when this read does not say (unchanged)."""
    if item is not None:
        return item.read if name == "read" else item.starred
    if name == "read" and state.unread_feeds is not None and feed not in state.unread_feeds:
        return None
    ids = state.unread if name == "read" else state.starred
    if ids is None:
        return None
    return remote_id not in ids if name == "read" else remote_id in ids


def _winner(server: bool | None, base: bool, queued: QueuedChange | None, server_at: int) -> bool:
    """The value a field ends with: the side that changed it, or the later of the two."""
    server_changed = server is not None and server != base
    if queued is None:
        return server if server is not None else base
    if server_changed and server_at > queued.at:
        assert server is not None
        return server
    return queued.value


def cursor_of(conn: sqlite3.Connection, account: Account) -> dict[str, int]:
    """Where the account's next incremental read starts (to make its adapter with)."""
    return RemoteRepo(conn).cursor(account.name)


def status_of(conn: sqlite3.Connection, account: Account) -> AccountStatus:
    """When a server account last synced whole and how many changes wait to be sent."""
    repo = RemoteRepo(conn)
    last = repo.last_sync(account.name)
    when = datetime.fromtimestamp(last / 1000, UTC) if last else None
    return AccountStatus(when, repo.waiting(account.name))


def subscribe(conn: sqlite3.Connection, account: Account, url: str, folder: str = "") -> None:
    """Queue a new subscription for the account's server (sent by the next sync)."""
    if not account.type.can_subscribe:
        raise UsageError(
            f"{account.name}: the {account.type} API cannot add subscriptions;"
            " add the feed on the server, and the next sync brings it here"
        )
    RemoteRepo(conn).queue(account.name, "subscribe", url=url, folder=folder)
