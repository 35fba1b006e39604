"""Pure ranking for discovery: clustering, trending and recommendation scores."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tuireader.domain.terms import Signature, add_into, cosine, decode, dot

CLUSTER_THRESHOLD = 0.30
"""Cosine similarity at which two stories from different sources are one event
(tuned on tests/fixtures/discovery/labeled.json; see README)."""
CLUSTER_HOURS = 48
MAX_POSTINGS = 250
MIN_POSTINGS = 20
POSTINGS_SHARE = 0.005
"""A term in more than this share of the stories around a new one (at least MIN, at most MAX
of them) is too common to find candidates with: an event's names and places are in a few
dozen stories at most, a topic's words in hundreds."""


def postings_cap(window: int) -> int:
    """How many stories of a window a term may be in and still find candidates."""
    return max(MIN_POSTINGS, min(MAX_POSTINGS, int(window * POSTINGS_SHARE)))


LOOKUP_TERMS = 10
"""Candidates are found through a story's heaviest terms only."""
MAX_CLUSTER = 40
"""A cluster stops growing here: past it, similar stories are a topic, not one event."""


@dataclass(slots=True)
class Item:
    """A story as the pure functions need it."""

    id: int
    source_id: int
    time: int
    sig: Signature
    cluster_id: int | None = None
    popularity: int | None = None
    dated: bool = True
    """Whether ``time`` is the story's own date (else it is when the story was first seen)."""


@dataclass(frozen=True, slots=True)
class Stored:
    """A stored story in the clustering window, its signature still encoded (decoded lazily)."""

    id: int
    source_id: int
    time: int
    sig: str
    cluster_id: int | None


@dataclass(frozen=True, slots=True)
class SignedStory:
    """A stored story as discovery sees it: its signature (still encoded), its cluster and
    what the reader did with it."""

    id: int
    source_id: int
    sort_time: int
    sig: str
    cluster_id: int | None
    popularity: int | None = None
    read: bool = False
    starred: bool = False
    finished: bool = False
    dismissed: bool = False
    read_at: int | None = None


CANDIDATES = 12
"""At most this many candidates (those sharing the most heavy terms) are compared in full."""
MIN_SHARED = 1
"""Candidates share at least this many of a story's heaviest terms. One: a one-sentence
brief of an event shares its name with the full versions but little else of their heaviest
terms (two kept briefs out of their events); the cosine still decides."""


def _most_shared(shared: dict[int, int]) -> list[int]:
    """Candidates sharing at least :data:`MIN_SHARED` heavy terms, those sharing most first, at most
    :data:`CANDIDATES` of them."""
    keen = [(count, n) for n, count in shared.items() if count >= MIN_SHARED]
    if len(keen) > CANDIDATES:
        keen.sort(reverse=True)
        keen = keen[:CANDIDATES]
    return [n for _, n in keen]


def _heaviest(encoded: str, n: int) -> list[str]:
    """The first ``n`` terms of an encoded signature (encoded heaviest first)."""
    return [part[: part.rfind(":")] for part in encoded.split(" ", n)[:n] if ":" in part]


class ClusterIndex:
    """Stored stories sorted by time, with postings of their heaviest terms in time order.

    A candidate is a story sharing two of its heaviest terms within ``hours`` of the new one;
    a term found in more than :data:`MAX_POSTINGS` stories of that span is too common to
    count. Signatures are decoded only for candidates, so a wide window stays cheap.
    """

    def __init__(self, stored: Sequence[Stored], hours: int = CLUSTER_HOURS) -> None:
        self.stored = sorted(stored, key=lambda r: (r.time, r.id))
        self.times = [r.time for r in self.stored]
        self.span = hours * 3600
        self.postings: defaultdict[str, list[int]] = defaultdict(list)
        for n, row in enumerate(self.stored):
            for term in _heaviest(row.sig, LOOKUP_TERMS):
                self.postings[term].append(n)
        self.fresh: list[Item] = []
        self.fresh_times: list[int] = []
        self.fresh_postings: defaultdict[str, list[int]] = defaultdict(list)
        self._decoded: dict[int, Signature] = {}
        self.sizes: Counter[int] = Counter(
            r.cluster_id for r in self.stored if r.cluster_id is not None
        )
        self.clusters: dict[int, int | None] = {r.id: r.cluster_id for r in self.stored}

    def add(self, item: Item) -> None:
        """Index a story that was just clustered (stories arrive oldest first)."""
        n = len(self.fresh)
        self.fresh.append(item)
        self.fresh_times.append(item.time)
        for term in sorted(item.sig, key=item.sig.__getitem__, reverse=True)[:LOOKUP_TERMS]:
            self.fresh_postings[term].append(n)

    def _sig(self, n: int) -> Signature:
        if n not in self._decoded:
            self._decoded[n] = decode(self.stored[n].sig)
        return self._decoded[n]

    def sharing(self, item: Item, limit: int = CANDIDATES) -> list[tuple[Stored, float]]:
        """Stored stories from other sources within the span sharing at least one of the
        item's heaviest terms, with their cosine: those sharing most first, at most ``limit``
        (what meaning is checked against, when the words alone did not make a match)."""
        lo = bisect_left(self.times, item.time - self.span)
        hi = bisect_right(self.times, item.time + self.span)
        terms = sorted(item.sig, key=item.sig.__getitem__, reverse=True)[:LOOKUP_TERMS]
        cap = postings_cap(hi - lo)
        shared: defaultdict[int, int] = defaultdict(int)
        for term in terms:
            posting = self.postings.get(term)
            if not posting:
                continue
            a, b = bisect_left(posting, lo), bisect_left(posting, hi)
            if b - a <= cap:
                for n in posting[a:b]:
                    shared[n] += 1
        ranked = sorted(
            (n for n in shared if self.stored[n].source_id != item.source_id),
            key=lambda n: (-shared[n], n),
        )[:limit]
        return [(self.stored[n], dot(item.sig, self._sig(n))) for n in ranked]

    def best_match(
        self, item: Item, threshold: float = CLUSTER_THRESHOLD
    ) -> tuple[int, float] | None:
        """(story id, similarity) of the closest story from another source, if close enough."""
        found = self.matches(item, threshold)
        return max(found, key=lambda m: m[1]) if found else None

    def matches(self, item: Item, threshold: float = CLUSTER_THRESHOLD) -> list[tuple[int, float]]:
        """(story id, similarity) of every candidate from another source close enough."""
        lo = bisect_left(self.times, item.time - self.span)
        hi = bisect_right(self.times, item.time + self.span)
        terms = sorted(item.sig, key=item.sig.__getitem__, reverse=True)[:LOOKUP_TERMS]
        fresh_lo = bisect_left(self.fresh_times, item.time - self.span)
        cap = postings_cap(hi - lo + len(self.fresh_times) - fresh_lo)
        shared: defaultdict[int, int] = defaultdict(int)
        for term in terms:
            posting = self.postings.get(term)
            if not posting:
                continue
            a, b = bisect_left(posting, lo), bisect_left(posting, hi)
            if b - a <= cap:
                for n in posting[a:b]:
                    shared[n] += 1
        found: list[tuple[int, float]] = []
        for n in _most_shared(shared):
            row = self.stored[n]
            if row.source_id == item.source_id:
                continue
            score = dot(item.sig, self._sig(n))
            if score >= threshold:
                found.append((row.id, score))
        fresh_shared: defaultdict[int, int] = defaultdict(int)
        for term in terms:
            posting = self.fresh_postings.get(term)
            if not posting:
                continue
            a = bisect_left(posting, fresh_lo)
            if len(posting) - a <= cap:
                for n in posting[a:]:
                    fresh_shared[n] += 1
        for n in _most_shared(fresh_shared):
            other = self.fresh[n]
            if other.source_id == item.source_id:
                continue
            score = dot(item.sig, other.sig)
            if score >= threshold:
                found.append((other.id, score))
        return found


def assign_clusters(
    index: ClusterIndex, new: Sequence[Item], threshold: float = CLUSTER_THRESHOLD
) -> dict[int, int]:
    """Cluster new stories against the index (and each other), oldest first.

    Each new story joins the cluster of its single best match (no chaining through weak
    links), unless that cluster already holds :data:`MAX_CLUSTER` stories; returns every
    story id whose cluster id was set or changed.
    """
    changed: dict[int, int] = {}
    for item in sorted(new, key=lambda i: (i.time, i.id)):
        match = index.best_match(item, threshold)
        if match is not None:
            other_id = match[0]
            cluster = index.clusters.get(other_id)
            if cluster is None:
                cluster = other_id
            if index.sizes[cluster] < MAX_CLUSTER:
                if index.clusters.get(other_id) is None:
                    index.clusters[other_id] = cluster
                    changed[other_id] = cluster
                    index.sizes[cluster] += 1
                item.cluster_id = cluster
                changed[item.id] = cluster
                index.sizes[cluster] += 1
        index.clusters[item.id] = item.cluster_id
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
        newest = max(members, key=lambda i: (i.time, i.dated))
        age_h = max(0.0, (now - newest.time) / 3600)
        pop = max(i.popularity or 0 for i in members)
        s_score = math.log1p(sources) / math.log1p(max_sources) if max_sources > 1 else 0.0
        r_score = math.exp(-age_h / (hours / 2))
        p_score = math.log1p(pop) / math.log1p(max_pop) if max_pop else 0.0
        score = 1.0 * s_score + 0.6 * r_score + 0.4 * p_score
        lead = max(members, key=lambda i: (i.popularity or 0, i.time))
        age = f"{age_h:.0f}h old" if newest.dated else f"first seen {age_h:.0f}h ago"
        why = f"{sources} source{'s' if sources != 1 else ''} · {age}"
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


@dataclass(frozen=True, slots=True)
class Meaning:
    """Closeness by meaning, computed outside (from embeddings) and already weighted:
    each candidate's to the profile, and to each liked story."""

    to_profile: dict[int, float]
    to_liked: dict[int, dict[int, float]]


def recommend(
    profile: Profile,
    candidates: Iterable[Item],
    titles: dict[int, str],
    skip_clusters: set[int],
    limit: int = 20,
    meaning: Meaning | None = None,
    words_share: float = 1.0,
) -> list[Ranked]:
    """Unread stories most like the profile, each with "because you read …" naming another
    story (a liked story is never recommended for itself). With ``meaning``, a story's score
    is ``words_share`` × its shared words' similarity plus its closeness by meaning."""
    if not profile.liked:
        return []
    liked = {i.id for i in profile.liked}
    share = words_share if meaning is not None else 1.0
    scored = []
    for item in candidates:
        if item.id in liked:
            continue
        if item.cluster_id is not None and item.cluster_id in skip_clusters:
            continue
        score = share * cosine(profile.vector, item.sig)
        if meaning is not None:
            score += meaning.to_profile.get(item.id, 0.0)
        if score > 0.02:
            scored.append((score, item))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].id))
    ranked = []
    for score, item in scored[:limit]:  # the reason only for what is shown
        near = meaning.to_liked.get(item.id, {}) if meaning is not None else {}

        def closeness(liked: Item, item: Item = item, near: dict[int, float] = near) -> float:
            return share * cosine(liked.sig, item.sig) + near.get(liked.id, 0.0)

        because = max(profile.liked, key=closeness)
        why = f"because you read “{titles.get(because.id) or '(untitled)'}”"
        ranked.append(Ranked(item.id, round(score, 4), why))
    return ranked
