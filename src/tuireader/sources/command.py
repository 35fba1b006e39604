"""Running a command feed's program: no shell, its own process group, asyncio pipes.

The limits are the HTTP fetch's: a deadline for the whole run (the process group is killed
when it passes, or when the refresh is cancelled) and a cap on the output, counted while it
streams (a command printing forever is killed at the cap, never held in memory). Every
failure is a :class:`SourceError` with one line: the program is missing, it failed (its exit
status and the first line of what it said on stderr, cleaned), it timed out, or it printed
nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from dataclasses import dataclass

from tuireader.domain.errors import SourceError, TooLargeError
from tuireader.domain.files import os_reason
from tuireader.domain.text import one_line_error

logger = logging.getLogger(__name__)

STDERR_KEEP = 64 * 1024
"""Bytes of stderr kept (for its first line); the rest is read and dropped."""
CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class CommandLimits:
    """How much one run may take."""

    deadline: float = 45.0
    """Seconds for the whole run."""
    max_bytes: int = 20 * 1024 * 1024
    """Cap on what the command prints on stdout."""


def _name(argv: list[str]) -> str:
    return os.path.basename(argv[0]) or argv[0]


async def run_command(
    argv: list[str], stdin: bytes | None = None, limits: CommandLimits | None = None
) -> bytes:
    """Run ``argv`` (``stdin`` piped in, if given) and return its stdout; raises
    :class:`SourceError` (or :class:`TooLargeError`) with a one-line reason."""
    limits = limits or CommandLimits()
    name = _name(argv)
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL if stdin is None else asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # its own process group: a timeout kills its children too
        )
    except FileNotFoundError:
        raise SourceError(f"command not found: {one_line_error(argv[0], limit=120)}") from None
    except OSError as exc:
        raise SourceError(
            f"cannot run {one_line_error(name, limit=80)}: {os_reason(exc)}"
        ) from None
    try:
        async with asyncio.timeout(limits.deadline):
            out, err = await _talk(process, stdin, limits.max_bytes, name)
            code = await process.wait()
    except TimeoutError:
        raise SourceError(
            f"{one_line_error(name, limit=80)} timed out after {limits.deadline:g} s"
        ) from None
    finally:
        if process.returncode is None:  # timed out, too large, or the refresh was cancelled
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(_reap(process))
    if code != 0:
        raise SourceError(_failure(name, code, err))
    if not out.strip():
        said = _first_line(err)
        raise SourceError(
            f"{one_line_error(name, limit=80)} printed nothing" + (f" ({said})" if said else "")
        )
    return out


async def _talk(
    process: asyncio.subprocess.Process, stdin: bytes | None, cap: int, name: str
) -> tuple[bytes, bytes]:
    """Feed stdin, read stdout (up to ``cap``) and stderr (its start), all at once: a
    program that writes before it has read all its input never deadlocks with us."""
    assert process.stdout is not None and process.stderr is not None

    async def feed() -> None:
        if stdin is None or process.stdin is None:
            return
        # the program may exit (or close its stdin) without reading everything: its output
        # and status then say how it went
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            process.stdin.write(stdin)
            await process.stdin.drain()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            process.stdin.close()
            await process.stdin.wait_closed()

    async def read_out() -> bytes:
        assert process.stdout is not None
        parts: list[bytes] = []
        size = 0
        while chunk := await process.stdout.read(CHUNK):
            size += len(chunk)
            if size > cap:
                raise TooLargeError(
                    f"{one_line_error(name, limit=80)} printed too much"
                    f" (over {cap // (1024 * 1024)} MB)"
                )
            parts.append(chunk)
        return b"".join(parts)

    async def read_err() -> bytes:
        assert process.stderr is not None
        kept = b""
        while chunk := await process.stderr.read(CHUNK):
            if len(kept) < STDERR_KEEP:
                kept += chunk[: STDERR_KEEP - len(kept)]
        return kept

    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(feed())
            out = group.create_task(read_out())
            err = group.create_task(read_err())
    except ExceptionGroup as failed:  # the output over the cap (or a fault): that one error
        raise failed.exceptions[0] from None
    return out.result(), err.result()


REAP_WAIT = 5.0
"""Seconds to wait for a killed command's pipes to close (a program that left its process
group may hold them open; it is then left to the system)."""


async def _reap(process: asyncio.subprocess.Process) -> None:
    """Kill the command's process group and collect it. Its pipes are read to their end
    first: until they close, asyncio does not report the process as finished."""
    _kill_group(process)
    if process.stdin is not None:
        process.stdin.close()

    async def drain(stream: asyncio.StreamReader | None) -> None:
        if stream is not None:
            while await stream.read(CHUNK):
                pass

    try:
        async with asyncio.timeout(REAP_WAIT):
            await asyncio.gather(drain(process.stdout), drain(process.stderr))
            await process.wait()
    except (TimeoutError, OSError):
        logger.warning("command %s (pid %d) did not close its output", process.pid, process.pid)


def _kill_group(process: asyncio.subprocess.Process) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            process.kill()


def _first_line(err: bytes) -> str:
    for line in err.decode("utf-8", "replace").splitlines():
        if line.strip():
            return one_line_error(line, limit=160)
    return ""


def _failure(name: str, code: int, err: bytes) -> str:
    shown = one_line_error(name, limit=80)
    if code < 0:
        try:
            how = f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            how = f"was killed by signal {-code}"
    else:
        how = f"exited with status {code}"
    said = _first_line(err)
    return f"{shown} {how}" + (f": {said}" if said else "")
