#!/usr/bin/env python3
"""Profile a tuireader command in every thread, and summarise where the CPU time goes.

``python -m cProfile -m tuireader refresh`` only sees the main thread: parsing runs in
``asyncio.to_thread`` workers and shows up there as time waiting in ``select``. This wraps
``asyncio.to_thread`` so each worker thread gets its own ``cProfile.Profile`` (CPU time via
``time.thread_time``), runs the command in-process, then merges every thread's stats.
Run it with the interpreter tuireader is installed in, with TUIREADER_* set as usual:

  .venv/bin/python benchmarks/profile_refresh.py -o /tmp/r.prof refresh --quiet
  .venv/bin/python benchmarks/profile_refresh.py --show /tmp/r.prof    # any .prof file

Stdlib only (plus tuireader itself when profiling).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

# (bucket, substrings of "filename:function"); first match wins, checked on exclusive time
BUCKETS: list[tuple[str, tuple[str, ...]]] = [
    ("startup/imports", ("<frozen importlib", "importlib/", "<built-in method builtins.exec>")),
    ("sqlite", ("sqlite3", "/storage/", "services/library.py")),
    ("plain_text", ("content/", "html/__init__", "markdownify", "trafilatura", "bs4/")),
    (
        "parse",
        (
            "fastfeedparser",
            "feedparser",
            "sources/feedparse.py",
            "sources/guard.py",
            "sources/jsonfeed.py",
            "lxml",
            "dateutil",
            "xml/",
            "json/",
            "pyexpat",
        ),
    ),
    (
        "fetch (http)",
        ("httpx", "httpcore", "h11", "anyio", "sources/http.py", "socket", "ssl", "idna"),
    ),
    ("event loop/threads", ("asyncio", "selectors", "select.", "threading", "concurrent/")),
]


def bucket(key: tuple[str, int, str]) -> str:
    text = f"{key[0]}:{key[2]}"
    for name, needles in BUCKETS:
        if any(n in text for n in needles):
            return name
    return "other"


KEY_FUNCS = (
    ("refresh.py", "_parse_feed_with_text"),
    ("feedparse.py", "parse_feed"),
    ("refresh.py", "_with_text"),
    ("plain.py", "plain_text"),
    ("library.py", "store"),
    ("library.py", "record"),
    ("http.py", "fetch"),
    ("refresh.py", "refresh_one"),
)


Key = tuple[str, int, str]


def attribute(raw: dict[Key, Any]) -> dict[str, float]:
    """Exclusive time per area; a function in no area (``re.sub``, ``str.join``, urllib...)
    is charged to its callers' areas, in proportion to the time each call site spent in it."""
    memo: dict[Key, dict[str, float]] = {}
    busy: set[Key] = set()

    def mix(key: Key) -> dict[str, float]:
        b = bucket(key)
        if b != "other" or key in busy:
            return {b: 1.0}
        if key in memo:
            return memo[key]
        callers: dict[Key, tuple[int, int, float, float]] = raw[key][4]
        weight = sum(edge[2] for edge in callers.values())
        if not callers or weight <= 0:
            return {"other": 1.0}
        busy.add(key)
        out: dict[str, float] = {}
        for ck, edge in callers.items():
            for name, frac in (mix(ck) if ck in raw else {"other": 1.0}).items():
                out[name] = out.get(name, 0.0) + frac * edge[2] / weight
        busy.discard(key)
        memo[key] = out
        return out

    sums: dict[str, float] = {}
    for key, value in raw.items():
        for name, frac in mix(key).items():
            sums[name] = sums.get(name, 0.0) + frac * value[2]
    return sums


def show(path: str, top: int = 25) -> None:
    st = pstats.Stats(path)
    raw: dict[Key, Any] = st.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    sums = attribute(raw)
    print(f"{path}: {total:.2f} s profiled in all (sum of exclusive times)")
    print("\nexclusive time by area (helpers in no area charged to their callers):")
    for name, t in sorted(sums.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<20} {t:7.2f} s  {100 * t / total:5.1f} %")
    print("\nkey functions (cumulative):")
    for fname, func in KEY_FUNCS:
        for key, (_cc, nc, _tt, ct, _callers) in raw.items():
            if key[0].endswith(fname) and key[2] == func:
                print(f"  {fname}:{func:<24} {ct:7.2f} s  calls={nc}")
    print(f"\ntop {top} by cumulative time:")
    st.sort_stats("cumulative").print_stats(top)
    print(f"top {top} by exclusive time:")
    st.sort_stats("tottime").print_stats(top)


def profile(out: str, argv: Sequence[str]) -> int:
    profiles: list[cProfile.Profile] = []
    lock = threading.Lock()
    local = threading.local()
    original = asyncio.to_thread

    def thread_profile() -> cProfile.Profile:
        prof: cProfile.Profile | None = getattr(local, "prof", None)
        if prof is None:
            prof = cProfile.Profile(time.thread_time)
            local.prof = prof
            with lock:
                profiles.append(prof)
        return prof

    async def to_thread(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        def run() -> Any:
            prof = thread_profile()
            prof.enable()
            try:
                return func(*args, **kwargs)
            finally:
                prof.disable()

        return await original(run)

    asyncio.to_thread = to_thread  # type: ignore[assignment]
    from tuireader.cli.main import run as run_cli

    main_prof = cProfile.Profile(time.thread_time)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    main_prof.enable()
    try:
        rc = run_cli(list(argv))
    finally:
        main_prof.disable()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    stats = pstats.Stats(main_prof)
    for prof in profiles:
        stats.add(prof)
    stats.dump_stats(out)
    print(
        f"{' '.join(argv)}: rc={rc} wall {wall:.2f} s, process CPU {cpu:.2f} s, "
        f"{len(profiles)} worker thread(s); wrote {out}",
        file=sys.stderr,
    )
    return rc


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("-o", "--out", help="write the merged profile here")
    ap.add_argument("--show", metavar="FILE.prof", help="summarise a profile and exit")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("argv", nargs=argparse.REMAINDER, help="tuireader arguments")
    a = ap.parse_args()
    if a.show:
        show(a.show, a.top)
        return 0
    if not a.out or not a.argv:
        ap.error("give -o FILE and the tuireader arguments, or --show FILE")
    return profile(a.out, a.argv)


if __name__ == "__main__":
    sys.exit(main())
