"""Where each sync account stands: when it last synced whole and how many changes made here
wait to be sent. Read from the database only (no network, no secret), cheaply enough for the
status line to ask after every mark."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime

from tuireader.domain.accounts import Account, AccountStatus
from tuireader.services.folder_sync import folder_status
from tuireader.services.library import Library
from tuireader.storage.remote_repo import RemoteRepo


def server_status(conn: sqlite3.Connection, account: str) -> AccountStatus:
    """A server account's status."""
    repo = RemoteRepo(conn)
    last = repo.last_sync(account)
    when = datetime.fromtimestamp(last / 1000, UTC) if last else None
    return AccountStatus(when, repo.waiting(account))


def account_statuses(library: Library, accounts: Iterable[Account]) -> dict[str, AccountStatus]:
    """Each account's status by name, in the order given (a folder account without a path
    is left out: it cannot sync)."""
    conn = library.connection
    out: dict[str, AccountStatus] = {}
    for account in accounts:
        if account.is_server:
            out[account.name] = server_status(conn, account.name)
        elif account.path is not None:
            out[account.name] = folder_status(conn, account.path)
    return out
