"""``[accounts.<name>]`` tables: parsed into :class:`Account`, and added to or removed from
the config file's text without touching the rest of it."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tuireader.config.toml_text import toml_key, toml_string
from tuireader.domain.accounts import Account, AccountType
from tuireader.domain.errors import ConfigError, UsageError
from tuireader.domain.secret import Secret

_KEYS = ("type", "url", "path", "user", "password_command", "password")


def key_of(name: str) -> str:
    """``accounts.NAME`` as TOML spells it (quoted when not a bare key)."""
    return f"accounts.{toml_key(name)}"


def parse_account(name: str, table: Any) -> Account:
    """One account table; :class:`ConfigError` naming the account and field. A value that
    may be secret (a password, a URL) is never repeated in the message."""
    where = key_of(name)
    if not name:
        raise ConfigError("config: an account needs a name ([accounts.NAME])")
    if not isinstance(table, dict):
        raise ConfigError(f"config: [{where}] must be a table")
    for key, value in table.items():
        if key not in _KEYS:
            raise ConfigError(f"config: unknown key '{where}.{key}'")
        if not isinstance(value, str):
            raise ConfigError(f"config: '{where}.{key}' must be a string")
    kinds = ", ".join(t.value for t in AccountType)
    if "type" not in table:
        raise ConfigError(f"config: '{where}.type' is missing (one of {kinds})")
    try:
        kind = AccountType(table["type"])
    except ValueError:
        raise ConfigError(f"config: '{where}.type' must be one of {kinds}") from None
    url, path = table.get("url", ""), table.get("path", "")
    folder: Path | None = None
    if kind is AccountType.FOLDER:
        if "url" in table:
            raise ConfigError(f"config: '{where}.url' is for server accounts; use 'path'")
        if not path:
            raise ConfigError(f"config: '{where}.path' is missing (the shared folder)")
        folder = Path(path).expanduser()
        if not folder.is_absolute():
            raise ConfigError(f"config: '{where}.path' must be absolute (or start with ~)")
    else:
        if "path" in table:
            raise ConfigError(f"config: '{where}.path' is for folder accounts; use 'url'")
        if not url:
            raise ConfigError(f"config: '{where}.url' is missing (the server's address)")
        _check_url(where, url)
    command = table.get("password_command", "")
    if "password_command" in table:
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise ConfigError(
                f"config: '{where}.password_command' cannot be split: {exc}"
            ) from None
        if not argv:
            raise ConfigError(f"config: '{where}.password_command' is empty")
        if "password" in table:
            raise ConfigError(f"config: '{where}': give password_command or password, not both")
    password = table.get("password")
    return Account(
        name=name,
        type=kind,
        url=url,
        path=folder,
        user=table.get("user", ""),
        password_command=command,
        password=None if password is None else Secret(password),
    )


def _check_url(where: str, url: str) -> None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        raise ConfigError(f"config: '{where}.url' is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"config: '{where}.url' must be an http(s) URL with a host")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            f"config: '{where}.url' must not hold a user or password;"
            " use 'user' and 'password_command'"
        )


def parse_accounts(raw: Any) -> dict[str, Account]:
    """The ``[accounts]`` table: name → account, in the file's order."""
    if not isinstance(raw, dict):
        raise ConfigError("config: [accounts] must be a table of tables")
    return {name: parse_account(name, table) for name, table in raw.items()}


def _raw(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config: not valid TOML: {exc}") from None


def with_account(text: str, name: str, fields: dict[str, str]) -> str:
    """``text`` with a ``[accounts.NAME]`` table appended (the rest kept as written).

    Raises :class:`UsageError` when the result would not read back as exactly the old
    config plus this account.
    """
    lines = [f"[{key_of(name)}]"]
    lines += [f"{key} = {toml_string(value)}" for key, value in fields.items() if value]
    if text and not text.endswith("\n"):
        text += "\n"
    new = text + ("\n" if text.strip() else "") + "\n".join(lines) + "\n"
    before = _raw(text)
    try:
        after = tomllib.loads(new)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(
            f"cannot add [{key_of(name)}] to the config ({exc}); add it by hand"
        ) from None
    expected = {
        **before,
        "accounts": {**before.get("accounts", {}), name: dict(after_fields(fields))},
    }
    if after != expected:
        raise UsageError(f"cannot add [{key_of(name)}] to the config cleanly; add it by hand")
    return new


def after_fields(fields: dict[str, str]) -> dict[str, str]:
    """The fields as they read back (empty ones are not written)."""
    return {key: value for key, value in fields.items() if value}


_HEADER = re.compile(r"^\s*\[\s*accounts\s*\.\s*(?P<name>[A-Za-z0-9_-]+|\"(?:[^\"\\]|\\.)*\")\s*\]")
_TABLE = re.compile(r"^\s*\[")
_CONTENT = re.compile(r"^\s*[^\s#]")


def without_account(text: str, name: str) -> str:
    """``text`` without the ``[accounts.NAME]`` table (comments and blank lines just before
    the next table stay with it). Raises :class:`UsageError` when the table cannot be found
    as a ``[accounts.NAME]`` header, or the result would not read back as the old config less
    this account."""
    lines = text.splitlines(keepends=True)
    start = None
    for number, line in enumerate(lines):
        found = _HEADER.match(line)
        if found and _header_name(found.group("name")) == name:
            start = number
            break
    if start is None:
        raise UsageError(
            f"cannot find a [{key_of(name)}] header in the config; remove the account by hand"
        )
    end = start + 1
    while end < len(lines) and not _TABLE.match(lines[end]):
        end += 1
    last = start
    for number in range(start + 1, end):
        if _CONTENT.match(lines[number]):
            last = number
    cut_to = last + 1
    if start == 0 or not lines[start - 1].strip():
        while cut_to < end and not lines[cut_to].strip():
            cut_to += 1
    new = "".join(lines[:start] + lines[cut_to:])
    before = _raw(text)
    accounts = dict(before.get("accounts", {}))
    accounts.pop(name, None)
    expected = {**before, "accounts": accounts}
    if not accounts:
        expected.pop("accounts")
    try:
        after = tomllib.loads(new)
    except tomllib.TOMLDecodeError:
        after = None
    if after is not None and "accounts" in after and not after["accounts"] and not accounts:
        after.pop("accounts")
    if after != expected:
        raise UsageError(
            f"cannot remove [{key_of(name)}] from the config cleanly; remove it by hand"
        )
    return new


def _header_name(token: str) -> str:
    if token.startswith('"'):
        value = tomllib.loads(f"x = {token}")["x"]
        return str(value)
    return token
