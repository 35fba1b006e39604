"""Composition root: read config, open the database, build the services, hand them in."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from importlib.resources import files
from pathlib import Path

from tuireader import __version__
from tuireader.config.paths import Paths, resolve_paths
from tuireader.config.settings import Settings, load_settings
from tuireader.services.discovery import Discovery
from tuireader.services.fulltext import FullText
from tuireader.services.library import Library
from tuireader.services.refresh import Refresher
from tuireader.services.saving import Saver
from tuireader.services.seed import seed_samples
from tuireader.services.session import Session
from tuireader.sources.http import Fetcher, FetchLimits, make_client
from tuireader.storage.database import connect, open_database
from tuireader.storage.discovery_repo import DiscoveryRepo

USER_AGENT = f"tuireader/{__version__} (terminal news reader)"


def assets_dir() -> Path:
    """The bundled sample library."""
    return Path(str(files("tuireader") / "assets" / "library"))


@dataclass
class Context:
    """Everything a front end (CLI or app) needs, built once at start."""

    paths: Paths
    settings: Settings
    conn: sqlite3.Connection
    library: Library
    discovery: Discovery
    first_run: bool
    notice: str | None = None
    """A one-line message for the user from start-up (a database moved aside)."""

    def limits(self) -> FetchLimits:
        """Fetch limits from the settings."""
        net = self.settings.network
        return FetchLimits(
            connect_timeout=net.connect_timeout,
            read_timeout=net.read_timeout,
            deadline=net.deadline,
            max_bytes=net.max_feed_mb * 1024 * 1024,
            max_connections=net.concurrency,
            per_host=net.per_host,
        )

    @contextlib.asynccontextmanager
    async def refresher(self) -> AsyncIterator[Refresher]:
        """A refresher with its HTTP client, closed on exit."""
        limits = self.limits()
        async with make_client(USER_AGENT, limits) as client:
            pages = FullText(
                self.library,
                Fetcher(client, replace(limits, per_host=min(2, limits.per_host))),
                self.settings.general.full_text_words,
            )
            yield Refresher(self.library, Fetcher(client, limits), self.discovery, pages)

    @contextlib.asynccontextmanager
    async def saver(self) -> AsyncIterator[Saver]:
        """A read-later saver with its HTTP client, closed on exit."""
        limits = self.limits()
        async with make_client(USER_AGENT, limits) as client:
            yield Saver(self.library, Fetcher(client, limits))

    def close(self) -> None:
        """Close the database."""
        self.conn.close()


def build_context(data_dir: str | None = None, config_dir: str | None = None) -> Context:
    """Read the config and open the database; raises ConfigError/StorageError."""
    paths = resolve_paths(data_dir=data_dir, config_dir=config_dir)
    settings = load_settings(paths.config_file)
    first_run = settings is None and not paths.database.exists()
    conn, notice = open_database(paths.database)
    settings = settings or Settings()
    library = Library(conn, settings)
    discovery = Discovery(DiscoveryRepo(conn), trending_hours=settings.discovery.trending_hours)
    return Context(paths, settings, conn, library, discovery, first_run, notice)


async def seed_if_first_run(context: Context) -> bool:
    """On first run, subscribe to and load the bundled samples (offline)."""
    if not context.first_run:
        return False
    source = seed_samples(context.library, assets_dir())
    if source is None:
        return False
    async with context.refresher() as refresher:
        await refresher.refresh([source])
    return True


def session_for(context: Context) -> Session:
    """What the app is handed; discovery reads on its own connection, from a worker thread."""
    reader = Discovery(
        DiscoveryRepo(connect(context.paths.database)),
        trending_hours=context.settings.discovery.trending_hours,
    )
    return Session(
        library=context.library,
        settings=context.settings,
        refresher=context.refresher,
        saver=context.saver,
        discovery=reader,
        first_run=context.first_run,
        notice=context.notice,
    )


def run_app(context: Context) -> int:
    """Open the Textual app (imported here so CLI commands never load Textual)."""
    from tuireader.ui.reader_app import ReaderApp

    ReaderApp(session_for(context)).run()
    return 0
