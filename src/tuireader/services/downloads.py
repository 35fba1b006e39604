"""The enclosure download queue: files into the download folder, resumable, capped, polite.

The queue is stored (``downloads`` table), so what was queued or half fetched when the app
closed carries on next time, from its ``.part`` file (an HTTP Range request). One file at a
time per host and two at once in all; an interrupted file is tried again after a pause.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tuireader.domain.downloads import Download, DownloadState, file_name
from tuireader.domain.errors import SourceError, UsageError
from tuireader.domain.models import Story
from tuireader.sources.download import Gone, TooBig, fetch_to
from tuireader.storage.downloads_repo import DownloadsRepo

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger(__name__)

Progress = Callable[[Download], None]
"""Called as a download moves (at most every ``step`` bytes) and when it ends."""


def download_folder(setting: str) -> Path:
    """``actions.download_dir`` with ``~`` expanded."""
    return Path(os.path.expanduser(setting))


class DownloadQueue:
    """Queues a story's enclosures and fetches what is queued."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        folder: Path,
        *,
        max_bytes: int = 0,
        attempts: int = 3,
        pause: float = 2.0,
        at_once: int = 2,
    ) -> None:
        self.repo = DownloadsRepo(conn)
        self.folder = folder
        self.max_bytes = max_bytes
        self.attempts = attempts
        """Tries per file in one run (a dropped connection resumes where it stopped)."""
        self.pause = pause
        """Seconds between two tries of one file: a host that dropped us gets a rest."""
        self.at_once = at_once

    # the queue ------------------------------------------------------------------------
    def enqueue(self, story: Story, n: int) -> Download:
        """Queue the story's ``n``-th enclosure (from 1); one queued or fetched already is
        returned as it stands. :class:`UsageError` when there is no such enclosure."""
        if not 1 <= n <= len(story.enclosures):
            count = len(story.enclosures)
            raise UsageError(
                f"story {story.id} has {count} enclosure{'s' if count != 1 else ''}, not {n}"
            )
        url = story.enclosures[n - 1].url
        known = self.repo.by_url(url)
        if known is not None and known.state is not DownloadState.FAILED:
            return known
        path = self.folder / file_name(url, story.title, n)
        stem, suffix, extra = path.stem, path.suffix, 1
        while self.repo.path_taken(str(path), url):
            extra += 1
            path = path.with_name(f"{stem} ({extra}){suffix}")
        return self.repo.add(story.id, url, str(path))

    def for_story(self, story_id: int) -> list[Download]:
        """A story's downloads (any state)."""
        return self.repo.for_story(story_id)

    def queued(self) -> list[Download]:
        """What is still to fetch."""
        return self.repo.queued()

    def every(self) -> list[Download]:
        """The whole queue, newest first."""
        return self.repo.every()

    # fetching -------------------------------------------------------------------------
    async def run(
        self,
        client: httpx.AsyncClient,
        progress: Progress | None = None,
        step: int = 64 * 1024,
        only: set[int] | None = None,
    ) -> list[Download]:
        """Fetch everything queued (and whatever is queued meanwhile) until none is left,
        or only the downloads with the ids in ``only``; returns each as it ended."""
        ended: list[Download] = []
        hosts: dict[str, asyncio.Lock] = {}
        slots = asyncio.Semaphore(self.at_once)
        tried: set[int] = set()

        async def one(download: Download) -> None:
            host = urlsplit(download.url).hostname or ""
            # the host's turn first: a file waiting for its host holds no slot
            async with hosts.setdefault(host, asyncio.Lock()), slots:
                ended.append(await self.fetch(client, download, progress, step))

        while True:
            todo = [
                d
                for d in self.repo.queued()
                if d.id not in tried and (only is None or d.id in only)
            ]
            if not todo:
                return ended
            tried.update(d.id for d in todo)
            await asyncio.gather(*(one(d) for d in todo))

    async def fetch(
        self,
        client: httpx.AsyncClient,
        download: Download,
        progress: Progress | None = None,
        step: int = 64 * 1024,
    ) -> Download:
        """Fetch one download, resuming its ``.part`` file; stored as it ends (done,
        failed, or still queued after ``attempts`` interrupted tries)."""
        part = Path(download.part_path)
        current = download
        told = -step

        def moved(received: int, total: int | None) -> None:
            nonlocal current, told
            current = replace(current, received=received, total=total, error="")
            every = max(step, (total or 0) // 200)  # a big file: every half per cent
            if progress is not None and (received - told >= every or received == total):
                told = received
                progress(current)

        for attempt in range(1, self.attempts + 1):
            try:
                fetched = await fetch_to(
                    client, download.url, part, max_bytes=self.max_bytes, progress=moved
                )
            except (Gone, TooBig) as exc:
                part.unlink(missing_ok=True)  # refused for good: nothing is left behind
                current = replace(current, state=DownloadState.FAILED, error=str(exc))
                break
            except SourceError as exc:
                current = replace(current, error=f"{exc} (resumes next time)")
                logger.info("download %s interrupted (try %d): %s", download.url, attempt, exc)
                self.repo.save(current)
                if attempt < self.attempts:
                    await asyncio.sleep(self.pause)
                continue
            try:
                os.replace(part, download.path)
            except OSError as exc:
                reason = exc.strerror or str(exc)
                current = replace(current, state=DownloadState.FAILED, error=reason)
                break
            current = replace(
                current, state=DownloadState.DONE, received=fetched.size, total=fetched.size
            )
            break
        self.repo.save(current)
        if progress is not None:
            progress(current)
        return current
