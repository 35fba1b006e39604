"""Small preferences the app keeps between runs (theme, saved searches)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from tuireader.storage.database import write


class PrefsRepo:
    """A JSON value per name in the ``prefs`` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, name: str, default: Any = None) -> Any:
        """The stored value, or ``default``."""
        row = self.conn.execute("SELECT value FROM prefs WHERE name = ?", (name,)).fetchone()
        if row is None:
            return default
        try:
            return json.loads(row[0])
        except ValueError:
            return default

    def set(self, name: str, value: Any) -> None:
        """Store a value."""
        with write(self.conn):
            self.conn.execute(
                "INSERT INTO prefs (name, value) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, json.dumps(value)),
            )
