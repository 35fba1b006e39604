"""Library calls run in order on one thread with its own connection, off the event loop.

The app has two: one for its changes and one for its reads of whole stories. The event loop
never waits for the database: while another process (a cron ``tuireader refresh``) holds the
write lock, a mark is shown at once and stored when the lock is released (or refused, in
words, after the busy timeout), and opening a story does not queue behind that mark.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from tuireader.services.library import Library

T = TypeVar("T")


class LibraryThread:
    """Runs library calls on one worker thread, in the order they were asked for."""

    def __init__(self, open_library: Callable[[], Library], name: str = "library") -> None:
        self._open_library = open_library
        self._library: Library | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"tuireader-{name}")
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
        """Run ``change`` on the library on this thread; its result or error comes back here."""
        with self._lock:
            self._pending += 1
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._run, change)

    @property
    def pending(self) -> int:
        """Calls asked for and not finished."""
        with self._lock:
            return self._pending

    def close(self) -> None:
        """Finish what was asked (the user's marks are stored), then close the connection."""
        self._pool.shutdown(wait=True)
        if self._library is not None:
            self._library.close()
            self._library = None
