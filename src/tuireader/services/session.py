"""What a front end is handed: the library, a way to refresh, the settings."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tuireader.config.settings import Settings
from tuireader.services.library import Library

if TYPE_CHECKING:  # built by the composition root; importing them here would slow start-up
    import httpx

    from tuireader.domain.accounts import Account
    from tuireader.services.discovery import Discovery
    from tuireader.services.downloads import DownloadQueue
    from tuireader.services.images import ImageCache
    from tuireader.services.library_thread import LibraryThread
    from tuireader.services.refresh import Refresher
    from tuireader.services.saving import Saver
    from tuireader.services.syncing import AccountSynced, OpenFolder, OpenServer


@dataclass
class Session:
    """Built by the composition root; the app never builds its own services."""

    library: Library
    settings: Settings
    refresher: Callable[[], AbstractAsyncContextManager[Refresher]]
    """Opens a refresher (its HTTP client, and in the app its own database connection) for
    one refresh: it may run on any thread, in an event loop of its own."""
    discovery_factory: Callable[[], Discovery]
    """Builds the discovery service (on its own connection) when first needed."""
    saver: Callable[[], AbstractAsyncContextManager[Saver]]
    """Opens a read-later saver (its HTTP client, and in the app its own connection)."""
    images: Callable[[], AbstractAsyncContextManager[ImageCache]]
    """Opens the image cache (and its HTTP client)."""
    writes: LibraryThread
    """Where the front end's changes go: one thread, its own connection, in order."""
    reads: LibraryThread
    """Where whole stories are read and rendered: another thread and connection."""
    counts: LibraryThread
    """Where the sidebar's and the status line's counts are read (a quarter of a second at
    100,000 stories): a third thread, so an open never queues behind a count."""
    account_sync: OpenServer
    """Opens a server account's sync (its HTTP client and its own connection) for one sync,
    on any thread."""
    folder_sync: OpenFolder
    """Opens a folder account's sync on a connection of its own."""
    downloads: (
        Callable[[], AbstractAsyncContextManager[tuple[DownloadQueue, httpx.AsyncClient]]] | None
    ) = None
    """Opens the enclosure download queue (its own connection) and an HTTP client."""
    inline_images: bool = False
    """The terminal shows images (Kitty graphics or Sixel): draw them in the article."""
    first_run: bool = False
    notice: str | None = None
    """A one-line start-up message (a database moved aside)."""
    log_file: Path | None = None
    """Where tracebacks of our own faults are written (``None``: nowhere)."""
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    """The time now; fixed in snapshot tests so ages do not drift."""
    _discovery: Discovery | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def accounts(self) -> list[Account]:
        """The sync accounts in the config, in its order."""
        return list(self.settings.accounts.values())

    async def sync(self, account: Account) -> AccountSynced:
        """Sync one account (run it off the event loop: a folder account's sync blocks);
        its failure is the result's ``error``, never raised."""
        from tuireader.services.syncing import sync_account

        return await sync_account(account, self.account_sync, self.folder_sync)

    @property
    def discovery(self) -> Discovery:
        """The discovery service, built on first use (from whichever thread asks first)."""
        with self._lock:
            if self._discovery is None:
                self._discovery = self.discovery_factory()
            return self._discovery
