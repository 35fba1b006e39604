"""Opening the database: WAL, patience with other processes, migrations, bad files."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tuireader.domain.errors import DiskFullError, ReadOnlyError, StorageError
from tuireader.storage import search_index
from tuireader.storage.filter_sql import register
from tuireader.storage.migrations import SCHEMA_VERSION, migrate

BUSY_TIMEOUT_MS = 15_000


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode; write transactions use ``BEGIN IMMEDIATE``."""
    conn = sqlite3.connect(
        path,
        isolation_level=None,
        check_same_thread=False,
        timeout=15,
        factory=search_index.Connection,
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    search_index.register(conn)  # the search index's triggers call it
    register(conn)  # the filter language's regexp
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


# Tables that every tuireader database has from schema version 1 on.
_OUR_TABLES = {"sources", "stories"}


class _NotOurs(Exception):
    """The file is not a usable tuireader database (why is the message)."""


CHECK_ALWAYS_BYTES = 64 * 1024 * 1024
"""Up to this size every open runs ``PRAGMA quick_check`` (about 40 ms at 64 MB here); a
larger file is checked whole before a migration writes to it and by ``tuireader doctor``,
since a full check of a 100,000-story library (~0.6 s) would double the time to open it."""


def _inspect(conn: sqlite3.Connection, size: int = 0) -> int:
    """The schema version of a tuireader (or empty) database; raises :class:`_NotOurs` for
    a damaged file or someone else's. Reads only: nothing is written before this passes."""
    try:
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise _NotOurs(f"unreadable ({exc})") from None
    if version == 0:
        if tables:  # we write version 1 in the transaction that makes our first table
            raise _NotOurs("not a tuireader database (it holds other tables)")
        return 0
    if version > SCHEMA_VERSION:
        return version
    if not tables >= _OUR_TABLES:
        raise _NotOurs("not a tuireader database (its tables are not ours)")
    if size > CHECK_ALWAYS_BYTES and version == SCHEMA_VERSION:
        return version
    try:
        problems = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    except sqlite3.DatabaseError as exc:
        raise _NotOurs(f"damaged ({exc})") from None
    if problems != ["ok"]:
        raise _NotOurs(f"damaged ({'; '.join(problems)[:120]})")
    return version


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read_only(path: Path) -> bool:
    """The file, or the folder its journal files go in, cannot be written (a folder not
    made yet is made by the caller; a place where it cannot be made fails there)."""
    if path.exists() and not os.access(path, os.W_OK):
        return True
    return path.parent.exists() and not os.access(path.parent, os.W_OK)


def open_database(path: Path) -> tuple[sqlite3.Connection, str | None]:
    """Open (creating or upgrading) the database at ``path``.

    Returns the connection and a one-line notice for the user when there is something to
    say: a file that was not a usable tuireader database (damaged, someone else's) is moved
    aside intact, never written to, and a fresh one started; a read-only file is opened for
    reading. Raises :class:`StorageError` for a database from a newer tuireader, which is
    left untouched, and for a read-only place with no database in it.
    """
    if _read_only(path):
        return _open_read_only(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    notice = None
    conn: sqlite3.Connection | None = None
    try:
        try:
            conn = connect(path)
        except sqlite3.DatabaseError as exc:
            raise _NotOurs(f"unreadable ({exc})") from None
        version = _inspect(conn, _size(path))
    except _NotOurs as why:
        if conn is not None:
            conn.close()
        try:
            moved = _move_aside(path)
        except OSError as move_exc:
            raise StorageError(
                f"database {path} is {why} and could not be moved aside: "
                f"{move_exc.strerror or move_exc}; use --data-dir"
            ) from None
        notice = f"database was {why}; moved it to {moved} and started a fresh one"
        conn = connect(path)
        version = 0
    if version > SCHEMA_VERSION:
        conn.close()
        raise _newer(path, version)
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    if version < SCHEMA_VERSION:
        migrate(conn)
    return conn, notice


def _newer(path: Path, version: int) -> StorageError:
    return StorageError(
        f"database {path} was written by a newer tuireader (schema {version}, "
        f"this version knows {SCHEMA_VERSION}); upgrade tuireader or use --data-dir"
    )


def _open_read_only(path: Path) -> tuple[sqlite3.Connection, str | None]:
    """A read-only database opened for reading: nothing renamed, nothing migrated."""
    if not path.exists():
        raise ReadOnlyError(f"cannot create a database in {path.parent}: read-only; use --data-dir")
    # immutable: no -shm or lock files, which a read-only folder cannot hold
    uri = f"{path.resolve().as_uri()}?mode=ro" + (
        "" if os.access(path.parent, os.W_OK) else "&immutable=1"
    )
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False, timeout=15)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    register(conn)
    try:
        version = _inspect(conn, _size(path))
    except _NotOurs as why:
        conn.close()
        raise StorageError(f"database {path} is {why}, and read-only; use --data-dir") from None
    if version > SCHEMA_VERSION:
        conn.close()
        raise _newer(path, version)
    if version < SCHEMA_VERSION:
        conn.close()
        raise ReadOnlyError(
            f"database is read-only: {path} (and needs an upgrade to schema {SCHEMA_VERSION})"
        )
    return conn, f"database is read-only: {path}; reading only, changes are not kept"


def health(path: Path) -> tuple[str, int]:
    """``PRAGMA quick_check``'s verdict (``"ok"`` or its first complaint) and the schema
    version of an existing database; changes nothing. Raises ``sqlite3.DatabaseError`` for a
    file that is not a database."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=5)
    try:
        verdict: str = conn.execute("PRAGMA quick_check").fetchone()[0]
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()
    return verdict, version


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
    (on a full disk it does), and a second ROLLBACK would hide the real error. Inside
    another ``write`` it joins that one (one commit for a batch of writes).
    """
    if conn.in_transaction:
        yield conn
        return
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
