"""Failed workers: one road up to the app, which logs the traceback and tells the user."""

from __future__ import annotations

from typing import Any

from textual.message import Message
from textual.worker import Worker

WORKER_LABELS = {
    "refresh": "Refresh",
    "discovery": "Related",
    "fulltext": "Full text",
    "save": "Saving",
    "images": "Images",
    "render": "Opening the story",
    "warm-up": "Start-up",
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
