"""Server accounts' tables: their feeds as sources, the link from the server's item ids to
stored stories (with the state the server had at the last sync), cursors, the outbox of
subscription changes, and the read/starred changes waiting in the journal."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tuireader.domain.models import Source, SourceKind
from tuireader.domain.remote import QueuedChange, RemoteFeed, StoredItem
from tuireader.storage.database import write
from tuireader.storage.rows import SOURCE_COLUMNS, source_from_row

FIELDS = ("read", "starred")


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A new subscription waiting for the server (an unsubscribe needs no entry: a removed
    source of the account's is one)."""

    seq: int
    op: str
    url: str
    remote_id: str
    folder: str


def source_url(account: str, feed: RemoteFeed) -> str:
    """The unique URL an account's feed is stored under: the feed's own, marked with the
    account (the same feed may also be fetched directly, or by another account)."""
    base = feed.url or f"account:{account}/{feed.id}"
    return f"{base}#account={account}"


class RemoteRepo:
    """One connection's view of the server-account tables."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # feeds ------------------------------------------------------------------------------
    def feeds(self, account: str) -> dict[str, Source]:
        """The account's live sources by the server's feed id."""
        rows = self.conn.execute(
            f"SELECT {SOURCE_COLUMNS} FROM sources WHERE account = ? AND removed_at IS NULL",
            (account,),
        ).fetchall()
        return {s.remote_id: s for s in map(source_from_row, rows)}

    def removed_feeds(self, account: str) -> set[str]:
        """Server feed ids of the account's sources removed here (unsubscribe queued)."""
        rows = self.conn.execute(
            "SELECT remote_id FROM sources WHERE account = ? AND removed_at IS NOT NULL",
            (account,),
        )
        return {r[0] for r in rows}

    def sync_feeds(self, account: str, feeds: Sequence[RemoteFeed]) -> tuple[int, int]:
        """Make the account's sources what the server lists (the server is the truth for
        subscriptions and folders); returns (added, deleted). A source removed here whose
        unsubscribe has not reached the server yet stays removed."""
        now = int(time.time())
        added = deleted = 0
        listed = {f.id for f in feeds}
        with write(self.conn):
            have = {
                r[0]: r[1]
                for r in self.conn.execute(
                    "SELECT remote_id, id FROM sources WHERE account = ?", (account,)
                )
            }
            for feed in feeds:
                folder = feed.folders[0] if feed.folders else ""
                url = source_url(account, feed)
                if feed.id in have:
                    self.conn.execute(
                        "UPDATE sources SET title = ?, folder = ?, url = ? WHERE id = ?"
                        " AND (title != ? OR folder != ? OR url != ?)",
                        (feed.title, folder, url, have[feed.id], feed.title, folder, url),
                    )
                    continue
                self.conn.execute(
                    "INSERT INTO sources (url, kind, title, folder, added_at, account,"
                    " remote_id) VALUES (?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (url) DO NOTHING",
                    (url, SourceKind.ACCOUNT.value, feed.title, folder, now, account, feed.id),
                )
                added += 1
            for remote_id, source_id in have.items():
                if remote_id not in listed:
                    self._delete_source(source_id)
                    deleted += 1
        return added, deleted

    def _delete_source(self, source_id: int) -> None:
        self.conn.execute("DELETE FROM stories WHERE source_id = ?", (source_id,))
        self.conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))

    # items ------------------------------------------------------------------------------
    def known(self, account: str) -> dict[str, StoredItem]:
        """Every stored story of the account's, by the server's item id."""
        rows = self.conn.execute(
            "SELECT r.remote_id, s.id, s.read, s.starred, r.read, r.starred, src.remote_id"
            " FROM remote_items r JOIN stories s ON s.id = r.story_id"
            " JOIN sources src ON src.id = s.source_id WHERE r.account = ?",
            (account,),
        )
        return {
            r[0]: StoredItem(r[1], bool(r[2]), bool(r[3]), bool(r[4]), bool(r[5]), r[6])
            for r in rows
        }

    def story_ids(self, source_id: int, keys: Sequence[str]) -> dict[str, int]:
        """Stored story ids by key, for these keys of one source."""
        out: dict[str, int] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, story_id in self.conn.execute(
                f"SELECT key, id FROM stories WHERE source_id = ? AND key IN ({marks})",
                (source_id, *chunk),
            ):
                out[key] = story_id
        return out

    def link(self, account: str, links: Iterable[tuple[str, int, bool, bool]]) -> int:
        """Link server item ids to stories and give each story the server's state (not
        journaled: it is not a change of ours to send back); returns how many."""
        rows = list(links)
        if not rows:
            return 0
        with write(self.conn):
            self.conn.execute("INSERT INTO sync_applying VALUES (1)")
            try:
                self.conn.executemany(
                    "INSERT INTO remote_items (account, remote_id, story_id, read, starred)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (account, remote_id) DO UPDATE SET"
                    " story_id = excluded.story_id, read = excluded.read,"
                    " starred = excluded.starred",
                    [(account, rid, sid, int(r), int(s)) for rid, sid, r, s in rows],
                )
                self.conn.executemany(
                    "UPDATE stories SET read = ?, starred = ?, read_at = CASE WHEN ? THEN"
                    " coalesce(read_at, ?) END WHERE id = ?",
                    [(int(r), int(s), int(r), int(time.time()), sid) for _, sid, r, s in rows],
                )
            finally:
                self.conn.execute("DELETE FROM sync_applying")
        return len(rows)

    def apply(self, account: str, changes: Sequence[tuple[str, int, str, bool, bool]]) -> int:
        """Apply the server's winning changes here: (item id, story id, field, value, the
        value this sync saw here). A story the user changed meanwhile is left alone (its
        change goes out with the next sync). Returns how many stories changed."""
        applied = 0
        now = int(time.time())
        with write(self.conn):
            self.conn.execute("INSERT INTO sync_applying VALUES (1)")
            try:
                for remote_id, story_id, field, value, seen in changes:
                    assert field in FIELDS
                    extra = ", read_at = CASE WHEN ? THEN coalesce(read_at, ?) END"
                    args: tuple[object, ...] = (int(value),)
                    if field == "read":
                        args += (int(value), now)
                    else:
                        extra = ""
                    cur = self.conn.execute(
                        f"UPDATE stories SET {field} = ?{extra} WHERE id = ? AND {field} = ?",
                        (*args, story_id, int(seen)),
                    )
                    applied += cur.rowcount
                    self.conn.execute(
                        f"UPDATE remote_items SET {field} = ? WHERE account = ? AND remote_id = ?",
                        (int(value), account, remote_id),
                    )
            finally:
                self.conn.execute("DELETE FROM sync_applying")
        return applied

    def set_bases(self, account: str, field: str, value: bool, remote_ids: Sequence[str]) -> None:
        """Record that the server now holds ``value`` for these items (after a send)."""
        assert field in FIELDS
        with write(self.conn):
            self.conn.executemany(
                f"UPDATE remote_items SET {field} = ? WHERE account = ? AND remote_id = ?",
                [(int(value), account, rid) for rid in remote_ids],
            )

    # the queue of local changes ---------------------------------------------------------
    def pending(self, account: str) -> tuple[int, dict[str, dict[str, QueuedChange]]]:
        """(the journal's last sequence, the latest unsent change per item and field of the
        account's stories)."""
        last = self.conn.execute("SELECT coalesce(max(seq), 0) FROM sync_journal").fetchone()[0]
        rows = self.conn.execute(
            "SELECT r.remote_id, j.field, j.value, j.at FROM sync_journal j"
            " JOIN sources src ON src.url = j.source_url AND src.account = ?"
            " JOIN stories s ON s.source_id = src.id AND s.key = j.story_key"
            " JOIN remote_items r ON r.story_id = s.id AND r.account = ?"
            " WHERE j.seq > ? AND j.seq <= ? AND j.field IN ('read', 'starred')"
            " ORDER BY j.seq",
            (account, account, self.marker(_sent(account)), last),
        )
        out: dict[str, dict[str, QueuedChange]] = {}
        for remote_id, field, value, at in rows:
            out.setdefault(remote_id, {})[field] = QueuedChange(value == "1", int(at))
        return int(last), out

    def mark_sent(self, account: str, seq: int) -> None:
        """Every journal entry up to ``seq`` reached the server (or lost to a later change)."""
        self._set_marker(_sent(account), seq)

    def waiting(self, account: str) -> int:
        """Local changes not yet sent: read/starred changes and subscription changes."""
        _, pending = self.pending(account)
        queued = self.conn.execute(
            "SELECT count(*) FROM remote_outbox WHERE account = ?", (account,)
        ).fetchone()[0]
        return (
            sum(len(fields) for fields in pending.values())
            + int(queued)
            + len(self.removed_feeds(account))
        )

    # outbox -----------------------------------------------------------------------------
    def queue(
        self, account: str, op: str, url: str = "", remote_id: str = "", folder: str = ""
    ) -> None:
        """Queue a subscription change for the server."""
        with write(self.conn):
            self.conn.execute(
                "INSERT INTO remote_outbox (account, op, url, remote_id, folder, at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (account, op, url, remote_id, folder, int(time.time())),
            )

    def outbox(self, account: str) -> list[OutboxEntry]:
        """The account's queued subscription changes, oldest first."""
        rows = self.conn.execute(
            "SELECT seq, op, url, remote_id, folder FROM remote_outbox WHERE account = ?"
            " ORDER BY seq",
            (account,),
        )
        return [OutboxEntry(*r) for r in rows]

    def done(self, seq: int) -> None:
        """The server took a queued subscription change."""
        with write(self.conn):
            self.conn.execute("DELETE FROM remote_outbox WHERE seq = ?", (seq,))

    # cursors and times ------------------------------------------------------------------
    def cursor(self, account: str) -> dict[str, int]:
        """Where the account's next incremental read starts (the API client's own words)."""
        row = self.conn.execute(
            "SELECT value FROM remote_cursors WHERE account = ? AND name = 'cursor'", (account,)
        ).fetchone()
        if row is None:
            return {}
        try:
            value = json.loads(row[0])
        except ValueError:
            return {}
        if not isinstance(value, dict):
            return {}
        return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, int)}

    def set_cursor(self, account: str, cursor: dict[str, int]) -> None:
        """Save the cursor (after what it covers is stored)."""
        with write(self.conn):
            self.conn.execute(
                "INSERT INTO remote_cursors (account, name, value) VALUES (?, 'cursor', ?)"
                " ON CONFLICT (account, name) DO UPDATE SET value = excluded.value",
                (account, json.dumps(cursor, sort_keys=True)),
            )

    def last_sync(self, account: str) -> int:
        """When the account last synced whole, Unix milliseconds (0: never)."""
        return self.marker(_last(account))

    def set_last_sync(self, account: str, at_ms: int) -> None:
        """Record a whole sync."""
        self._set_marker(_last(account), at_ms)

    def marker(self, name: str) -> int:
        row = self.conn.execute("SELECT value FROM sync_state WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    def _set_marker(self, name: str, value: int) -> None:
        with write(self.conn):
            self.conn.execute(
                "INSERT INTO sync_state (name, value) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )


def _sent(account: str) -> str:
    return f"sent:account:{account}"


def _last(account: str) -> str:
    return f"synced:account:{account}"
