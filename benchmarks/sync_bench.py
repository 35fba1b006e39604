#!/usr/bin/env python3
"""Sync with a real tt-rss: tuireader's `sync` against newsboat's tt-rss back-end, in one run.

On one account of the real tt-rss that `.ci/ttrss-up` starts, filled by `ttrss_setup.py` with
200 feeds and 10,000 items (the shared corpus, fetched by tt-rss itself):

1. the first sync: each reader starts from nothing (a fresh data dir / an empty cache.db);
2. `ttrss_setup.py grow` adds 100 new items (one at the top of 100 feeds);
3. the sync after them: each reader starts from a copy of the store its first sync left.

The two readers alternate, `--repeat` times each (median reported). Wall time and peak RSS
come from a small launcher (os.wait4's ru_maxrss, the process and its children); requests are
the API calls the PHP server logged while the command ran. newsboat runs as
`newsboat -C config -u urls -c cache.db -x reload` with `urls-source "ttrss"` and
`reload-threads 8`; tuireader as `tuireader sync bench --json` with `full_text = "never"`
(newsboat fetches no pages either).

  eval "$(TUIREADER_TTRSS_USER=bench \\
          TUIREADER_TTRSS_CATEGORIES=News,Tech,Science,Blogs,Culture .ci/ttrss-up)"
  python benchmarks/sync_bench.py --readme README.md   # ~5 min; setup --fresh included

`--readme` writes the table between the ``<!-- sync-bench -->`` markers of that file.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from readme_block import BenchError, write_block

REPO = Path(__file__).resolve().parents[1]
SETUP = REPO / "benchmarks" / "ttrss_setup.py"
STATE = Path(os.environ.get("TUIREADER_TTRSS_STATE", "/var/tmp/tuireader-ttrss"))
MARK_START, MARK_END = "<!-- sync-bench -->", "<!-- /sync-bench -->"

LAUNCHER = """
import os, sys, time
t0 = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ)
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - t0, usage.ru_maxrss, os.waitstatus_to_exitcode(status), file=sys.stderr)
"""


@dataclass(slots=True)
class Run:
    wall: float
    rss_mb: float
    requests: int


def api_calls() -> int:
    """API requests the PHP server has logged so far."""
    try:
        return len(re.findall(rb"POST /+api/", (STATE / "php.log").read_bytes()))
    except FileNotFoundError:
        return 0


def timed(cmd: Sequence[str], env: dict[str, str], log: Path) -> Run:
    before = api_calls()
    with log.open("ab") as out:
        out.write(f"$ {' '.join(cmd)}\n".encode())
        out.flush()
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", LAUNCHER, *cmd],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.PIPE,
            timeout=900,
            check=False,
        )
        out.write(done.stderr)
    lines = done.stderr.decode(errors="replace").strip().splitlines()
    try:
        wall, rss, rc = lines[-1].split()
    except (IndexError, ValueError):
        raise BenchError(f"could not run {' '.join(cmd)}: {lines[-3:]}") from None
    if int(rc) != 0:
        raise BenchError(f"{' '.join(cmd)} exited {rc}; see {log}")
    return Run(float(wall), int(rss) / 1024, api_calls() - before)


def setup(*args: str) -> None:
    done = subprocess.run([sys.executable, str(SETUP), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"ttrss_setup.py {' '.join(args)}: {done.stderr.strip()[-400:]}")
    print(done.stdout.strip(), file=sys.stderr)


@dataclass
class Account:
    url: str
    user: str
    password_file: Path


def tuireader_home(root: Path, account: Account) -> dict[str, str]:
    config = root / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(
        '[general]\nfull_text = "never"\nrefresh_on_start = false\n\n'
        "[network]\nrefresh_deadline = 1800.0\n\n"
        f'[accounts.bench]\ntype = "ttrss"\nurl = "{account.url}"\nuser = "{account.user}"\n'
        f'password_command = "cat {account.password_file}"\n',
        encoding="utf-8",
    )
    return {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "TUIREADER_DATA_DIR": str(root / "data"),
        "TUIREADER_CONFIG_DIR": str(config),
        "TUIREADER_CACHE_DIR": str(root / "cache"),
        "TUIREADER_LOG_DIR": str(root / "log"),
    }


def newsboat_home(root: Path, account: Account) -> tuple[list[str], dict[str, str]]:
    root.mkdir(parents=True, exist_ok=True)
    (root / "urls").write_text("", encoding="utf-8")
    (root / "config").write_text(
        'urls-source "ttrss"\n'
        f'ttrss-url "{account.url}"\n'
        f'ttrss-login "{account.user}"\n'
        f'ttrss-passwordfile "{account.password_file}"\n'
        'ttrss-mode "multi"\n'
        "reload-threads 8\n",
        encoding="utf-8",
    )
    cmd = ["newsboat", "-C", str(root / "config"), "-u", str(root / "urls")]
    cmd += ["-c", str(root / "cache.db"), "-x", "reload"]
    return cmd, {**os.environ, "HOME": str(root)}


def tuireader_stories(root: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(root / "data" / "tuireader.db")
    try:
        return int(conn.execute("SELECT count(*) FROM stories").fetchone()[0])
    finally:
        conn.close()


def newsboat_items(root: Path) -> int:
    import sqlite3

    conn = sqlite3.connect(root / "cache.db")
    try:
        return int(conn.execute("SELECT count(*) FROM rss_item").fetchone()[0])
    finally:
        conn.close()


def med(runs: list[Run], key: str) -> float:
    return statistics.median(getattr(r, key) for r in runs)


def table(results: dict[tuple[str, str], list[Run]], repeat: int) -> str:
    rows = [
        "| sync (200 feeds, 10,000 items on a real tt-rss) | tuireader | newsboat 2.21"
        " (`reload-threads 8`) | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for phase, label, target in (
        ("first", "first sync, nothing stored", 0.5),
        ("again", "after 100 new items", 0.2),
    ):
        ours, theirs = results[("tuireader", phase)], results[("newsboat", phase)]
        ratio = med(ours, "wall") / med(theirs, "wall")
        verdict = "met" if ratio <= target else "**missed**"
        rows.append(
            f"| {label}: wall | {med(ours, 'wall'):.2f} s | {med(theirs, 'wall'):.2f} s |"
            f" {ratio:.2f}× | ≤ {target}× — {verdict} |"
        )
        rows.append(
            f"| {label}: requests | {med(ours, 'requests'):.0f} | {med(theirs, 'requests'):.0f} |"
            f" {med(ours, 'requests') / max(1.0, med(theirs, 'requests')):.2f}× | |"
        )
        rows.append(
            f"| {label}: peak RSS | {med(ours, 'rss_mb'):.0f} MB | {med(theirs, 'rss_mb'):.0f} MB |"
            f" {med(ours, 'rss_mb') / med(theirs, 'rss_mb'):.2f}× | |"
        )
    rows.append("")
    rows.append(
        f"Median of {repeat}, the two alternating; written by `python benchmarks/sync_bench.py"
        " --readme README.md`."
    )
    return "\n".join(rows)


def bench(args: argparse.Namespace, tmp: Path) -> int:
    url = os.environ.get("TUIREADER_TTRSS_URL", "")
    user = os.environ.get("TUIREADER_TTRSS_USER", "")
    if not url or user != "bench":
        raise BenchError('run: eval "$(TUIREADER_TTRSS_USER=bench ... .ci/ttrss-up)" first')
    if shutil.which("newsboat") is None:
        raise BenchError("newsboat is not installed (apt-get install -y newsboat)")
    account = Account(url, user, STATE / f"password-{user}")
    log = tmp / "bench.log"
    if not args.no_setup:
        setup("setup", "--fresh")
    tuireader = shutil.which("tuireader") or str(Path(sys.executable).parent / "tuireader")
    results: dict[tuple[str, str], list[Run]] = {}
    kept: dict[str, Path] = {}

    def trial(reader: str, phase: str, n: int, least: int) -> None:
        root = tmp / f"{reader}-{phase}-{n}"
        if phase == "again":  # from the store the first sync left
            shutil.copytree(kept[reader], root)
        if reader == "tuireader":
            run = timed([tuireader, "sync", "bench", "--json"], tuireader_home(root, account), log)
            count = tuireader_stories(root)
        else:
            cmd, env = newsboat_home(root, account)
            run = timed(cmd, env, log)
            count = newsboat_items(root)
        if count < least:
            raise BenchError(f"{reader} holds {count} items after its {phase} sync, not {least}")
        results.setdefault((reader, phase), []).append(run)
        if phase == "first":
            kept[reader] = root
        print(
            f"{phase:6} {reader:9} {run.wall:6.2f} s {run.rss_mb:5.0f} MB {run.requests:4} calls",
            file=sys.stderr,
        )

    for phase, least in (("first", 10_000), ("again", 10_100)):
        if phase == "again":
            setup("grow")
        for n in range(args.repeat):
            for reader in ("newsboat", "tuireader") if n % 2 else ("tuireader", "newsboat"):
                trial(reader, phase, n, least)
    text = table(results, args.repeat)
    print(text)
    if args.readme:
        write_block(args.readme, MARK_START, MARK_END, text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-setup", action="store_true", help="the account is filled already")
    parser.add_argument("--readme", type=Path, help="write the table into this file")
    parser.add_argument("--keep", action="store_true", help="keep the work dir")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    try:
        return bench(args, tmp)
    except BenchError as exc:
        print(f"sync_bench: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
