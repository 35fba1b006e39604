"""Building the real app over a real SQLite file for Pilot and snapshot tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.app import App
from textual.worker import WorkerCancelled

from tuireader.config.settings import GeneralSettings, NetworkSettings, Settings
from tuireader.domain.models import ContentType, Source, SourceKind, Story
from tuireader.services.discovery import Discovery
from tuireader.services.fulltext import FullText
from tuireader.services.images import ImageCache
from tuireader.services.library import Library
from tuireader.services.refresh import Refresher
from tuireader.services.saving import Saver
from tuireader.services.session import Session
from tuireader.services.writes import Writes
from tuireader.sources.http import Fetcher, FetchLimits, make_client
from tuireader.storage.database import connect, open_database
from tuireader.storage.discovery_repo import DiscoveryRepo
from tuireader.ui.reader_app import ReaderApp

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LIMITS = FetchLimits(connect_timeout=2, read_timeout=2, deadline=4)

HOSTILE = "[bold]x[/] [@click=app.quit]boom[/] [/ \x1b[31mred\x07"


def fixture_stories() -> list[tuple[str, list[Story]]]:
    """Two sources with known stories, including hostile and wide titles."""
    harbor = [
        Story(
            key=f"h{i}",
            title=title,
            link=f"http://harbor.example/{i}",
            published=NOW - timedelta(hours=3 * i + 1),
            author="Desk",
            content=f"<p>{body}</p><p><a href='http://harbor.example/more/{i}'>more</a></p>",
        )
        for i, (title, body) in enumerate(
            [
                ("Ferry timetable changes next week", "The ferry will run later on weekdays."),
                ("Library extends opening hours", "Open until nine from December."),
                ("Harbour seals counted in annual survey", "Volunteers counted 212 seals."),
                ("Apples harvest best in a decade", "Orchards report record apples."),
            ]
        )
    ]
    valley = [
        Story(
            key="v1",
            title="Compiler release adds faster builds",
            link="http://valley.example/compiler",
            published=NOW - timedelta(days=2),
            content="Builds are twice as fast.",
            content_type=ContentType.TEXT,
            related=("Ferry timetable changes next week", "A story not in the library"),
            ranking=("Library extends opening hours",),
            popularity=4321,
            categories=("Software",),
        ),
        Story(
            key="v2",
            title=HOSTILE,
            link="javascript:alert(1)",
            published=NOW - timedelta(days=3),
            content="<p>hostile</p>",
        ),
        Story(
            key="v3",
            title="東京の新しい駅が開業 🚆 emoji and CJK",
            link="http://valley.example/cjk",
            published=NOW - timedelta(days=4),
            content="<p>wide</p>",
        ),
    ]
    return [("Harbor Gazette", harbor), ("Valley Tech", valley)]


def build_library(path: Path) -> Library:
    conn, _ = open_database(path)
    library = Library(conn, Settings())
    if not library.sources():
        for n, (title, stories) in enumerate(fixture_stories()):
            source, _ = library.add_source(
                Source(
                    url=f"http://fixture.example/{n}.xml",
                    kind=SourceKind.FEED,
                    title=title,
                    folder="News" if n == 0 else "",
                )
            )
            counts = library.store(source, [(s, s.title + " " + s.content) for s in stories], 0)
            Discovery(DiscoveryRepo(conn)).index(counts.touched)
    return library


def make_app(
    db: Path,
    *,
    refresh_on_start: bool = False,
    first_run: bool = False,
    keys: dict[str, str] | None = None,
) -> ReaderApp:
    library = build_library(db)
    settings = Settings(
        general=GeneralSettings(refresh_on_start=refresh_on_start),
        network=NetworkSettings(deadline=4, connect_timeout=2, read_timeout=2),
        keys=keys or {},
    )
    library.settings = settings

    indexer = Discovery(DiscoveryRepo(connect(db)), clock=NOW.timestamp)

    @contextlib.asynccontextmanager
    async def refresher() -> AsyncIterator[Refresher]:
        async with make_client("tuireader-test", LIMITS) as client:
            pages = FullText(library, Fetcher(client, replace(LIMITS, per_host=2)))
            yield Refresher(library, Fetcher(client, LIMITS), indexer, pages)

    @contextlib.asynccontextmanager
    async def saver() -> AsyncIterator[Saver]:
        async with make_client("tuireader-test", LIMITS) as client:
            yield Saver(library, Fetcher(client, LIMITS))

    @contextlib.asynccontextmanager
    async def images() -> AsyncIterator[ImageCache]:
        async with make_client("tuireader-test", LIMITS) as client:
            yield ImageCache(db.parent / "cache", Fetcher(client, LIMITS))

    session = Session(
        library=library,
        writes=Writes(lambda: Library(connect(db), settings)),
        settings=settings,
        refresher=refresher,
        saver=saver,
        images=images,
        discovery_factory=lambda: Discovery(DiscoveryRepo(connect(db)), clock=NOW.timestamp),
        first_run=first_run,
        clock=lambda: NOW,
    )
    return ReaderApp(session)


async def workers_done(app: App[object]) -> None:
    """Wait for every worker; one replaced by a newer one (exclusive) counts as done."""
    for _ in range(20):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue
