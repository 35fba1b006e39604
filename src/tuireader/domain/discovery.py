"""Pure ranking for discovery: clustering, trending and recommendation scores."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tuireader.domain.terms import Signature, add_into, cosine

CLUSTER_THRESHOLD = 0.30
"""Cosine similarity at which two stories from different sources are one event
(tuned on tests/fixtures/discovery/labeled.json; see README)."""
CLUSTER_HOURS = 48
MAX_POSTINGS = 250
"""Terms in more window stories than this are too common to find candidates with
(an event's names and places are in a few dozen at most)."""
LOOKUP_TERMS = 10
"""Candidates are found through a story's heaviest terms only."""


@dataclass(slots=True)
class Item:
    """A story as the pure functions need it."""

    id: int
    source_id: int
    time: int
    sig: Signature
    cluster_id: int | None = None
    popularity: int | None = None


@dataclass(slots=True)
class ClusterIndex:
    """An inverted index over a time window of signed stories, grown as stories arrive."""

    items: list[Item] = field(default_factory=list)
    postings: defaultdict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def add(self, item: Item) -> None:
        """Index one story."""
        n = len(self.items)
        self.items.append(item)
        for term in item.sig:
            self.postings[term].append(n)

    def best_match(
        self, item: Item, threshold: float = CLUSTER_THRESHOLD, hours: int = CLUSTER_HOURS
    ) -> tuple[Item, float] | None:
        """The most similar story from another source within ``hours``, if similar enough."""
        shared: defaultdict[int, int] = defaultdict(int)
        for term in sorted(item.sig, key=item.sig.__getitem__, reverse=True)[:LOOKUP_TERMS]:
            posting = self.postings.get(term)
            if posting and len(posting) <= MAX_POSTINGS:
                for n in posting:
                    shared[n] += 1
        best: tuple[Item, float] | None = None
        span = hours * 3600
        for n, count in shared.items():
            if count < 2:
                continue
            other = self.items[n]
            if other.source_id == item.source_id or abs(other.time - item.time) > span:
                continue
            score = cosine(item.sig, other.sig)
            if score >= threshold and (best is None or score > best[1]):
                best = (other, score)
        return best


def assign_clusters(
    index: ClusterIndex, new: Sequence[Item], threshold: float = CLUSTER_THRESHOLD
) -> dict[int, int]:
    """Cluster new stories against the index (and each other), oldest first.

    Each new story joins the cluster of its single best match (no chaining through weak
    links); returns every story id whose cluster id was set or changed.
    """
    changed: dict[int, int] = {}
    for item in sorted(new, key=lambda i: (i.time, i.id)):
        match = index.best_match(item, threshold)
        if match is not None:
            other = match[0]
            if other.cluster_id is None:
                other.cluster_id = other.id
                changed[other.id] = other.id
            item.cluster_id = other.cluster_id
            changed[item.id] = other.cluster_id
        index.add(item)
    return changed


@dataclass(frozen=True, slots=True)
class Ranked:
    """A story id with its score and a one-line reason."""

    id: int
    score: float
    why: str


def trending(items: Iterable[Item], now: int, hours: int) -> list[Ranked]:
    """Recent events ranked by how many sources cover them, recency and popularity."""
    groups: defaultdict[int, list[Item]] = defaultdict(list)
    for item in items:
        groups[item.cluster_id if item.cluster_id is not None else -item.id].append(item)
    if not groups:
        return []
    max_sources = max(len({i.source_id for i in g}) for g in groups.values())
    max_pop = max((i.popularity or 0 for g in groups.values() for i in g), default=0)
    ranked = []
    for members in groups.values():
        sources = len({i.source_id for i in members})
        newest = max(i.time for i in members)
        age_h = max(0.0, (now - newest) / 3600)
        pop = max(i.popularity or 0 for i in members)
        s_score = math.log1p(sources) / math.log1p(max_sources) if max_sources > 1 else 0.0
        r_score = math.exp(-age_h / (hours / 2))
        p_score = math.log1p(pop) / math.log1p(max_pop) if max_pop else 0.0
        score = 1.0 * s_score + 0.6 * r_score + 0.4 * p_score
        lead = max(members, key=lambda i: (i.popularity or 0, i.time))
        why = f"{sources} source{'s' if sources != 1 else ''} · {age_h:.0f}h old"
        if pop:
            why += f" · popularity {pop:,}"
        why += f"  (sources {s_score:.2f}, recency {r_score:.2f}, popularity {p_score:.2f})"
        ranked.append(Ranked(lead.id, round(score, 4), why))
    ranked.sort(key=lambda r: (-r.score, -r.id))
    return ranked


@dataclass(slots=True)
class Profile:
    """What the reader likes: finished and starred stories, minus "not interested" ones."""

    vector: Signature = field(default_factory=dict)
    liked: list[Item] = field(default_factory=list)

    def add(self, item: Item, weight: float) -> None:
        """Fold a story in (negative weight pushes its kind down)."""
        add_into(self.vector, item.sig, weight)
        if weight > 0:
            self.liked.append(item)


def recommend(
    profile: Profile, candidates: Iterable[Item], titles: dict[int, str], skip_clusters: set[int]
) -> list[Ranked]:
    """Unread stories most like the profile, each with "because you read …"."""
    if not profile.liked:
        return []
    ranked = []
    for item in candidates:
        if item.cluster_id is not None and item.cluster_id in skip_clusters:
            continue
        score = cosine(profile.vector, item.sig)
        if score <= 0.02:
            continue
        because = max(profile.liked, key=lambda liked: cosine(liked.sig, item.sig))
        why = f"because you read “{titles.get(because.id, '')}”"
        ranked.append(Ranked(item.id, round(score, 4), why))
    ranked.sort(key=lambda r: (-r.score, -r.id))
    return ranked
