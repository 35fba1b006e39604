"""Discovery notices every change the reader makes, with nobody telling it.

The app asks discovery on a connection of its own while its changes go through the library
on another (and a cron refresh writes from another process): after each change, the lists
beside an article are those a discovery service computing from scratch gives, and they
differ from before the change. ``Discovery.invalidate()`` is never called.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from discovery_eval import LABELED, Loaded, indexed_text, load
from tuireader.config.settings import Settings
from tuireader.domain.models import Source, SourceKind
from tuireader.domain.query import StoryQuery
from tuireader.services.discovery import Discovery, DiscoveryLists
from tuireader.services.library import Library
from tuireader.storage.database import connect
from tuireader.storage.discovery_repo import DiscoveryRepo

HERE = Path(__file__).parent


def shown(lists: DiscoveryLists) -> tuple[list[int], list[int], list[int]]:
    """What the reader sees: the stories of Related, Ranking and Recommended, in order."""
    return (
        [r.id for r in lists.related],
        [r.id for r in lists.ranking],
        [r.id for r in lists.recommended],
    )


@pytest.fixture
def loaded(tmp_path: Path) -> Loaded:
    return load(tmp_path / "lib.db")


@pytest.fixture
def app_discovery(tmp_path: Path, loaded: Loaded) -> Iterator[Discovery]:
    """Discovery as the app holds it: its own connection, kept across all the changes."""
    with contextlib.closing(connect(tmp_path / "lib.db")) as conn:
        yield Discovery(DiscoveryRepo(conn), clock=loaded.discovery.clock)


def _event_again(loaded: Loaded, event_of: int, tag: str) -> list[int]:
    """A refresh bringing a follow-up of a story's event from every source that covered it,
    indexed as a refresh indexes (on the library's side)."""
    record = loaded.labels[event_of]
    members = [sid for sid, r in loaded.labels.items() if r["event"] == record["event"]]
    by_name = {s.title: s for s in loaded.library.sources()}
    new: list[int] = []
    for sid in members:
        story = loaded.library.story(sid)
        assert story.published is not None and story.source_title in by_name
        follow = replace(
            story,
            id=None,
            key=f"{story.key}-{tag}",
            title=f"{tag}: {story.title}",
            published=datetime.fromtimestamp(loaded.discovery.clock() - 1800, UTC),
        )
        counts = loaded.library.store(
            by_name[story.source_title], [(follow, indexed_text(follow))], 0
        )
        loaded.discovery.index(counts.touched)
        new += [t.id for t in counts.touched]
    return new


def test_every_change_reaches_discovery_without_invalidate(
    tmp_path: Path, loaded: Loaded, app_discovery: Discovery
) -> None:
    db = tmp_path / "lib.db"
    library = loaded.library
    quake = loaded.ids["s01"]

    def cold() -> DiscoveryLists:
        with contextlib.closing(connect(db)) as conn:
            fresh = Discovery(DiscoveryRepo(conn), clock=loaded.discovery.clock)
            return fresh.lists_for(quake)

    def first_recommended() -> int:
        return app_discovery.lists_for(quake).recommended[0].id

    held: list[int] = []

    def hold(story_id: int) -> int:
        held.append(story_id)
        return story_id

    def source_of(story_id: int) -> Source:
        title = library.story(story_id).source_title
        return next(s for s in library.sources() if s.title == title)

    liked = [sid for sid, r in loaded.labels.items() if r["topic"] == loaded.labels[quake]["topic"]]
    samples_at = source_of(liked[1]).url
    changes: list[tuple[str, Callable[[], object]]] = [
        ("finished (read to the end)", lambda: library.mark_finished(liked[0])),
        ("star", lambda: library.mark([hold(first_recommended())], starred=True)),
        ("open, which marks read", lambda: library.mark([hold(first_recommended())], read=True)),
        ("toggle read back", lambda: library.mark([held[1]], read=False)),
        ("toggle star off", lambda: library.mark([held[0]], starred=False)),
        ("not interested", lambda: library.dismiss(first_recommended())),
        ("refresh in this process", lambda: _event_again(loaded, quake, "Follow-up")),
        (
            "refresh in another process",
            lambda: refresh_elsewhere(db, quake, loaded.discovery.clock()),
        ),
        ("remove a source", lambda: library.remove_source(source_of(first_recommended()))),
        ("undo", library.undo),
        (
            "the sample library leaves",
            lambda: (
                library.add_samples(Source(url=samples_at, kind=SourceKind.FEED), first_run=True),
                library.add_source(
                    Source(url="http://mine.example/feed.xml", kind=SourceKind.FEED)
                ),
            ),
        ),
    ]
    before = shown(app_discovery.lists_for(quake))
    for name, change in changes:
        change()
        after = shown(app_discovery.lists_for(quake))
        assert after == shown(cold()), f"{name}: discovery kept stale lists"
        assert after != before, f"{name}: the change did not change the lists (a weak check)"
        before = after


def refresh_elsewhere(db: Path, story_id: int, now: float) -> None:
    """A cron ``tuireader refresh``: another process stores and indexes a follow-up."""
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        "import test_discovery_follows as t;"
        "t.refresh_here(Path(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(HERE), str(db), str(story_id), repr(now)],
        check=True,
        timeout=60,
    )


def refresh_here(db: Path, story_id: int, now: float) -> None:
    """The other process's side of :func:`refresh_elsewhere`."""
    with contextlib.closing(connect(db)) as conn:
        library = Library(conn, Settings())
        records = {r["id"]: r for r in json.loads(LABELED.read_text())["stories"]}
        labels = {}
        for sid in library.ids(StoryQuery()):
            key = library.story(sid).key
            if key in records:
                labels[sid] = records[key]
        _event_again(
            Loaded(library, conn, Discovery(DiscoveryRepo(conn), clock=lambda: now), {}, labels),
            story_id,
            2.0,
        )
