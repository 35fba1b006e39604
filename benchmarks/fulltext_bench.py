#!/usr/bin/env python3
"""Full-text refresh benchmark: 200 summary-only stories whose pages tuireader fetches.

Generates 4 summary-only RSS feeds of 50 items each and one article page per item (a
realistic page: navigation, a 6-8 KB article, a footer), serves them with the shared
``<bench-dir>/serve.py`` on 127.0.0.1 (run in place, never copied), and measures with the
installed ``tuireader``:

* a cold refresh with ``full_text = "never"`` (feeds only) and with ``"auto"`` (feeds plus
  200 pages fetched, two at a time per host, and extracted): wall time and peak RSS;
* the store on disk after each (the growth is what the kept full texts cost);
* a second refresh with ``"auto"``: pages already kept are not fetched again.

  python benchmarks/fulltext_bench.py                 # 0 and 50 ms latency, median of 3
  python benchmarks/fulltext_bench.py --quick         # one run, 0 ms

Stdlib only.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from refresh_bench import BenchError, Server, check, free_port, timed

WORDS = [
    "harbour",
    "council",
    "tidal",
    "turbine",
    "ferry",
    "school",
    "budget",
    "river",
    "bridge",
    "library",
    "market",
    "energy",
    "engineers",
    "residents",
    "survey",
    "report",
    "plan",
    "vote",
    "season",
    "coast",
    "weather",
    "storm",
    "museum",
    "station",
    "village",
    "farmers",
    "grant",
    "project",
    "meeting",
    "festival",
    "volunteers",
    "data",
    "study",
    "office",
    "record",
]


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(10, 22))]
    return " ".join(words).capitalize() + "."


def page(rng: random.Random, title: str) -> str:
    paragraphs = "".join(
        f"<p>{' '.join(sentence(rng) for _ in range(rng.randint(3, 6)))}</p>\n"
        for _ in range(rng.randint(8, 12))
    )
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title} | Bench News</title>"
        "</head><body><nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/login'>"
        f"Sign in</a></nav><main><article><h1>{title}</h1>\n{paragraphs}</article></main>"
        "<footer>© Bench News · <a href='/privacy'>Privacy</a></footer></body></html>"
    )


def corpus(root: Path, base: str, feeds: int = 4, items: int = 50) -> list[str]:
    rng = random.Random(7)
    (root / "pages").mkdir(parents=True)
    urls = []
    for f in range(feeds):
        entries = []
        for i in range(items):
            title = f"Story {f}-{i}: " + " ".join(rng.choice(WORDS) for _ in range(5))
            name = f"pages/{f}-{i}.html"
            (root / name).write_text(page(rng, title), encoding="utf-8")
            entries.append(
                f"<item><title>{title}</title><link>{base}{name}</link><guid>{f}-{i}</guid>"
                f"<pubDate>Mon, {1 + i % 28:02d} Nov 2026 08:00:00 GMT</pubDate>"
                f"<description>{sentence(rng)}</description></item>"
            )
        doc = f"<rss version='2.0'><channel><title>Summaries {f}</title>{''.join(entries)}"
        (root / f"feed{f}.xml").write_text(doc + "</channel></rss>", encoding="utf-8")
        urls.append(f"{base}feed{f}.xml")
    return urls


def store_bytes(data: Path) -> int:
    db = data / "tuireader.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in data.glob("tuireader.db*"))


def stats(server: Server, reset: bool = False) -> dict[str, int]:
    with urllib.request.urlopen(server.url + ("__stats/reset" if reset else "__stats")) as r:
        data: dict[str, int] = json.loads(r.read())
        return data


def one_run(exe: str, bench: Path, work: Path, latency: int, mode: str) -> dict[str, float]:
    port = free_port()
    site = work / f"site-{latency}-{mode}"
    urls = corpus(site, f"http://127.0.0.1:{port}/")
    server = Server(bench, site, port, latency, 900)
    home = work / f"home-{latency}-{mode}"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(
        f'[general]\nrefresh_on_start = false\nfull_text = "{mode}"\n'
    )
    env = {
        "PATH": str(Path(exe).parent) + ":/usr/bin:/bin",
        "TUIREADER_DATA_DIR": str(home / "data"),
        "TUIREADER_CONFIG_DIR": str(home / "config"),
        "TUIREADER_CACHE_DIR": str(home / "cache"),
        "HOME": str(home),
    }
    log = work / "log.txt"
    server.start()
    try:
        for url in urls:
            check([exe, "add", url, "--no-fetch"], env, log)
        stats(server, reset=True)
        cold = timed([exe, "refresh", "--quiet"], env, log)
        cold_stats = stats(server)
        stats(server, reset=True)
        warm = timed([exe, "refresh", "--quiet"], env, log)
        warm_stats = stats(server)
    finally:
        server.stop()
    return {
        "cold_s": cold.wall,
        "cold_rss_mb": cold.maxrss_kb / 1024,
        "warm_s": warm.wall,
        "store_mb": store_bytes(home / "data") / 1e6,
        "cold_200": cold_stats.get("200", 0),
        "warm_200": warm_stats.get("200", 0),
        "warm_304": warm_stats.get("304", 0),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bench-dir", default=str(Path(__file__).resolve().parents[1].parent / "shared" / "bench")
    )
    parser.add_argument(
        "--tuireader",
        default=shutil.which("tuireader") or str(Path(sys.executable).parent / "tuireader"),
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    bench = Path(args.bench_dir)
    if not (bench / "serve.py").exists():
        print(f"no serve.py in {bench}; pass --bench-dir", file=sys.stderr)
        return 2
    latencies = [0] if args.quick else [0, 50]
    repeat = 1 if args.quick else args.repeat
    rows: dict[tuple[int, str], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="fulltext-bench-") as tmp:
        for latency in latencies:
            for mode in ("never", "auto"):
                for n in range(repeat):
                    work = Path(tmp) / f"{latency}-{mode}-{n}"
                    work.mkdir()
                    try:
                        rows.setdefault((latency, mode), []).append(
                            one_run(args.tuireader, bench, work, latency, mode)
                        )
                    except BenchError as exc:
                        print(f"error: {exc}", file=sys.stderr)
                        return 1

    def med(key: tuple[int, str], field: str) -> float:
        return statistics.median(r[field] for r in rows[key])

    print(f"\n## Full-text refresh: 4 summary-only feeds x 50 items, median of {repeat}\n")
    print(
        "| latency | full_text | cold refresh | peak RSS | store | pages fetched | "
        "2nd refresh | pages fetched again |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for latency in latencies:
        for mode in ("never", "auto"):
            key = (latency, mode)
            pages = med(key, "cold_200") - 4
            again = med(key, "warm_200")
            print(
                f"| {latency} ms | {mode} | {med(key, 'cold_s'):.2f} s | "
                f"{med(key, 'cold_rss_mb'):.0f} MB | {med(key, 'store_mb'):.2f} MB | "
                f"{pages:.0f} | {med(key, 'warm_s'):.2f} s | {again:.0f} |"
            )
        growth = med((latency, "auto"), "store_mb") - med((latency, "never"), "store_mb")
        print(f"\nAt {latency} ms the 200 kept full texts add {growth:.2f} MB to the store.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
