"""Running a command: build the context, dispatch, turn errors into one line and an exit code."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from tuireader.app import (
    Context,
    build_context,
    debug_enabled,
    run_app,
    seed_if_first_run,
    setup_logging,
)
from tuireader.cli.parser import build_parser
from tuireader.config.paths import resolve_paths
from tuireader.domain.errors import ConfigError, TuireaderError, UsageError
from tuireader.domain.text import one_line_error

logger = logging.getLogger(__name__)

OK, FAILED, USAGE = 0, 1, 2

NO_DB = {"locate", "config", "doctor", "account"}
DISCOVERY = {"related", "trending", "recommend", "clusters"}
OWN_SOURCE = {"add", "import", "save", "samples"}
"""Commands that bring a source of the user's own: a first run seeds no samples for them."""
SOURCE_COMMANDS = {"source", "health"}
"""Per-source settings and feed health (``cli/source_cmd.py``)."""


def _error(message: str) -> None:
    print(f"tuireader: {one_line_error(message, limit=400)}", file=sys.stderr)


def run(argv: Sequence[str]) -> int:
    """Run the command line; returns the exit code. Never lets a traceback out: an internal
    error is one line on stderr, its traceback goes to the log file (and, with
    ``TUIREADER_DEBUG=1``, to stderr)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    paths = resolve_paths(data_dir=args.data_dir, config_dir=args.config_dir)
    log_file = setup_logging(paths.log_file, debug=debug_enabled(), stderr=args.command is not None)
    try:
        return _run(args)
    except (UsageError, ConfigError) as exc:
        _error(str(exc))
        return USAGE
    except TuireaderError as exc:
        _error(str(exc))
        return FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return OK
    except Exception as exc:  # our own fault: one line here, the traceback in the log
        logger.exception("internal error in `tuireader %s`", args.command or "(app)")
        _internal_error(exc, log_file)
        return FAILED


def _internal_error(exc: Exception, log_file: Path | None) -> None:
    message = one_line_error(f"internal error: {type(exc).__name__}: {exc}", limit=300)
    where = f"details in {log_file}" if log_file else "run with TUIREADER_DEBUG=1 for details"
    print(f"tuireader: {message} ({where})", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    if args.command in NO_DB:
        from tuireader.cli import commands

        return commands.no_db(args)
    context = build_context(args.data_dir, args.config_dir)
    try:
        if context.notice:
            _error(context.notice)
        for warning in context.warnings:
            _error(f"warning: {warning}")
        return _dispatch(context, args)
    finally:
        context.close()


def _dispatch(context: Context, args: argparse.Namespace) -> int:
    seeded = args.command not in OWN_SOURCE and asyncio.run(seed_if_first_run(context))
    if args.command is None:
        return run_app(context)
    if seeded and args.command in ("list", "sources"):
        _error(
            "first run: loaded the bundled sample library; it leaves when you add a source of"
            " your own (see `tuireader add --help`)"
        )
    # imported here: opening the app should not pay for every command's imports
    if args.command in DISCOVERY:
        from tuireader.cli import discover

        handler = getattr(discover, "cmd_" + args.command)
    elif args.command in ("enclosures", "download"):
        from tuireader.cli import enclosures

        handler = getattr(enclosures, "cmd_" + args.command)
    elif args.command == "sync":
        from tuireader.cli import sync

        handler = sync.cmd_sync
    elif args.command in SOURCE_COMMANDS:
        from tuireader.cli import source_cmd

        handler = getattr(source_cmd, "cmd_" + args.command)
    else:
        from tuireader.cli import commands

        handler = getattr(commands, "cmd_" + args.command)
    try:
        result: int = handler(context, args)
    finally:
        for notice in context.library.take_notices():  # the sample library left
            _error(notice)
    return result
