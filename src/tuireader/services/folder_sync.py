"""Sync between a user's own machines through a shared folder, with no server.

The folder (Syncthing, Dropbox, a network share, a git checkout) holds one append-only log
per device, ``<device>.jsonl``; a device writes only its own. :meth:`FolderSync.sync` sends
this library's journaled changes to its log, reads every log, merges them (later change per
story and field wins, the same on every device) and applies what other devices won.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from tuireader.domain.accounts import AccountStatus
from tuireader.domain.errors import UsageError
from tuireader.domain.files import os_reason
from tuireader.domain.sync_log import Event, compact, encode, merge, parse
from tuireader.storage.sync_repo import SyncRepo

logger = logging.getLogger(__name__)

SUFFIX = ".jsonl"
COMPACT_AT = 2000
"""Our log is compacted once it holds this many lines and at least twice as many as the
events that matter (the last per story and field)."""


@dataclass(frozen=True, slots=True)
class FolderSyncReport:
    """What one sync did."""

    device: str
    written: int
    """Local changes appended to our log."""
    read: int
    """Valid events read from every log (ours included), duplicates counted once."""
    applied: int
    """Changes from other devices applied to the library."""
    pending: int
    """Winning changes for stories or feeds not here yet (applied by a later sync)."""
    skipped: tuple[str, ...] = ()
    """One line per file or part of a file that was not read, and why."""
    compacted: int = 0
    """Lines dropped from our log by compaction."""


class FolderSync:
    """One library's sync through one folder.

    ``conn`` is a connection to the library's database (the composition root's, or one of
    its own for a thread); ``folder`` the shared folder, which must exist.
    """

    def __init__(
        self, conn: sqlite3.Connection, folder: Path, compact_at: int = COMPACT_AT
    ) -> None:
        self._repo = SyncRepo(conn)
        self.folder = folder
        self._compact_at = compact_at

    @property
    def device(self) -> str:
        """This library's device id (its log is ``<device>.jsonl`` in the folder)."""
        return self._repo.device()

    def _own_log(self) -> Path:
        return self.folder / f"{self._repo.device()}{SUFFIX}"

    def _marker(self) -> str:
        return _exported(self.folder)

    def sync(self) -> FolderSyncReport:
        """Export, read, merge, apply; raises :class:`UsageError` for a folder that is not
        there or cannot be written. Nothing in another device's log stops the merge."""
        if not self.folder.is_dir():
            raise UsageError(f"sync folder {self.folder} is not a folder (not mounted yet?)")
        try:
            written = self._export()
        except OSError as exc:
            raise UsageError(
                f"cannot write to sync folder {self.folder}: {os_reason(exc)}"
            ) from None
        events, skipped = self._read_all()
        self._repo.record_winners(merge(events.values()).values())
        applied, pending = self._repo.apply_pending()
        compacted = 0
        try:
            compacted = self._compact([e for e in events.values() if e.device == self.device])
        except OSError as exc:  # the log stays whole: compaction is only a saving
            skipped.append(f"{self._own_log().name}: not compacted ({os_reason(exc)})")
        self._repo.set_marker(_synced(self.folder), int(time.time() * 1000))
        return FolderSyncReport(
            self.device, written, len(events), applied, pending, tuple(skipped), compacted
        )

    def _export(self) -> int:
        """Append the journal entries not yet in our log; the marker moves only once they
        are on disk, so a kill at any point re-sends (the reader drops duplicates)."""
        path = self._own_log()
        name = self._marker()
        exported = self._repo.marker(name)
        on_disk = _last_seq(path, self._repo.device())
        if on_disk < exported:
            # our log lost its end (deleted by hand, or an older copy synced back over it):
            # send again what it no longer holds
            exported = on_disk
            self._repo.set_marker(name, exported)
        entries = self._repo.journal_after(exported)
        if not entries:
            return 0
        _cut_partial_line(path)
        with open(path, "ab") as log:
            log.write("".join(encode(e) for e in entries).encode("utf-8"))
            log.flush()
            os.fsync(log.fileno())
        self._repo.set_marker(name, entries[-1].seq)
        return len(entries)

    def _read_all(self) -> tuple[dict[tuple[str, int], Event], list[str]]:
        """Every valid event of every device's log, by (device, sequence)."""
        events: dict[tuple[str, int], Event] = {}
        skipped: list[str] = []
        for path in sorted(self.folder.glob(f"*{SUFFIX}")):
            if path.name.startswith("."):
                continue
            try:
                data = path.read_bytes()
            except OSError as exc:
                skipped.append(f"{path.name}: unreadable ({os_reason(exc)})")
                continue
            log = parse(data)
            device = path.name[: -len(SUFFIX)]
            foreign = 0
            for event in log.events:
                if event.device != device:
                    foreign += 1  # a device writes only its own file
                    continue
                events[(event.device, event.seq)] = event
            if log.truncated:
                skipped.append(f"{path.name}: last line cut off (still being copied?)")
            if log.bad_lines:
                skipped.append(f"{path.name}: {log.bad_lines} damaged line(s) skipped")
            if foreign:
                skipped.append(f"{path.name}: {foreign} event(s) of another device skipped")
        return events, skipped

    def _compact(self, own: list[Event]) -> int:
        """Rewrite our log keeping the last event per story and field, when it has grown
        (see :func:`tuireader.domain.sync_log.compact` for why nothing is lost)."""
        path = self._own_log()
        if not path.exists():
            return 0
        lines = path.read_bytes().count(b"\n")
        kept = compact(own)
        if lines < self._compact_at or lines < 2 * len(kept):
            return 0
        # Only events already in the log are rewritten: the journal entries exported by this
        # sync are all in ``own`` (read back above), and nothing else writes this file.
        temp = path.with_name(f".{path.name}.tmp")
        with open(temp, "wb") as out:
            out.write("".join(encode(e) for e in kept).encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
        return lines - len(kept)


def _exported(folder: Path) -> str:
    """The marker of how far the journal went into our log in ``folder``."""
    return f"exported:{folder.resolve()}"


def _synced(folder: Path) -> str:
    """The marker of when a sync through ``folder`` last finished (Unix milliseconds)."""
    return f"synced:folder:{folder.resolve()}"


def folder_status(conn: sqlite3.Connection, folder: Path) -> AccountStatus:
    """When a sync through ``folder`` last finished and how many local changes are not in
    our log there yet."""
    repo = SyncRepo(conn)
    last = repo.marker(_synced(folder))
    when = datetime.fromtimestamp(last / 1000, UTC) if last else None
    return AccountStatus(when, repo.journal_count_after(repo.marker(_exported(folder))))


def _last_seq(path: Path, device: str) -> int:
    """The highest sequence of ours that our log holds whole (0 for none or no file)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return 0
    return max((e.seq for e in parse(data).events if e.device == device), default=0)


def _cut_partial_line(path: Path) -> None:
    """Drop a last line our own earlier write left half-written (killed mid-append), so the
    next record starts on a line of its own; its entries were never marked exported."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return
    if data and not data.endswith(b"\n"):
        with open(path, "r+b") as log:
            log.truncate(data.rfind(b"\n") + 1)
