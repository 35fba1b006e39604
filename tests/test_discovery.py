"""Discovery quality on the labeled fixture set, and its behaviour, through the real core."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pytest

from discovery_eval import (
    LABELED,
    Loaded,
    clustering_f1,
    fixture_story,
    indexed_text,
    load,
    recommendation_hits,
    related_precision,
)
from tuireader.config.settings import Settings
from tuireader.domain.models import Source, SourceKind, StoryText
from tuireader.domain.query import StoryQuery
from tuireader.services.discovery import Discovery
from tuireader.services.library import Library
from tuireader.storage.database import open_database
from tuireader.storage.discovery_repo import DiscoveryRepo

TOPICS = sorted({s["topic"] for s in json.loads(LABELED.read_text())["stories"]})


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    return load(tmp_path_factory.mktemp("disc") / "labeled.db")


def test_fixture_set_is_big_enough() -> None:
    stories = json.loads(LABELED.read_text())["stories"]
    events: dict[str, set[str]] = {}
    for s in stories:
        if s["event"]:
            events.setdefault(s["event"], set()).add(s["source"])
    assert len(stories) >= 60
    assert sum(1 for sources in events.values() if len(sources) >= 3) >= 10
    assert sum(1 for s in stories if s.get("near_miss_of")) >= 6


def test_clustering_pairwise_f1(loaded: Loaded) -> None:
    precision, recall, f1 = clustering_f1(loaded)
    assert f1 >= 0.85, (precision, recall, f1)


def test_near_misses_stay_out_of_the_event(loaded: Loaded) -> None:
    for sid, record in loaded.labels.items():
        if record.get("near_miss_of"):
            others = {loaded.labels[i]["event"] for i in loaded.discovery.also_in(sid)}
            assert record["near_miss_of"] not in others, record["title"]


def test_related_precision_at_5(loaded: Loaded) -> None:
    assert related_precision(loaded, 5) >= 0.8


def test_related_excludes_other_versions_which_are_also_in(loaded: Loaded) -> None:
    sid = loaded.ids["s01"]
    also = set(loaded.discovery.also_in(sid))
    assert also  # the quake was covered by several sources
    assert not also & {r.id for r in loaded.discovery.related(sid)}


@pytest.mark.parametrize("topic", TOPICS)
def test_a_reader_of_a_topic_gets_that_topic_recommended(topic: str, tmp_path: Path) -> None:
    assert recommendation_hits(load(tmp_path / "r.db"), topic, reads=3, k=5) >= 0.8


def test_not_interested_pushes_a_kind_down(tmp_path: Path) -> None:
    loaded = load(tmp_path / "n.db")
    sports = [i for i, r in loaded.labels.items() if r["topic"] == "sports"]
    tech = [i for i, r in loaded.labels.items() if r["topic"] == "tech"]
    for sid in sports[:2] + tech[:2]:
        loaded.library.mark([sid], read=True)
        loaded.library.mark_finished(sid)

    def top(n: int) -> list[str]:
        ranked = loaded.discovery.recommend(lambda ids: {i: "" for i in ids}, n=n, days=3650)
        return [str(loaded.labels[r.id]["topic"]) for r in ranked]

    before = top(6).count("sports")
    for sid in sports[2:5]:
        loaded.library.dismiss(sid)
    # the service notices the change itself (nobody tells it)
    after = top(6).count("sports")
    assert after < before
    assert all(
        r.why.startswith("because you read")
        for r in loaded.discovery.recommend(lambda ids: {i: "x" for i in ids}, days=3650)
    )


def test_trending_ranks_widely_covered_events_first_and_says_why(loaded: Loaded) -> None:
    ranked = loaded.discovery.trending(5)
    assert ranked
    top = loaded.labels[ranked[0].id]
    assert top["event"] is not None
    assert "source" in ranked[0].why and "recency" in ranked[0].why
    covered = [int(r.why.split()[0]) for r in ranked]
    assert covered[0] >= 3


def test_collapsed_view_shows_one_line_per_event(loaded: Loaded) -> None:
    everything = loaded.library.count(StoryQuery())
    collapsed = loaded.library.page(StoryQuery(collapse=True), 200)
    assert len(collapsed) < everything
    assert any(s.cluster_sources >= 2 for s in collapsed)


def test_incremental_clustering_only_signs_new_stories(tmp_path: Path) -> None:
    loaded = load(tmp_path / "inc.db")
    conn = loaded.conn
    before = dict(conn.execute("SELECT id, sig FROM stories").fetchall())
    assert loaded.discovery.repo.unsigned(10) == [] and all(before.values())
    # A refresh of the quake's first source: its old stories again, unchanged, and one new.
    quake = loaded.ids["s01"]
    source = next(s for s in loaded.library.sources() if s.title == "Harbor Gazette")
    again = [
        fixture_story(r)
        for r in json.loads(LABELED.read_text())["stories"]
        if r["source"] == "Harbor Gazette"
    ]
    new = replace(
        again[0],
        key="s01-update",
        title="Lornaby quake: aftershock rattles town as engineers inspect stone buildings",
    )
    items = [(s, indexed_text(s)) for s in [*again, new]]
    counts = loaded.library.store(source, items, seen_since=0)
    signed: list[int] = []
    original = loaded.discovery.repo.set_signatures

    def spy(rows: Iterable[tuple[int, str]]) -> None:
        rows = list(rows)
        signed.extend(sid for sid, _ in rows)
        original(rows)

    loaded.discovery.repo.set_signatures = spy  # type: ignore[method-assign]
    report = loaded.discovery.index(counts.touched)
    [(new_id,)] = conn.execute("SELECT id FROM stories WHERE key = 's01-update'").fetchall()
    assert report.signed == 1 and signed == [new_id]
    after = dict(conn.execute("SELECT id, sig FROM stories").fetchall())
    assert after[new_id] and {i: after[i] for i in before} == before  # old ones untouched
    assert loaded.discovery.repo.unsigned(10) == []
    # ...and the new story joins its event's cluster without re-clustering the library.
    assert quake in loaded.discovery.also_in(new_id)


def test_backlog_signs_a_story_as_a_refresh_does(tmp_path: Path) -> None:
    """A story stored before discovery existed is signed from the text a refresh would
    index it by: the same signature and cluster either way."""
    conn, _ = open_database(tmp_path / "backlog.db")
    library = Library(conn, Settings())
    discovery = Discovery(DiscoveryRepo(conn))
    touched: list[StoryText] = []
    records = json.loads(LABELED.read_text())["stories"][:150]
    for name in sorted({r["source"] for r in records}):
        url = f"http://{name.lower().replace(' ', '-')}.example/feed"
        source, _ = library.add_source(Source(url=url, kind=SourceKind.FEED, title=name))
        stories = [fixture_story(r) for r in records if r["source"] == name]
        touched += library.store(source, [(s, indexed_text(s)) for s in stories], 0).touched
    discovery.index(touched)  # as a refresh indexes them, in one batch
    refreshed = conn.execute("SELECT id, sig, cluster_id FROM stories ORDER BY id").fetchall()
    conn.execute("UPDATE stories SET sig = '', cluster_id = NULL")
    assert discovery.index_backlog() == len(records)
    backlog = conn.execute("SELECT id, sig, cluster_id FROM stories ORDER BY id").fetchall()
    assert all(sig for _, sig, _ in backlog) and any(c for _, _, c in backlog)
    assert backlog == refreshed


def test_cli_discovery_commands(isolated_env: dict[str, str], tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "tuireader"
    env = {**isolated_env, "TUIREADER_DATA_DIR": str(tmp_path / "cli")}
    load(tmp_path / "cli" / "tuireader.db").library.close()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(exe), *args], env=env, capture_output=True, text=True, timeout=60
        )

    clusters = json.loads(run("clusters", "--days", "3650", "--json").stdout)
    assert clusters and all(len(group) >= 2 for group in clusters)
    first = clusters[0][0]["id"]
    related = json.loads(run("related", str(first), "--json").stdout)
    assert related["also_in"] and related["related"]
    assert {"id", "title", "score"} <= set(related["related"][0])
    # the fixture's stories are years old: nothing is in trending's 48 hours, and it says so
    assert json.loads(run("trending", "--json").stdout) == []
    assert "Nothing in the last 48 hours" in run("trending").stdout
    assert run("mark", str(first), "--star").returncode == 0
    recommended = json.loads(run("recommend", "--json").stdout)
    assert recommended and recommended[0]["why"].startswith("because you read")
