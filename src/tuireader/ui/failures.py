"""Failed workers: one road up to the app, which logs the traceback and tells the user."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from textual.message import Message
from textual.message_pump import MessagePump
from textual.notifications import SeverityLevel
from textual.worker import Worker, WorkerState

from tuireader.domain.errors import StorageError
from tuireader.domain.text import one_line_error

logger = logging.getLogger(__name__)

WORKER_LABELS = {
    "refresh": "Refresh",
    "discovery": "Related",
    "fulltext": "Full text",
    "save": "Saving",
    "images": "Images",
    "render": "Opening the story",
    "warm-up": "Start-up",
    "counts": "Counting unread stories",
    "write": "Storing a change",
    "add": "Adding a source",
    "remove": "Removing a source",
    "import": "Importing OPML",
    "export": "Writing the file",
}
"""What the user is told failed, by worker group."""


def worker_label(worker: Worker[Any]) -> str:
    """The user's name for what a worker was doing."""
    return WORKER_LABELS.get(worker.group) or worker.name.strip("_").replace("_", " ").capitalize()


class WorkerFailed(Message):
    """A worker of a screen or widget raised. Textual sends ``Worker.StateChanged`` only to
    the node that ran the worker; this carries the failure up to the app's one handler."""

    def __init__(self, worker: Worker[Any]) -> None:
        self.worker = worker
        super().__init__()


def forward_failure(node: MessagePump, event: Worker.StateChanged) -> None:
    """For a node's ``on_worker_state_changed``: a failed worker goes up to the app's one
    handler (Textual does not bubble the state change)."""
    if event.state is WorkerState.ERROR:
        node.post_message(WorkerFailed(event.worker))


class _Notifies(Protocol):
    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...


def storage_refused(node: _Notifies, error: StorageError) -> None:
    """Tell the user, in one line, that the database refused a write (a full disk, a
    read-only file): the change is not kept, and the app stays up for reading."""
    logger.warning("a write was refused: %s", error)
    node.notify(
        f"Not saved: {one_line_error(error)}. Reading still works.",
        severity="error",
        timeout=10,
        markup=False,
    )
