"""The main screen's changes to the store (marks, stars, undo, "not interested"), written in
order on the writer thread, so that a key never waits for the database's write lock.

A component with no area on screen: it owns the round trip to the writer thread, tells the
screen when a change is stored (:class:`StoreChanges.Stored`) and when changes are waiting for
a busy database (:class:`StoreChanges.Waiting`), and says a refused write in one line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from textual import work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker

from tuireader.domain.errors import StorageError
from tuireader.services.library import Library
from tuireader.services.library_thread import LibraryThread
from tuireader.ui.failures import forward_failure, storage_refused

T = TypeVar("T")

BUSY_AFTER = 0.5
"""Seconds a change may wait for the database before the screen is told it is waiting."""


class StoreChanges(Widget):
    """Writes changes; posts :class:`Stored` and :class:`Waiting`."""

    DEFAULT_CSS = "StoreChanges { display: none; }"

    class Stored(Message):
        """A change reached the store. ``reload``: the headline list's rows changed (a bulk
        mark, an undo); ``lists_only``: only the computed lists move ("not interested")."""

        def __init__(self, reload: bool, lists_only: bool) -> None:
            super().__init__()
            self.reload = reload
            self.lists_only = lists_only

    class Waiting(Message):
        """This many changes wait for the database (0: none)."""

        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(self, writes: LibraryThread) -> None:
        super().__init__()
        self._writes = writes
        self._said_waiting = False

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        forward_failure(self, event)

    def write(
        self,
        change: Callable[[Library], T],
        then: Callable[[T], None] | None = None,
        *,
        undo: Callable[[], None] | None = None,
        lists_only: bool = False,
        reload: bool = False,
    ) -> None:
        """Store ``change``; then call ``then`` with its result. A refused write is said in a
        line, and ``undo`` takes back what was shown for it."""
        self._write(change, then, undo, lists_only, reload)

    def _waiting(self) -> None:
        self._said_waiting = True
        self.post_message(self.Waiting(self._writes.pending))

    @work(group="write", exit_on_error=False)
    async def _write(
        self,
        change: Callable[[Library], Any],
        then: Callable[[Any], None] | None,
        undo: Callable[[], None] | None,
        lists_only: bool,
        reload: bool,
    ) -> None:
        busy = self.set_timer(BUSY_AFTER, self._waiting)
        try:
            result = await self._writes.run(change)
        except StorageError as error:
            storage_refused(self, error)
            if undo is not None:
                undo()
            return
        finally:
            busy.stop()
            if self._said_waiting:
                pending = self._writes.pending
                self._said_waiting = pending > 0
                self.post_message(self.Waiting(pending))
        if then is not None:
            then(result)
        self.post_message(self.Stored(reload, lists_only and not reload))
