#!/usr/bin/env python3
"""The filter language's speed: queries over 100,000 stories, and beside newsboat's filter
on the same 10,000 stories (issue 13).

Stores are built by ``make_library.py`` (the shared corpus generator, served on 127.0.0.1,
``tuireader import`` + ``tuireader refresh``): 2,000 feeds x 50 items for the 100k store,
200 x 50 for the 10k one. newsboat's ``cache.db`` is built from the very same 10k corpus,
served the same way, with ``newsboat -x reload``.

What is timed, for each query:

- tuireader: what a view needs, in process, through the library facade the app uses: the
  count of matching stories plus their first page of 100 headlines
  (``Library.count`` + ``Library.page`` with ``StoryQuery(expr=...)``), on an open, warm
  connection; ``--runs`` times after one warm-up; p50 and p95.
- newsboat: it has no command that prints a filter's result, so the query goes in a
  ``query:`` feed and ``prepopulate-query-feeds yes`` makes ``newsboat -x print-unread``
  fill it at start (what opening the query feed does in the UI: the filter is evaluated
  on every article). Each run is a whole process; the figure shown is the median of
  ``--newsboat-runs`` differences between a run and a run of the same command without the
  query feed just before it (loading the cache), after one untimed run of each (the first
  run after a build is cold), so it is the filter's own time. Both figures are in the table.

  python benchmarks/query_bench.py --work /tmp/qbench --readme README.md   # ~4 min first
  python benchmarks/query_bench.py --work /tmp/qbench   # reuses the stores built there

``--readme`` writes the table between the ``<!-- query-bench -->`` markers of that file.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_library
from readme_block import BenchError, write_block

from tuireader.config.settings import Settings
from tuireader.domain.query import StoryQuery
from tuireader.services.library import Library
from tuireader.storage.database import open_database

MARK_START, MARK_END = "<!-- query-bench -->", "<!-- /query-bench -->"
TARGET_MS = 100.0

# the same expressions are given to both readers; {recent} is filled from the corpus
QUERIES: list[tuple[str, str]] = [
    ("unread", 'unread = "yes"'),
    ("title, a word", 'title =~ "broadband"'),
    ("title, a regex", 'title =~ "^(the|a) .*(ban|reject)"'),
    ("title # a word", 'title # "broadband"'),
    ("author =", 'author = "Noah Dubois"'),
    ("tag (folder)", 'tags # "Tech"'),
    ("recent and unread", 'age < {recent} and unread = "yes"'),
    (
        "newsboat's doc example",
        '( author =~ "Noah" or author =~ "Müller" ) and'
        ' ( title =~ "broadband" or title =~ "privacy" )',
    ),
    # a substring test costs as many steps as the bodies hold its rarest letter: q is rare
    ("content, a word", 'content =~ "quantum"'),
    ("content, a word of common letters", 'content =~ "tornado"'),
    ("content, a word of i, k and s", 'content =~ "crisis"'),
    # a regex with words in it is tested by those words first; one with none runs on every body
    ("content, a regex with words", 'content =~ "broadband (plan|deal)s?"'),
    ("content, a regex with no word", 'content =~ "[xz]{{3}}"'),
]


def store(work: Path, stories: int) -> Path:
    """The tuireader store of ``stories`` under ``work`` (built once)."""
    out = work / f"tui{stories}"
    if not (out / "data" / "tuireader.db").exists():
        shutil.rmtree(out, ignore_errors=True)
        print(f"building a {stories}-story store in {out} …", file=sys.stderr)
        report = make_library.build(out, stories)
        print(f"  {report}", file=sys.stderr)
    return out


def newsboat_home(work: Path, corpus: Path) -> Path:
    """newsboat's cache.db of the 10k corpus, made by ``newsboat -x reload`` (built once)."""
    home = work / "newsboat"
    cache = home / "cache.db"
    if cache.exists():
        return home
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(corpus / "urls.txt", home / "urls")
    (home / "config").write_text("reload-threads 8\n", encoding="utf-8")
    print("building newsboat's cache.db …", file=sys.stderr)
    with make_library.serving(
        make_library.DEFAULT_BENCH_DIR, corpus, make_library.corpus_port(corpus)
    ):
        done = subprocess.run(
            newsboat_cmd(home, home / "urls", "reload"),
            env=newsboat_env(home),
            capture_output=True,
            text=True,
            timeout=1200,
        )
    if done.returncode != 0 or not cache.exists():
        raise BenchError(f"newsboat -x reload failed: {done.stderr.strip()[:300]}")
    return home


def newsboat_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    return {**env, "HOME": str(home), "XDG_CONFIG_HOME": str(home), "XDG_DATA_HOME": str(home)}


def newsboat_cmd(home: Path, urls: Path, command: str, config: Path | None = None) -> list[str]:
    return [
        "newsboat",
        "-u",
        str(urls),
        "-c",
        str(home / "cache.db"),
        "-C",
        str(config or home / "config"),
        "-x",
        command,
    ]


def _newsboat_urls(home: Path, expr: str | None) -> Path:
    """A urls file: the corpus's feeds, and ``expr`` as a query feed (``None``: none)."""
    urls = home / ("urls-bench" if expr is not None else "urls-base")
    feeds = (home / "urls").read_text(encoding="utf-8")
    if expr is not None:
        feeds += '"query:bench:' + expr.replace("\\", "\\\\").replace('"', '\\"') + '"\n'
    urls.write_text(feeds, encoding="utf-8")
    return urls


def _newsboat_run(home: Path, urls: Path) -> float:
    """Seconds of one whole ``newsboat -x print-unread`` with query feeds prepopulated."""
    config = home / "config-bench"
    config.write_text("prepopulate-query-feeds yes\n", encoding="utf-8")
    t0 = time.perf_counter()
    done = subprocess.run(
        newsboat_cmd(home, urls, "print-unread", config),
        env=newsboat_env(home),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    took = time.perf_counter() - t0
    if done.returncode != 0:
        raise BenchError(f"newsboat -x print-unread failed: {done.stderr.strip()[:300]}")
    return took


def newsboat_query(home: Path, expr: str, runs: int) -> tuple[float, float, float]:
    """newsboat's own time for ``expr``: runs with it as a prepopulated query feed, each
    paired with a run of the same command without it (loading the cache), after one
    untimed run of each (a cold first run is not the filter's). The median of the paired
    differences, the median whole run with the query, and the median without."""
    base_urls, query_urls = _newsboat_urls(home, None), _newsboat_urls(home, expr)
    _newsboat_run(home, base_urls), _newsboat_run(home, query_urls)
    bases, wholes = [], []
    for _ in range(runs):
        bases.append(_newsboat_run(home, base_urls))
        wholes.append(_newsboat_run(home, query_urls))
    differences = [w - b for w, b in zip(wholes, bases, strict=True)]
    return statistics.median(differences), statistics.median(wholes), statistics.median(bases)


def recent_days(lib: Library) -> int:
    """Days since the newest story, plus 3: "the last few days" of the corpus."""
    newest = lib.page(StoryQuery(), 1)
    if not newest or newest[0].dated is None:
        return 3
    return int((time.time() - newest[0].dated.timestamp()) // 86400) + 3


def time_ours(lib: Library, expr: str, runs: int) -> tuple[float, float, int]:
    """p50 and p95 ms of count + first page of 100, and the count."""
    query = StoryQuery(expr=expr)
    total = lib.count(query)
    lib.page(query, 100, total=total)  # warm-up (the database's pages in memory)
    samples: list[float] = []
    for _ in range(runs):
        # a view's count and pages share one scan, kept until the store changes: forget it,
        # so each run is a first answer (as after a refresh or a mark), not a kept one
        lib._stories.views.filtered.forget()
        t0 = time.perf_counter()
        total = lib.count(query)
        lib.page(query, 100, total=total)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95, total


def open_library(out: Path) -> Library:
    conn, _ = open_database(out / "data" / "tuireader.db")
    return Library(conn, Settings())


def bench(args: argparse.Namespace) -> str:
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    big, small = store(work, args.stories), store(work, 10_000)
    have_newsboat = shutil.which("newsboat") is not None and not args.no_newsboat
    home = newsboat_home(work, small / "corpus") if have_newsboat else None
    load_before = os.getloadavg()[0]
    lib_big, lib_small = open_library(big), open_library(small)
    recent = recent_days(lib_small)
    big_n, small_n = lib_big.count(StoryQuery()), lib_small.count(StoryQuery())
    bases: list[float] = []
    rows = [
        f"| query | {big_n:,} stories: p50 / p95 ms (matches) | {small_n:,} stories: p50 ms"
        " | newsboat, 10,000: filter s (whole run s) |",
        "|---|---|---|---|",
    ]
    for name, template in QUERIES:
        expr = template.format(recent=recent)
        p50, p95, hits = time_ours(lib_big, expr, args.runs)
        s50, _, small_hits = time_ours(lib_small, expr, args.runs)
        theirs = "—"
        if home is not None:
            own, whole, base = newsboat_query(home, expr, args.newsboat_runs)
            bases.append(base)
            theirs = f"{own:.2f} ({whole:.2f})"
        flag = "" if p95 <= TARGET_MS else " ⚠"
        shown = expr.replace("|", "\\|")  # a | inside a table cell
        rows.append(
            f"| {name}: `{shown}` | {p50:.1f} / {p95:.1f}{flag} ({hits:,}) |"
            f" {s50:.1f} ({small_hits:,}) | {theirs} |"
        )
        print(rows[-1], file=sys.stderr)
    rows += [
        "",
        f"Target: p95 ≤ {TARGET_MS:.0f} ms at 100,000 stories (⚠ marks a query over it)."
        f" tuireader: count + first page of 100, {args.runs} runs after a warm-up, in process"
        " on a warm connection. newsboat 2.21: the query as a `query:` feed with"
        " `prepopulate-query-feeds yes`, `newsboat -x print-unread`: the median of"
        f" {args.newsboat_runs} differences between a whole run and a run without the query"
        " feed just before it (loading the cache:"
        f" {statistics.median(bases) if bases else 0.0:.2f} s), after one untimed run of each."
        " 2 cores shared with other work (load average"
        f" {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end); written by"
        " `python benchmarks/query_bench.py --readme README.md`.",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/query-bench"))
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--newsboat-runs", type=int, default=3)
    parser.add_argument("--no-newsboat", action="store_true")
    parser.add_argument("--readme", type=Path, help="write the table into this file")
    args = parser.parse_args(argv)
    try:
        text = bench(args)
    except (BenchError, make_library.LibraryError, OSError) as exc:
        print(f"query_bench: {exc}", file=sys.stderr)
        return 1
    print(text)
    if args.readme:
        write_block(args.readme, MARK_START, MARK_END, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
