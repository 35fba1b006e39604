"""Where each sync account stands: when it last synced whole and how many changes made here
wait to be sent. Read from the database only (no network, no secret), cheaply enough for the
status line to ask after every mark."""

from __future__ import annotations

from collections.abc import Iterable

from tuireader.domain.accounts import Account, AccountStatus
from tuireader.services.library import Library


def account_statuses(library: Library, accounts: Iterable[Account]) -> dict[str, AccountStatus]:
    """Each account's status by name, in the order given (a folder account without a path
    is left out: it cannot sync)."""
    conn = library.connection
    out: dict[str, AccountStatus] = {}
    for account in accounts:
        # imported only for an account: the sync modules (and what they import: full text,
        # the servers' APIs) are a third of the app's start-up imports
        if account.is_server:
            from tuireader.services.account_sync import status_of

            out[account.name] = status_of(conn, account)
        elif account.path is not None:
            from tuireader.services.folder_sync import folder_status

            out[account.name] = folder_status(conn, account.path)
    return out
