"""Running a command: build the context, dispatch, turn errors into one line and an exit code."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from tuireader.app import Context, build_context, run_app, seed_if_first_run
from tuireader.cli.parser import build_parser
from tuireader.domain.errors import ConfigError, TuireaderError, UsageError
from tuireader.domain.text import one_line_error

OK, FAILED, USAGE = 0, 1, 2

NO_DB = {"locate", "config"}
DISCOVERY = {"related", "trending", "recommend", "clusters"}


def _error(message: str) -> None:
    print(f"tuireader: {one_line_error(message, limit=400)}", file=sys.stderr)


def run(argv: Sequence[str]) -> int:
    """Run the command line; returns the exit code. Never lets a traceback out."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command in NO_DB:
            from tuireader.cli import commands

            return commands.no_db(args)
        context = build_context(args.data_dir, args.config_dir)
    except (UsageError, ConfigError) as exc:
        _error(str(exc))
        return USAGE
    except TuireaderError as exc:
        _error(str(exc))
        return FAILED
    try:
        if context.notice:
            _error(context.notice)
        for warning in context.warnings:
            _error(f"warning: {warning}")
        return _dispatch(context, args)
    except UsageError as exc:
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
    except Exception as exc:
        if os.environ.get("TUIREADER_DEBUG"):
            raise
        _error(f"internal error: {type(exc).__name__}: {exc}")
        return FAILED
    finally:
        context.close()


def _dispatch(context: Context, args: argparse.Namespace) -> int:
    seeded = asyncio.run(seed_if_first_run(context))
    if args.command is None:
        return run_app(context)
    if seeded and args.command in ("list", "sources"):
        _error("first run: loaded the bundled sample library (see `tuireader add --help`)")
    # imported here: opening the app should not pay for every command's imports
    if args.command in DISCOVERY:
        from tuireader.cli import discover

        handler = getattr(discover, "cmd_" + args.command)
    else:
        from tuireader.cli import commands

        handler = getattr(commands, "cmd_" + args.command)
    result: int = handler(context, args)
    return result
