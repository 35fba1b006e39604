#!/usr/bin/env python3
"""Refresh benchmark: tuireader vs newsboat on the same synthetic corpus, side by side.

Uses the shared helpers (never copied into this repo):
  <bench-dir>/gen_corpus.py  deterministic feeds + subscriptions.opml + urls.txt (--hosts N)
  <bench-dir>/serve.py       loopback server with ETag/Last-Modified, added latency, /__stats

Configurations (--configs, HOSTSxMS): one host at 0 ms and at 50 ms, and the same corpus spread
over 40 loopback hosts (127.0.0.1-127.0.0.40) at 50 ms. In each, --repeat times, alternating
tuireader and newsboat (the order swaps every repetition), each with a fresh store:
  tuireader: import the OPML, `tuireader refresh --quiet` cold (and the detached `tuireader
             index` it leaves behind, waited for), then again (every feed 304)
  newsboat:  `newsboat -x reload` cold, then again until every feed it keeps answers 304
Every timed run goes through proctree.py: wall time of the command, time until its last
descendant (the detached indexer) ended, and peak RSS of the whole process tree (parse workers
and the indexer included, the latter reported apart). Medians are reported.

  python benchmarks/refresh_bench.py --readme README.md   # 200 x 50, 3 configs, repeat 3
  python benchmarks/refresh_bench.py --quick      # 20 feeds, repeat 1: a smoke run
  python benchmarks/refresh_bench.py --configs 1x0 --repeat 5
  python benchmarks/refresh_bench.py --profile /tmp/refresh.prof   # + where time goes

Stdlib only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import select
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BENCH_DIR = REPO.parent / "shared" / "bench"
PROCTREE = Path(__file__).with_name("proctree.py")
TARGET_COLD = 0.5
TARGET_304 = 0.3
TARGET_RSS_MB = 100.0
TARGET_STORE = 1.5
RUN_TIMEOUT = 900.0
MARK_START, MARK_END = "<!-- refresh-bench -->", "<!-- /refresh-bench -->"

sys.path.insert(0, str(Path(__file__).parent))
from make_library import compile_bytecode  # noqa: E402
from readme_block import BenchError, write_block  # noqa: E402

_live: list[subprocess.Popen[bytes]] = []
_sessions: set[int] = set()  # pids of launchers started in their own session


# --------------------------------------------------------------------------------------------
# processes
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Run:
    """One timed command (see proctree.py for what each figure is)."""

    wall: float  # spawn -> the command exited
    done: float  # spawn -> its last descendant (a detached indexer) exited
    rc: int
    tree_kb: int  # the command's own tree: sum of each process's VmHWM
    tree_sampled_kb: int  # the largest sampled sum of VmRSS of that tree
    tree_procs: int
    index_kb: int  # the detached indexer's tree, the same two ways
    index_sampled_kb: int
    index_procs: int
    all_sampled_kb: int  # both trees at once, largest sample
    ru_maxrss_kb: int  # os.wait4 of the command alone
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def maxrss_kb(self) -> int:
        return self.tree_kb


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Stop a child we started; a launcher's whole session (it is still unreaped, so its
    process-group id cannot have been reused)."""
    if proc.poll() is None:
        if proc.pid in _sessions:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            if proc.pid in _sessions:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
            proc.kill()
            proc.wait(5)
    _sessions.discard(proc.pid)
    if proc in _live:
        _live.remove(proc)


def timed(cmd: Sequence[str], env: dict[str, str], log: Path) -> Run:
    """Run ``cmd`` under proctree.py until it and every descendant ended.

    proctree.py runs in a small fresh interpreter (``-I -S``) rather than in this script:
    Linux folds the spawning process's memory into a child's ``ru_maxrss`` across exec."""
    with log.open("ab") as err:
        err.write(f"$ {' '.join(cmd)}\n".encode())
        err.flush()
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", str(PROCTREE), *cmd],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=err,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        _live.append(proc)
        _sessions.add(proc.pid)
        try:
            _, tail = proc.communicate(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise BenchError(f"timed out after {RUN_TIMEOUT:.0f} s: {' '.join(cmd)}") from None
        finally:
            _kill(proc)
        lines = tail.decode(errors="replace").strip().splitlines()
        err.write(tail)
    try:
        r = json.loads(lines[-1])
        main, index = r["main"], r["index"]
        return Run(
            wall=float(r["wall"]),
            done=float(r["done"]),
            rc=int(r["rc"]),
            tree_kb=int(main["hwm_sum_kb"]),
            tree_sampled_kb=int(main["rss_peak_kb"]),
            tree_procs=int(main["procs"]),
            index_kb=int(index["hwm_sum_kb"]),
            index_sampled_kb=int(index["rss_peak_kb"]),
            index_procs=int(index["procs"]),
            all_sampled_kb=int(r["rss_peak_all_kb"]),
            ru_maxrss_kb=int(r["ru_maxrss_kb"]),
        )
    except (IndexError, ValueError, KeyError, TypeError):
        raise BenchError(f"could not run {' '.join(cmd)}: {' '.join(lines)[-300:]}") from None


def check(cmd: Sequence[str], env: dict[str, str], log: Path) -> str:
    """Run a setup command; its stdout, or BenchError with its stderr."""
    res = subprocess.run(cmd, env=env, capture_output=True, timeout=RUN_TIMEOUT, check=False)
    with log.open("ab") as fh:
        fh.write(f"$ {' '.join(cmd)}\n".encode() + res.stderr)
    if res.returncode != 0:
        msg = res.stderr.decode(errors="replace").strip()[-500:]
        raise BenchError(f"{' '.join(cmd)} exited {res.returncode}: {msg}")
    return res.stdout.decode(errors="replace")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """serve.py in a child process, with --max-seconds so it never outlives us by much."""

    def __init__(
        self, bench: Path, root: Path, port: int, latency_ms: float, max_s: float, hosts: int = 1
    ) -> None:
        self.cmd = [
            sys.executable,
            str(bench / "serve.py"),
            str(root),
            "--port",
            str(port),
            "--latency-ms",
            str(latency_ms),
            "--max-seconds",
            str(max_s),
            *(["--hosts", str(hosts)] if hosts > 1 else []),
        ]
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        _live.append(self.proc)
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], 60)
        line = self.proc.stdout.readline().decode(errors="replace") if ready else ""
        m = re.search(r"on (http://\S+/)", line)
        if not m:
            err = b""
            if self.proc.poll() is not None and self.proc.stderr is not None:
                err = self.proc.stderr.read()
            self.stop()
            raise BenchError(f"serve.py did not start: {line!r} {err.decode(errors='replace')}")
        self.url = m.group(1)

    def stop(self) -> None:
        if self.proc is not None:
            _kill(self.proc)
            self.proc = None

    def _get(self, path: str) -> dict[str, int]:
        with urllib.request.urlopen(self.url + path, timeout=10) as resp:
            data: dict[str, int] = json.loads(resp.read())
            return data

    def reset(self) -> None:
        self._get("__stats/reset")

    def stats(self) -> dict[str, int]:
        return self._get("__stats")


def measured(srv: Server, cmd: Sequence[str], env: dict[str, str], log: Path) -> Run:
    srv.reset()
    run = timed(cmd, env, log)
    run.stats = srv.stats()
    return run


# --------------------------------------------------------------------------------------------
# stores
# --------------------------------------------------------------------------------------------


def store_size(data: Path) -> int:
    """tuireader's store: the database and its -wal/-shm (not the log or the lock)."""
    return sum(p.stat().st_size for p in data.glob("tuireader.db*") if p.is_file())


def sqlite_count(db: Path, table: str) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        n: int = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        return n
    finally:
        conn.close()


@dataclass(slots=True)
class Trial:
    """One fresh store: cold refresh, then the all-304 refresh."""

    cold: Run
    warm: Run
    extra: list[Run] = field(default_factory=list)  # refreshes between cold and all-304
    store_bytes: int = 0  # right after the cold refresh (and its indexer)
    store_bytes_vacuumed: int = 0  # after the all-304 refresh and a vacuum
    stories: int = 0
    vectors: int = -1  # tuireader: story_vectors rows once the indexer ended


# Like for like with newsboat, which never fetches article pages: full text off here
# (benchmarks/fulltext_bench.py measures it on its own).
TUIREADER_CONFIG = '[general]\nrefresh_on_start = false\nfull_text = "never"\n'


def tuireader_trial(
    exe: str, srv: Server, corpus: Path, work: Path, base_env: dict[str, str], list_check: bool
) -> Trial:
    cfg, data = work / "config", work / "data"
    cfg.mkdir(parents=True)
    data.mkdir()
    (cfg / "config.toml").write_text(TUIREADER_CONFIG, encoding="utf-8")
    env = dict(base_env)
    env.update(
        TUIREADER_CONFIG_DIR=str(cfg),
        TUIREADER_DATA_DIR=str(data),
        HOME=str(work),
        XDG_CACHE_HOME=str(work / "cache"),
    )
    log = work / "log.txt"
    check([exe, "import", str(corpus / "subscriptions.opml")], env, log)
    cmd = [exe, "refresh", "--quiet"]
    db = data / "tuireader.db"
    # timed() returns once the detached indexer has ended too (proctree.py is its subreaper)
    cold = measured(srv, cmd, env, log)
    stories, vectors = sqlite_count(db, "stories"), sqlite_count(db, "story_vectors")
    store = store_size(data)
    warm = measured(srv, cmd, env, log)
    trial = Trial(cold=cold, warm=warm, stories=stories, vectors=vectors, store_bytes=store)
    if list_check:
        out = check([exe, "list", "--json", "--limit", "100000"], env, log)
        listed, now = len(json.loads(out)), sqlite_count(db, "stories")
        if listed != now:
            print(f"  ! tuireader list --json gave {listed}, sqlite {now}", flush=True)
    check([exe, "vacuum"], env, log)
    trial.store_bytes_vacuumed = store_size(data)
    return trial


def newsboat_trial(
    exe: str, srv: Server, corpus: Path, work: Path, base_env: dict[str, str], threads: int
) -> Trial:
    home = work / "home"
    home.mkdir(parents=True)
    conf, cache = work / "config", work / "cache.db"
    conf.write_text(f"reload-threads {threads}\n", encoding="utf-8")
    env = dict(base_env)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
    )
    log = work / "log.txt"
    base = [exe, "-u", str(corpus / "urls.txt"), "-c", str(cache), "-C", str(conf)]
    cmd = [*base, "-x", "reload"]
    cold = measured(srv, cmd, env, log)
    store = sum(p.stat().st_size for p in work.glob("cache.db*") if not p.name.endswith(".lock"))
    # newsboat 2.21 keeps a feed's ETag/Last-Modified only once the feed already has a row in
    # the cache, so the first refresh after a cold one still downloads everything. Refresh
    # until every feed it stored answers 304 (feeds it cannot parse are fetched every time).
    kept = sqlite_count(cache, "rss_feed")
    extra: list[Run] = []
    warm = measured(srv, cmd, env, log)
    while warm.stats.get("304", 0) < kept and len(extra) < 3:
        extra.append(warm)
        warm = measured(srv, cmd, env, log)
    trial = Trial(cold=cold, warm=warm, extra=extra, store_bytes=store)
    trial.stories = sqlite_count(cache, "rss_item")
    check([*base, "-X"], env, log)
    trial.store_bytes_vacuumed = cache.stat().st_size
    return trial


# --------------------------------------------------------------------------------------------
# corpus
# --------------------------------------------------------------------------------------------


def generate(
    bench: Path, out: Path, feeds: int, items: int, seed: int, port: int, hosts: int = 1
) -> dict[str, Any]:
    if out.exists():
        shutil.rmtree(out)
    cmd = [
        sys.executable,
        str(bench / "gen_corpus.py"),
        "--out",
        str(out),
        "--n",
        str(feeds),
        "--m",
        str(items),
        "--seed",
        str(seed),
        "--base-url",
        f"http://127.0.0.1:{port}/",
        *(["--hosts", str(hosts)] if hosts > 1 else []),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    if res.returncode != 0:
        raise BenchError(f"gen_corpus.py failed: {res.stderr.strip()[-500:]}")
    print(f"  {res.stdout.strip()}", flush=True)
    manifest: dict[str, Any] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return manifest


# --------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------


def med(xs: Sequence[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def fmt_s(x: float) -> str:
    return f"{x:.2f} s"


def fmt_mb(x: float) -> str:
    return f"{x:.1f} MB"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


@dataclass(frozen=True, slots=True)
class Config:
    """Where the corpus is served from: how many loopback hosts, with what added latency."""

    hosts: int
    latency: float

    @property
    def key(self) -> str:
        return f"{self.hosts}x{self.latency:g}"

    @property
    def label(self) -> str:
        return f"{self.hosts} host{'s' if self.hosts > 1 else ''}, {self.latency:g} ms"


def parse_configs(text: str, hosts: int) -> list[Config]:
    """``1x0,1x50,40x50``; ``--hosts N`` replaces the host count of every multi-host one."""
    out = []
    for part in text.split(","):
        if not part.strip():
            continue
        h, sep, lat = part.strip().partition("x")
        if not sep:
            raise BenchError(f"--configs: {part!r} is not HOSTSxMS (e.g. 40x50)")
        n = int(h)
        out.append(Config(hosts if n > 1 else 1, float(lat)))
    return list(dict.fromkeys(out))


Results = dict[str, dict[Config, list[Trial]]]


def plural(n: float, word: str) -> str:
    return f"{n:.0f} {word}{'es' if n != 1 else ''}"


def kb_mb(kb: float) -> str:
    return fmt_mb(kb / 1024)


def table(results: Results, manifest: dict[str, Any]) -> str:
    tui, nb = results["tuireader"], results["newsboat"]
    confs = list(tui)
    head = ("measure", "tuireader", "newsboat", "ratio", "target (issue 14)")
    rows: list[tuple[str, str, str, str, str]] = []

    def ratio_row(label: str, a: float, b: float, target: float | None, text: str = "") -> None:
        r = a / b
        goal = f"≤ {target}× — {verdict(r <= target)}" if target is not None else "—"
        rows.append((label, text or fmt_s(a), fmt_s(b), f"{r:.2f}×", goal))

    for c in confs:
        a = med([t.cold.wall for t in tui[c]])
        b = med([t.cold.wall for t in nb[c]])
        ratio_row(f"cold refresh, {c.label}", a, b, TARGET_COLD)
    for c in confs:
        a = med([t.warm.wall for t in tui[c]])
        b = med([t.warm.wall for t in nb[c]])
        in_issue = (c.hosts == 1 and c.latency == 0) or (c.hosts > 1 and c.latency == 50)
        ratio_row(f"all-304 refresh, {c.label}", a, b, TARGET_304 if in_issue else None)
    for c in confs:
        done = med([t.cold.done for t in tui[c]])
        wall = med([t.cold.wall for t in tui[c]])
        b = med([t.cold.done for t in nb[c]])
        ratio_row(
            f"cold refresh → everything indexed (detached indexer ended), {c.label}",
            done,
            b,
            None,
            f"{fmt_s(done)} (refresh {fmt_s(wall)} + {fmt_s(done - wall)})",
        )

    def worst(trials: dict[Config, list[Trial]], get: Any) -> float:
        return max(med([get(t) for t in ts]) for ts in trials.values())

    cold_t, cold_n = worst(tui, lambda t: t.cold.tree_kb), worst(nb, lambda t: t.cold.tree_kb)
    procs = worst(tui, lambda t: t.cold.tree_procs)
    sampled = worst(tui, lambda t: t.cold.tree_sampled_kb)
    rows.append(
        (
            "peak RSS of a cold refresh, whole tree (the command and its workers)",
            f"{kb_mb(cold_t)} ({plural(procs, 'process')}; {kb_mb(sampled)} at once, sampled)",
            kb_mb(cold_n),
            f"{cold_t / cold_n:.2f}×",
            f"≤ {TARGET_RSS_MB:.0f} MB — {verdict(cold_t / 1024 <= TARGET_RSS_MB)}",
        )
    )
    idx = worst(tui, lambda t: t.cold.index_kb)
    idx_procs = worst(tui, lambda t: t.cold.index_procs)
    both = worst(tui, lambda t: t.cold.all_sampled_kb)
    rows.append(
        (
            "peak RSS of the detached indexer it leaves (its tree)",
            f"{kb_mb(idx)} ({plural(idx_procs, 'process')}; with the refresh at once: "
            f"{kb_mb(both)}, sampled)",
            "—",
            "",
            f"(≤ {TARGET_RSS_MB:.0f} MB if counted: {verdict(idx / 1024 <= TARGET_RSS_MB)})",
        )
    )
    warm_t, warm_n = worst(tui, lambda t: t.warm.tree_kb), worst(nb, lambda t: t.warm.tree_kb)
    rows.append(
        (
            "peak RSS of an all-304 refresh, whole tree",
            kb_mb(warm_t),
            kb_mb(warm_n),
            f"{warm_t / warm_n:.2f}×",
            "—",
        )
    )
    every_t = [t for ts in tui.values() for t in ts]
    every_n = [t for ts in nb.values() for t in ts]
    for attr, label in (
        ("store_bytes", "store on disk after a cold refresh, as left"),
        ("store_bytes_vacuumed", "store on disk after a cold refresh, after vacuum"),
    ):
        a = med([getattr(t, attr) for t in every_t]) / 1e6
        b = med([getattr(t, attr) for t in every_n]) / 1e6
        rows.append(
            (
                label,
                fmt_mb(a),
                fmt_mb(b),
                f"{a / b:.2f}×",
                f"≤ {TARGET_STORE}× — {verdict(a / b <= TARGET_STORE)}",
            )
        )
    total = sum(f["items"] for f in manifest["feeds"])
    st_t = sorted({t.stories for t in every_t})
    st_n = sorted({t.stories for t in every_n})
    vec = sorted({t.vectors for t in every_t})
    rows.append(
        (
            "stories stored (tuireader: with a vector once indexed)",
            "/".join(f"{n:,}" for n in st_t) + " (" + "/".join(f"{n:,}" for n in vec) + ")",
            "/".join(f"{n:,}" for n in st_n),
            "",
            f"{total:,} in the corpus",
        )
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def codes(run: Run) -> str:
    return f"200:{run.stats.get('200', 0)} 304:{run.stats.get('304', 0)}"


def details(results: Results) -> str:
    out = []
    for name, by_conf in results.items():
        for c, trials in by_conf.items():
            for i, t in enumerate(trials, 1):
                extra = "".join(f" | 2nd {e.wall:.2f}s ({codes(e)})" for e in t.extra)
                out.append(
                    f"- {name} {c.label} #{i}: cold {t.cold.wall:.2f}s (all done "
                    f"{t.cold.done:.2f}s) tree {t.cold.tree_kb / 1024:.0f}MB/"
                    f"{t.cold.tree_procs}p (sampled {t.cold.tree_sampled_kb / 1024:.0f}MB, "
                    f"wait4 {t.cold.ru_maxrss_kb / 1024:.0f}MB) indexer "
                    f"{t.cold.index_kb / 1024:.0f}MB/{t.cold.index_procs}p rc={t.cold.rc} "
                    f"({codes(t.cold)}){extra} | all-304 {t.warm.wall:.2f}s (done "
                    f"{t.warm.done:.2f}s) {t.warm.tree_kb / 1024:.0f}MB rc={t.warm.rc} "
                    f"({codes(t.warm)}) | stories {t.stories} vectors {t.vectors} | store "
                    f"{t.store_bytes / 1e6:.1f}/{t.store_bytes_vacuumed / 1e6:.1f} MB"
                )
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# profile
# --------------------------------------------------------------------------------------------


def profile(
    exe: str, srv: Server, corpus: Path, work: Path, env: dict[str, str], out: Path
) -> None:
    """Cold refresh under cProfile (main thread) and under profile_refresh.py (all threads)."""
    python = str(Path(exe).parent / "python")
    if not Path(python).exists():
        python = sys.executable
    for tag, cmd in (
        ("cprofile", [python, "-m", "cProfile", "-o", str(out), "-m", "tuireader"]),
        (
            "threads",
            [
                python,
                str(Path(__file__).with_name("profile_refresh.py")),
                "-o",
                str(out.with_suffix(".threads.prof")),
            ],
        ),
    ):
        d = work / tag
        cfg, data = d / "config", d / "data"
        cfg.mkdir(parents=True)
        data.mkdir()
        (cfg / "config.toml").write_text(TUIREADER_CONFIG, encoding="utf-8")
        e = dict(env, TUIREADER_CONFIG_DIR=str(cfg), TUIREADER_DATA_DIR=str(data), HOME=str(d))
        log = d / "log.txt"
        check([exe, "import", str(corpus / "subscriptions.opml")], e, log)
        run = measured(srv, [*cmd, "refresh", "--quiet"], e, log)
        print(f"  profiled cold refresh ({tag}): {run.wall:.2f}s stats={run.stats}", flush=True)
    print(f"  wrote {out} and {out.with_suffix('.threads.prof')}")
    print(f"  summarise: {python} {Path(__file__).with_name('profile_refresh.py')} --show FILE")


# --------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------


def default_tuireader() -> str:
    venv = REPO / ".venv" / "bin" / "tuireader"
    return str(venv) if venv.exists() else (shutil.which("tuireader") or "tuireader")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--bench-dir",
        type=Path,
        default=DEFAULT_BENCH_DIR,
        help="where gen_corpus.py and serve.py live (default ../shared/bench)",
    )
    ap.add_argument("--feeds", type=int, default=200, help="feeds in the corpus (default 200)")
    ap.add_argument("--items", type=int, default=50, help="items per feed (default 50)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="smoke run: 20 feeds, repeat 1")
    ap.add_argument("--repeat", type=int, default=None, help="fresh stores per config (3)")
    ap.add_argument(
        "--configs",
        default="1x0,1x50,40x50",
        help="HOSTSxMS, comma-separated: loopback hosts the corpus is spread over and the "
        "added latency per request (default 1x0,1x50,40x50)",
    )
    ap.add_argument(
        "--hosts", type=int, default=40, help="host count of the multi-host configs (40)"
    )
    ap.add_argument("--latencies", help=argparse.SUPPRESS)  # old spelling: one host each
    ap.add_argument("--threads", type=int, default=8, help="newsboat reload-threads (default 8)")
    ap.add_argument("--tuireader", default=default_tuireader(), help="tuireader executable")
    ap.add_argument("--newsboat", default=shutil.which("newsboat") or "/usr/bin/newsboat")
    ap.add_argument("--work-dir", type=Path, default=None, help="parent of the temp dir")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (path is printed)")
    ap.add_argument("--json", type=Path, help="also write raw results here")
    ap.add_argument("--readme", type=Path, help="write the table between this file's markers")
    ap.add_argument(
        "--profile",
        type=Path,
        metavar="FILE.prof",
        help="also profile one cold tuireader refresh at 0 ms",
    )
    ap.add_argument("--server-max-seconds", type=float, default=1800.0)
    a = ap.parse_args(argv)
    if a.quick:
        a.feeds = 20
    if a.repeat is None:
        a.repeat = 1 if a.quick else 3
    if a.latencies:
        a.configs = ",".join(f"1x{x.strip()}" for x in a.latencies.split(",") if x.strip())
    return a


def start_server(bench_dir: Path, corpus: Path, port: int, conf: Config, max_s: float) -> Server:
    srv = Server(bench_dir, corpus, port, conf.latency, max_s, conf.hosts)
    srv.start()
    return srv


def command_line(a: argparse.Namespace) -> str:
    parts = ["python benchmarks/refresh_bench.py"]
    if a.quick:
        parts.append("--quick")
    if a.feeds != (20 if a.quick else 200) or a.items != 50:
        parts.append(f"--feeds {a.feeds} --items {a.items}")
    if a.repeat != (1 if a.quick else 3):
        parts.append(f"--repeat {a.repeat}")
    if a.configs != "1x0,1x50,40x50" or a.hosts != 40:
        parts.append(f"--configs {a.configs} --hosts {a.hosts}")
    parts.append("--readme README.md")
    return " ".join(parts)


def bench(a: argparse.Namespace, tmp: Path) -> int:
    began = time.perf_counter()
    bench_dir = a.bench_dir.resolve()
    for f in ("gen_corpus.py", "serve.py"):
        if not (bench_dir / f).is_file():
            raise BenchError(f"{bench_dir / f} not found (use --bench-dir)")
    for exe in (a.tuireader, a.newsboat):
        if not shutil.which(exe):
            raise BenchError(f"{exe}: not found or not executable")
    compile_bytecode(a.tuireader)
    configs = parse_configs(a.configs, a.hosts)
    if not configs:
        raise BenchError("--configs: nothing to run")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUIREADER_")}
    env.setdefault("LANG", "C.UTF-8")

    port = free_port()
    corpora: dict[int, Path] = {}
    manifest: dict[str, Any] = {}

    def corpus_for(hosts: int) -> Path:
        nonlocal manifest
        if hosts not in corpora:
            out = tmp / f"corpus-{hosts}h"
            print(f"corpus: {a.feeds} × {a.items}, seed {a.seed}, {hosts} host(s)", flush=True)
            manifest = generate(bench_dir, out, a.feeds, a.items, a.seed, port, hosts)
            corpora[hosts] = out
        return corpora[hosts]

    results: Results = {"tuireader": {}, "newsboat": {}}
    for conf in configs:
        corpus = corpus_for(conf.hosts)
        try:
            srv = start_server(bench_dir, corpus, port, conf, a.server_max_seconds)
        except BenchError:
            port = free_port()  # someone took the port: regenerate every corpus for a new one
            corpora.clear()
            corpus = corpus_for(conf.hosts)
            srv = start_server(bench_dir, corpus, port, conf, a.server_max_seconds)
        try:
            print(f"{conf.label}: {srv.url}", flush=True)
            for rep in range(a.repeat):
                d = f"{conf.key}-{rep}"

                first = rep == 0 and conf == configs[0]
                order = ("tuireader", "newsboat") if rep % 2 == 0 else ("newsboat", "tuireader")
                got: dict[str, Trial] = {}
                for who in order:  # alternate who goes first
                    if who == "tuireader":
                        got[who] = tuireader_trial(
                            a.tuireader, srv, corpus, tmp / f"tui-{d}", env, list_check=first
                        )
                    else:
                        got[who] = newsboat_trial(
                            a.newsboat, srv, corpus, tmp / f"nb-{d}", env, a.threads
                        )
                t, n = got["tuireader"], got["newsboat"]
                results["tuireader"].setdefault(conf, []).append(t)
                results["newsboat"].setdefault(conf, []).append(n)
                print(
                    f"  #{rep + 1}: tuireader cold {t.cold.wall:.2f}s (indexed "
                    f"{t.cold.done:.2f}s) 304 {t.warm.wall:.2f}s"
                    f" | newsboat cold {n.cold.wall:.2f}s 304 {n.warm.wall:.2f}s",
                    flush=True,
                )
                if t.cold.rc or t.cold.stats.get("200", 0) != a.feeds:
                    print(
                        f"  ! tuireader cold refresh exited {t.cold.rc} after "
                        f"{t.cold.stats.get('200', 0)} of {a.feeds} feeds; see log.txt in {tmp}"
                        " (--keep keeps it)"
                    )
                if t.warm.stats.get("304", 0) != a.feeds or t.warm.stats.get("200", 0):
                    print(f"  ! tuireader second refresh was not all-304: {t.warm.stats}")
                if t.vectors != t.stories:
                    print(f"  ! {t.stories} stories but {t.vectors} vectors once indexed")
                for tag, r in (("tuireader", t), ("newsboat", n)):
                    if r.cold.rc or r.warm.rc:
                        print(f"  ! {tag} exited {r.cold.rc}/{r.warm.rc}; see {tmp}")
            if a.profile and conf.latency == 0 and conf.hosts == 1:
                profile(a.tuireader, srv, corpus, tmp / "profile", env, a.profile.resolve())
        finally:
            srv.stop()

    elapsed = time.perf_counter() - began
    json_feeds = sum(1 for f in manifest["feeds"] if f["format"] == "json")
    size = sum(f["bytes"] for f in manifest["feeds"]) / 1e6
    text = [
        f"`{command_line(a)}`: {a.feeds} feeds × {a.items} items ({size:.1f} MB) from "
        f"`../shared/bench`, served on loopback; median of {a.repeat}, tuireader and newsboat "
        f"2.21 (`reload-threads {a.threads}`) alternating, fresh stores each time; tuireader with "
        '`full_text = "never"` (newsboat never fetches pages)'
        + (" — **a smoke run, not figures of record**" if a.quick or a.repeat < 3 else "")
        + ":",
        "",
        table(results, manifest),
        "",
        "Ratio = tuireader / newsboat. Wall time is the command's, spawn to exit; *everything "
        "indexed* adds the detached `tuireader index` it leaves behind (waited for as its "
        "subreaper; newsboat: its cold refresh). Peak RSS is the whole process tree "
        "(`benchmarks/proctree.py`): the sum of each process's own peak (`VmHWM`, sampled at "
        "20 Hz), the worst configuration's median; the indexer's tree apart. Store: the "
        "database files after the cold refresh (and its indexer), and after the all-304 "
        "refresh and `tuireader vacuum` / `newsboat -X`.",
    ]
    if json_feeds:
        text.append(
            f"newsboat 2.21 cannot parse JSON Feed: {json_feeds} feeds "
            f"({json_feeds * a.items} items) are not stored and are downloaded again on every "
            "refresh; its first refresh after a cold one also downloads everything (it keeps "
            "validators only for feeds already cached), so its all-304 run is the next one."
        )
    out = "\n".join(text)
    print()
    print(out)
    print()
    print(details(results))
    print(f"\nrefresh_bench: total {elapsed:.0f} s", flush=True)
    if a.readme:
        write_block(a.readme, MARK_START, MARK_END, out)
        print(f"wrote the table into {a.readme}")
    if a.json:
        raw = {
            name: {c.key: [asdict(t) for t in ts] for c, ts in by.items()}
            for name, by in results.items()
        }
        a.json.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    a = parse_args(argv)

    def on_term(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_term)
    tmp = Path(tempfile.mkdtemp(prefix="refresh-bench-", dir=a.work_dir))
    try:
        return bench(a, tmp)
    except BenchError as exc:
        print(f"refresh_bench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("refresh_bench: interrupted", file=sys.stderr)
        return 130
    finally:
        for proc in list(_live):
            _kill(proc)
        if a.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
