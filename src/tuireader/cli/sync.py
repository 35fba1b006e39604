"""``tuireader sync [ACCOUNT] [--json]``: sync the accounts in the config.

Server accounts (GReader, Fever, tt-rss, Miniflux, Nextcloud News) sync with their server;
folder accounts through a folder shared between the user's own machines. One account's
failure is one line naming it; the others still sync, and the command fails.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from tuireader.app import Context
from tuireader.cli.output import print_json
from tuireader.domain.accounts import Account
from tuireader.domain.errors import TuireaderError, UsageError
from tuireader.domain.text import clean_line, one_line_error, plural

OK, FAILED = 0, 1


def chosen_accounts(context: Context, name: str | None) -> list[Account]:
    """The account named, or every account; raises UsageError for an unknown name."""
    accounts = context.settings.accounts
    if name is None:
        return list(accounts.values())
    if name not in accounts:
        known = ", ".join(accounts) or "none yet (see `tuireader account add --help`)"
        raise UsageError(f"no account named {clean_line(name)!r}; accounts: {known}")
    return [accounts[name]]


def sync_accounts(context: Context, accounts: list[Account]) -> tuple[list[dict[str, Any]], int]:
    """Sync each account; (one result per account, how many failed). Never raises for one
    account's failure: the others still sync."""
    results: list[dict[str, Any]] = []
    failed = 0
    for account in accounts:
        result: dict[str, Any] = {"account": account.name, "type": str(account.type)}
        if account.is_server:
            result.update(_sync_server(context, account))
        elif account.path is None:
            result["error"] = "no path"
        else:
            try:
                report = context.folder_sync(account.path).sync()
            except TuireaderError as exc:
                result["error"] = one_line_error(exc)
            else:
                result.update(
                    sent=report.written,
                    applied=report.applied,
                    waiting=report.pending,
                    skipped=list(report.skipped),
                )
        failed += "error" in result
        results.append(result)
    return results, failed


def _sync_server(context: Context, account: Account) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        async with context.account_sync(account) as sync:
            report = await sync.sync()
        out: dict[str, Any] = {
            "feeds": report.feeds,
            "new": report.new,
            "sent": report.sent,
            "applied": report.applied,
            "waiting": report.waiting,
            "requests": report.requests,
            "skipped": list(report.notes),
        }
        if report.error:
            out["error"] = report.error
        if report.discovery_error:
            out["skipped"].append(f"discovery: {report.discovery_error}")
        return out

    try:
        return asyncio.run(run())
    except TuireaderError as exc:  # no secret, a password command that failed
        return {"error": one_line_error(exc)}


def cmd_sync(context: Context, args: argparse.Namespace) -> int:
    """Sync one account or every account."""
    accounts = chosen_accounts(context, args.account)
    if not accounts:
        print("No accounts. Add one with `tuireader account add`.")
        return OK
    results, failed = sync_accounts(context, accounts)
    if args.json:
        print_json(results)
        return FAILED if failed else OK
    for result in results:
        name = clean_line(result["account"])
        if "error" in result:
            print(f"tuireader: {name}: {clean_line(result['error'])}", file=sys.stderr)
            continue
        if "new" in result:
            print(
                f"{name}: {plural(result['new'], 'new story', 'new stories')}"
                f" from {plural(result['feeds'], 'feed')}, sent {plural(result['sent'], 'change')},"
                f" applied {result['applied']}"
                + (f", {result['waiting']} waiting to be sent" if result["waiting"] else "")
            )
        else:
            print(
                f"{name}: sent {plural(result['sent'], 'change')}, applied {result['applied']}"
                + (f", {result['waiting']} waiting for their stories" if result["waiting"] else "")
            )
        for skipped in result["skipped"]:
            print(f"  skipped: {clean_line(skipped)}", file=sys.stderr)
    return FAILED if failed else OK
