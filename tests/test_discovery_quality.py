"""Set B's labels are consistent, read through the evaluation script's own loader (a test of
the fixture, not of discovery)."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import defaultdict
from datetime import timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "discovery_quality.py"


@pytest.fixture(scope="module")
def quality() -> ModuleType:
    spec = importlib.util.spec_from_file_location("discovery_quality", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def set_b(quality: ModuleType) -> Any:
    return quality.load_set("B")


def test_set_b_is_as_big_as_the_issue_asks(set_b: Any) -> None:
    stories = set_b.stories.values()
    outlets_of: defaultdict[str, set[str]] = defaultdict(set)
    for s in stories:
        if s.event is not None:
            outlets_of[s.event].add(s.outlet)
    assert len(set_b.stories) >= 150
    assert len({s.outlet for s in stories}) >= 8
    assert len(outlets_of) >= 16
    thin = {event for event, outlets in outlets_of.items() if len(outlets) < 2}
    assert not thin, f"events told by one outlet: {sorted(thin)}"
    assert len(set_b.profiles) == 3
    assert {"sport", "economy", "politics", "science", "tech", "health", "culture"} <= {
        s.topic for s in stories
    }


def test_near_misses_point_at_another_event(set_b: Any) -> None:
    events = {s.event for s in set_b.stories.values()} - {None}
    near = [s for s in set_b.stories.values() if s.near_miss_of is not None]
    assert len(near) >= 10
    for s in near:
        assert s.near_miss_of in events, f"{s.id}: no story of {s.near_miss_of}"
        assert s.near_miss_of != s.event, f"{s.id}: a near miss of its own event"


def test_every_labeled_story_is_in_its_outlets_feed(set_b: Any) -> None:
    links = [s.link for s in set_b.stories.values()]
    assert len(set(links)) == len(links)
    assert all(s.text.strip() for s in set_b.stories.values()), "a label with no feed item"
    feed_items = sum(len(re.findall(r"<item>|<entry>", xml)) for xml in set_b.feeds.values())
    assert feed_items == len(set_b.stories)
    assert any("<feed" in x for x in set_b.feeds.values())
    assert any("<rss" in x for x in set_b.feeds.values())


def test_profiles_are_consistent(set_b: Any) -> None:
    for profile in set_b.profiles:
        starred = [set_b.stories[i] for i in profile.starred]
        read_events = {s.event for s in starred} - {None}
        topics = {s.topic for s in starred}
        assert len(starred) == 3
        assert len(profile.relevant) >= 10
        for sid in profile.relevant:
            story = set_b.stories[sid]
            assert sid not in profile.starred
            assert story.event is None or story.event not in read_events
            assert story.topic in topics


def test_set_a_loads_through_the_same_loader(quality: ModuleType) -> None:
    set_a = quality.load_set("A")
    assert len(set_a.stories) == 79
    assert all(s.text for s in set_a.stories.values())
    assert [len(p.starred) for p in set_a.profiles] == [3, 3, 3]
    assert all(p.relevant for p in set_a.profiles)


def test_dates_move_by_the_offset(quality: ModuleType, set_b: Any) -> None:
    xml = set_b.feeds["capital_wire.xml"]
    before = [parsedate_to_datetime(d) for d in re.findall(r"<pubDate>([^<]+)<", xml)]
    moved = quality.shift_dates(xml, timedelta(days=3, hours=2))
    after = [parsedate_to_datetime(d) for d in re.findall(r"<pubDate>([^<]+)<", moved)]
    assert [a - b for a, b in zip(after, before, strict=True)] == [
        timedelta(days=3, hours=2)
    ] * len(before)
    atom = quality.shift_dates(set_b.feeds["coastal_post.atom"], timedelta(hours=-5))
    assert "2026-12-01T13:00:00Z" in atom  # was 18:00
