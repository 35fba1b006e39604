"""Load the labeled discovery fixtures through the core and measure quality (tests and README)."""

from __future__ import annotations

import itertools
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tuireader.app import new_discovery
from tuireader.config.settings import Settings
from tuireader.domain.models import ContentType, Source, SourceKind, Story
from tuireader.domain.plain_text import story_text
from tuireader.services.discovery import Discovery
from tuireader.services.library import Library
from tuireader.storage.database import open_database

LABELED = Path(__file__).parent / "fixtures" / "discovery" / "labeled.json"


@dataclass
class Loaded:
    library: Library
    conn: sqlite3.Connection  # the library's, for checking what is stored
    discovery: Discovery
    ids: dict[str, int]  # fixture id -> story id
    labels: dict[int, dict[str, str | None]]  # story id -> fixture record


def fixture_story(record: dict[str, Any]) -> Story:
    """The story a feed would give for one fixture record."""
    return Story(
        key=record["id"],
        title=record["title"],
        link=record.get("link", ""),
        published=datetime.fromisoformat(record["published"].replace("Z", "+00:00")),
        content=record["body"],
        content_type=ContentType.TEXT,
        categories=tuple(record.get("categories", ())),
    )


def indexed_text(story: Story) -> str:
    """The text a refresh indexes a story by."""
    return story_text(story.title, story.body, story.content_type, story.categories)


HABITS = ("suffix", "label", "furniture", "brief", "sections")


def dressed(record: dict[str, Any]) -> dict[str, Any]:
    """A fixture record as an outlet with habits would publish it: each source (by a hash of
    its name, so the same every run) takes some of :data:`HABITS`: the site's name after the
    title, a label before it, a "read more" line and a credit in the body, only the first
    sentence (a one-line brief), sections of its own that say nothing of the topic."""
    source = record["source"]
    digest = sum(ord(c) * (n + 1) for n, c in enumerate(source))
    habits = [h for n, h in enumerate(HABITS) if (digest >> n) & 1]
    out = dict(record)
    title, body = record["title"], record["body"]
    if "label" in habits:
        title = f"Latest: {title}"
    if "suffix" in habits:
        title = f"{title} | {source}"
    if "brief" in habits:
        body = body.split(". ")[0].rstrip(".") + "."
    if "furniture" in habits:
        body = f"{body} Continue reading... The post {record['title']} appeared first on {source}."
    out["title"], out["body"] = title, body
    out["categories"] = ["News", source.split()[0]] if "sections" in habits else []
    return out


def load(db: Path, dress: bool = False) -> Loaded:
    data = json.loads(LABELED.read_text())["stories"]
    if dress:
        data = [dressed(r) for r in data]
    conn, _ = open_database(db)
    library = Library(conn, Settings())
    newest = max(datetime.fromisoformat(s["published"].replace("Z", "+00:00")) for s in data)
    discovery = new_discovery(conn, Settings(), clock=lambda: newest.timestamp() + 3600)
    ids: dict[str, int] = {}
    labels: dict[int, dict[str, str | None]] = {}
    sources: dict[str, Source] = {}
    for record in sorted(data, key=lambda r: r["published"]):
        name = record["source"]
        if name not in sources:
            sources[name] = library.add_source(
                Source(
                    url=f"http://{name.lower().replace(' ', '-')}.example/feed",
                    kind=SourceKind.FEED,
                    title=name,
                )
            )[0]
        story = fixture_story(record)
        counts = library.store(sources[name], [(story, indexed_text(story))], 0)
        discovery.index(counts.touched)  # one at a time: incremental, as refreshes are
        discovery.index_meaning()  # and the background half, after each
        sid = counts.touched[0].id
        ids[record["id"]] = sid
        labels[sid] = record
    return Loaded(library, conn, discovery, ids, labels)


def clustering_f1(loaded: Loaded) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of clusters against event labels."""
    cluster = {}
    for group in loaded.discovery.clusters(since_hours=24 * 365 * 10):
        for sid in group:
            cluster[sid] = group[0]
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(loaded.labels), 2):
        same_event = (
            loaded.labels[a]["event"] is not None
            and loaded.labels[a]["event"] == loaded.labels[b]["event"]
        )
        same_cluster = a in cluster and cluster.get(a) == cluster.get(b)
        tp += same_event and same_cluster
        fp += same_cluster and not same_event
        fn += same_event and not same_cluster
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def related_precision(loaded: Loaded, k: int = 5) -> float:
    """Mean share of the top-k related stories that are the same event or topic."""
    scores = []
    for sid, record in loaded.labels.items():
        related = loaded.discovery.related(sid, k)
        if not related:
            scores.append(0.0)
            continue
        good = sum(
            1
            for r in related
            if loaded.labels[r.id]["topic"] == record["topic"]
            or (record["event"] and loaded.labels[r.id]["event"] == record["event"])
        )
        scores.append(good / len(related))
    return sum(scores) / len(scores)


def related_faults(loaded: Loaded, k: int = 5) -> tuple[float, float, float]:
    """Shares of stories whose top-k related list shows another version of the same event,
    shows one story twice (same title), or is empty while other stories share its topic."""
    leaks = twice = empty = 0
    for sid, record in loaded.labels.items():
        related = loaded.discovery.related(sid, k)
        if not related and any(
            r["topic"] == record["topic"] for i, r in loaded.labels.items() if i != sid
        ):
            empty += 1
        if record["event"] and any(
            loaded.labels[r.id]["event"] == record["event"] for r in related
        ):
            leaks += 1
        titles = [loaded.labels[r.id]["title"] for r in related] + [record["title"]]
        twice += len(set(titles)) < len(titles)
    n = len(loaded.labels)
    return leaks / n, twice / n, empty / n


def recommendation_hits(loaded: Loaded, topic: str, reads: int = 3, k: int = 5) -> float:
    """Read ``reads`` stories of one topic to the end; share of top-k recommendations on it."""
    chosen = [sid for sid, r in loaded.labels.items() if r["topic"] == topic][:reads]
    loaded.library.mark(chosen, read=True)
    for sid in chosen:
        loaded.library.mark_finished(sid)
    ranked = loaded.discovery.recommend(
        lambda ids: {i: loaded.library.story(i).title for i in ids}, n=k, days=3650
    )
    if not ranked:
        return 0.0
    return sum(loaded.labels[r.id]["topic"] == topic for r in ranked) / len(ranked)


if __name__ == "__main__":
    import sys
    import tempfile

    dress = "--dressed" in sys.argv[1:]
    if dress:
        print("set A as outlets with habits would publish it (see dressed())")
    with tempfile.TemporaryDirectory() as tmp:
        loaded = load(Path(tmp) / "eval.db", dress)
        p, r, f1 = clustering_f1(loaded)
        print(f"clustering pairwise precision {p:.3f} recall {r:.3f} F1 {f1:.3f}")
        print(f"related precision@5 {related_precision(loaded):.3f}")
        leaks, twice, empty = related_faults(loaded)
        print(
            f"related lists with another version of the event {leaks:.1%},"
            f" one story twice {twice:.1%}, empty {empty:.1%}"
        )
    topics = sorted({r["topic"] for r in json.loads(LABELED.read_text())["stories"]})
    at10 = []
    for topic in topics:
        with tempfile.TemporaryDirectory() as tmp:
            hits = recommendation_hits(load(Path(tmp) / "e.db", dress), topic)
            print(f"recommend {topic}: {hits:.2f}")
        with tempfile.TemporaryDirectory() as tmp:
            at10.append(recommendation_hits(load(Path(tmp) / "e.db", dress), topic, k=10))
    print(f"recommendations P@10, mean of {len(topics)} profiles: {sum(at10) / len(at10):.3f}")
