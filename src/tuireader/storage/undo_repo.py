"""The undo history: bulk actions kept in the database, so undo works after a restart."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from tuireader.storage.database import write

KEEP = 200
"""Entries kept; older ones are forgotten."""


@dataclass(frozen=True, slots=True)
class UndoEntry:
    """One bulk action that can be reverted."""

    id: int
    kind: str
    label: str
    payload: dict[str, Any]


class UndoRepo:
    """A stack of entries in the ``undo_log`` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def push(self, kind: str, label: str, payload: dict[str, Any]) -> None:
        """Remember an action."""
        with write(self.conn):
            self.conn.execute(
                "INSERT INTO undo_log (created_at, kind, label, payload) VALUES (?, ?, ?, ?)",
                (int(time.time()), kind, label, json.dumps(payload)),
            )
            self.conn.execute(
                "DELETE FROM undo_log WHERE id <= (SELECT max(id) FROM undo_log) - ?", (KEEP,)
            )

    def peek(self) -> UndoEntry | None:
        """The latest action."""
        row = self.conn.execute(
            "SELECT id, kind, label, payload FROM undo_log ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return UndoEntry(row[0], row[1], row[2], json.loads(row[3])) if row else None

    def drop(self, entry_id: int) -> None:
        """Forget an action (after undoing it)."""
        with write(self.conn):
            self.conn.execute("DELETE FROM undo_log WHERE id = ?", (entry_id,))

    def drop_kind(self, kind: str) -> None:
        """Forget every action of a kind (removals, once vacuum made them final)."""
        with write(self.conn):
            self.conn.execute("DELETE FROM undo_log WHERE kind = ?", (kind,))

    def drop_source(self, source_id: int) -> None:
        """Forget the removal of a source that is now deleted for good."""
        with write(self.conn):
            self.conn.execute(
                "DELETE FROM undo_log WHERE kind = 'remove_source'"
                " AND json_extract(payload, '$.source_id') = ?",
                (source_id,),
            )
