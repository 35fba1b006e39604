"""Syncing the accounts in the config, one after another, for a front end: each account's
outcome as one :class:`AccountSynced`, a failure as one line naming the account.

The account's sync service is opened through the factories the composition root hands over
(its own database connection each, so the sync may run on any thread).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tuireader.domain.accounts import Account
from tuireader.domain.errors import TuireaderError
from tuireader.domain.text import one_line_error, plural

if TYPE_CHECKING:
    from tuireader.services.account_sync import AccountSync
    from tuireader.services.folder_sync import FolderSync

OpenServer = Callable[[Account], AbstractAsyncContextManager["AccountSync"]]
"""Opens a server account's sync (its HTTP client and connection) for one sync."""
OpenFolder = Callable[[Path], AbstractContextManager["FolderSync"]]
"""Opens a folder account's sync on a connection of its own."""


@dataclass(frozen=True, slots=True)
class AccountSynced:
    """How one account's sync went."""

    account: str
    new: int = 0
    """Stories stored (server accounts)."""
    sent: int = 0
    applied: int = 0
    waiting: int = 0
    """Changes still to be sent after it."""
    error: str = ""
    """One line when it failed or stopped early (what was done stays done)."""
    notes: tuple[str, ...] = ()
    """What was skipped (a damaged log line, a discovery index that failed)."""

    @property
    def failed(self) -> bool:
        """Whether the sync stopped before it was done."""
        return bool(self.error)

    def line(self) -> str:
        """One line for the user, naming the account."""
        if self.error:
            return f"{self.account}: {self.error}"
        parts = [plural(self.new, "new story", "new stories")] if self.new else []
        if self.sent:
            parts.append(f"{self.sent} sent")
        if self.applied:
            parts.append(f"{self.applied} applied")
        return f"{self.account}: {', '.join(parts) or 'up to date'}"


async def sync_account(
    account: Account, open_server: OpenServer, open_folder: OpenFolder
) -> AccountSynced:
    """Sync one account; never raises for its failure (a wrong password, a server that is
    down, a folder not mounted, a database that refused a write): that is ``error``."""
    name = account.name
    try:
        if account.is_server:
            async with open_server(account) as sync:
                report = await sync.sync()
            notes = report.notes + (
                (f"discovery: {report.discovery_error}",) if report.discovery_error else ()
            )
            return AccountSynced(
                name, report.new, report.sent, report.applied, report.waiting, report.error, notes
            )
        if account.path is None:
            return AccountSynced(name, error="no path in the config")
        with open_folder(account.path) as folder:
            done = folder.sync()
        return AccountSynced(
            name, sent=done.written, applied=done.applied, waiting=done.pending, notes=done.skipped
        )
    except TuireaderError as exc:  # the secret's command failed, the database refused...
        return AccountSynced(name, error=one_line_error(exc))


async def sync_accounts(
    accounts: Sequence[Account], open_server: OpenServer, open_folder: OpenFolder
) -> AsyncIterator[AccountSynced]:
    """Sync each account in turn, yielding each one's outcome as it ends; one account's
    failure never stops the others."""
    for account in accounts:
        yield await sync_account(account, open_server, open_folder)
