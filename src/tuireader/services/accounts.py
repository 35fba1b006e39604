"""Sync accounts as the sync engines see them: the accounts in the settings, each one's
secret (from its command, the config or the system keyring), and adding or removing an
account in the user's config file."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import shlex
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tuireader.config.accounts import key_of, with_account, without_account
from tuireader.config.settings import Settings, load_settings, parse_settings
from tuireader.domain.accounts import Account, SecretSource
from tuireader.domain.errors import ConfigError, UsageError
from tuireader.domain.files import os_reason
from tuireader.domain.secret import Secret
from tuireader.domain.text import one_line_error

logger = logging.getLogger(__name__)

KEYRING_SERVICE = "tuireader"
"""The keyring service name; the keyring user name is the account's name."""
COMMAND_TIMEOUT = 10.0
"""Seconds a ``password_command`` may take."""


def accounts(settings: Settings) -> list[Account]:
    """Every account in the config, in the file's order."""
    return list(settings.accounts.values())


def _keyring() -> Any | None:
    if importlib.util.find_spec("keyring") is None:
        return None
    return importlib.import_module("keyring")


def _from_keyring(account: Account) -> str | None:
    module = _keyring()
    if module is None:
        return None
    try:
        value = module.get_password(KEYRING_SERVICE, account.name)
    except Exception:  # a keyring backend is third-party code: any fault, a line and the log
        logger.exception("account %s: the keyring failed", account.name)
        raise ConfigError(
            f"account '{account.name}': the system keyring failed (details in the log)"
        ) from None
    return value if isinstance(value, str) and value else None


def secret_source(account: Account) -> SecretSource:
    """Where the account's secret comes from (the keyring is asked whether it holds one)."""
    if account.password_command:
        return SecretSource.COMMAND
    if account.password is not None:
        return SecretSource.CONFIG
    if not account.is_server:
        return SecretSource.NONE
    try:
        found = _from_keyring(account)
    except ConfigError:
        return SecretSource.NONE
    return SecretSource.KEYRING if found else SecretSource.NONE


def run_password_command(account: Account, timeout: float = COMMAND_TIMEOUT) -> Secret:
    """Run the account's ``password_command`` (split with shlex, no shell); the first line of
    its output. A failure is a :class:`ConfigError` naming the account (never the output)."""
    where = f"account '{account.name}': password_command"
    argv = shlex.split(account.password_command)
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        raise ConfigError(f"{where}: cannot run {argv[0]!r}: {os_reason(exc)}") from None
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            process.kill()
        process.communicate()
        raise ConfigError(f"{where} did not finish in {timeout:g} s") from None
    if process.returncode != 0:
        why = err.decode("utf-8", "replace").strip().splitlines()
        said = f": {one_line_error(why[0], limit=160)}" if why else ""
        raise ConfigError(f"{where} failed (exit {process.returncode}){said}")
    text = out.decode("utf-8", "replace").splitlines()
    first = text[0].strip("\r") if text else ""
    if not first:
        raise ConfigError(f"{where} printed nothing")
    return Secret(first)


def secret_for(account: Account) -> Secret:
    """The account's secret: its command's output, the password in the config, or the
    system keyring's (service ``tuireader``, user the account's name). :class:`ConfigError`
    naming the account when there is none or it cannot be had."""
    if account.password_command:
        return run_password_command(account)
    if account.password is not None:
        return account.password
    found = _from_keyring(account)
    if found is not None:
        return Secret(found)
    keyring = " or the system keyring" if _keyring() is not None else ""
    raise ConfigError(
        f"account '{account.name}' has no password: set password_command in"
        f" [{key_of(account.name)}]{keyring}"
    )


def _write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` at once (a new file is private to the user)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".toml")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.chmod(temp, mode)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {os_reason(exc)}") from None


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) else "not UTF-8 text"
        raise ConfigError(f"config: cannot read {path}: {reason}") from None


def add_account(config_file: Path, name: str, fields: dict[str, str]) -> Account:
    """Append ``[accounts.NAME]`` to the config file (made if missing), keeping its text.

    :class:`UsageError` when the name is taken; :class:`ConfigError` when the existing
    config or the new table is not valid.
    """
    settings = load_settings(config_file) or Settings()
    if name in settings.accounts:
        raise UsageError(f"an account named '{name}' exists (`tuireader account remove {name}`)")
    text = _text(config_file)
    new = with_account(text, name, fields)
    account = parse_settings(new).accounts[name]
    _write(config_file, new)
    return account


def remove_account(config_file: Path, name: str) -> None:
    """Remove ``[accounts.NAME]`` from the config file, keeping the rest of its text."""
    settings = load_settings(config_file) or Settings()
    if name not in settings.accounts:
        raise UsageError(f"no account named '{name}' (`tuireader account list` lists them)")
    _write(config_file, without_account(_text(config_file), name))
