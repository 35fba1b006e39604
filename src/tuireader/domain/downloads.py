"""Enclosure downloads: what the queue holds, and the file name one gets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from tuireader.domain.text import clean_line


class DownloadState(StrEnum):
    """Where a download stands."""

    QUEUED = "queued"
    """Waiting, or interrupted (its ``.part`` file is resumed next time)."""
    DONE = "done"
    FAILED = "failed"
    """Stopped for good (404, too big); queueing it again starts it over."""


@dataclass(frozen=True, slots=True)
class Download:
    """One enclosure in the download queue."""

    id: int
    story_id: int | None
    url: str
    path: str
    """Where the finished file goes; it grows as ``path + ".part"`` until then."""
    state: DownloadState = DownloadState.QUEUED
    received: int = 0
    """Bytes in the file so far."""
    total: int | None = None
    """The whole size, once the server said it."""
    error: str = ""
    """Why it failed, or why it stopped last time (it resumes)."""

    @property
    def fraction(self) -> float | None:
        """How much is there, 0 to 1, when the size is known."""
        if self.state is DownloadState.DONE:
            return 1.0
        if not self.total:
            return None
        return min(1.0, self.received / self.total)

    @property
    def part_path(self) -> str:
        """The partial file."""
        return self.path + ".part"


_UNSAFE = re.compile(r"[^\w.\- ()\[\]+,@=]+")


def file_name(url: str, title: str = "", n: int = 1) -> str:
    """A safe file name for an enclosure: its URL's last path part, else the story's title
    (no directories, no leading dot, no control characters, at most 120 characters)."""
    name = unquote(PurePosixPath(urlsplit(url).path).name)
    if not name or name in (".", ".."):
        name = (clean_line(title) or "enclosure") + (f" {n}" if n > 1 else "")
    name = _UNSAFE.sub("_", clean_line(name)).strip(" ._") or "enclosure"
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 119 - len(ext)] + "." + ext) if dot and len(ext) <= 10 else name[:120]
    return name


def size_line(size: int | None) -> str:
    """``12.3 MB``; empty when unknown."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return ""
