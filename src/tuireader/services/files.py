"""Files the user names (an OPML list to import, a file to export to): read and written
with errors worded for the user, raised as :class:`UsageError`."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tuireader.domain.errors import UsageError
from tuireader.domain.files import kind_of, os_reason

MAX_READ = 20 * 1024 * 1024
"""Largest file read whole (an OPML list is a few KB)."""


def regular_file(path: Path) -> os.stat_result:
    """The status of a regular file the user named; raises :class:`UsageError` saying why not.

    A FIFO or a device is refused before anything opens it: reading one could block or never
    end.
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {os_reason(exc)}") from None
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"cannot read {path}: it is {kind_of(info.st_mode)}, not a regular file")
    return info


def read_user_file(path: Path, max_bytes: int = MAX_READ) -> bytes:
    """The bytes of a regular file the user named; raises :class:`UsageError` saying why not."""
    regular_file(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {os_reason(exc)}") from None
    if len(data) > max_bytes:
        raise UsageError(f"cannot read {path}: larger than {max_bytes // (1024 * 1024)} MB")
    return data


def write_user_file(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to a path the user named; :class:`UsageError` saying why not."""
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder; give a file name")
    if not path.parent.is_dir():
        raise UsageError(f"cannot write {path}: there is no folder {path.parent}")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {os_reason(exc)}") from None
