"""Refreshing sources: fetch, parse off the event loop, store; one bad source never stops others."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from tuireader.domain.dates import to_timestamp
from tuireader.domain.errors import INTERNAL, NotAFeedError, SourceError, StorageError
from tuireader.domain.models import (
    FetchStatus,
    ParsedFeed,
    Source,
    SourceKind,
    StoryText,
)
from tuireader.domain.text import one_line_error
from tuireader.services.discovery import Discovery
from tuireader.services.fulltext import FullText
from tuireader.services.library import Library
from tuireader.services.parse_worker import Prepared, parse_and_prepare, prepare
from tuireader.services.refresh_report import (
    Outcome,
    Progress,
    RefreshEvent,
    RefreshReport,
    SourceDone,
    SourceResult,
)
from tuireader.services.source_fetch import read_command_feed, request_options
from tuireader.sources.feedparse import parse_feed
from tuireader.sources.http import (
    Fetcher,
    FetchResult,
    HttpStatusError,
    NetworkError,
    RetryLaterError,
)
from tuireader.sources.local.loader import fingerprint, load_path

logger = logging.getLogger(__name__)


POOL_FROM = 24
"""From this many feeds, parsing runs in worker processes: it is CPU work, and threads
share one core under the GIL with fetching and storing."""


FETCHED = (SourceKind.FEED, SourceKind.COMMAND)
"""Kinds whose stories come from a fetched (or printed) feed: full text applies to them."""


def is_due(source: Source, now: datetime) -> bool:
    """Whether a source's refresh interval (if it has one) has passed since its last fetch."""
    interval = source.settings.refresh_interval
    if not interval or source.fetched_at is None:
        return True
    return now >= source.fetched_at + timedelta(minutes=interval)


def _parse_pool() -> ProcessPoolExecutor:
    """Two worker processes, started fresh ("spawn"): never a fork of a running app."""
    return ProcessPoolExecutor(
        max_workers=max(1, min(2, os.cpu_count() or 1)), mp_context=get_context("spawn")
    )


class Refresher:
    """Refreshes sources through a shared :class:`Fetcher` into the :class:`Library`."""

    def __init__(
        self,
        library: Library,
        fetcher: Fetcher,
        discovery: Discovery | None = None,
        fulltext: FullText | None = None,
        deadline: float | None = None,
    ) -> None:
        self.library = library
        self.deadline = deadline
        """Seconds the whole refresh may take (``None``: no limit)."""
        self.fetcher = fetcher
        self.discovery = discovery
        self.defer_discovery = False
        """Leave signing and clustering the new stories to the indexer that runs after the
        refresh (a command's detached ``tuireader index``): they are a little over half of
        a cold refresh's time. Stored is searchable either way (the index is a trigger's)."""
        self.fulltext = fulltext
        self._pages_todo: list[int] = []
        self._pool: ProcessPoolExecutor | None = None
        self._touched: list[StoryText] = []
        self._terms: dict[int, dict[str, float]] = {}
        self._primed: dict[str, FetchResult] = {}

    def prime(self, url: str, fetched: FetchResult) -> None:
        """Use ``fetched`` for the next refresh of ``url`` instead of fetching it again
        (the response a new source was checked with)."""
        self._primed[url] = fetched

    async def refresh(
        self,
        sources: Sequence[Source] | None = None,
        progress: Progress | None = None,
        *,
        due_only: bool = False,
    ) -> RefreshReport:
        """Refresh the given sources (all when ``None``) concurrently; with ``due_only``,
        a source whose refresh interval has not passed is left for later (and counted)."""
        targets = [  # an account's feeds come with its sync, never fetched directly
            s
            for s in (self.library.sources() if sources is None else sources)
            if s.kind is not SourceKind.ACCOUNT
        ]
        report = RefreshReport()
        if due_only:
            now = datetime.now(UTC)
            due = [s for s in targets if is_due(s, now)]
            report.not_due = len(targets) - len(due)
            targets = due
        done = 0
        feeds = sum(1 for s in targets if s.kind in FETCHED)
        if feeds >= POOL_FROM and self._pool is None:
            self._pool = _parse_pool()

        async def one(source: Source) -> None:
            nonlocal done
            result = await self.refresh_one(source)
            report.results.append(result)
            done += 1
            if progress is not None:
                progress(done, len(targets), result)

        try:
            async with asyncio.timeout(self.deadline):
                await self._fetch_all(targets, one, report)
        except TimeoutError:  # the whole refresh's deadline: what is not done is said so
            finished = {r.source.id for r in report.results}
            late = f"timed out: the refresh's {self.deadline:g} s deadline passed"
            for source in targets:
                if source.id not in finished:
                    self.library.record(source, late, keep_validators=True)
                    report.results.append(SourceResult(source, Outcome.FAILED, message=late))
            self._pages_todo = []
        if report.stopped:
            self._pages_todo, self._touched, self._terms = [], [], {}
            return report
        if self.discovery is not None and self._touched:
            touched, self._touched = self._touched, []
            terms, self._terms = self._terms, {}
            if self.defer_discovery:
                report.to_index = len(touched)  # stored unsigned: the indexer's backlog
                return report
            try:
                report.discovery = self.discovery.index(touched, terms)
            except Exception as exc:  # discovery is a bonus: never fail a refresh over it
                logger.exception("indexing %d stories for discovery failed", len(touched))
                report.discovery_error = one_line_error(exc)
        return report

    async def events(
        self, sources: Sequence[Source] | None = None, *, due_only: bool = False
    ) -> AsyncIterator[RefreshEvent]:
        """Refresh as :meth:`refresh` does, yielding a :class:`SourceDone` as each source
        finishes and the :class:`RefreshReport` last.

        Leaving the loop early (or being cancelled) cancels the refresh: the sources already
        done stay stored. A fault that would make :meth:`refresh` raise is raised here.
        """
        queue: asyncio.Queue[SourceDone | None] = asyncio.Queue()

        def progress(done: int, total: int, result: SourceResult) -> None:
            queue.put_nowait(SourceDone(result, done, total))

        task = asyncio.create_task(self.refresh(sources, progress, due_only=due_only))
        task.add_done_callback(lambda _: queue.put_nowait(None))
        try:
            while (event := await queue.get()) is not None:
                yield event
            yield task.result()
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _fetch_all(
        self,
        targets: Sequence[Source],
        one: Callable[[Source], Coroutine[Any, Any, None]],
        report: RefreshReport,
    ) -> None:
        """Every source at once, then their full-text pages; a full disk stops it all."""
        try:
            async with asyncio.TaskGroup() as group:
                for source in targets:
                    group.create_task(one(source))
        except* StorageError as stop:  # a full disk: every other source would fail the same way
            report.stopped = str(stop.exceptions[0])
            logger.info("refresh stopped: %s", report.stopped)
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
        if report.stopped:
            return
        if self.fulltext is not None:
            self._pages_todo.extend(self._pages_to_retry(targets))
        if self.fulltext is not None and self._pages_todo:
            todo, self._pages_todo = self._pages_todo, []
            report.full_text = await self.fulltext.fetch_many(todo)

    def _pages_to_retry(self, targets: Sequence[Source]) -> list[int]:
        """Pages of these sources that failed through a fault of ours: tried again now."""
        ids = [
            s.id
            for s in targets
            if s.id is not None and s.kind in FETCHED and s.settings.full_text != "never"
        ]
        return self.library.pages_to_retry(ids) if ids else []

    async def _parse(self, data: bytes, url: str) -> tuple[ParsedFeed, Prepared]:
        """Parse in the process pool when there is one (a big refresh), else in a thread."""
        terms = not self.defer_discovery  # else the indexer counts them
        if self._pool is not None:
            try:
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(self._pool, parse_and_prepare, data, url, terms)
            except BrokenProcessPool:
                self._pool = None  # carry on in threads
        return await asyncio.to_thread(parse_and_prepare, data, url, terms)

    def _store(self, source: Source, prepared: Prepared, now: datetime) -> int:
        items = prepared.items
        counts = self.library.store(
            source, items, seen_since=to_timestamp(now) or 0, exact_texts=True
        )
        for touched in counts.touched:
            if touched.key in prepared.terms:
                self._terms[touched.id] = prepared.terms[touched.key]
            # the counts stand for the text from here on: keep the refresh small in memory
            self._touched.append(replace(touched, text=""))
        if self.fulltext is not None and source.kind in FETCHED:
            by_key = {story.key: story for story, _ in items}
            self._pages_todo.extend(
                t.id
                for t in counts.touched
                if self.fulltext.wanted(by_key[t.key], source, prepared.words[t.key])
            )
        return counts.new

    async def refresh_one(self, source: Source) -> SourceResult:
        """Refresh one source; every failure becomes a one-line result, never an exception."""
        assert source.id is not None
        try:
            if source.kind is SourceKind.SAVED:  # saved pages are kept, never refetched
                return SourceResult(source, Outcome.UNCHANGED)
            if source.kind is SourceKind.ACCOUNT:  # its stories come with the account's sync
                return SourceResult(source, Outcome.UNCHANGED)
            if source.kind is SourceKind.LOCAL:
                return await self._local(source)
            return await self._feed(source)
        except StorageError:
            raise  # the database refused a write (full disk, read-only): stops the refresh
        except RetryLaterError as exc:
            self.library.record(source, str(exc), retry_after=exc.until, keep_validators=True)
            return SourceResult(source, Outcome.WAITING, message=str(exc))
        except SourceError as exc:
            message = one_line_error(exc)
            status = exc.status if isinstance(exc, HttpStatusError) else None
            self.library.record(source, message, keep_validators=True, http_status=status)
            return SourceResult(
                source, Outcome.FAILED, message=message, offline=isinstance(exc, NetworkError)
            )
        except Exception as exc:  # a bug in a parser must not stop the other sources
            logger.exception("refreshing %s failed", source.url)
            message = one_line_error(f"{INTERNAL}: {type(exc).__name__}: {exc}")
            self.library.record(source, message, keep_validators=True)
            return SourceResult(source, Outcome.FAILED, message=message)

    async def _feed(self, source: Source) -> SourceResult:
        """A feed fetched over HTTP, or a command feed (``exec:``/``filter:``), with the
        source's own request settings."""
        now = datetime.now(UTC)
        if source.retry_after is not None and source.retry_after > now:
            message = f"waiting until {source.retry_after:%Y-%m-%d %H:%M} UTC (server asked)"
            return SourceResult(source, Outcome.WAITING, message=message)
        fetched = self._primed.pop(source.url, None)
        if fetched is None:
            async with request_options(self.library.settings_for(source)) as options:
                if source.kind is SourceKind.COMMAND:
                    fetched = await read_command_feed(source, self.fetcher, options)
                else:
                    fetched = await self.fetcher.fetch(
                        source.url, source.etag, source.last_modified, options
                    )
        moved = fetched.moved_to or ""  # kept until the user adopts it (the health view)
        if fetched.status == 304:
            self.library.record(
                source,
                FetchStatus.NOT_MODIFIED,
                keep_validators=True,
                http_status=304,
                moved_to=moved,
            )
            return SourceResult(source, Outcome.NOT_MODIFIED)
        if source.kind is SourceKind.COMMAND:
            try:
                parsed, prepared = await self._parse(fetched.data, fetched.url)
            except NotAFeedError as exc:
                raise NotAFeedError(
                    f"the command printed no feed ({one_line_error(exc)})"
                ) from None
        else:
            parsed, prepared = await self._parse(fetched.data, source.url)
        new = self._store(source, prepared, now)
        http = None if source.kind is SourceKind.COMMAND and not fetched.url else fetched.status
        if parsed.problem:  # what was complete is kept; the old validators make it come again
            self.library.record(
                source,
                parsed.problem,
                keep_validators=True,
                title=parsed.title,
                http_status=http,
                new_stories=new,
                moved_to=moved,
            )
            return SourceResult(source, Outcome.FAILED, new=new, message=parsed.problem)
        self.library.record(
            source,
            FetchStatus.OK,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            title=parsed.title,
            http_status=http,
            new_stories=new,
            moved_to=moved,
        )
        return SourceResult(source, Outcome.UPDATED, new=new)

    async def _local(self, source: Source) -> SourceResult:
        path = Path(source.url)
        if not path.exists():
            raise SourceError(f"no such file or folder: {path}")
        stamp = await asyncio.to_thread(fingerprint, path)
        if stamp == source.fingerprint:
            self.library.record(source, FetchStatus.UNCHANGED, keep_validators=True)
            return SourceResult(source, Outcome.UNCHANGED)
        now = datetime.now(UTC)
        loaded = await asyncio.to_thread(load_path, path, parse_feed)
        prepared = await asyncio.to_thread(prepare, loaded.stories)
        new = self._store(source, prepared, now)
        for feed in loaded.feeds:
            self.library.add_source(feed)
        errors = [f"{name}: {why}" for name, why in loaded.errors]
        status = (
            FetchStatus.OK
            if not errors
            else one_line_error(f"{len(errors)} file(s) failed: " + "; ".join(errors))
        )
        # A load degraded by a fault of ours (a component missing) forgets the fingerprint,
        # so the next refresh reads the files again instead of skipping them as unchanged.
        self.library.record(
            source,
            status,
            fingerprint="" if loaded.degraded or loaded.damaged else stamp,
            title=loaded.title,
            new_stories=new,
        )
        if (
            loaded.degraded
            or loaded.damaged
            or (errors and not loaded.stories and not loaded.feeds)
        ):
            return SourceResult(source, Outcome.FAILED, new=new, message=status)
        return SourceResult(
            source,
            Outcome.UPDATED,
            new=new,
            message="" if not errors else status,
            skipped=tuple(loaded.errors),
        )
