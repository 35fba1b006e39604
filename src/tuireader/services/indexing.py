"""The background half of indexing a refresh (signing and clustering the new stories for
discovery, then embedding them by meaning), in a process of its own when the refresh is a
command: ``tuireader refresh`` answers as soon as the stories are stored and searchable, and a
detached ``tuireader index`` does the rest.

One indexer at a time: a second one (cron every few minutes on a slow machine) sees the
lock taken and leaves the work to the first.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

logger = logging.getLogger(__name__)

LOCK_NAME = "index.lock"
WAIT_ENV = "TUIREADER_INDEX"
"""``TUIREADER_INDEX=wait``: a refresh command embeds before it exits (scripts that run a
discovery command straight after need not; those embed what is missing themselves)."""


def wait_for_index(env: dict[str, str] | None = None) -> bool:
    """Whether a refresh command should embed before it exits."""
    return (os.environ if env is None else env).get(WAIT_ENV, "").lower() == "wait"


def start_indexer(data_dir: Path, config_dir: Path) -> bool:
    """Start ``tuireader index`` detached (its own session: the terminal closing or cron
    ending does not stop it; its output goes to the log, not the terminal). False, and
    logged, when it cannot start: the next refresh or discovery command embeds instead."""
    command = [
        sys.executable,
        "-m",
        "tuireader",
        "--data-dir",
        str(data_dir),
        "--config-dir",
        str(config_dir),
        "index",
    ]
    try:
        subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError:
        logger.exception("could not start the background indexer")
        return False
    return True


@contextlib.contextmanager
def indexer_lock(data_dir: Path) -> Iterator[bool]:
    """Hold the indexer's lock while the block runs; yields False when another holds it."""
    try:
        handle = open(data_dir / LOCK_NAME, "a+")  # noqa: SIM115 - held across the block
    except OSError:
        logger.exception("cannot open the indexer's lock in %s", data_dir)
        yield True  # no lock to be had: index anyway (an extra indexer only repeats work)
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
