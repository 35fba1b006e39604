"""``tuireader refresh`` answers once the stories are stored and searchable; a detached
``tuireader index`` signs, clusters and embeds them after it, one indexer at a time."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path

from test_cli import run
from tuireader.services.indexing import indexer_lock

FEED = Path(__file__).parent / "fixtures" / "feeds" / "rss2.xml"


def counts(data_dir: Path) -> tuple[int, int]:
    with contextlib.closing(sqlite3.connect(data_dir / "tuireader.db")) as conn:
        stories = conn.execute("SELECT count(*) FROM stories").fetchone()[0]
        vectors = conn.execute("SELECT count(*) FROM story_vectors").fetchone()[0]
    return int(stories), int(vectors)


def test_refresh_leaves_the_embedding_to_a_detached_indexer(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    env = {k: v for k, v in isolated_env.items() if k != "TUIREADER_INDEX"}
    data = tmp_path / "data"
    data.mkdir(parents=True, exist_ok=True)
    with indexer_lock(data) as mine:  # an indexer already running: the new one leaves
        assert mine
        done = run(env, "add", str(FEED))
        assert done.returncode == 0, done.stderr
        stories, vectors = counts(data)
        assert stories > 0
        # searchable and clustered at once, embedded later
        assert run(env, "list", "--search", "the").returncode == 0
        time.sleep(3)
        assert counts(data)[1] == vectors < stories  # the detached one saw the lock
    done = run(env, "index")  # what the detached one runs, by hand
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
    assert counts(data) == (stories, stories)

    # and with nothing holding the lock, the detached indexer does it on its own
    other = tmp_path / "other"
    env2 = {**env, "TUIREADER_DATA_DIR": str(other)}
    assert run(env2, "add", str(FEED)).returncode == 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        stories, vectors = counts(other)
        if vectors == stories:
            break
        time.sleep(0.2)
    assert stories > 0 and vectors == stories


def _rss(path: Path, items: list[tuple[str, str]]) -> None:
    body = "".join(
        f"<item><title>{t}</title><guid>{g}</guid><description>{t}, in detail.</description></item>"
        for g, t in items
    )
    path.write_text(f"<rss version='2.0'><channel><title>Desk</title>{body}</channel></rss>")


def unsigned(data_dir: Path) -> int:
    with contextlib.closing(sqlite3.connect(data_dir / "tuireader.db")) as conn:
        return int(conn.execute("SELECT count(*) FROM stories WHERE sig = ''").fetchone()[0])


def test_refresh_leaves_signing_and_clustering_to_the_indexer_but_not_search(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    """A refresh command stores and indexes for search; what discovery needs (signatures,
    clusters) the indexer does after it, and a discovery command does it itself when the
    indexer has not yet."""
    env = {k: v for k, v in isolated_env.items() if k != "TUIREADER_INDEX"}
    data = tmp_path / "data"
    data.mkdir(parents=True, exist_ok=True)
    feed = tmp_path / "desk.xml"
    _rss(feed, [("a", "Harbour crane toppled by storm")])
    assert run(env, "add", str(feed)).returncode == 0
    _rss(
        feed,
        [
            ("a", "Harbour crane toppled by storm"),
            ("b", "Lighthouse keeper retires after forty years"),
            ("c", "Lighthouse keeper retires after forty years at sea"),
        ],
    )
    with indexer_lock(data) as mine:  # an indexer already running: the new one leaves
        assert mine
        done = run(env, "refresh")
        assert done.returncode == 0, done.stderr
        assert "2 new" in done.stdout
        assert unsigned(data) == 2  # left for the indexer
        found = run(env, "list", "--search", "lighthouse", "--json")
        assert found.stdout.count('"id"') == 2  # and searchable at once
        clusters = run(env, "clusters")  # a discovery command signs what is missing
        assert clusters.returncode == 0, clusters.stderr
        assert unsigned(data) == 0
    _rss(feed, [("d", "Ferry strike ends after talks")])
    assert run(env, "refresh").returncode == 0
    deadline = time.monotonic() + 60  # nothing holds the lock: the detached one signs it
    while unsigned(data) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert unsigned(data) == 0
