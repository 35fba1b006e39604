"""A front end's changes to the library, run in order on one thread with its own connection.

The app's event loop never waits for the database's write lock: while another process (a
cron ``tuireader refresh``) holds it, a mark is shown at once and stored when the lock is
released (or refused, in words, after the busy timeout).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from tuireader.services.library import Library

T = TypeVar("T")


class Writes:
    """Runs changes on one worker thread, in the order they were asked for."""

    def __init__(self, open_library: Callable[[], Library]) -> None:
        self._open_library = open_library
        self._library: Library | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tuireader-writes")
        self._pending = 0
        self._lock = threading.Lock()

    def _run(self, change: Callable[[Library], T]) -> T:
        if self._library is None:  # opened on the writer thread, on first use
            self._library = self._open_library()
        try:
            return change(self._library)
        finally:
            with self._lock:
                self._pending -= 1

    async def run(self, change: Callable[[Library], T]) -> T:
        """Apply ``change`` to the library on the writer thread; errors come back here."""
        with self._lock:
            self._pending += 1
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._run, change)

    @property
    def pending(self) -> int:
        """Changes asked for and not yet stored."""
        with self._lock:
            return self._pending

    def close(self) -> None:
        """Finish what was asked (the user's marks are kept), then close the connection."""
        self._pool.shutdown(wait=True)
        if self._library is not None:
            self._library.close()
            self._library = None
