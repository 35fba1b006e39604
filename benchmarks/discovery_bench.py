#!/usr/bin/env python3
"""Discovery at scale: clustering on refresh, related, trending, recommended, memory, store growth.

Run it with this repo's venv (it drives tuireader in-process, through the composition root):

  .venv/bin/python benchmarks/discovery_bench.py                      # 100k stored + 10k new
  .venv/bin/python benchmarks/discovery_bench.py --store /tmp/lib100k # reuse a make_library store
  .venv/bin/python benchmarks/discovery_bench.py --quick              # 5k stored + 1k new
  .venv/bin/python benchmarks/discovery_bench.py --profile /tmp/disc  # + cProfile of each call

What one run does:

1. The stored library: ``--store DIR`` (a store made by make_library.py), else one built with
   make_library.build() (``--stories``, default 100,000: 2,000 feeds x 50, ~70 s). Its data dir
   is copied into the work dir first, so the store given is never modified and can be reused.
2. A second corpus (``--new-feeds`` 200 x 50 items, ``--new-seed`` 2) is generated with the
   shared gen_corpus.py, served with serve.py, imported as new sources
   (Library.import_opml) and refreshed through Context.refresher(). When the stored library's
   own corpus is there (STORE/corpus, as make_library leaves it), it is served on its port too
   and every source is refreshed (the old ones answer 304); otherwise only the new sources.
   Reported: RefreshReport.discovery.seconds (Discovery.index on the new stories) and the
   refresh wall time; RSS before, and the RSS high-water mark during, index().
3. The same index() call is replayed under tracemalloc (its peak is the Python memory index()
   needs); replaying re-signs and re-clusters the same stories, so the work is the same.
4. Related (p50/p95 over ``--related`` random ids, after a warm-up), trending after
   invalidate() (``--runs``), recommended after marking ~30 stories finished or starred, and
   Discovery.lists_for (what the app calls when a story opens).
   Before the refresh, Discovery.index_meaning() embeds the stored library (its backlog,
   once); after it, index_meaning() embeds the new stories (the background half of
   indexing, after the refresh's report), timed, with RSS and a tracemalloc replay.
5. Store growth: dbstat page sizes, sum(length(sig)), cluster ids and the two discovery indexes
   (``--vacuum-check`` also measures it the long way: copy, clear, drop, VACUUM, compare).

Prints a Markdown table (figure, target, met/missed) and the details; ``--json FILE`` writes
them. Stdlib plus the project; Python >= 3.11.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import json
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_library as ml  # noqa: E402  (benchmarks/ is not a package)

from tuireader.app import Context, build_context  # noqa: E402
from tuireader.domain.models import StoryText  # noqa: E402

MB = 1024 * 1024
TARGETS = {
    "index_s": 2.0,
    "related_p95_ms": 50.0,
    "trending_p95_s": 1.0,
    "memory_mb": 100.0,
    "growth_pct": 50.0,
}


# measuring -------------------------------------------------------------------------------
def proc_status() -> dict[str, int]:
    """VmRSS and VmHWM of this process, bytes."""
    out: dict[str, int] = {}
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) * 1024
    return out


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False when not allowed."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
    except OSError:
        return False
    return True


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank), q in [0, 100]."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def summary(seconds: Sequence[float]) -> dict[str, float]:
    """p50 / p95 / max / mean in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(pct(ms, 95), 2),
        "max_ms": round(max(ms), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


def timed(
    fn: Callable[[], object], runs: int, before: Callable[[], object] | None = None
) -> list[float]:
    """Seconds for each of ``runs`` calls of ``fn`` (``before`` runs untimed each time)."""
    out = []
    for _ in range(runs):
        if before is not None:
            before()
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


@contextlib.contextmanager
def profiled(directory: Path | None, name: str) -> Iterator[None]:
    """cProfile the block into DIRECTORY/NAME.prof (no-op without a directory)."""
    if directory is None:
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    prof = cProfile.Profile()
    prof.enable()
    try:
        yield
    finally:
        prof.disable()
        prof.dump_stats(str(directory / f"{name}.prof"))


# the store -------------------------------------------------------------------------------
def prepare_store(args: argparse.Namespace, work: Path) -> tuple[Path, dict[str, Any]]:
    """The stored library (given or built); returns its directory and what building took."""
    if args.store is not None:
        store = args.store.resolve()
        if not (store / "data" / "tuireader.db").is_file():
            raise ml.LibraryError(f"{store}/data/tuireader.db does not exist")
        return store, {"reused": str(store)}
    store = work / "base"
    print(f"building a store of {args.stories:,} stories in {store} ...", flush=True)
    report = ml.build(store, args.stories, bench_dir=args.bench_dir, seed=args.seed)
    return store, dict(report)


def copy_store(store: Path, run: Path) -> None:
    """The store's data dir (checkpointed) and a config that never refreshes on start."""
    src_db = store / "data" / "tuireader.db"
    with contextlib.closing(sqlite3.connect(src_db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (run / "data").mkdir(parents=True)
    for path in (store / "data").iterdir():
        if path.is_file():
            shutil.copy2(path, run / "data" / path.name)
    (run / "config").mkdir(parents=True)
    (run / "config" / "config.toml").write_text(ml.CONFIG, encoding="utf-8")


# 1. clustering on refresh -----------------------------------------------------------------
def refresh_new(
    ctx: Context, args: argparse.Namespace, store: Path, work: Path, out: dict[str, Any]
) -> tuple[list[StoryText], dict[int, Any]]:
    """Import and refresh the new corpus; returns what index() was given."""
    corpus = work / "new_corpus"
    gen_s = ml.generate(args.bench_dir, corpus, args.new_feeds, ml.ITEMS_PER_FEED, args.new_seed)
    new_sources, skipped = ctx.library.import_opml((corpus / "subscriptions.opml").read_bytes())
    if skipped or len(new_sources) != args.new_feeds:
        raise ml.LibraryError(f"import: {len(new_sources)} new sources, {skipped} skipped")
    old_corpus = args.old_corpus or store / "corpus"
    serve_old = (old_corpus / "manifest.json").is_file() and not args.new_only
    if serve_old and ml.corpus_port(old_corpus) == ml.corpus_port(corpus):
        raise ml.LibraryError("both corpora point at the same port; generate the new one again")

    captured: dict[str, Any] = {}
    real_index = ctx.discovery.index

    def index(items: Sequence[StoryText], counts: Any = None) -> Any:
        captured["items"], captured["counts"] = list(items), dict(counts or {})
        gc.collect()
        captured["rss_before"] = proc_status()["VmRSS"]
        captured["hwm_reset"] = reset_peak_rss()
        result = real_index(items, counts)
        status = proc_status()
        captured["rss_after"], captured["hwm"] = status["VmRSS"], status["VmHWM"]
        return result

    ctx.discovery.index = index  # type: ignore[method-assign]

    async def go() -> Any:
        async with ctx.refresher() as refresher:
            targets = None if serve_old else new_sources
            return await refresher.refresh(targets)

    with contextlib.ExitStack() as stack:
        stack.enter_context(ml.serving(args.bench_dir, corpus, ml.corpus_port(corpus)))
        if serve_old:
            stack.enter_context(ml.serving(args.bench_dir, old_corpus, ml.corpus_port(old_corpus)))
        rss0 = proc_status()["VmRSS"]
        t0 = time.perf_counter()
        report = asyncio.run(go())
        wall = time.perf_counter() - t0
    ctx.discovery.index = real_index  # type: ignore[method-assign]

    if report.failed:
        first = report.failed[0]
        raise ml.LibraryError(f"{len(report.failed)} sources failed, e.g. {first.message}")
    if report.discovery is None:
        raise ml.LibraryError(f"discovery did not run: {report.discovery_error or 'no stories'}")
    outcomes = Counter(r.outcome.value for r in report.results)
    out["refresh"] = {
        "generate_new_corpus_s": round(gen_s, 2),
        "scope": "all sources (old ones answer 304)" if serve_old else "new sources only",
        "sources_refreshed": len(report.results),
        "outcomes": dict(outcomes),
        "new_stories": report.new,
        "wall_s": round(wall, 2),
        "index_s": round(report.discovery.seconds, 3),
        "index_signed": report.discovery.signed,
        "index_clustered": report.discovery.clustered,
        "rss_before_refresh_mb": round(rss0 / MB, 1),
        "rss_before_index_mb": round(captured["rss_before"] / MB, 1),
        "rss_after_index_mb": round(captured["rss_after"] / MB, 1),
        "rss_peak_during_index_mb": round(captured["hwm"] / MB, 1)
        if captured["hwm_reset"]
        else None,
    }
    return captured["items"], captured["counts"]


def cluster_figures(conn: sqlite3.Connection, new_ids: Sequence[int]) -> dict[str, Any]:
    """How the new stories were clustered (with each other and with stored stories)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS bench_new (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM bench_new")
    conn.executemany("INSERT INTO bench_new VALUES (?)", [(i,) for i in new_ids])
    clustered, clusters = conn.execute(
        "SELECT count(*), count(DISTINCT cluster_id) FROM stories"
        " WHERE id IN (SELECT id FROM bench_new) AND cluster_id IS NOT NULL"
    ).fetchone()
    sizes = [
        (int(n), int(new), int(srcs))
        for n, new, srcs in conn.execute(
            "SELECT count(*), sum(id IN (SELECT id FROM bench_new)), count(DISTINCT source_id)"
            " FROM stories WHERE cluster_id IN (SELECT cluster_id FROM stories"
            " WHERE id IN (SELECT id FROM bench_new) AND cluster_id IS NOT NULL)"
            " GROUP BY cluster_id"
        )
    ]
    with_old = sum(1 for n, new, _ in sizes if n > new)
    all_clusters, all_clustered = conn.execute(
        "SELECT count(DISTINCT cluster_id), count(cluster_id) FROM stories"
    ).fetchone()
    return {
        "new_stories": len(new_ids),
        "new_stories_clustered": int(clustered),
        "clusters_with_a_new_story": int(clusters),
        "of_which_also_hold_stored_stories": with_old,
        "cluster_size_max": max((n for n, _, _ in sizes), default=0),
        "cluster_size_median": statistics.median([n for n, _, _ in sizes]) if sizes else 0,
        "cluster_sources_max": max((s for _, _, s in sizes), default=0),
        "library_clusters": int(all_clusters),
        "library_stories_clustered": int(all_clustered),
    }


def replay_index(
    ctx: Context, items: list[StoryText], counts: dict[int, Any], profile: Path | None
) -> dict[str, Any]:
    """index() again on the same stories: tracemalloc peak (and a cProfile if asked)."""
    gc.collect()
    tracemalloc.start()
    t0 = time.perf_counter()
    result = ctx.discovery.index(items, counts)
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out = {
        "tracemalloc_peak_mb": round(peak / MB, 1),
        "replay_s_under_tracemalloc": round(seconds, 2),
        "replay_clustered": result.clustered,
    }
    if profile is not None:
        gc.collect()
        with profiled(profile, "index"):
            again = ctx.discovery.index(items, counts)
        out["replay_s_under_cprofile"] = round(again.seconds, 2)
    gc.collect()
    plain = ctx.discovery.index(items, counts)
    out["replay_s"] = round(plain.seconds, 3)
    return out


def meaning_step(ctx: Context) -> dict[str, Any]:
    """Discovery.index_meaning(): the background half of indexing (embed every story without
    a vector, then join by meaning), timed, with its RSS high-water mark and (run again on
    the same stories, their vectors dropped) its tracemalloc peak."""
    gc.collect()
    rss0 = proc_status()["VmRSS"]
    reset = reset_peak_rss()
    report = ctx.discovery.index_meaning()
    status = proc_status()
    out: dict[str, Any] = {
        "embedded": report.embedded,
        "joined_by_meaning": report.joined,
        "seconds": round(report.seconds, 2),
        "problem": report.problem,
        "rss_extra_peak_mb": round((status["VmHWM"] - rss0) / MB, 1) if reset else None,
    }
    return out


def meaning_replay(ctx: Context, ids: Sequence[int]) -> dict[str, Any]:
    """index_meaning() again on the new stories (their vectors dropped) under tracemalloc."""
    ctx.discovery.repo.forget_vectors(list(ids))
    gc.collect()
    tracemalloc.start()
    report = ctx.discovery.index_meaning()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"tracemalloc_peak_mb": round(peak / MB, 1), "embedded": report.embedded}


# 2-4. reading ----------------------------------------------------------------------------
def reading(
    ctx: Context, args: argparse.Namespace, rng: random.Random, out: dict[str, Any]
) -> None:
    """Related, trending, recommended and lists_for, with RSS around them."""
    disc = ctx.discovery
    ids = [int(r[0]) for r in ctx.conn.execute("SELECT id FROM stories")]
    sample = rng.sample(ids, min(len(ids), args.related + 20))
    warm, timed_ids = sample[:20], sample[20:]
    gc.collect()
    rss0 = proc_status()["VmRSS"]
    reset_peak_rss()
    mem: dict[str, float] = {"rss_before_reading_mb": round(rss0 / MB, 1)}

    for sid in warm:
        disc.related(sid)
    lens: list[int] = []
    secs = []
    for sid in timed_ids:
        t0 = time.perf_counter()
        lens.append(len(disc.related(sid)))
        secs.append(time.perf_counter() - t0)
    out["related"] = summary(secs) | {
        "results_mean": round(statistics.fmean(lens), 1),
        "empty": sum(1 for n in lens if n == 0),
    }
    mem["rss_after_related_mb"] = round(proc_status()["VmRSS"] / MB, 1)

    secs = timed(disc.trending, args.runs, before=disc.invalidate)
    disc.invalidate()
    out["trending"] = summary(secs) | {
        "window_stories": len(window_rows(ctx, disc)),
        "cached_call_ms": round(timed(disc.trending, 1)[0] * 1000, 3),
    }
    mem["rss_after_trending_mb"] = round(proc_status()["VmRSS"] / MB, 1)

    engaged = rng.sample(ids, min(len(ids), 30))
    finished, starred = engaged[: len(engaged) // 2], engaged[len(engaged) // 2 :]
    ctx.library.mark(finished, read=True)
    for sid in finished:
        ctx.library.mark_finished(sid)
    ctx.library.mark(starred, starred=True)

    def titles(story_ids: Sequence[int]) -> dict[int, str]:
        return {i: t for i, (t, _) in disc.titles(story_ids).items()}

    disc.recommend(titles)  # warm
    secs = timed(lambda: disc.recommend(titles), args.runs)
    out["recommend"] = summary(secs) | {
        "finished": len(finished),
        "starred": len(starred),
        "results": len(disc.recommend(titles)),
    }
    mem["rss_after_recommend_mb"] = round(proc_status()["VmRSS"] / MB, 1)

    opened = timed_ids[: args.runs]
    secs = []
    for sid in opened:
        disc.invalidate()  # as after a refresh: the worst case for an open
        t0 = time.perf_counter()
        disc.lists_for(sid)
        secs.append(time.perf_counter() - t0)
    out["lists_for_after_invalidate"] = summary(secs)
    secs = timed(lambda: disc.lists_for(opened[0]), args.runs)
    out["lists_for_warm"] = summary(secs)

    status = proc_status()
    mem["rss_after_reading_mb"] = round(status["VmRSS"] / MB, 1)
    mem["rss_peak_during_reading_mb"] = round(status["VmHWM"] / MB, 1)
    mem["reading_extra_peak_mb"] = round((status["VmHWM"] - rss0) / MB, 1)
    out["memory_reading"] = mem


def window_rows(ctx: Context, disc: Any) -> list[Any]:
    """The rows trending ranks (same fallback as Discovery.trending)."""
    now = int(disc.clock())
    span = disc.trending_hours * 3600
    rows = disc.repo.window(now - span, now + 3600)
    if not rows:
        newest = disc.repo.newest_time()
        if newest is not None:
            rows = disc.repo.window(newest - span, newest + 3600)
    return list(rows)


def profile_reading(ctx: Context, rng: random.Random, directory: Path) -> None:
    """One cProfile per reading call, a few calls each."""
    disc = ctx.discovery
    ids = [int(r[0]) for r in ctx.conn.execute("SELECT id FROM stories")]
    with profiled(directory, "related"):
        for sid in rng.sample(ids, 50):
            disc.related(sid)
    with profiled(directory, "trending"):
        for _ in range(5):
            disc.invalidate()
            disc.trending()

    def titles(story_ids: Sequence[int]) -> dict[int, str]:
        return {i: t for i, (t, _) in disc.titles(story_ids).items()}

    with profiled(directory, "recommend"):
        for _ in range(5):
            disc.recommend(titles)


# 6. store growth -------------------------------------------------------------------------
DISCOVERY_INDEXES = ("stories_by_cluster", "stories_unsigned")


def store_growth(db: Path) -> dict[str, Any]:
    """Bytes on disk due to discovery, from dbstat (the page sizes of each table and index)."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        free = conn.execute("PRAGMA freelist_count").fetchone()[0]
        try:
            by_name = {
                str(n): int(s)
                for n, s in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name")
            }
        except sqlite3.OperationalError:
            by_name = {}
        rows, sig_bytes, clustered = conn.execute(
            "SELECT count(*), coalesce(sum(length(CAST(sig AS BLOB))), 0), count(cluster_id)"
            " FROM stories"
        ).fetchone()
        # a cluster id is a 3-byte integer in the record; every row also has 2 header bytes
        # for the two columns (sig and cluster_id)
        cluster_bytes = 3 * clustered + 2 * rows
    file_bytes = page_size * pages
    index_bytes = sum(by_name.get(n, 0) for n in DISCOVERY_INDEXES)
    vector_bytes = by_name.get("story_vectors", 0)  # V11: a table of its own
    discovery = sig_bytes + cluster_bytes + index_bytes + vector_bytes
    biggest = sorted(by_name.items(), key=lambda kv: -kv[1])[:8]
    return {
        "db_mb": round(file_bytes / 1e6, 1),
        "free_pages_mb": round(free * page_size / 1e6, 1),
        "stories": rows,
        "sig_mb": round(sig_bytes / 1e6, 2),
        "sig_bytes_per_story": round(sig_bytes / max(rows, 1), 1),
        "cluster_id_mb_est": round(cluster_bytes / 1e6, 2),
        "vectors_mb": round(vector_bytes / 1e6, 2),
        "discovery_indexes_mb": {n: round(by_name.get(n, 0) / 1e6, 2) for n in DISCOVERY_INDEXES},
        "discovery_mb": round(discovery / 1e6, 2),
        "growth_pct": round(100 * discovery / max(file_bytes - discovery, 1), 1),
        "dbstat": bool(by_name),
        "largest_mb": {n: round(s / 1e6, 1) for n, s in biggest},
    }


def vacuum_check(db: Path, work: Path) -> dict[str, Any]:
    """The long way: copy, clear the discovery columns, drop its indexes, VACUUM both, compare."""
    sizes = {}
    for label, clear in (("with", False), ("without", True)):
        copy = work / f"vacuum_{label}.db"
        shutil.copy2(db, copy)
        with contextlib.closing(sqlite3.connect(copy, isolation_level=None)) as conn:
            if clear:
                conn.execute("UPDATE stories SET sig = '', cluster_id = NULL")
                for name in DISCOVERY_INDEXES:
                    conn.execute(f"DROP INDEX IF EXISTS {name}")
            conn.execute("VACUUM")
        sizes[label] = copy.stat().st_size
        copy.unlink()
    return {
        "vacuumed_with_mb": round(sizes["with"] / 1e6, 1),
        "vacuumed_without_mb": round(sizes["without"] / 1e6, 1),
        "growth_pct": round(100 * (sizes["with"] - sizes["without"]) / sizes["without"], 1),
    }


# report ----------------------------------------------------------------------------------
def verdict(value: float | None, target: float) -> str:
    if value is None:
        return "n/a"
    return "met" if value <= target else "**missed**"


def table(r: dict[str, Any]) -> str:
    """The Markdown summary."""
    ref, rel, trend, rec = r["refresh"], r["related"], r["trending"], r["recommend"]
    mem, growth, clus = r["memory_index"], r["store_growth"], r["clusters"]
    extra_rss = ref["rss_peak_during_index_mb"]
    extra_rss = None if extra_rss is None else round(extra_rss - ref["rss_before_index_mb"], 1)
    mem_figure = max(mem["tracemalloc_peak_mb"], extra_rss or 0.0)
    rows = [
        (
            f"Discovery.index of {ref['new_stories']:,} new stories vs {r['stored']:,} stored",
            f"{ref['index_s']:.2f} s",
            "≤ 2 s",
            verdict(ref["index_s"], TARGETS["index_s"]),
        ),
        (
            f"whole refresh ({ref['sources_refreshed']:,} sources: {ref['scope']})",
            f"{ref['wall_s']:.1f} s",
            "-",
            "",
        ),
        (
            f"background: index_meaning() of the {r['meaning_new']['embedded']:,} new stories"
            f" (embed + join by meaning; {r['meaning_new']['joined_by_meaning']} joined)",
            f"{r['meaning_new']['seconds']:.2f} s",
            "off the critical path",
            "",
        ),
        (
            "memory of index_meaning(): tracemalloc peak / RSS high-water above before",
            f"{r['meaning_new']['tracemalloc_peak_mb']:.1f} / "
            f"{r['meaning_new']['rss_extra_peak_mb']} MB",
            "≤ 100 MB",
            verdict(
                max(
                    r["meaning_new"]["tracemalloc_peak_mb"],
                    r["meaning_new"]["rss_extra_peak_mb"] or 0,
                ),
                TARGETS["memory_mb"],
            ),
        ),
        (
            f"backlog: index_meaning() of a library older than vectors "
            f"({r['meaning_backlog']['embedded']:,} stories, once)",
            f"{r['meaning_backlog']['seconds']:.1f} s",
            "background",
            "",
        ),
        (
            f"related(id), {rel['n']} random ids, warm: p50 / p95",
            f"{rel['p50_ms']:.1f} / {rel['p95_ms']:.1f} ms",
            "p95 ≤ 50 ms",
            verdict(rel["p95_ms"], TARGETS["related_p95_ms"]),
        ),
        (
            f"trending() after invalidate(), {trend['n']} runs: p50 / p95",
            f"{trend['p50_ms'] / 1000:.2f} / {trend['p95_ms'] / 1000:.2f} s",
            "≤ 1 s",
            verdict(trend["p95_ms"] / 1000, TARGETS["trending_p95_s"]),
        ),
        (
            f"recommend(), {rec['finished']} finished + {rec['starred']} starred: p50 / p95",
            f"{rec['p50_ms']:.0f} / {rec['p95_ms']:.0f} ms",
            "-",
            "",
        ),
        (
            "lists_for(id) after invalidate() (what opening a story costs): p50 / p95",
            f"{r['lists_for_after_invalidate']['p50_ms']:.0f} / "
            f"{r['lists_for_after_invalidate']['p95_ms']:.0f} ms",
            "-",
            "",
        ),
        (
            "memory of index(): tracemalloc peak / RSS high-water above RSS before",
            f"{mem['tracemalloc_peak_mb']:.1f} / "
            + (f"{extra_rss:.1f} MB" if extra_rss is not None else "n/a"),
            "≤ 100 MB",
            verdict(mem_figure, TARGETS["memory_mb"]),
        ),
        (
            "memory of related/trending/recommend/lists_for: RSS high-water above before",
            f"{r['memory_reading']['reading_extra_peak_mb']:.1f} MB",
            "≤ 100 MB",
            verdict(r["memory_reading"]["reading_extra_peak_mb"], TARGETS["memory_mb"]),
        ),
        (
            f"store growth from discovery ({growth['stories']:,} stories, "
            f"{growth['db_mb']:.0f} MB db)",
            f"{growth['discovery_mb']:.1f} MB = {growth['growth_pct']:.1f} %",
            "≤ 50 %",
            verdict(growth["growth_pct"], TARGETS["growth_pct"]),
        ),
        (
            "clusters among the new stories (synthetic corpus)",
            f"{clus['clusters_with_a_new_story']:,} clusters holding "
            f"{clus['new_stories_clustered']:,} of {clus['new_stories']:,} new stories",
            "-",
            "",
        ),
    ]
    lines = ["| figure | value | target | |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--store", type=Path, help="a make_library.py store to reuse (copied, not changed)"
    )
    p.add_argument("--stories", type=int, default=100_000, help="stories to build (no --store)")
    p.add_argument("--seed", type=int, default=1, help="seed of the stored corpus (built)")
    p.add_argument("--old-corpus", type=Path, help="the stored corpus (default STORE/corpus)")
    p.add_argument("--new-only", action="store_true", help="refresh only the new sources")
    p.add_argument("--new-feeds", type=int, default=200, help="new feeds of 50 items (200)")
    p.add_argument("--new-seed", type=int, default=2)
    p.add_argument("--related", type=int, default=200, help="random ids for related (200)")
    p.add_argument("--runs", type=int, default=20, help="runs of trending/recommend (20)")
    p.add_argument("--quick", action="store_true", help="smoke run: 5k stored, 1k new")
    p.add_argument("--vacuum-check", action="store_true", help="also measure growth by VACUUM")
    p.add_argument("--profile", type=Path, help="write index/related/trending/recommend .prof here")
    p.add_argument("--json", type=Path, help="write the results here")
    p.add_argument("--bench-dir", type=Path, default=ml.DEFAULT_BENCH_DIR)
    p.add_argument("--work-dir", type=Path, help="where the temp dir is made")
    p.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = p.parse_args(argv)
    if args.quick:
        args.stories = 5_000 if args.stories == 100_000 else args.stories
        args.new_feeds = 20 if args.new_feeds == 200 else args.new_feeds
    args.bench_dir = args.bench_dir.resolve()
    return args


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    results: dict[str, Any] = {"python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version}
    store, results["build"] = prepare_store(args, work)
    results["stored"] = ml.story_count(store)
    run_dir = work / "run"
    copy_store(store, run_dir)
    ctx = build_context(str(run_dir / "data"), str(run_dir / "config"))
    try:
        rng = random.Random(args.seed)
        print("embedding the stored library (a library older than vectors) ...", flush=True)
        ctx.conn.execute("DELETE FROM story_vectors")  # the copy: as a library before V11
        results["meaning_backlog"] = meaning_step(ctx)
        print("refreshing the new corpus ...", flush=True)
        items, counts = refresh_new(ctx, args, store, work, results)
        print("the background half: embedding the new stories ...", flush=True)
        results["meaning_new"] = meaning_step(ctx)
        results["meaning_new"] |= meaning_replay(ctx, [t.id for t in items])
        results["clusters"] = cluster_figures(ctx.conn, [t.id for t in items])
        print("replaying index() under tracemalloc ...", flush=True)
        results["memory_index"] = replay_index(ctx, items, counts, args.profile)
        print("related / trending / recommend ...", flush=True)
        reading(ctx, args, rng, results)
        if args.profile is not None:
            profile_reading(ctx, rng, args.profile)
    finally:
        ctx.close()
    db = run_dir / "data" / "tuireader.db"
    results["store_growth"] = store_growth(db)
    if args.vacuum_check:
        print("vacuum check ...", flush=True)
        results["store_growth_vacuum"] = vacuum_check(db, work)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="discovery-bench-", dir=args.work_dir))
    try:
        results = run(args, work)
    except (ml.LibraryError, OSError, subprocess.CalledProcessError) as exc:
        print(f"discovery_bench: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(table(results))
    print()
    print("The new stories come from gen_corpus.py: synthetic headlines drawn from a few dozen")
    print("subjects, verbs and objects, so clustering figures say how much work was done, not")
    print("how good the clusters are.")
    print()
    print("```json")
    print(json.dumps(results, indent=2, ensure_ascii=False))
    print("```")
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
