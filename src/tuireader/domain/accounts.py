"""Sync accounts: a server (or a shared folder) and where its secret comes from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from tuireader.domain.secret import Secret


class AccountType(StrEnum):
    """The API an account speaks (``folder``: a shared folder, no server)."""

    GREADER = "greader"
    FEVER = "fever"
    TTRSS = "ttrss"
    MINIFLUX = "miniflux"
    NEXTCLOUD = "nextcloud"
    FOLDER = "folder"

    @property
    def can_subscribe(self) -> bool:
        """Whether the API adds and removes subscriptions (Fever's cannot: they are managed
        on the server)."""
        return self not in (AccountType.FEVER, AccountType.FOLDER)


class SecretSource(StrEnum):
    """Where an account's secret comes from (shown instead of the secret)."""

    COMMAND = "command"
    KEYRING = "keyring"
    CONFIG = "config"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Account:
    """``[accounts.<name>]`` in the config."""

    name: str
    type: AccountType
    url: str = ""
    """The server's base URL (server types)."""
    path: Path | None = None
    """The shared folder (``folder`` type), ``~`` expanded."""
    user: str = ""
    password_command: str = ""
    """A command line (run without a shell); the first line of its output is the secret."""
    password: Secret | None = None
    """A password written in the config (works; ``tuireader doctor`` warns)."""

    @property
    def is_server(self) -> bool:
        """Whether the account talks to a server (every type but ``folder``)."""
        return self.type is not AccountType.FOLDER


@dataclass(frozen=True, slots=True)
class AccountStatus:
    """Where an account's sync stands (what the status line says of it)."""

    last_sync: datetime | None
    """When it last synced whole (``None``: never)."""
    waiting: int
    """Changes made here and not yet sent."""
