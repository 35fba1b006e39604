"""Telling the user a refresh brought new stories: their command, the bell, the terminal.

Three ways, each asked for in ``[actions]``: ``notify_command`` (an argument list run with
the count and the titles appended, control characters stripped), the terminal bell, and
the terminal's own desktop notification where it has one: OSC 9 (iTerm2, WezTerm, kitty,
ghostty) or OSC 777 (foot, urxvt). Inside tmux or screen the outer terminal only sees an
escape sequence that tmux passes through (``allow-passthrough``); without it, none is sent.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tuireader.domain.text import clean_line

if TYPE_CHECKING:
    from tuireader.services.library import Library

logger = logging.getLogger(__name__)

_LEADING_DASHES = re.compile(r"^[-\s]+")
"""Dashes and spaces before a title's first word, in any mix ("- -x" must not be "-x")."""

TITLES = 20
"""At most this many titles are handed to the command (the count says how many in all)."""


@dataclass(frozen=True, slots=True)
class NewStories:
    """What a refresh brought."""

    count: int
    titles: tuple[str, ...] = ()
    """The newest first, at most :data:`TITLES`, each one clean line."""

    def line(self, width: int = 200) -> str:
        """``3 new stories: A · B · C``, cut at ``width`` characters."""
        head = f"{self.count} new {'story' if self.count == 1 else 'stories'}"
        text = head + (": " + " · ".join(self.titles) if self.titles else "")
        return text if len(text) <= width else text[: width - 1] + "…"


def new_stories(library: Library, mark: int) -> NewStories:
    """The stories stored after ``mark`` (:meth:`Library.newest_story_id` before a refresh)."""
    count, titles = library.stories_since(mark, TITLES)
    return NewStories(count, clean_titles(titles))


def clean_titles(titles: Sequence[str]) -> tuple[str, ...]:
    """Titles as command arguments: control characters (and escapes) gone, one line each,
    and no leading ``-`` (a feed's "--help" must not read as an option of the command)."""
    cleaned = (_LEADING_DASHES.sub("", clean_line(t))[:300] for t in titles[:TITLES])
    return tuple(t for t in cleaned if t)


def run_notify_command(command: Sequence[str], new: NewStories, timeout: float = 15.0) -> str:
    """Run the user's notify command with the count and titles as arguments; returns a
    one-line problem, or ``""``."""
    argv = [*command, str(new.count), *clean_titles(new.titles)]
    name = clean_line(command[0])
    try:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
            check=False,
            start_new_session=True,
        )
    except FileNotFoundError:
        return f"notify command not found: {name!r}"
    except subprocess.TimeoutExpired:
        return f"notify command {name!r} took more than {timeout:g} s and was stopped"
    except OSError as exc:
        return f"cannot run notify command {name!r}: {exc.strerror or exc}"
    if done.returncode != 0:
        said = clean_line(done.stderr.decode("utf-8", "replace"))[:200]
        return f"notify command {name!r} exited with {done.returncode}" + (
            f": {said}" if said else ""
        )
    return ""


def _tmux_passthrough() -> bool:
    """Whether the tmux we run in passes escape sequences on (``allow-passthrough``)."""
    try:
        done = subprocess.run(
            ["tmux", "show-options", "-gv", "allow-passthrough"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and done.stdout.strip() in (b"on", b"all")


def desktop_kind(env: Mapping[str, str]) -> str:
    """``"osc9"``, ``"osc777"`` or ``""``: which desktop notification the terminal takes,
    decided from ``TERM_PROGRAM``, ``TERM`` and the variables terminals set (inside tmux,
    ``TERM_PROGRAM`` names tmux: ``LC_TERMINAL`` and the like still name the terminal)."""
    program = env.get("TERM_PROGRAM", "").lower()
    term = env.get("TERM", "").lower()
    if (
        program in ("iterm.app", "wezterm", "ghostty")
        or env.get("LC_TERMINAL", "").lower() == "iterm2"
        or "kitty" in term
        or "ghostty" in term
        or "KITTY_WINDOW_ID" in env
        or "WEZTERM_PANE" in env
    ):
        return "osc9"
    if term.startswith(("foot", "rxvt-unicode")):
        return "osc777"
    return ""


def in_multiplexer(env: Mapping[str, str]) -> bool:
    """Running inside tmux or screen."""
    term = env.get("TERM", "").lower()
    return "TMUX" in env or "STY" in env or term.startswith(("tmux", "screen"))


def _payload(text: str) -> str:
    # no control character may end the sequence early; ";" separates OSC 777's fields
    return clean_line(text).replace(";", ",")[:300]


def desktop_sequence(
    title: str,
    body: str,
    env: Mapping[str, str] | None = None,
    passthrough: Callable[[], bool] = _tmux_passthrough,
) -> str:
    """The escape sequence that shows a desktop notification in this terminal, or ``""``
    where it has none (or tmux would swallow it)."""
    env = os.environ if env is None else env
    kind = desktop_kind(env)
    if not kind:
        return ""
    if kind == "osc9":
        sequence = f"\x1b]9;{_payload(title)}: {_payload(body)}\x1b\\"
    else:
        sequence = f"\x1b]777;notify;{_payload(title)};{_payload(body)}\x1b\\"
    if in_multiplexer(env):
        if "TMUX" not in env or not passthrough():
            return ""
        return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence
