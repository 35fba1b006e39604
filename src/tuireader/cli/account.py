"""``tuireader account add|list|remove``: sync accounts in the config file (never a secret
on the command line, on screen or in JSON)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from tuireader.cli.output import print_json
from tuireader.config.paths import Paths
from tuireader.config.settings import Settings, load_settings
from tuireader.domain.accounts import Account
from tuireader.domain.errors import UsageError
from tuireader.domain.text import clean_line
from tuireader.services.accounts import accounts, add_account, remove_account, secret_source

OK = 0


def account_json(account: Account) -> dict[str, Any]:
    """An account as JSON-ready data: where its secret comes from, never the secret."""
    return {
        "name": account.name,
        "type": account.type.value,
        "url": account.url or None,
        "path": str(account.path) if account.path else None,
        "user": account.user,
        "secret": secret_source(account).value,
    }


def cmd_account(paths: Paths, args: argparse.Namespace) -> int:
    """Add, list or remove an account."""
    config = paths.config_file
    if args.account_command == "add":
        if not args.name.strip():
            raise UsageError("an account needs a name")
        fields = {"type": args.type}
        if args.url is not None:
            fields["url"] = args.url
        else:
            fields["path"] = os.path.abspath(os.path.expanduser(args.path))
        fields.update(user=args.user, password_command=args.password_command)
        account = add_account(config, args.name, fields)
        print(f"added account {clean_line(account.name)} ({account.type.value}) to {config}")
        return OK
    if args.account_command == "remove":
        remove_account(config, args.name)
        print(f"removed account {clean_line(args.name)} from {config}")
        return OK
    found = accounts(load_settings(config) or Settings())
    if args.json:
        print_json([account_json(a) for a in found])
        return OK
    for account in found:
        data = account_json(account)
        where = clean_line(data["url"] or data["path"] or "")
        user = f"  user {clean_line(account.user)}" if account.user else ""
        print(
            f"{clean_line(account.name)}  {account.type.value}  {where}{user}"
            f"  secret: {data['secret']}"
        )
    if not found:
        print("No accounts. Add one with `tuireader account add NAME --type T --url URL`.")
    return OK
