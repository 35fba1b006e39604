"""Opening the database: WAL, patience with other processes, migrations, bad files."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tuireader.domain.errors import DiskFullError, ReadOnlyError, StorageError
from tuireader.storage.migrations import SCHEMA_VERSION, migrate

BUSY_TIMEOUT_MS = 15_000


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode; write transactions use ``BEGIN IMMEDIATE``."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=15)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def _move_aside(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.bad-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.bad-{stamp}-{n}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target


def _check(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return version


def open_database(path: Path) -> tuple[sqlite3.Connection, str | None]:
    """Open (creating or upgrading) the database at ``path``.

    Returns the connection and, when the old file was unusable and moved aside, a one-line
    notice for the user. Raises :class:`StorageError` for a database from a newer tuireader,
    which is left untouched.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    notice = None
    try:
        conn = connect(path)
        version = _check(conn)
    except sqlite3.DatabaseError as exc:
        with contextlib.suppress(Exception):
            conn.close()
        if not path.exists():
            raise StorageError(f"cannot open database {path}: {exc}") from None
        try:
            moved = _move_aside(path)
        except OSError as move_exc:
            raise StorageError(
                f"database {path} is unreadable ({exc}) and could not be moved aside: {move_exc}"
            ) from None
        notice = f"database was unreadable ({exc}); moved it to {moved} and started a fresh one"
        conn = connect(path)
        version = 0
    if version > SCHEMA_VERSION:
        conn.close()
        raise StorageError(
            f"database {path} was written by a newer tuireader (schema {version}, "
            f"this version knows {SCHEMA_VERSION}); upgrade tuireader or use --data-dir"
        )
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    if version < SCHEMA_VERSION:
        migrate(conn)
    return conn, notice


def select_in(
    conn: sqlite3.Connection, sql: str, ids: Sequence[object], size: int = 500
) -> Iterator[Any]:
    """Rows of ``sql`` (whose ``IN ({marks})`` takes the ids) over any number of ids, in
    chunks under SQLite's limit on parameters."""
    for start in range(0, len(ids), size):
        chunk = list(ids[start : start + size])
        yield from conn.execute(sql.replace("{marks}", ",".join("?" * len(chunk))), chunk)


_SQLITE_READONLY, _SQLITE_FULL = 8, 13


def database_path(conn: sqlite3.Connection) -> str:
    """The file behind a connection, for messages."""
    for _seq, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return str(file) or ":memory:"
    return "the database"


def storage_error(conn: sqlite3.Connection, exc: sqlite3.Error) -> StorageError | None:
    """The user's words for a write that the disk or the file refused, else None."""
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
    text = str(exc).lower()
    if code == _SQLITE_FULL or "database or disk is full" in text:
        return DiskFullError(f"no space left on device for {database_path(conn)}")
    if code == _SQLITE_READONLY or "readonly database" in text:
        return ReadOnlyError(f"database is read-only: {database_path(conn)}")
    return None


@contextlib.contextmanager
def write(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A short write transaction taken with ``BEGIN IMMEDIATE`` (never upgrades a read lock).

    A full disk or a read-only file becomes :class:`DiskFullError` / :class:`ReadOnlyError`.
    Rolls back only a transaction that is still open: SQLite may have ended it already
    (on a full disk it does), and a second ROLLBACK would hide the real error.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("COMMIT")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        mapped = storage_error(conn, exc)
        if mapped is None:
            raise
        raise mapped from exc
