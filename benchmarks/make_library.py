#!/usr/bin/env python3
"""Build a tuireader store holding N stories, through tuireader's own commands.

The stories come from the shared corpus generator (``<bench-dir>/gen_corpus.py``, run in place,
never copied): ceil(N / 50) feeds of 50 items. They are loaded one of two ways:

  --via http    (default) serve the corpus with ``<bench-dir>/serve.py`` on 127.0.0.1, then
                ``tuireader import subscriptions.opml`` and ``tuireader refresh --quiet``:
                one source per feed, as a real subscriber would have.
  --via folder  ``tuireader add <corpus>/feeds``: one local folder source holding every feed.

Both took the same ~67 s for 100,000 stories (2,000 feeds) on the 2-core machine; http is the
default because its store looks like a real one (2,000 sources) and its refresh stays under
100 MB RSS.

The store is laid out as OUT/data (TUIREADER_DATA_DIR), OUT/config/config.toml (``[general]
refresh_on_start = false``, so the app never refreshes on start) and OUT/cache.

  python benchmarks/make_library.py --out /tmp/lib100k                 # 100,000 stories
  python benchmarks/make_library.py --out /tmp/lib100 --stories 100
  python benchmarks/make_library.py --out /tmp/lib --corpus /tmp/corpus   # keep the corpus

Stdlib only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import select
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BENCH_DIR = REPO.parent / "shared" / "bench"
ITEMS_PER_FEED = 50
CONFIG = (
    "[general]\nrefresh_on_start = false\n"
    # building a store fetches thousands of feeds from one loopback host: on a busy machine
    # the default per-feed deadline (counted from the start of the refresh) is too short
    "[network]\ndeadline = 1800\nrefresh_deadline = 3600\n"
)


class LibraryError(Exception):
    """A step failed; the message says which."""


def default_tuireader() -> str:
    """This repo's venv command, else the one on PATH."""
    venv = REPO / ".venv" / "bin" / "tuireader"
    return str(venv) if venv.exists() else (shutil.which("tuireader") or "tuireader")


def compile_bytecode(tuireader: str) -> None:
    """Write the tuireader package's bytecode, as ``pip install`` does. This machine sets
    PYTHONDONTWRITEBYTECODE, so an editable install would compile every module of ours on
    every start (about 0.15 s), which no installed copy does."""
    exe = shutil.which(tuireader) or tuireader
    first = Path(exe).read_text(errors="replace").split("\n", 1)[0]
    python = first[2:].strip() if first.startswith("#!") else sys.executable
    code = (
        "import compileall, os, tuireader;"
        " compileall.compile_dir(os.path.dirname(tuireader.__file__), quiet=1)"
    )
    subprocess.run([python, "-c", code], check=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def store_env(out: Path) -> dict[str, str]:
    """The environment that points tuireader at the store under ``out``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUIREADER_")}
    env.update(
        TUIREADER_DATA_DIR=str(out / "data"),
        TUIREADER_CONFIG_DIR=str(out / "config"),
        TUIREADER_CACHE_DIR=str(out / "cache"),
    )
    return env


def story_count(out: Path) -> int:
    """Stories in the store (read-only)."""
    db = out / "data" / "tuireader.db"
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        count: int = conn.execute("SELECT count(*) FROM stories").fetchone()[0]
        return count


def corpus_port(corpus: Path) -> int:
    """The port the corpus's feed URLs point at (from its urls.txt)."""
    first = (corpus / "urls.txt").read_text(encoding="utf-8").split()[0]
    match = re.match(r"http://127\.0\.0\.1:(\d+)/", first)
    if match is None:
        raise LibraryError(f"{corpus}/urls.txt does not list loopback URLs: {first!r}")
    return int(match.group(1))


def generate(bench_dir: Path, corpus: Path, feeds: int, items: int, seed: int) -> float:
    """Run gen_corpus.py in place (unless ``corpus`` already holds that corpus); seconds."""
    manifest = corpus / "manifest.json"
    if manifest.is_file():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if (data.get("n"), data.get("m"), data.get("seed")) == (feeds, items, seed):
            return 0.0
        raise LibraryError(f"{corpus} holds another corpus; remove it or choose another --corpus")
    t0 = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "gen_corpus.py",
            "--out",
            str(corpus),
            "--n",
            str(feeds),
            "--m",
            str(items),
            "--seed",
            str(seed),
            "--base-url",
            f"http://127.0.0.1:{free_port()}/",
        ],
        cwd=bench_dir,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


@contextlib.contextmanager
def serving(bench_dir: Path, corpus: Path, port: int) -> Iterator[str]:
    """serve.py on ``port`` for the duration (it also stops by itself after an hour)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "serve.py",
            str(corpus),
            "--port",
            str(port),
            "--latency-ms",
            "0",
            "--max-seconds",
            "3600",
        ],
        cwd=bench_dir,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 120)
        line = proc.stdout.readline().decode(errors="replace") if ready else ""
        match = re.search(r"on (http://\S+/)", line)
        if match is None:
            raise LibraryError(f"serve.py did not start on port {port}: {line!r}")
        yield match.group(1)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def run(cmd: Sequence[str], env: dict[str, str]) -> float:
    """Run a tuireader command; seconds. Exit 1 (some sources failed) is an error here too."""
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise LibraryError(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.strip()}")
    return time.perf_counter() - t0


def build(
    out: Path,
    stories: int = 100_000,
    *,
    corpus: Path | None = None,
    via: str = "http",
    bench_dir: Path = DEFAULT_BENCH_DIR,
    tuireader: str | None = None,
    seed: int = 1,
) -> dict[str, float | int | str]:
    """Make the store under ``out`` (which must not hold one yet); timings and counts."""
    tuireader = tuireader or default_tuireader()
    feeds = max(1, math.ceil(stories / ITEMS_PER_FEED))
    items = min(stories, ITEMS_PER_FEED)
    corpus = corpus or out / "corpus"
    if (out / "data").exists():
        raise LibraryError(f"{out}/data already exists")
    (out / "config").mkdir(parents=True, exist_ok=True)
    (out / "config" / "config.toml").write_text(CONFIG, encoding="utf-8")
    env = store_env(out)
    report: dict[str, float | int | str] = {"via": via, "feeds": feeds, "items_per_feed": items}
    report["generate_s"] = generate(bench_dir, corpus, feeds, items, seed)
    t0 = time.perf_counter()
    if via == "folder":
        report["load_s"] = run([tuireader, "add", str(corpus / "feeds")], env)
    elif via == "http":
        report["import_s"] = run([tuireader, "import", str(corpus / "subscriptions.opml")], env)
        with serving(bench_dir, corpus, corpus_port(corpus)):
            report["refresh_s"] = run([tuireader, "refresh", "--quiet"], env)
    else:
        raise LibraryError(f"unknown --via {via!r}")
    report["total_load_s"] = time.perf_counter() - t0
    report["stories"] = story_count(out)
    report["db_mb"] = sum(p.stat().st_size for p in (out / "data").iterdir()) / 1e6
    return report


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--out", type=Path, required=True, help="store directory (created)")
    p.add_argument("--stories", type=int, default=100_000, help="about this many (default 100000)")
    p.add_argument("--via", choices=("http", "folder"), default="http")
    p.add_argument("--corpus", type=Path, help="corpus dir to reuse or create (default OUT/corpus)")
    p.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR)
    p.add_argument("--tuireader", default=None, help="the tuireader command")
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    a = parse_args(argv)
    try:
        report = build(
            a.out.resolve(),
            a.stories,
            corpus=a.corpus.resolve() if a.corpus else None,
            via=a.via,
            bench_dir=a.bench_dir.resolve(),
            tuireader=a.tuireader,
            seed=a.seed,
        )
    except (LibraryError, OSError, subprocess.CalledProcessError) as exc:
        print(f"make_library: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
