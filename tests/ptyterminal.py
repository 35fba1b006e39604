"""A pretend terminal: the installed ``tuireader`` in a pty, with this side answering queries.

It answers what textual-image asks before Textual starts, as kitty does: the primary device
attributes (``CSI c``, without ``4``: no Sixel), the Kitty graphics query (an APC with ``a=q``:
``ESC _G i=<id>;OK ESC \\``) and the cell size (``CSI 16 t``: ``CSI 6;<h>;<w> t``), and what
Textual asks (synchronized output ``CSI ? 2026 $ p``: supported; in-band resize
``CSI ? 2048 $ p``: not). The pty's pixel size is left at zero, so the cell size must be asked.
With ``answer=False`` it is a terminal that answers nothing (tmux, a slow ssh link).

Everything the app writes is kept in :attr:`output`; nothing is interpreted beyond that.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

CELL_HEIGHT, CELL_WIDTH = 18, 9
"""The cell size in pixels this terminal reports."""
APC = re.compile(rb"\x1b_G([^;\x1b]*)(?:;([^\x1b]*))?\x1b\\")
CSI = re.compile(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]")
OSC = re.compile(rb"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


Answer = tuple[re.Pattern[bytes], Callable[[re.Match[bytes]], bytes]]
"""A query this terminal recognises and how it replies."""


@dataclass(frozen=True)
class Graphics:
    """One Kitty graphics command the app sent: its keys and its payload."""

    keys: dict[str, str]
    payload: bytes


def graphics_commands(output: bytes) -> list[Graphics]:
    """Every Kitty graphics command (APC ``G``) in ``output``, in order."""
    found = []
    for match in APC.finditer(output):
        keys = dict(
            part.split("=", 1) for part in match.group(1).decode().split(",") if "=" in part
        )
        found.append(Graphics(keys, match.group(2) or b""))
    return found


def transmitted_images(output: bytes) -> dict[str, bytes]:
    """The image data transmitted per image id (the chunks joined, base64 decoded)."""
    chunks: dict[str, list[bytes]] = {}
    for command in graphics_commands(output):
        if command.keys.get("a", "t") in ("t", "T") and "i" in command.keys and command.payload:
            chunks.setdefault(command.keys["i"], []).append(command.payload)
    return {image: base64.b64decode(b"".join(parts)) for image, parts in chunks.items()}


def screen_text(output: bytes) -> str:
    """The output with escape sequences (and graphics commands) removed."""
    text = APC.sub(b"", output)
    text = OSC.sub(b"", text)
    text = CSI.sub(b"", text)
    return text.decode("utf-8", "replace")


class PtyTerminal:
    """One ``tuireader`` process whose stdin, stdout and stderr are a pty we hold the other
    end of."""

    def __init__(
        self,
        command: list[str],
        env: dict[str, str],
        *,
        answer: bool,
        answers: list[Answer] | None = None,
    ) -> None:
        self.command = command
        self.env = env
        self.answer = answer
        self.answers = ANSWERS if answers is None else answers
        self.output = bytearray()
        self.answered: list[bytes] = []
        """The queries answered, in order."""
        self._lock = threading.Lock()
        self._seen: set[int] = set()
        self._master = -1
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None

    def start(self, rows: int = 40, columns: int = 120) -> None:
        master, child = os.openpty()
        # pixel size 0 x 0: textual-image cannot take the cell size from the pty and asks
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self._master = master
        self._process = subprocess.Popen(
            self.command,
            stdin=child,
            stdout=child,
            stderr=child,
            env=self.env,
            start_new_session=True,
        )
        os.close(child)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self._master], [], [], 0.05)
                if not ready:
                    if self._process is not None and self._process.poll() is not None:
                        return
                    continue
                data = os.read(self._master, 65536)
            except OSError:  # the child side closed: the app has ended
                return
            if not data:
                return
            with self._lock:
                start = max(0, len(self.output) - 512)
                self.output.extend(data)
                if self.answer:
                    self._answer(start)

    def _answer(self, start: int) -> None:
        window = bytes(self.output[start:])
        for pattern, reply in self.answers:
            for match in pattern.finditer(window):
                at = start + match.start()
                if at in self._seen:
                    continue
                self._seen.add(at)
                self.answered.append(match.group(0))
                os.write(self._master, reply(match))

    def send(self, keys: str) -> None:
        """Type ``keys``."""
        os.write(self._master, keys.encode())

    def running(self) -> bool:
        """The app has not ended."""
        return self._process is not None and self._process.poll() is None

    def snapshot(self) -> bytes:
        with self._lock:
            return bytes(self.output)

    def wait_for(self, what: str, ok: Callable[[bytes], bool], deadline: float = 20.0) -> bytes:
        """Wait until ``ok(output)``; fail with the output's text at the deadline."""
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            output = self.snapshot()
            if ok(output):
                return output
            if self._process is not None and self._process.poll() is not None:
                break
            time.sleep(0.05)
        output = self.snapshot()
        raise AssertionError(f"no {what}; the terminal got:\n{screen_text(output)[-3000:]}")

    def stop(self) -> int | None:
        """End the app (q, else SIGTERM, else SIGKILL); its exit status."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            try:
                self.send("q")
                process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)
        os.close(self._master)
        return process.returncode


def _graphics_ok(match: re.Match[bytes]) -> bytes:
    image = re.search(rb"i=(\d+)", match.group(0))
    return b"\x1b_Gi=" + (image.group(1) if image else b"0") + b";OK\x1b\\"


ANSWERS: list[Answer] = [
    (re.compile(rb"\x1b\[0?c"), lambda _: b"\x1b[?62;22c"),
    (re.compile(rb"\x1b_G[^\x1b]*a=q[^\x1b]*\x1b\\"), _graphics_ok),
    (re.compile(rb"\x1b\[16t"), lambda _: f"\x1b[6;{CELL_HEIGHT};{CELL_WIDTH}t".encode()),
    (re.compile(rb"\x1b\[\?2026\$p"), lambda _: b"\x1b[?2026;2$y"),
    (re.compile(rb"\x1b\[\?2048\$p"), lambda _: b"\x1b[?2048;0$y"),
]


# the installed app ----------------------------------------------------------------------
def installed_command() -> str:
    """The ``tuireader`` script installed beside this interpreter, else the one on PATH."""
    beside = Path(sys.executable).with_name("tuireader")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("tuireader")
    if found is None:
        pytest.fail("the tuireader command is not installed (pip install -e .)")
    return found


def app_env(home: Path) -> dict[str, str]:
    """This process's environment for the app, with data, config and cache dirs under
    ``home``: without what would say which terminal it runs in (tmux, screen, kitty,
    WezTerm, iTerm2) or send its requests through a proxy; a test sets those it wants."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TMUX", "TUIREADER_", "KITTY_", "TERM_PROGRAM", "WEZTERM", "LC_TERM"))
        and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "sty")
    }
    env.update(
        TUIREADER_DATA_DIR=str(home / "data"),
        TUIREADER_CONFIG_DIR=str(home / "config"),
        TUIREADER_CACHE_DIR=str(home / "cache"),
        TERM="xterm-256color",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
    )
    return env


def add_feed(env: dict[str, str], url: str) -> None:
    """``tuireader add URL`` in that environment; it must succeed."""
    done = subprocess.run(
        [installed_command(), "add", url], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stdout + done.stderr


@contextlib.contextmanager
def app_in_pty(env: dict[str, str], *, answer: bool) -> Iterator[PtyTerminal]:
    """The installed app running in a pty, stopped on the way out."""
    terminal = PtyTerminal([installed_command()], env, answer=answer)
    terminal.start()
    try:
        yield terminal
    finally:
        terminal.stop()
