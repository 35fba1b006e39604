#!/usr/bin/env python3
"""Refresh benchmark: tuireader vs newsboat on the same synthetic corpus, side by side.

Uses the shared helpers (never copied into this repo):
  <bench-dir>/gen_corpus.py  deterministic feeds + subscriptions.opml + urls.txt
  <bench-dir>/serve.py       loopback server with ETag/Last-Modified, added latency, /__stats

For each latency (0 and 50 ms by default) and each repetition, with a fresh store each time:
  tuireader: import the OPML, `tuireader refresh --quiet` cold, then again (every feed 304)
  newsboat:  `newsboat -x reload` cold, then again until every feed it keeps answers 304
Wall time and the child's peak RSS (os.wait4) are measured per run; medians are reported.

  python benchmarks/refresh_bench.py              # 200 feeds x 50 items, repeat 3
  python benchmarks/refresh_bench.py --quick      # 20 feeds, a smoke run
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
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BENCH_DIR = REPO.parent / "shared" / "bench"
TARGET_COLD = 0.5
TARGET_304 = 0.3
TARGET_RSS_MB = 150.0
RUN_TIMEOUT = 600.0

_live: list[subprocess.Popen[bytes]] = []
_sessions: set[int] = set()  # pids of launchers started in their own session


class BenchError(Exception):
    """A setup step failed; the message says which."""


# --------------------------------------------------------------------------------------------
# processes
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Run:
    """One timed command."""

    wall: float
    maxrss_kb: int
    rc: int
    stats: dict[str, int] = field(default_factory=dict)


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


# Runs the measured command from a small, fresh interpreter. Linux charges a child's peak RSS
# with the memory of the process it was spawned from (exec records the old mm's high-water
# mark), so spawning straight from this script would floor every figure at this script's own
# peak. The launcher is ~10 MB, below anything measured; it prints wall seconds and ru_maxrss.
LAUNCHER = """
import os, sys, time
t0 = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - t0
print(wall, usage.ru_maxrss, os.waitstatus_to_exitcode(status), file=sys.stderr)
"""


def timed(cmd: Sequence[str], env: dict[str, str], log: Path) -> Run:
    """Run ``cmd`` to completion; wall time and its own peak RSS (not the grandchildren's)."""
    with log.open("ab") as err:
        err.write(f"$ {' '.join(cmd)}\n".encode())
        err.flush()
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", LAUNCHER, *cmd],
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
        wall, rss, rc = lines[-1].split()
        return Run(wall=float(wall), maxrss_kb=int(rss), rc=int(rc))
    except (IndexError, ValueError):
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

    def __init__(self, bench: Path, root: Path, port: int, latency_ms: float, max_s: float) -> None:
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


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


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
    store_bytes: int = 0
    store_bytes_vacuumed: int = 0
    stories: int = 0


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
    cold = measured(srv, cmd, env, log)
    warm = measured(srv, cmd, env, log)
    trial = Trial(cold=cold, warm=warm)
    trial.store_bytes = dir_size(data)
    trial.stories = sqlite_count(data / "tuireader.db", "stories")
    if list_check:
        out = check([exe, "list", "--json", "--limit", "100000"], env, log)
        listed = len(json.loads(out))
        if listed != trial.stories:
            print(f"  ! tuireader list --json gave {listed}, sqlite {trial.stories}", flush=True)
    check([exe, "vacuum"], env, log)
    trial.store_bytes_vacuumed = dir_size(data)
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
    # newsboat 2.21 keeps a feed's ETag/Last-Modified only once the feed already has a row in
    # the cache, so the first refresh after a cold one still downloads everything. Refresh
    # until every feed it stored answers 304 (feeds it cannot parse are fetched every time).
    kept = sqlite_count(cache, "rss_feed")
    extra: list[Run] = []
    warm = measured(srv, cmd, env, log)
    while warm.stats.get("304", 0) < kept and len(extra) < 3:
        extra.append(warm)
        warm = measured(srv, cmd, env, log)
    trial = Trial(cold=cold, warm=warm, extra=extra)
    trial.store_bytes = sum(
        p.stat().st_size for p in work.glob("cache.db*") if not p.name.endswith(".lock")
    )
    trial.stories = sqlite_count(cache, "rss_item")
    check([*base, "-X"], env, log)
    trial.store_bytes_vacuumed = cache.stat().st_size
    return trial


# --------------------------------------------------------------------------------------------
# corpus
# --------------------------------------------------------------------------------------------


def generate(
    bench: Path, out: Path, feeds: int, items: int, seed: int, port: int
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


def table(results: dict[str, dict[float, list[Trial]]], manifest: dict[str, Any]) -> str:
    tui, nb = results["tuireader"], results["newsboat"]
    lats = sorted(tui)
    rows: list[tuple[str, str, str, str, str]] = []

    def time_row(label: str, a: float, b: float, target: float) -> None:
        ratio = a / b
        rows.append(
            (
                label,
                fmt_s(a),
                fmt_s(b),
                f"{ratio:.2f}×",
                f"≤ {target}× ({verdict(ratio <= target)})",
            )
        )

    for lat in lats:
        a = med([t.cold.wall for t in tui[lat]])
        b = med([t.cold.wall for t in nb[lat]])
        time_row(f"cold refresh, {lat:g} ms", a, b, TARGET_COLD)
    for lat in lats:
        a = med([t.warm.wall for t in tui[lat]])
        b = med([t.warm.wall for t in nb[lat]])
        time_row(f"all-304 refresh, {lat:g} ms", a, b, TARGET_304)

    def rss(trials: dict[float, list[Trial]], attr: str) -> float:
        return max(med([getattr(t, attr).maxrss_kb for t in ts]) for ts in trials.values()) / 1024

    for attr, label in (("cold", "peak RSS, cold refresh"), ("warm", "peak RSS, all-304 refresh")):
        a, b = rss(tui, attr), rss(nb, attr)
        rows.append(
            (
                label,
                fmt_mb(a),
                fmt_mb(b),
                f"{a / b:.2f}×",
                f"≤ {TARGET_RSS_MB:.0f} MB ({verdict(a <= TARGET_RSS_MB)})",
            )
        )

    everything_t = [t for ts in tui.values() for t in ts]
    everything_n = [t for ts in nb.values() for t in ts]
    for attr, label in (
        ("store_bytes", "store on disk, as left"),
        ("store_bytes_vacuumed", "store on disk, after vacuum"),
    ):
        a = med([getattr(t, attr) for t in everything_t]) / 1e6
        b = med([getattr(t, attr) for t in everything_n]) / 1e6
        rows.append((label, fmt_mb(a), fmt_mb(b), f"{a / b:.2f}×", "—"))

    total = sum(f["items"] for f in manifest["feeds"])
    st_t = sorted({t.stories for t in everything_t})
    st_n = sorted({t.stories for t in everything_n})
    rows.append(
        (
            "stories stored",
            "/".join(map(str, st_t)),
            "/".join(map(str, st_n)),
            "—",
            f"{total} in corpus",
        )
    )

    head = ("", "tuireader", "newsboat", "ratio", "target")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def codes(run: Run) -> str:
    return f"200:{run.stats.get('200', 0)} 304:{run.stats.get('304', 0)}"


def details(results: dict[str, dict[float, list[Trial]]]) -> str:
    out = []
    for name, by_lat in results.items():
        for lat, trials in sorted(by_lat.items()):
            for i, t in enumerate(trials, 1):
                extra = "".join(f" | 2nd {e.wall:.2f}s ({codes(e)})" for e in t.extra)
                out.append(
                    f"- {name} {lat:g} ms #{i}: cold {t.cold.wall:.2f}s "
                    f"{t.cold.maxrss_kb / 1024:.0f}MB rc={t.cold.rc} ({codes(t.cold)}){extra}"
                    f" | all-304 {t.warm.wall:.2f}s {t.warm.maxrss_kb / 1024:.0f}MB "
                    f"rc={t.warm.rc} ({codes(t.warm)}) | stories {t.stories}"
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
    ap.add_argument("--quick", action="store_true", help="smoke run: 20 feeds")
    ap.add_argument("--repeat", type=int, default=3, help="fresh stores per latency (median)")
    ap.add_argument("--latencies", default="0,50", help="ms, comma-separated (default 0,50)")
    ap.add_argument("--threads", type=int, default=8, help="newsboat reload-threads (default 8)")
    ap.add_argument("--tuireader", default=default_tuireader(), help="tuireader executable")
    ap.add_argument("--newsboat", default=shutil.which("newsboat") or "/usr/bin/newsboat")
    ap.add_argument("--no-newsboat", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--work-dir", type=Path, default=None, help="parent of the temp dir")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (path is printed)")
    ap.add_argument("--json", type=Path, help="also write raw results here")
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
    return a


def bench(a: argparse.Namespace, tmp: Path) -> int:
    bench_dir = a.bench_dir.resolve()
    for f in ("gen_corpus.py", "serve.py"):
        if not (bench_dir / f).is_file():
            raise BenchError(f"{bench_dir / f} not found (use --bench-dir)")
    for exe in (a.tuireader, a.newsboat):
        if not shutil.which(exe):
            raise BenchError(f"{exe}: not found or not executable")
    lats = [float(x) for x in a.latencies.split(",") if x.strip()]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUIREADER_")}
    env.setdefault("LANG", "C.UTF-8")

    corpus = tmp / "corpus"
    port = free_port()
    print(f"corpus: {a.feeds} feeds × {a.items} items, seed {a.seed}, port {port}", flush=True)
    manifest = generate(bench_dir, corpus, a.feeds, a.items, a.seed, port)

    results: dict[str, dict[float, list[Trial]]] = {"tuireader": {}, "newsboat": {}}
    for lat in lats:
        srv = Server(bench_dir, corpus, port, lat, a.server_max_seconds)
        for attempt in range(3):
            try:
                srv.start()
                break
            except BenchError:
                if attempt == 2:
                    raise
                port = free_port()  # someone took the port: regenerate for a new one
                manifest = generate(bench_dir, corpus, a.feeds, a.items, a.seed, port)
                srv = Server(bench_dir, corpus, port, lat, a.server_max_seconds)
        try:
            print(f"latency {lat:g} ms: {srv.url}", flush=True)
            for rep in range(a.repeat):
                t = tuireader_trial(
                    a.tuireader,
                    srv,
                    corpus,
                    tmp / f"tui-{lat:g}-{rep}",
                    env,
                    list_check=(rep == 0 and lat == lats[0]),
                )
                results["tuireader"].setdefault(lat, []).append(t)
                n = newsboat_trial(
                    a.newsboat, srv, corpus, tmp / f"nb-{lat:g}-{rep}", env, a.threads
                )
                results["newsboat"].setdefault(lat, []).append(n)
                print(
                    f"  #{rep + 1}: tuireader cold {t.cold.wall:.2f}s 304 {t.warm.wall:.2f}s"
                    f" | newsboat cold {n.cold.wall:.2f}s 304 {n.warm.wall:.2f}s",
                    flush=True,
                )
                if t.warm.stats.get("304", 0) != a.feeds or t.warm.stats.get("200", 0):
                    print(f"  ! tuireader second refresh was not all-304: {t.warm.stats}")
                for tag, r in (("tuireader", t), ("newsboat", n)):
                    if r.cold.rc or r.warm.rc:
                        print(f"  ! {tag} exited {r.cold.rc}/{r.warm.rc}; see {tmp}")
            if a.profile and lat == 0:
                profile(a.tuireader, srv, corpus, tmp / "profile", env, a.profile.resolve())
        finally:
            srv.stop()

    print()
    print(
        f"## Refresh benchmark: {a.feeds} feeds × {a.items} items "
        f"({sum(f['bytes'] for f in manifest['feeds']) / 1e6:.1f} MB), "
        f"median of {a.repeat}, newsboat reload-threads {a.threads}"
    )
    print()
    print(table(results, manifest))
    print()
    json_feeds = sum(1 for f in manifest["feeds"] if f["format"] == "json")
    print(
        "Ratio = tuireader / newsboat. Peak RSS is the child's own ru_maxrss (os.wait4); "
        "all-304 means every feed the reader keeps answered 304."
    )
    if json_feeds:
        print(
            f"newsboat 2.21 cannot parse JSON Feed: {json_feeds} feeds "
            f"({json_feeds * a.items} items) are not stored and are downloaded again on every "
            "refresh; its first refresh after a cold one also downloads everything (it keeps "
            "validators only for feeds already cached), so its all-304 run is the next one."
        )
    print()
    print(details(results))
    if a.json:
        raw = {
            name: {str(lat): [asdict(t) for t in ts] for lat, ts in by.items()}
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
