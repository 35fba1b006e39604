"""Composition root: read config, open the database, build the services, hand them in."""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import tuireader
from tuireader.config.paths import Paths, check_dirs, resolve_paths
from tuireader.config.settings import Settings, load_settings
from tuireader.services.library import Library
from tuireader.services.seed import seed_samples
from tuireader.services.session import Session
from tuireader.sources.http import Fetcher, FetchLimits, make_client
from tuireader.storage.database import connect, open_database

if TYPE_CHECKING:  # the network services and discovery load when first used, not at start-up
    from tuireader.services.discovery import Discovery
    from tuireader.services.images import ImageCache
    from tuireader.services.refresh import Refresher
    from tuireader.services.saving import Saver


def user_agent() -> str:
    """The User-Agent: tuireader and its version."""
    return f"tuireader/{tuireader.__version__} (terminal news reader)"


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

    @functools.cached_property
    def discovery(self) -> Discovery:
        """Discovery on the main connection (it indexes what a refresh stores)."""
        return new_discovery(self.conn, self.settings)

    @contextlib.asynccontextmanager
    async def refresher(self) -> AsyncIterator[Refresher]:
        """A refresher with its HTTP client, closed on exit."""
        from tuireader.services.fulltext import FullText
        from tuireader.services.refresh import Refresher

        limits = self.limits()
        async with make_client(user_agent(), limits) as client:
            pages = FullText(
                self.library,
                Fetcher(client, replace(limits, per_host=min(2, limits.per_host))),
                self.settings.general.full_text_words,
            )
            yield Refresher(self.library, Fetcher(client, limits), self.discovery, pages)

    @contextlib.asynccontextmanager
    async def saver(self) -> AsyncIterator[Saver]:
        """A read-later saver with its HTTP client, closed on exit."""
        from tuireader.services.saving import Saver

        limits = self.limits()
        async with make_client(user_agent(), limits) as client:
            yield Saver(self.library, Fetcher(client, limits))

    @contextlib.asynccontextmanager
    async def images(self) -> AsyncIterator[ImageCache]:
        """The image cache with an HTTP client capped at the image size limit."""
        from tuireader.services.images import ImageCache, ImageCachePolicy

        limits = replace(self.limits(), max_bytes=ImageCachePolicy().max_bytes)
        async with make_client(user_agent(), limits) as client:
            yield ImageCache(self.paths.cache_dir, Fetcher(client, limits))

    def close(self) -> None:
        """Close the database."""
        self.conn.close()


def build_context(data_dir: str | None = None, config_dir: str | None = None) -> Context:
    """Read the config and open the database; raises ConfigError/StorageError."""
    paths = resolve_paths(data_dir=data_dir, config_dir=config_dir)
    check_dirs(paths)
    settings = load_settings(paths.config_file)
    first_run = settings is None and not paths.database.exists()
    conn, notice = open_database(paths.database)
    settings = settings or Settings()
    library = Library(conn, settings)
    return Context(paths, settings, conn, library, first_run, notice)


def new_discovery(conn: sqlite3.Connection, settings: Settings) -> Discovery:
    """A discovery service over a connection."""
    from tuireader.services.discovery import Discovery
    from tuireader.storage.discovery_repo import DiscoveryRepo

    return Discovery(DiscoveryRepo(conn), trending_hours=settings.discovery.trending_hours)


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


def graphics_terminal(env: dict[str, str] | None = None) -> bool:
    """Whether the terminal says it speaks the Kitty graphics protocol or Sixel.

    Asked from the environment only: querying the terminal would cost start-up time in the
    many terminals (tmux among them) that would not answer.
    """
    env = dict(os.environ) if env is None else env
    term = env.get("TERM", "").lower()
    program = env.get("TERM_PROGRAM", "").lower()
    return (
        "KITTY_WINDOW_ID" in env
        or "kitty" in term
        or "ghostty" in term
        or program in ("wezterm", "ghostty", "iterm.app")
        or "sixel" in term
        or env.get("TUIREADER_INLINE_IMAGES") == "1"
    )


def session_for(context: Context, inline_images: bool = False) -> Session:
    """What the app is handed; discovery reads on its own connection, from a worker thread,
    and is built when first asked for (after the first paint)."""
    return Session(
        library=context.library,
        settings=context.settings,
        refresher=context.refresher,
        saver=context.saver,
        images=context.images,
        inline_images=inline_images,
        discovery_factory=lambda: new_discovery(connect(context.paths.database), context.settings),
        first_run=context.first_run,
        notice=context.notice,
    )


def run_app(context: Context) -> int:
    """Open the Textual app (imported here so CLI commands never load Textual)."""
    inline = graphics_terminal() and os.environ.get("TUIREADER_INLINE_IMAGES") != "0"
    if inline:
        import textual_image.widget  # noqa: F401 - asks the terminal its cell size before Textual starts
    from tuireader.ui.reader_app import ReaderApp

    ReaderApp(session_for(context, inline)).run()
    return 0
