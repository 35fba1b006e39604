"""Folder sync's tables: the journal triggers fill, export marks, winners and applying them."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable

from tuireader.domain.sync_log import Event
from tuireader.storage.database import write


class SyncRepo:
    """Reads the change journal and applies merged changes without journaling them again."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def device(self) -> str:
        """This data dir's device id (random, made by the schema migration)."""
        row = self.conn.execute("SELECT device FROM sync_device WHERE one = 1").fetchone()
        return str(row[0])

    def journal_after(self, seq: int) -> list[Event]:
        """Local changes after journal sequence ``seq``, oldest first."""
        device = self.device()
        return [
            Event(device, int(s), int(at), url, key, field, value)
            for s, url, key, field, value, at in self.conn.execute(
                "SELECT seq, source_url, story_key, field, value, at FROM sync_journal"
                " WHERE seq > ? ORDER BY seq",
                (seq,),
            )
        ]

    def journal_count_after(self, seq: int) -> int:
        """How many local changes come after journal sequence ``seq``."""
        row = self.conn.execute("SELECT count(*) FROM sync_journal WHERE seq > ?", (seq,))
        return int(row.fetchone()[0])

    def marker(self, name: str) -> int:
        """A stored counter (0 when never set)."""
        row = self.conn.execute("SELECT value FROM sync_state WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def set_marker(self, name: str, value: int) -> None:
        """Store a counter."""
        with write(self.conn):
            self.conn.execute(
                "INSERT INTO sync_state (name, value) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    def record_winners(self, winners: Iterable[Event]) -> int:
        """Keep each winner that outdoes the one known for its target (ours are marked
        applied: the library already holds them); returns how many are new."""
        me = self.device()
        known = {
            (url, key, field): (at, device, seq)
            for url, key, field, at, device, seq in self.conn.execute(
                "SELECT source_url, story_key, field, at, device, seq FROM sync_winners"
            )
        }
        rows: list[tuple[str, str, str, str, int, str, int, int]] = []
        for event in winners:
            old = known.get(event.target)
            if old is not None and old >= (event.at, event.device, event.seq):
                continue
            mine = int(event.device == me)
            rows.append((*event.target, event.value, event.at, event.device, event.seq, mine))
        if rows:
            with write(self.conn):
                self.conn.executemany(
                    "INSERT INTO sync_winners (source_url, story_key, field, value, at, device,"
                    " seq, applied) VALUES (?,?,?,?,?,?,?,?)"
                    " ON CONFLICT (source_url, story_key, field) DO UPDATE SET"
                    " value = excluded.value, at = excluded.at, device = excluded.device,"
                    " seq = excluded.seq, applied = excluded.applied",
                    rows,
                )
        return len(rows)

    def apply_pending(self) -> tuple[int, int]:
        """Apply every winner not applied yet whose story or source is here, in one
        transaction, unjournaled; returns (applied, still pending: story or source absent)."""
        applied = 0
        with write(self.conn):
            self.conn.execute("INSERT INTO sync_applying (flag) VALUES (1)")
            try:
                # subscriptions and saved pages first: a folder move may be for a feed, a
                # star for a page, added here now
                pending = self.conn.execute(
                    "SELECT rowid, source_url, story_key, field, value, at, device, seq"
                    " FROM sync_winners WHERE applied = 0"
                    " ORDER BY field NOT IN ('subscribed', 'saved')"
                ).fetchall()
                me = self.device()
                done: list[tuple[int]] = []
                for rowid, url, key, field, value, at, device, seq in pending:
                    if self._newer_here(url, key, field, (at, device, seq), me):
                        done.append((rowid,))  # made here since this sync exported
                        continue
                    changed = self._apply(url, key, field, value)
                    if changed is not None:
                        done.append((rowid,))
                        applied += changed
                self.conn.executemany("UPDATE sync_winners SET applied = 1 WHERE rowid = ?", done)
            finally:
                self.conn.execute("DELETE FROM sync_applying")
        return applied, len(pending) - len(done)

    def _newer_here(
        self, url: str, key: str, field: str, stamp: tuple[int, str, int], me: str
    ) -> bool:
        """Whether a local change to the target outdoes the winner (the user changed it
        while this sync ran: it goes out with the next one and wins there too)."""
        row = self.conn.execute(
            "SELECT at, seq FROM sync_journal WHERE source_url = ? AND story_key = ?"
            " AND field = ? ORDER BY at DESC, seq DESC LIMIT 1",
            (url, key, field),
        ).fetchone()
        return row is not None and (int(row[0]), me, int(row[1])) > stamp

    def _apply(self, url: str, key: str, field: str, value: str) -> int | None:
        """Set one target's state; returns 1 if it changed, 0 if it was so already, and
        ``None`` when its story or source is not here (yet)."""
        now = int(time.time())
        if field in ("read", "starred"):
            row = self.conn.execute(
                "SELECT s.id FROM stories s JOIN sources src ON src.id = s.source_id"
                " WHERE src.url = ? AND s.key = ?",
                (url, key),
            ).fetchone()
            if row is None:
                return None
            on = int(value == "1")
            if field == "read":
                cur = self.conn.execute(
                    "UPDATE stories SET read = ?, read_at = CASE WHEN ? THEN"
                    " coalesce(read_at, ?) END WHERE id = ? AND read != ?",
                    (on, on, now, row[0], on),
                )
            else:
                cur = self.conn.execute(
                    "UPDATE stories SET starred = ? WHERE id = ? AND starred != ?",
                    (on, row[0], on),
                )
            return cur.rowcount
        if field == "saved":
            return self._apply_saved(url, key, value, now)
        source = self.conn.execute(
            "SELECT id, removed_at IS NOT NULL FROM sources WHERE url = ?", (url,)
        ).fetchone()
        if field == "subscribed":
            if value == "1" and source is None:
                self.conn.execute(
                    "INSERT INTO sources (url, kind, added_at) VALUES (?, 'feed', ?)", (url, now)
                )
            elif value == "1" and source[1]:
                self.conn.execute("UPDATE sources SET removed_at = NULL WHERE id = ?", (source[0],))
            elif value == "0" and source is not None and not source[1]:
                self.conn.execute(
                    "UPDATE sources SET removed_at = ? WHERE id = ?", (now, source[0])
                )
            else:
                return 0  # so already (or gone already)
            return 1
        if source is None:
            return None
        cur = self.conn.execute(
            "UPDATE sources SET folder = ? WHERE id = ? AND folder != ?", (value, source[0], value)
        )
        return cur.rowcount

    def _apply_saved(self, url: str, key: str, value: str, now: int) -> int:
        """A page another device saved: kept here with its title and link (its text is
        fetched when it is opened, as for any story whose feed gave none)."""
        try:
            saved = json.loads(value)
        except ValueError:
            return 0
        if not isinstance(saved, dict):
            return 0
        title = saved.get("title") if isinstance(saved.get("title"), str) else ""
        link = saved.get("link") if isinstance(saved.get("link"), str) else ""
        source = self.conn.execute(
            "SELECT id FROM sources WHERE url = ? AND kind = 'saved'", (url,)
        ).fetchone()
        if source is None:
            cur = self.conn.execute(
                "INSERT INTO sources (url, kind, title, added_at) VALUES (?, 'saved', 'Saved', ?)",
                (url, now),
            )
            source_id = cur.lastrowid
        else:
            source_id = source[0]
        known = self.conn.execute(
            "SELECT 1 FROM stories WHERE source_id = ? AND key = ?", (source_id, key)
        ).fetchone()
        if known:
            return 0
        self.conn.execute(
            "INSERT INTO stories (source_id, key, title, link, sort_time, fetched_at,"
            " content_type, last_seen) VALUES (?, ?, ?, ?, ?, ?, 'text', ?)",
            (source_id, key, title or link or key, link, now, now, now),
        )
        return 1
