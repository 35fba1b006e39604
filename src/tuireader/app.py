"""Composition root: read config, open the database, build the services, hand them in."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib.resources import files
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING

import tuireader
from tuireader.config.paths import Paths, check_dirs, resolve_paths
from tuireader.config.settings import Settings, load_settings
from tuireader.domain.errors import ConfigError, UsageError
from tuireader.domain.files import os_reason
from tuireader.services.images import expire_images_in_background
from tuireader.services.library import Library
from tuireader.services.seed import seed_samples
from tuireader.services.session import Session
from tuireader.sources.http import Fetcher, FetchLimits, make_client
from tuireader.storage.database import connect, open_database
from tuireader.ui.config_check import check_config

if TYPE_CHECKING:  # the network services and discovery load when first used, not at start-up
    import httpx

    from tuireader.content.embedding import WordLlamaEmbedder
    from tuireader.domain.accounts import Account
    from tuireader.services.account_sync import AccountSync
    from tuireader.services.discovery import Discovery
    from tuireader.services.downloads import DownloadQueue
    from tuireader.services.folder_sync import FolderSync
    from tuireader.services.fulltext import FullText
    from tuireader.services.images import ImageCache
    from tuireader.services.refresh import Refresher
    from tuireader.services.saving import Saver


LOG_BYTES = 256 * 1024
"""The log file is rotated past this size..."""
LOG_BACKUPS = 2
"""...keeping this many old ones: under 1 MB in all."""
_HANDLERS = ("tuireader-file", "tuireader-stderr")


def debug_enabled(env: dict[str, str] | None = None) -> bool:
    """``TUIREADER_DEBUG`` is set (and not ``0``): tracebacks go to stderr too."""
    value = (os.environ if env is None else env).get("TUIREADER_DEBUG", "")
    return value not in ("", "0")


def setup_logging(log_file: Path, *, debug: bool = False, stderr: bool = False) -> Path | None:
    """Send tuireader's log records to a small rotating file; with ``debug`` and ``stderr``
    also to stderr (never while the app owns the terminal).

    Called once by the front end at start (again only in tests). Returns the log file, or
    ``None`` when it cannot be written: records are then dropped, never printed into the
    terminal behind the app's back.
    """
    logger = logging.getLogger("tuireader")
    for old in [h for h in logger.handlers if h.get_name() in _HANDLERS]:
        logger.removeHandler(old)
        old.close()
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logging.raiseExceptions = False  # a full disk must not print "--- Logging error ---"
    written: Path | None = log_file
    handler: logging.Handler
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(
            log_file, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    except OSError:
        handler, written = logging.NullHandler(), None
    handler.set_name(_HANDLERS[0])
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    )
    logger.addHandler(handler)
    if debug and stderr:
        echo = logging.StreamHandler(sys.stderr)
        echo.set_name(_HANDLERS[1])
        echo.setFormatter(logging.Formatter("tuireader: %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(echo)
    return written


def user_agent() -> str:
    """The User-Agent: tuireader and its version."""
    return f"tuireader/{tuireader.__version__} (terminal news reader)"


def system_clock() -> datetime:
    """The time now (UTC): what every service's clock reads outside tests."""
    return datetime.now(UTC)


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
    warnings: tuple[str, ...] = ()
    """Lines about the config that the user should see (a key taken from another command)."""
    clock: Callable[[], datetime] = field(default=system_clock)
    """The time now, for every service built here (tests fix it, so ages never drift)."""
    given_embedder: WordLlamaEmbedder | None = None
    """An embedding already made (tests share one loaded model across their roots)."""

    def timestamp(self) -> float:
        """The clock as a Unix time: what the library and discovery read."""
        return self.clock().timestamp()

    def open_library(self) -> Library:
        """A library on a connection of its own (for a thread that writes or reads apart)."""
        return Library(connect(self.paths.database), self.settings, clock=self.timestamp)

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
    def embedder(self) -> WordLlamaEmbedder:
        """The meaning embedding, shared by every discovery service of this process (its
        files are read on first use, never at start-up)."""
        if self.given_embedder is not None:
            return self.given_embedder
        from tuireader.content.embedding import WordLlamaEmbedder

        return WordLlamaEmbedder()

    @functools.cached_property
    def discovery(self) -> Discovery:
        """Discovery on the main connection (it indexes what a refresh stores)."""
        return new_discovery(self.conn, self.settings, self.timestamp, self.embedder)

    @contextlib.contextmanager
    def _library_for(self, own_connection: bool) -> Iterator[tuple[Library, Discovery]]:
        """The main library and discovery, or a new pair on a connection of their own
        (for a task on another thread: it then never waits on the main connection)."""
        if not own_connection:
            yield self.library, self.discovery
            return
        conn = connect(self.paths.database)
        try:
            library = Library(conn, self.settings, clock=self.timestamp)
            yield library, new_discovery(conn, self.settings, self.timestamp, self.embedder)
        finally:
            conn.close()

    def _pages(self, library: Library, client: httpx.AsyncClient, limits: FetchLimits) -> FullText:
        """Full-text pages for a refresh or a sync: at most two at once per host."""
        from tuireader.services.fulltext import FullText

        fetcher = Fetcher(client, replace(limits, per_host=min(2, limits.per_host)))
        return FullText(library, fetcher, self.settings.general.full_text_words)

    @contextlib.asynccontextmanager
    async def refresher(self, own_connection: bool = False) -> AsyncIterator[Refresher]:
        """A refresher with its HTTP client, closed on exit."""
        from tuireader.services.refresh import Refresher

        limits = self.limits()
        with self._library_for(own_connection) as (library, discovery):
            async with make_client(user_agent(), limits) as client:
                pages = self._pages(library, client, limits)
                yield Refresher(
                    library,
                    Fetcher(client, limits),
                    discovery,
                    pages,
                    deadline=self.settings.network.refresh_deadline,
                )

    @contextlib.asynccontextmanager
    async def saver(self, own_connection: bool = False) -> AsyncIterator[Saver]:
        """A read-later saver with its HTTP client, closed on exit."""
        from tuireader.services.saving import Saver

        limits = self.limits()
        with self._library_for(own_connection) as (library, _):
            async with make_client(user_agent(), limits) as client:
                yield Saver(library, Fetcher(client, limits))

    @contextlib.asynccontextmanager
    async def images(self) -> AsyncIterator[ImageCache]:
        """The image cache with an HTTP client capped at the image size limit."""
        from tuireader.services.images import ImageCache, ImageCachePolicy

        limits = replace(self.limits(), max_bytes=ImageCachePolicy().max_bytes)
        async with make_client(user_agent(), limits) as client:
            yield ImageCache(self.paths.cache_dir, Fetcher(client, limits))

    @contextlib.asynccontextmanager
    async def account_sync(
        self, account: Account, own_connection: bool = False
    ) -> AsyncIterator[AccountSync]:
        """A server account's sync with its HTTP client, closed on exit. The secret is
        had here (its command run); :class:`ConfigError` when there is none."""
        from tuireader.services.account_sync import AccountSync, cursor_of
        from tuireader.services.accounts import secret_for
        from tuireader.sources.remote_api import open_api

        secret = secret_for(account)
        limits = self.limits()
        with self._library_for(own_connection) as (library, discovery):
            conn = library.connection
            async with make_client(user_agent(), limits) as client:
                api = open_api(client, account, secret.reveal(), cursor_of(conn, account))
                pages = self._pages(library, client, limits)
                yield AccountSync(
                    account,
                    api,
                    library,
                    conn,
                    discovery,
                    deadline=self.settings.network.refresh_deadline,
                    fulltext=pages,
                )

    def folder_sync(self, folder: Path) -> FolderSync:
        """Sync through a shared folder, on the main connection."""
        from tuireader.services.folder_sync import FolderSync

        return FolderSync(self.conn, folder)

    @contextlib.contextmanager
    def own_folder_sync(self, folder: Path) -> Iterator[FolderSync]:
        """Sync through a shared folder on a connection of its own (for a thread)."""
        from tuireader.services.folder_sync import FolderSync

        conn = connect(self.paths.database)
        try:
            yield FolderSync(conn, folder)
        finally:
            conn.close()

    # acting on stories (issue 13): the enclosure download queue ----------------------------
    def downloads(self, conn: sqlite3.Connection | None = None) -> DownloadQueue:
        """The download queue (on the main connection, or ``conn``)."""
        from tuireader.services.downloads import DownloadQueue, download_folder

        actions = self.settings.actions
        return DownloadQueue(
            conn or self.conn,
            download_folder(actions.download_dir),
            max_bytes=actions.download_max_mb * 1024 * 1024,
        )

    def download_client(self) -> httpx.AsyncClient:
        """An HTTP client for enclosures (redirects followed, no content coding)."""
        from tuireader.sources.download import make_download_client

        net = self.settings.network
        return make_download_client(user_agent(), net.connect_timeout, net.read_timeout)

    @contextlib.asynccontextmanager
    async def own_downloads(self) -> AsyncIterator[tuple[DownloadQueue, httpx.AsyncClient]]:
        """The queue on a connection of its own and a client, for a worker thread."""
        conn = connect(self.paths.database)
        try:
            async with self.download_client() as client:
                yield self.downloads(conn), client
        finally:
            conn.close()

    def close(self) -> None:
        """Close the database."""
        self.conn.close()


def build_context(
    data_dir: str | None = None,
    config_dir: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] = system_clock,
    embedder: WordLlamaEmbedder | None = None,
) -> Context:
    """Read the config and open the database; raises ConfigError/StorageError.

    The one composition root: the CLI, the app and the tests all start here. The directories
    come from the flags, then ``env`` (the ``TUIREADER_*_DIR`` variables; default the
    process's environment); everything else the user may change comes from the config file
    in the config dir. ``clock`` is the time now for every service (tests fix it);
    ``embedder`` the meaning embedding (default: a new one, its files read on first use).
    """
    paths = resolve_paths(env=env, data_dir=data_dir, config_dir=config_dir)
    check_dirs(paths)
    settings = load_settings(paths.config_file)
    warnings: tuple[str, ...] = ()
    if settings is not None:
        report = check_config(settings)
        if report.errors:
            more = f" (and {len(report.errors) - 1} more)" if len(report.errors) > 1 else ""
            raise ConfigError(report.errors[0] + more)
        warnings = tuple(report.warnings)
    first_run = settings is None and not paths.database.exists()
    try:
        paths.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot use {paths.data_dir} for data: {os_reason(exc)}") from None
    conn, notice = open_database(paths.database)
    settings = settings or Settings()
    library = Library(conn, settings, clock=lambda: clock().timestamp())
    library.apply_killfile()
    return Context(paths, settings, conn, library, first_run, notice, warnings, clock, embedder)


def new_discovery(
    conn: sqlite3.Connection,
    settings: Settings,
    clock: Callable[[], float] | None = None,
    embedder: WordLlamaEmbedder | None = None,
) -> Discovery:
    """A discovery service over a connection (``clock``: Unix time now; default the system's;
    ``embedder``: the meaning embedding, a new one when not given)."""
    from tuireader.content.embedding import WordLlamaEmbedder
    from tuireader.services.discovery import Discovery
    from tuireader.services.semantic import Semantic
    from tuireader.storage.discovery_repo import DiscoveryRepo

    repo = DiscoveryRepo(conn)
    return Discovery(
        repo,
        clock=clock or time.time,
        trending_hours=settings.discovery.trending_hours,
        semantic=Semantic(repo, embedder or WordLlamaEmbedder()),
    )


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
    """Whether to ask the terminal if it draws images (Kitty graphics protocol or Sixel).

    Decided from the environment first: the query costs up to 0.3 s in the many terminals
    that would not answer. ``TUIREADER_INLINE_IMAGES=1`` or ``0`` decides; otherwise a hint
    of a graphics terminal does, except inside tmux or screen: there ``KITTY_WINDOW_ID`` and
    the like are inherited from the outer terminal, but the multiplexer does not pass the
    Kitty graphics protocol on (only with passthrough, which textual-image does not use).
    """
    env = dict(os.environ) if env is None else env
    asked = env.get("TUIREADER_INLINE_IMAGES")
    if asked in ("0", "1"):
        return asked == "1"
    term = env.get("TERM", "").lower()
    if "TMUX" in env or term.startswith(("screen", "tmux")):
        return False
    program = env.get("TERM_PROGRAM", "").lower()
    return (
        "KITTY_WINDOW_ID" in env
        or "kitty" in term
        or "ghostty" in term
        or program in ("wezterm", "ghostty", "iterm.app")
        or "sixel" in term
    )


def session_for(context: Context, inline_images: bool = False) -> Session:
    """What the app is handed; discovery reads on its own connection, from a worker thread,
    and is built when first asked for (after the first paint)."""
    from tuireader.services.library_thread import LibraryThread

    return Session(
        library=context.library,
        writes=LibraryThread(context.open_library),
        reads=LibraryThread(context.open_library, "reads"),
        counts=LibraryThread(context.open_library, "counts"),
        account_sync=functools.partial(context.account_sync, own_connection=True),
        folder_sync=context.own_folder_sync,
        downloads=context.own_downloads,
        settings=context.settings,
        refresher=functools.partial(context.refresher, own_connection=True),
        saver=functools.partial(context.saver, own_connection=True),
        images=context.images,
        inline_images=inline_images,
        discovery_factory=lambda: new_discovery(
            connect(context.paths.database), context.settings, context.timestamp, context.embedder
        ),
        first_run=context.first_run,
        notice=context.notice,
        log_file=context.paths.log_file if context.paths.log_file.exists() else None,
        clock=context.clock,
    )


def run_app(context: Context) -> int:
    """Open the Textual app (imported here so CLI commands never load Textual)."""
    expire_images_in_background(context.paths.cache_dir)
    inline = False
    notice = context.notice
    if graphics_terminal():
        from tuireader.ui.graphics import probe_graphics  # before Textual takes the input

        probe = probe_graphics()
        inline = probe.inline
        if not inline:
            note = f"Images stay [image N] placeholders: {probe.reason}."
            notice = f"{notice} · {note}" if notice else note
    from tuireader.ui.shell import ReaderApp

    session = session_for(context, inline)
    session.notice = notice
    try:
        ReaderApp(session).run()
    finally:
        session.writes.close()  # marks asked for at the last moment are stored, not lost
        session.reads.close()
        session.counts.close()
    return 0
