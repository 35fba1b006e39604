"""End to end: the installed ``tuireader`` command in a real terminal (tmux), via capture-pane.

Each test starts its own tmux server (``tmux -L <unique socket>``, no user config) with one
detached 120x40 session running ``tuireader`` against temp data/config/cache dirs, so the first
start seeds the bundled sample library. The screen is polled with a deadline; nothing sleeps
longer than a poll interval. The server is killed in teardown whatever happens.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ptyterminal import installed_command

TMUX = shutil.which("tmux")
pytestmark = [
    pytest.mark.skipif(TMUX is None, reason="tmux is not installed"),
    pytest.mark.timeout(90),
]

WIDTH, HEIGHT = 120, 40
DEADLINE = 15.0
"""Seconds any one screen state may take to appear."""
POLL = 0.05
UNREAD = "●"


class Terminal:
    """One tmux server with one session whose only pane runs ``tuireader``."""

    def __init__(self, workdir: Path) -> None:
        self.socket = f"tuireader-e2e-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("TMUX", "TUIREADER_"))}
        self.env.update(
            TUIREADER_DATA_DIR=str(workdir / "data"),
            TUIREADER_CONFIG_DIR=str(workdir / "config"),
            TUIREADER_CACHE_DIR=str(workdir / "cache"),
            TUIREADER_LOG_DIR=str(workdir / "log"),
            TERM="xterm-256color",
            LANG="C.UTF-8",
            LC_ALL="C.UTF-8",
        )
        # remain-on-exit keeps a finished pane, so its exit status can be read.
        self.conf = workdir / "tmux.conf"
        self.conf.write_text("set -g remain-on-exit on\nset -g default-terminal tmux-256color\n")
        self.command = installed_command()
        self.status_file = workdir / "exit-status"
        self.started = False

    def tmux(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            [TMUX or "tmux", "-L", self.socket, "-f", str(self.conf), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def start(self) -> None:
        """Run tuireader (again) in the pane.

        A small sh wrapper, the pane's own process, runs tuireader and writes its exit status
        to a file: tmux 3.3 here does not always reap a pane's process (it stays a zombie and
        ``#{pane_dead_status}`` stays empty), so the wrapper reaps it reliably instead.
        """
        self.status_file.unlink(missing_ok=True)
        if not self.started:
            self.tmux(
                "new-session", "-d", "-s", "app", "-x", str(WIDTH), "-y", str(HEIGHT),
                "sh", "-c", '"$0"; echo $? > "$1"', self.command, str(self.status_file),
            )  # fmt: skip
            self.started = True
        else:
            self.tmux("respawn-pane", "-k", "-t", "app")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "app")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "app", *keys)

    def pane(self, fmt: str) -> str:
        return self.tmux("display-message", "-p", "-t", "app", fmt).strip()

    def pid(self) -> int:
        """The tuireader process: the child of the pane's process (the sh wrapper)."""
        pane_pid = int(self.tmux("list-panes", "-t", "app", "-F", "#{pane_pid}").split()[0])
        children = Path(f"/proc/{pane_pid}/task/{pane_pid}/children").read_text().split()
        assert len(children) == 1, children
        return int(children[0])

    def wait_for(self, what: str, ok: Callable[[str], bool]) -> str:
        """Poll the screen until ``ok(screen)``; fail with the last screen at the deadline."""
        end = time.monotonic() + DEADLINE
        screen = ""
        while time.monotonic() < end:
            screen = self.screen()
            if ok(screen):
                return screen
            time.sleep(POLL)
        raise AssertionError(f"timed out waiting for {what}; the screen was:\n{screen}")

    def wait_exit(self) -> int:
        """Wait until tuireader has ended; its exit status as sh reports it (128+N: signal N)."""
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            if self.status_file.exists() and (text := self.status_file.read_text().strip()):
                return int(text)
            time.sleep(POLL)
        raise AssertionError(f"tuireader did not exit; the screen was:\n{self.screen()}")

    def kill_server(self) -> None:
        self.tmux("kill-server", check=False)


@pytest.fixture
def term(tmp_path: Path) -> Iterator[Terminal]:
    terminal = Terminal(tmp_path)
    try:
        yield terminal
    finally:
        terminal.kill_server()


def cli(term: Terminal, *args: str) -> str:
    done = subprocess.run(
        [term.command, *args], env=term.env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def stories(term: Terminal) -> list[dict[str, object]]:
    """Every story, newest first, as ``tuireader list --json`` prints them."""
    rows: list[dict[str, object]] = json.loads(cli(term, "list", "--json", "--limit", "1000"))
    return rows


def find_row(screen: str, title: str) -> str | None:
    """The part of the screen line of the headline list that shows ``title``, up to the title.

    A row's cells are: unread mark, star, space, source (16 cells), space, title, age.
    """
    prefix = title[:40]
    for line in screen.splitlines():
        at = line.find(prefix)
        if at >= 0 and "Sample library" in line[:at]:
            return line[:at]
    return None


def headline_row(screen: str, title: str) -> str:
    row = find_row(screen, title)
    assert row is not None, f"no headline row for {title!r} on the screen:\n{screen}"
    return row


def row_is_unread(row: str) -> bool:
    """Whether the row (as :func:`find_row` gives it) has the unread marker."""
    markers = row[: row.rindex("Sample library")][-3:]
    return UNREAD in markers


def body_snippet(term: Terminal, story_id: int) -> str:
    """Up to ~24 characters that start the story's first body paragraph (fits on one line)."""
    text = cli(term, "show", str(story_id))
    paragraphs = [p.strip() for p in text.split("\n\n")]
    body = [
        p
        for p in paragraphs
        if p and not p.startswith("#") and not re.match(r"^(Source|Date|Link|Author):", p)
    ]
    assert body, text
    words = body[0].split()
    snippet = words[0]
    for word in words[1:]:
        if len(snippet) + 1 + len(word) > 24:
            break
        snippet += " " + word
    return snippet


def open_second_story(term: Terminal) -> dict[str, object]:
    """First start: see headlines, press j and enter, see the article; the story opened."""
    term.start()
    term.wait_for("the headline list", lambda s: UNREAD in s and "Sample library" in s)
    rows = stories(term)
    assert len(rows) >= 3 and not any(r["read"] for r in rows), rows
    first, second = rows[0], rows[1]
    screen = term.screen()
    assert row_is_unread(headline_row(screen, str(first["title"])))
    assert row_is_unread(headline_row(screen, str(second["title"])))

    snippet = body_snippet(term, int(str(second["id"])))
    assert snippet not in screen
    term.keys("j")
    term.keys("Enter")
    screen = term.wait_for("the article text", lambda s: snippet in s)
    # The title shows twice: its headline row and the article header.
    assert screen.count(str(second["title"])[:40]) >= 2, screen
    term.wait_for(
        "the opened story's row to lose its unread marker",
        lambda s: (row := find_row(s, str(second["title"]))) is not None and not row_is_unread(row),
    )
    assert row_is_unread(headline_row(term.screen(), str(first["title"])))
    return second


def check_read_after_restart(term: Terminal, story: dict[str, object]) -> None:
    """Start again: the story is read on screen and in the store, the others are not."""
    title = str(story["title"])
    term.start()
    screen = term.wait_for("the headline list after restart", lambda s: title[:40] in s)
    assert not row_is_unread(headline_row(screen, title)), screen
    assert UNREAD in screen
    by_id = {r["id"]: r for r in stories(term)}
    assert by_id[story["id"]]["read"] is True
    assert [r["id"] for r in by_id.values() if r["read"]] == [story["id"]]
    term.keys("q")
    assert term.wait_exit() == 0


def test_open_story_quit_and_read_state_persists(term: Terminal) -> None:
    story = open_second_story(term)
    term.keys("q")
    assert term.wait_exit() == 0
    check_read_after_restart(term, story)


def test_read_state_survives_sigkill(term: Terminal) -> None:
    story = open_second_story(term)
    pid = term.pid()
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert any(part.endswith(b"tuireader") for part in cmdline), cmdline
    os.kill(pid, signal.SIGKILL)
    assert term.wait_exit() == 128 + signal.SIGKILL
    assert not Path(f"/proc/{pid}").exists()
    check_read_after_restart(term, story)
