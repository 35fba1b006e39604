"""Running the user's commands: a player for enclosures and a pipe for stories.

Argument lists, never a shell. A player is started detached (its own session, no terminal:
it never draws over the app, and the app never waits for it); a pipe is waited for, up to a
timeout. What goes wrong is one line naming the command.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from tuireader.domain.errors import UsageError
from tuireader.domain.models import Story
from tuireader.domain.text import clean_line


class CommandError(UsageError):
    """The user's command could not run, failed or took too long."""


def system_opener() -> list[str]:
    """What opens a file or URL with the desktop's choice of program."""
    return ["open"] if sys.platform == "darwin" else ["xdg-open"]


def split_command(command: str) -> list[str]:
    """A command line as an argument list (shell quoting rules, no shell)."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise CommandError(f"cannot read the command {command!r}: {exc}") from None
    if not argv:
        raise CommandError("no command given")
    return argv


def _reap(process: subprocess.Popen[bytes]) -> None:
    threading.Thread(target=process.wait, name="reap-player", daemon=True).start()


def start_detached(argv: Sequence[str], what: str = "player") -> None:
    """Start ``argv`` in a session of its own with no terminal (stdin, stdout and stderr
    are /dev/null); returns at once. :class:`CommandError` when it cannot start."""
    try:
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except FileNotFoundError:
        setting = "actions.player" if what == "player" else "the config"
        raise CommandError(f"{what} not found: {clean_line(argv[0])!r} (set {setting})") from None
    except OSError as exc:
        raise CommandError(
            f"cannot run {what} {clean_line(argv[0])!r}: {exc.strerror or exc}"
        ) from None
    _reap(process)  # no zombie left behind when it exits


def play(target: str, player: Sequence[str]) -> list[str]:
    """Play or open ``target`` (a URL or a file) with ``player`` (the system's opener when
    empty); returns the argument list started."""
    argv = [*(player or system_opener()), target]
    start_detached(argv)
    return argv


@dataclass(frozen=True, slots=True)
class Piped:
    """A piped command that succeeded."""

    argv: tuple[str, ...]
    output: str
    """What it printed (empty when its output went to our stdout)."""


def story_payload(story: Story, send: str) -> str:
    """What a pipe sends: the story as Markdown, or its link (``send == "url"``)."""
    if send == "url":
        if not story.link:
            raise CommandError(f"story {story.id} has no link to send")
        return story.link + "\n"
    from tuireader.services.reading import export_story

    return export_story(story, "md")


def pipe(argv: Sequence[str], text: str, *, timeout: float = 30.0, capture: bool = True) -> Piped:
    """Send ``text`` to ``argv``'s stdin and wait for it (at most ``timeout`` seconds).
    With ``capture`` its output is returned, else it goes to our stdout. A command that
    cannot start, exits non-zero or runs too long is :class:`CommandError`, in a line."""
    name = clean_line(argv[0]) if argv else ""
    if not argv:
        raise CommandError("no command to pipe to (set actions.pipe_command)")
    try:
        done = subprocess.run(
            list(argv),
            input=text.encode("utf-8"),
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.PIPE,
            timeout=timeout,
            check=False,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise CommandError(f"pipe: command not found: {name!r}") from None
    except subprocess.TimeoutExpired:
        raise CommandError(f"pipe: {name!r} took more than {timeout:g} s and was stopped") from None
    except OSError as exc:
        raise CommandError(f"pipe: cannot run {name!r}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        said = (
            clean_line(done.stderr.decode("utf-8", "replace").strip().splitlines()[-1])
            if (done.stderr.strip())
            else ""
        )
        why = f"exited with {done.returncode}" if done.returncode > 0 else "was killed"
        raise CommandError(f"pipe: {name!r} {why}" + (f": {said[:200]}" if said else ""))
    output = done.stdout.decode("utf-8", "replace") if capture and done.stdout else ""
    return Piped(tuple(argv), output)
