#!/usr/bin/env python3
"""App benchmark: the real ``tuireader`` terminal program in a pty, side by side with newsboat.

Each program runs as the child of ``pty.fork`` in a 120x40 terminal (TERM=xterm-256color); this
script reads the pty directly, so it sees output bytes the moment the program writes them.
A "paint" is detected by a known text arriving in the output (a headline's title, a body's
marker word); "settled" means the program wrote nothing more for ``--quiet-ms``.

Measured (medians / percentiles over repeated runs):

* start: process spawn -> the newest story's title painted in the headline list, at 100 and at
  100,000 stories (stores built through tuireader by ``make_library.py``), median of ``--runs``;
  beside it, a minimal Textual app (``minimal_app.py``, one line) -> its line painted;
* start in tmux: the same three programs, alternating, each started in one pane of a tmux
  server (``tmux respawn-pane``) whose attached client runs in this script's pty: the
  ``respawn-pane`` command sent -> the text painted by the client, median of ``--runs``;
* cursor: ``j`` pressed in the headline list at 100k -> first output byte, and -> the last byte
  of the repaint (the output then stays quiet for ``--quiet-ms``), p50/p95 over ``--presses``;
* open: enter on a story -> its body's marker word (the body's first line, so the first screen)
  painted, for 2 KB and 200 KB Markdown bodies (a local folder source added to a copy of the
  100k store), p50/p95 over ``--opens`` each;
* peak RSS: VmHWM of the tuireader process at 100k after the cursor run, 60 page-downs and a
  jump to the last row (G);
* newsboat 2.21 on the same corpus (its cache filled by ``newsboat -x reload`` against
  serve.py): start -> the feed list painted ("Your feeds" title bar), and
  ``newsboat -x print-unread``; ``tuireader sources`` (unread counts) beside the latter.

  python benchmarks/app_bench.py --store /tmp/lib100k --readme README.md
  python benchmarks/app_bench.py                       # everything (~10 min; builds once)
  python benchmarks/app_bench.py --quick               # smoke run: few runs, presses, opens
  python benchmarks/app_bench.py --skip-newsboat
  python benchmarks/app_bench.py --profile /tmp/prof   # + cProfile of a 100k start and of
                                                       #   200 cursor moves at 100k
Stores, corpus and newsboat cache live in --work-dir (default /tmp/tuireader-app-bench) and are
reused by later runs; ``--store DIR`` copies a ready make_library.py store in (once; DIR is
never changed). Needs tmux for the tmux rows (else they are left out). Stdlib only (plus
make_library.py and minimal_app.py beside this file).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_library
from readme_block import BenchError, write_block

COLS, ROWS = 120, 40
TARGETS = {
    "start_100k": 0.4,
    "start_over_100": 0.1,
    "tmux_vs_minimal": 1.5,
    "cursor_p95": 0.016,
    "open_2k_p95": 0.050,
    "open_200k_p95": 0.150,
    "rss_mb": 150.0,
}
MARK_START, MARK_END = "<!-- app-bench -->", "<!-- /app-bench -->"
MINIMAL_APP = Path(__file__).resolve().with_name("minimal_app.py")
MINIMAL_MARKER = b"minimal-app-painted"
KEY_DOWN = b"j"
KEY_ENTER = b"\r"
KEY_BACK = b"h"
KEY_PAGE_DOWN = b"\x1b[6~"
KEY_LAST = b"G"


# --------------------------------------------------------------------------------------------
# a program in a pty
# --------------------------------------------------------------------------------------------


@dataclass
class Chunk:
    at: float
    data: bytes


@dataclass
class PtyProgram:
    """A child process on a pty; every output chunk is kept with its arrival time."""

    argv: list[str]
    env: dict[str, str]
    pid: int = 0
    fd: int = -1
    started: float = 0.0
    out: bytearray = field(default_factory=bytearray)
    chunks: list[Chunk] = field(default_factory=list)
    status: int | None = None

    def spawn(self) -> None:
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal before the program looks at it
            try:
                fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
                os.execve(self.argv[0], self.argv, self.env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd

    def _read(self, timeout: float) -> bool:
        """Read what is there (waiting up to ``timeout``); False at EOF."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return True
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:  # EIO: the child closed the terminal
            return False
        if not data:
            return False
        self.chunks.append(Chunk(time.perf_counter(), data))
        self.out += data
        return True

    def send(self, keys: bytes) -> float:
        """Write keys; the time they were written."""
        at = time.perf_counter()
        os.write(self.fd, keys)
        return at

    def wait_for(self, text: bytes, since: int, timeout: float) -> float:
        """Time at which ``text`` arrived in the output after offset ``since``."""
        end = time.perf_counter() + timeout
        while True:
            at = self.out.find(text, max(0, since))
            if at >= 0:
                # the chunk that completed the match
                total = len(self.out)
                for chunk in reversed(self.chunks):
                    total -= len(chunk.data)
                    if total <= at + len(text) - 1:
                        return chunk.at
            now = time.perf_counter()
            if now >= end:
                raise BenchError(f"{text!r} did not appear within {timeout:.0f} s")
            if not self._read(end - now):
                raise BenchError(f"the program ended before {text!r} appeared")

    def settle(
        self, quiet: float, timeout: float = 30.0, sent: float | None = None, need: bool = True
    ) -> float:
        """Read until nothing arrives for ``quiet`` s; time of the last chunk (or now).

        With ``sent``, first wait (up to ``timeout``) for some output written after that time;
        its absence is an error if ``need``, else it just ends the wait.
        """
        end = time.perf_counter() + timeout
        if sent is not None:
            while self.first_after(sent) is None:
                now = time.perf_counter()
                if now >= end:
                    if not need:
                        return now
                    raise BenchError(f"no output within {timeout:.0f} s of a key press")
                if not self._read(end - now):
                    raise BenchError("the program ended")
        last = self.chunks[-1].at if self.chunks else time.perf_counter()
        while time.perf_counter() < end:
            n = len(self.chunks)
            if not self._read(quiet):
                break
            if len(self.chunks) == n:
                return last
            last = self.chunks[-1].at
        return last

    def first_after(self, at: float) -> float | None:
        """Arrival time of the first chunk read at or after ``at``."""
        first = None
        for chunk in reversed(self.chunks):
            if chunk.at < at:
                break
            first = chunk.at
        return first

    def vm(self, field_name: str) -> int:
        """A /proc/PID/status size in kB (VmHWM, VmRSS)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
        raise BenchError(f"no {field_name} for {self.pid}")

    def stop(self, quit_keys: bytes = b"q", timeout: float = 10.0) -> None:
        """Quit with keys; SIGKILL if it has not ended by the deadline."""
        if self.pid == 0 or self.status is not None:
            return
        with contextlib.suppress(OSError):
            self.send(quit_keys)
        end = time.perf_counter() + timeout
        while time.perf_counter() < end:
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.status = status
                break
            if not self._read(0.05):
                time.sleep(0.01)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            _, self.status = os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.fd)


# --------------------------------------------------------------------------------------------
# stores
# --------------------------------------------------------------------------------------------


def term_env(base: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in base.items() if k not in ("TMUX", "COLUMNS", "LINES")}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
    return env


def tui_env(store: Path) -> dict[str, str]:
    return term_env(make_library.store_env(store))


def newest_title(tuireader: str, store: Path) -> str:
    done = subprocess.run(
        [tuireader, "list", "--json", "--limit", "1"],
        env=make_library.store_env(store),
        capture_output=True,
        text=True,
        check=True,
    )
    rows = json.loads(done.stdout)
    if not rows:
        raise BenchError(f"{store} holds no stories")
    return str(rows[0]["title"])


def paint_marker(title: str) -> bytes:
    """A piece of the title that fits in a headline row whatever its width."""
    return title[:18].encode("utf-8")


def ensure_store(
    work: Path, name: str, stories: int, corpus: Path, tuireader: str, ready: Path | None = None
) -> Path:
    store = work / name
    if (store / "data" / "tuireader.db").is_file():
        return store
    shutil.rmtree(store, ignore_errors=True)
    if ready is not None:
        if not (ready / "data" / "tuireader.db").is_file():
            raise BenchError(f"{ready} is not a make_library.py store (no data/tuireader.db)")
        print(f"copying {ready} to {store} (the original is left alone)...", file=sys.stderr)
        store.mkdir(parents=True)
        shutil.copytree(ready / "config", store / "config")
        shutil.copytree(ready / "data", store / "data")
        (store / "cache").mkdir()
        return store
    print(f"building {name} ({stories} stories)...", file=sys.stderr, flush=True)
    report = make_library.build(store, stories, corpus=corpus, tuireader=tuireader)
    print(f"  {json.dumps(report)}", file=sys.stderr, flush=True)
    return store


PARAGRAPH = (
    "The harbour board met on Tuesday to weigh the plan for the new ferry pier, which would "
    "let two boats berth at once and cut the evening queue by half, its backers say. "
)


def story_markdown(i: int, size: int, kind: str, date: str) -> str:
    """A Markdown story of about ``size`` bytes whose body starts with a unique marker word."""
    marker = f"mk{kind}{i:03d}x"
    head = (
        f"---\ntitle: Bench {kind} story {i:03d}\ndate: {date}\n---\n\n"
        f"{marker} opens this story.\n\n"
    )
    parts = [head]
    n = len(head)
    k = 0
    while n < size:
        block = f"## Part {k}\n\n" if k % 8 == 0 else ""
        block += PARAGRAPH * 2 + "\n\n"
        parts.append(block)
        n += len(block)
        k += 1
    return "".join(parts)


def make_open_store(work: Path, base: Path, tuireader: str, opens: int) -> Path:
    """A copy of the 100k store plus a local folder of 2 KB and 200 KB stories, newest first."""
    store = work / "store-open"
    marker_file = store / "opens.json"
    if marker_file.is_file() and json.loads(marker_file.read_text()) == opens:
        return store
    shutil.rmtree(store, ignore_errors=True)
    print("copying the 100k store and adding the open-test stories...", file=sys.stderr)
    (store / "config").mkdir(parents=True)
    shutil.copy(base / "config" / "config.toml", store / "config" / "config.toml")
    shutil.copytree(base / "data", store / "data")
    folder = store / "open-stories"
    folder.mkdir()
    # Newer than any corpus story, 2 KB ones first: rows 0..opens-1 are 2 KB, then 200 KB.
    for i in range(opens):
        date = f"2030-01-02T00:{59 - i // 60:02d}:{59 - i % 60:02d}Z"
        (folder / f"a{i:03d}.md").write_text(story_markdown(i, 2_000, "2k", date))
        date = f"2030-01-01T00:{59 - i // 60:02d}:{59 - i % 60:02d}Z"
        (folder / f"b{i:03d}.md").write_text(story_markdown(i, 200_000, "200k", date))
    make_library.run([tuireader, "add", str(folder)], make_library.store_env(store))
    marker_file.write_text(json.dumps(opens))
    return store


def ensure_newsboat_cache(work: Path, corpus: Path, bench_dir: Path, newsboat: str) -> Path:
    home = work / f"newsboat-{corpus.name}"
    if (home / "cache.db").is_file() and (home / "filled").is_file():
        return home
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    (home / "config").write_text("reload-threads 8\n")
    print("filling newsboat's cache (newsboat -x reload)...", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    with make_library.serving(bench_dir, corpus, make_library.corpus_port(corpus)):
        subprocess.run(
            [*newsboat_argv(newsboat, home, corpus), "-x", "reload"],
            env={**os.environ, "HOME": str(home)},
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
    (home / "filled").write_text(f"{time.perf_counter() - t0:.1f}\n")
    return home


def newsboat_argv(newsboat: str, home: Path, corpus: Path) -> list[str]:
    return [
        newsboat,
        "-u",
        str(corpus / "urls.txt"),
        "-c",
        str(home / "cache.db"),
        "-C",
        str(home / "config"),
    ]


def sqlite_count(db: Path, table: str) -> int:
    import sqlite3

    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        count: int = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return count


# --------------------------------------------------------------------------------------------
# measurements
# --------------------------------------------------------------------------------------------


def pct(xs: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(xs)
    return s[max(0, min(len(s) - 1, round(p / 100 * len(s) + 0.5) - 1))]


def time_start(argv: list[str], env: dict[str, str], marker: bytes, timeout: float) -> float:
    prog = PtyProgram(argv, env)
    prog.spawn()
    try:
        return prog.wait_for(marker, 0, timeout) - prog.started
    finally:
        prog.stop()


def starts(
    argv: list[str],
    env: dict[str, str],
    marker: bytes,
    runs: int,
    timeout: float = 60,
    warm: bool = True,
) -> list[float]:
    if warm:
        time_start(argv, env, marker, timeout)  # warm the page cache; not counted
    return [time_start(argv, env, marker, timeout) for _ in range(runs)]


@dataclass
class Session100k:
    first_byte: list[float]
    repaint: list[float]
    last_row_s: float
    hwm_kb: int
    rss_kb: int


def cursor_session(
    argv: list[str], env: dict[str, str], marker: bytes, presses: int, quiet: float
) -> Session100k:
    prog = PtyProgram(argv, env)
    prog.spawn()
    try:
        prog.wait_for(marker, 0, 60)
        prog.settle(0.5)
        first: list[float] = []
        repaint: list[float] = []
        for _ in range(presses):
            sent = prog.send(KEY_DOWN)
            last = prog.settle(quiet, sent=sent)
            first.append((prog.first_after(sent) or last) - sent)
            repaint.append(last - sent)
        for _ in range(60):
            # at the end of the list a page-down changes nothing and writes nothing
            prog.settle(quiet, timeout=1.0, sent=prog.send(KEY_PAGE_DOWN), need=False)
        sent = prog.send(KEY_LAST)
        last_row = prog.settle(0.2, timeout=10.0, sent=sent, need=False) - sent
        prog.settle(0.5)
        return Session100k(first, repaint, last_row, prog.vm("VmHWM"), prog.vm("VmRSS"))
    finally:
        prog.stop()


def open_session(
    argv: list[str], env: dict[str, str], opens: int, quiet: float
) -> dict[str, list[float]]:
    prog = PtyProgram(argv, env)
    prog.spawn()
    out: dict[str, list[float]] = {"2k": [], "200k": []}
    try:
        prog.wait_for(b"Bench 2k story 000", 0, 60)
        prog.settle(0.5)
        for kind in ("2k", "200k"):
            for i in range(opens):
                since = len(prog.out)
                sent = prog.send(KEY_ENTER)
                shown = prog.wait_for(f"mk{kind}{i:03d}x".encode(), since, 30)
                out[kind].append(shown - sent)
                prog.settle(quiet)
                prog.settle(quiet, sent=prog.send(KEY_BACK))
                prog.settle(quiet, sent=prog.send(KEY_DOWN))
        return out
    finally:
        prog.stop()


def timed_cmd(argv: list[str], env: dict[str, str], runs: int, warm: bool = True) -> list[float]:
    times = []
    for _ in range(runs + int(warm)):
        t0 = time.perf_counter()
        subprocess.run(
            argv, env=env, check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL
        )
        times.append(time.perf_counter() - t0)
    return times[int(warm) :]  # the first warms the page cache


class TmuxHost:
    """A tmux server of one pane, its client attached in this script's pty (120x40).

    ``start(argv, env)`` replaces whatever runs in the pane (``respawn-pane -k``) and returns
    the time the command was sent; the client's output is then watched for the marker."""

    def __init__(self, work: Path) -> None:
        self.socket = f"app-bench-{os.getpid()}"
        conf = work / "tmux.conf"
        conf.write_text(
            "set -g status off\nset -g default-terminal tmux-256color\n"
            "set -g escape-time 0\nset -g remain-on-exit off\n"
        )
        self.base = ["tmux", "-L", self.socket, "-f", str(conf)]
        self.client = PtyProgram(
            [
                shutil.which("tmux") or "tmux",
                *self.base[1:],
                "new-session",
                "-s",
                "bench",
                "sleep 86400",
            ],
            term_env(dict(os.environ)),
        )

    def __enter__(self) -> TmuxHost:
        self.client.spawn()
        self.client.settle(0.3, timeout=10)
        return self

    def __exit__(self, *_exc: object) -> None:
        subprocess.run(
            [*self.base, "kill-server"], check=False, capture_output=True, stdin=subprocess.DEVNULL
        )
        self.client.stop(quit_keys=b"", timeout=5)

    def _respawn(self, argv: list[str]) -> float:
        sent = time.perf_counter()
        subprocess.run(
            [*self.base, "respawn-pane", "-k", "-t", "bench:0.0", *argv],
            check=True,
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
        return sent

    def time_start(self, argv: list[str], env: dict[str, str], marker: bytes) -> float:
        """Respawn the pane with ``argv`` -> ``marker`` painted; then the pane is idle again."""
        self.client.settle(0.1, timeout=5)
        since = len(self.client.out)
        pairs = [f"{k}={v}" for k, v in env.items() if k != "TMUX"]
        sent = self._respawn(["env", "-i", *pairs, "TERM=tmux-256color", *argv])
        try:
            return self.client.wait_for(marker, since, 60) - sent
        finally:
            self.client.settle(0.2, timeout=10)
            self._respawn(["sleep", "86400"])  # SIGHUP ends the app
            self.client.settle(0.3, timeout=10)


def tmux_starts(
    work: Path, programs: dict[str, tuple[list[str], dict[str, str], bytes]], runs: int
) -> dict[str, list[float]]:
    """Each program started ``runs`` times in one tmux pane, alternating, after a warm-up."""
    out: dict[str, list[float]] = {name: [] for name in programs}
    with TmuxHost(work) as host:
        for argv, env, marker in programs.values():
            host.time_start(argv, env, marker)  # warm-up, not counted
        for _ in range(runs):
            for name, (argv, env, marker) in programs.items():
                out[name].append(host.time_start(argv, env, marker))
    return out


def profile_runs(tuireader: str, store: Path, marker: bytes, out_dir: Path, quiet: float) -> None:
    """cProfile of one 100k start (until painted, then quit) and of 200 cursor moves."""
    out_dir.mkdir(parents=True, exist_ok=True)
    python = Path(tuireader).parent / "python"
    env = tui_env(store)
    for name, presses in (("start-100k.prof", 0), ("cursor-100k.prof", 200)):
        target = out_dir / name
        prog = PtyProgram(
            [str(python), "-m", "cProfile", "-o", str(target), "-m", "tuireader"], env
        )
        prog.spawn()
        try:
            prog.wait_for(marker, 0, 120)
            prog.settle(quiet)
            for _ in range(presses):
                prog.settle(quiet, sent=prog.send(KEY_DOWN))
        finally:
            prog.stop(timeout=30)
        print(f"wrote {target}", file=sys.stderr)


# --------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------


def ms(x: float) -> str:
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(r: dict[str, Any]) -> str:
    res = r
    med = statistics.median
    lines = [
        "| measure | tuireader | newsboat 2.21 | target (issue 14) | verdict |",
        "|---|---|---|---|---|",
    ]

    def row(label: str, ours: str, theirs: str, target: str, ok: bool | None) -> None:
        v = "—" if ok is None else verdict(ok)
        lines.append(f"| {label} | {ours} | {theirs} | {target} | {v} |")

    for kind, target, label in (
        ("2k", "open_2k_p95", "open a 2 KB story → body painted"),
        ("200k", "open_200k_p95", "open a 200 KB story → first screen painted"),
    ):
        xs: list[float] = res[f"open_{kind}"]
        row(
            f"{label}, p50 / p95 (n={len(xs)})",
            f"{ms(pct(xs, 50))} / {ms(pct(xs, 95))}",
            "—",
            f"p95 ≤ {ms(TARGETS[target])}",
            pct(xs, 95) <= TARGETS[target],
        )
    s100, s100k = med(res["start_100"]), med(res["start_100k"])
    nb_start = res.get("newsboat_start")
    nb_txt = (
        f"{ms(med(nb_start))} (feed list, {res.get('newsboat_items', 0):,} items)"
        if nb_start
        else "—"
    )
    row(
        f"start → headline list painted, 100,000 stories, pty (median of {len(res['start_100k'])})",
        ms(s100k),
        nb_txt,
        f"≤ {ms(TARGETS['start_100k'])}",
        s100k <= TARGETS["start_100k"],
    )
    row("start → headline list painted, 100 stories, pty", ms(s100), "—", "—", None)
    if res.get("start_minimal"):
        row(
            "minimal Textual app → its line painted, pty",
            ms(med(res["start_minimal"])),
            "—",
            "—",
            None,
        )
    row("start at 100k − start at 100, pty", ms(s100k - s100), "—", "—", None)
    tm = res.get("tmux")
    if tm:
        t100k, t100, tmin = med(tm["100k"]), med(tm["100"]), med(tm["minimal"])
        ratio = t100k / tmin
        row(
            f"start → headline list painted, 100,000 stories, in tmux "
            f"(median of {len(tm['100k'])})",
            ms(t100k),
            "—",
            "—",
            None,
        )
        row("minimal Textual app (one line) → painted, in tmux, same run", ms(tmin), "—", "—", None)
        row(
            "tmux: 100k start / minimal app",
            f"{ratio:.2f}×",
            "—",
            f"≤ {TARGETS['tmux_vs_minimal']}×",
            ratio <= TARGETS["tmux_vs_minimal"],
        )
        row("start → headline list painted, 100 stories, in tmux", ms(t100), "—", "—", None)
        row(
            "tmux: start at 100k − start at 100",
            ms(t100k - t100),
            "—",
            f"≤ +{ms(TARGETS['start_over_100'])}",
            t100k - t100 <= TARGETS["start_over_100"],
        )
    first: list[float] = res["cursor_first_byte"]
    rep: list[float] = res["cursor_repaint"]
    row(
        f"cursor key (j) at 100k → first byte, p50 / p95 (n={len(first)})",
        f"{ms(pct(first, 50))} / {ms(pct(first, 95))}",
        "—",
        f"p95 ≤ {ms(TARGETS['cursor_p95'])}",
        pct(first, 95) <= TARGETS["cursor_p95"],
    )
    row(
        "cursor key (j) at 100k → repaint complete, p50 / p95",
        f"{ms(pct(rep, 50))} / {ms(pct(rep, 95))}",
        "—",
        f"p95 ≤ {ms(TARGETS['cursor_p95'])}",
        pct(rep, 95) <= TARGETS["cursor_p95"],
    )
    row("jump to the last row (G) at 100k", ms(float(res["last_row_s"])), "—", "—", None)
    hwm = int(res["hwm_kb"]) / 1024
    row(
        "peak RSS (VmHWM) at 100k after scrolling",
        f"{hwm:.0f} MB",
        "—",
        "≤ 150 MB (issue 3)",
        hwm <= TARGETS["rss_mb"],
    )
    pu = res.get("newsboat_print_unread")
    src: list[float] = res["tui_sources"]
    row(
        "unread counts from the shell: `tuireader sources` / `newsboat -x print-unread`",
        ms(med(src)),
        ms(med(pu)) if pu else "—",
        "—",
        None,
    )
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--work-dir", type=Path, default=Path("/tmp/tuireader-app-bench"))
    p.add_argument("--stories", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=5, help="starts per store (default 5)")
    p.add_argument("--presses", type=int, default=200, help="cursor presses (default 200)")
    p.add_argument("--opens", type=int, default=20, help="opens per body size (default 20)")
    p.add_argument("--quiet-ms", type=float, default=30.0, help="silence that ends a repaint")
    p.add_argument("--newsboat", default="/usr/bin/newsboat")
    p.add_argument("--newsboat-runs", type=int, default=3)
    p.add_argument(
        "--newsboat-feeds",
        type=int,
        default=200,
        help="newsboat's corpus: this many feeds of 50 (default 200 = 10k items; at 2000 = "
        "100k its start takes ~3 min); 0 = the same corpus as tuireader",
    )
    p.add_argument("--skip-newsboat", action="store_true")
    p.add_argument("--tuireader", default=make_library.default_tuireader())
    p.add_argument("--bench-dir", type=Path, default=make_library.DEFAULT_BENCH_DIR)
    p.add_argument("--store", type=Path, help="a ready make_library.py 100k store to copy in")
    p.add_argument("--skip-tmux", action="store_true", help="leave out the tmux rows")
    p.add_argument("--quick", action="store_true", help="smoke run: 2 runs, 40 presses, 5 opens")
    p.add_argument("--profile", type=Path, help="write cProfile files here")
    p.add_argument("--json", type=Path, help="write the raw figures here")
    p.add_argument("--readme", type=Path, help="write the table between this file's markers")
    a = p.parse_args(argv)
    if a.quick:
        a.runs, a.presses, a.opens, a.newsboat_runs = 2, 40, 5, 1
    return a


def command_line(a: argparse.Namespace) -> str:
    parts = ["python benchmarks/app_bench.py"]
    if a.store:
        parts.append(f"--store {a.store}")
    if a.quick:
        parts.append("--quick")
    else:
        for flag, value, default in (
            ("--runs", a.runs, 5),
            ("--presses", a.presses, 200),
            ("--opens", a.opens, 20),
        ):
            if value != default:
                parts.append(f"{flag} {value}")
    if a.skip_newsboat:
        parts.append("--skip-newsboat")
    parts.append("--readme README.md")
    return " ".join(parts)


def migrate(tuireader: str, store: Path) -> float:
    """Open the store once, untimed (a store from an older schema is migrated here)."""
    t0 = time.perf_counter()
    subprocess.run(
        [tuireader, "sources"],
        env=make_library.store_env(store),
        check=True,
        stdout=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        timeout=1800,
    )
    return time.perf_counter() - t0


def alternating_starts(
    programs: dict[str, tuple[list[str], dict[str, str], bytes]], runs: int
) -> dict[str, list[float]]:
    """Each program started ``runs`` times in a fresh pty, alternating, after a warm-up."""
    for argv, env, marker in programs.values():
        time_start(argv, env, marker, 60)  # warm the page cache; not counted
    out: dict[str, list[float]] = {name: [] for name in programs}
    for _ in range(runs):
        for name, (argv, env, marker) in programs.items():
            out[name].append(time_start(argv, env, marker, 60))
    return out


def bench(a: argparse.Namespace) -> int:
    began = time.perf_counter()
    work: Path = a.work_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    tuireader = str(Path(a.tuireader).resolve()) if os.sep in a.tuireader else a.tuireader
    tuireader = shutil.which(tuireader) or tuireader
    make_library.compile_bytecode(tuireader)
    quiet = a.quiet_ms / 1000
    feeds = -(-a.stories // make_library.ITEMS_PER_FEED)
    corpus = work / f"corpus-{feeds}x{make_library.ITEMS_PER_FEED}"
    big = ensure_store(work, "store-big", a.stories, corpus, tuireader, a.store)
    small = ensure_store(work, "store-100", 100, work / "corpus-2x50", tuireader)
    res: dict[str, Any] = {}

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    for store in (big, small):
        say(f"opening {store.name} once (untimed): {migrate(tuireader, store):.1f} s")
    res.update(
        stories_big=make_library.story_count(big), stories_small=make_library.story_count(small)
    )
    argv = [tuireader]
    python = str(Path(tuireader).parent / "python")
    minimal = [python if Path(python).exists() else sys.executable, str(MINIMAL_APP)]

    say("start times in a pty (minimal app, 100, 100k, alternating)...")
    small_marker = paint_marker(newest_title(tuireader, small))
    big_marker = paint_marker(newest_title(tuireader, big))
    programs = {
        "minimal": (minimal, term_env(dict(os.environ)), MINIMAL_MARKER),
        "100": (argv, tui_env(small), small_marker),
        "100k": (argv, tui_env(big), big_marker),
    }
    got = alternating_starts(programs, a.runs)
    res.update(start_minimal=got["minimal"], start_100=got["100"], start_100k=got["100k"])
    if not a.skip_tmux and shutil.which("tmux"):
        say("start times in tmux (minimal app, 100, 100k, alternating)...")
        res["tmux"] = tmux_starts(work, programs, a.runs)
    say("cursor and memory at 100k...")
    sess = cursor_session(argv, tui_env(big), big_marker, a.presses, quiet)
    res.update(
        cursor_first_byte=sess.first_byte,
        cursor_repaint=sess.repaint,
        last_row_s=sess.last_row_s,
        hwm_kb=sess.hwm_kb,
        rss_kb=sess.rss_kb,
    )
    say("opening stories...")
    open_store = make_open_store(work, big, tuireader, a.opens)
    say(f"opening store-open once (untimed): {migrate(tuireader, open_store):.1f} s")
    opened = open_session(argv, tui_env(open_store), a.opens, quiet)
    res["open_2k"], res["open_200k"] = opened["2k"], opened["200k"]
    res["tui_sources"] = timed_cmd([tuireader, "sources"], make_library.store_env(big), a.runs)
    if not a.skip_newsboat and Path(a.newsboat).exists():
        say("newsboat...")
        nb_feeds = a.newsboat_feeds or feeds
        nb_corpus = work / f"corpus-{nb_feeds}x{make_library.ITEMS_PER_FEED}"
        if not (nb_corpus / "manifest.json").is_file():
            make_library.generate(
                a.bench_dir.resolve(), nb_corpus, nb_feeds, make_library.ITEMS_PER_FEED, 1
            )
        home = ensure_newsboat_cache(work, nb_corpus, a.bench_dir.resolve(), a.newsboat)
        res["newsboat_items"] = sqlite_count(home / "cache.db", "rss_item")
        nenv = term_env({**os.environ, "HOME": str(home)})
        nargv = newsboat_argv(a.newsboat, home, nb_corpus)
        # newsboat reads its whole cache before painting: minutes at 100k, so no warm-up run
        warm = nb_feeds * make_library.ITEMS_PER_FEED <= 20_000
        res["newsboat_start"] = starts(
            nargv, nenv, b"Your feeds", a.newsboat_runs, timeout=900, warm=warm
        )
        res["newsboat_print_unread"] = timed_cmd(
            [*nargv, "-x", "print-unread"], nenv, a.newsboat_runs, warm=warm
        )
    if a.profile:
        profile_runs(tuireader, big, big_marker, a.profile.resolve(), quiet)
    smoke = a.quick or a.runs < 5 or a.presses < 200 or a.opens < 20
    text = "\n".join(
        [
            f"`{command_line(a)}`: the installed `tuireader` in a pty ({COLS}×{ROWS}, "
            f"`TERM=xterm-256color`; in tmux `tmux-256color`), {res['stories_big']:,} and "
            f"{res['stories_small']} stories made through the core (`benchmarks/make_library.py`); "
            f"the minimal app is `benchmarks/minimal_app.py` on the same Textual; a repaint ends "
            f"after {a.quiet_ms:.0f} ms of silence"
            + (" — **a smoke run, not figures of record**" if smoke else "")
            + ":",
            "",
            report(res),
        ]
    )
    print()
    print(text)
    print(f"\nVmRSS at the end {int(res['rss_kb']) / 1024:.0f} MB")
    for key in (
        "start_minimal",
        "start_100",
        "start_100k",
        "newsboat_start",
        "newsboat_print_unread",
        "tui_sources",
    ):
        if key in res:
            print(f"{key}: " + ", ".join(ms(x) for x in res[key]))
    for key, xs in res.get("tmux", {}).items():
        print(f"tmux {key}: " + ", ".join(ms(x) for x in xs))
    print(f"\napp_bench: total {time.perf_counter() - began:.0f} s")
    if a.readme:
        write_block(a.readme, MARK_START, MARK_END, text)
        print(f"wrote the table into {a.readme}")
    if a.json:
        a.json.write_text(json.dumps(res, indent=1))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    a = parse_args(argv)
    try:
        return bench(a)
    except (BenchError, make_library.LibraryError, subprocess.CalledProcessError) as exc:
        print(f"app_bench: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
