"""Discovery computed locally: signatures, same-story clusters, related, trending, recommended."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from tuireader.content.plain import story_text
from tuireader.domain.dates import CLOCK_SKEW
from tuireader.domain.discovery import (
    CLUSTER_HOURS,
    ClusterIndex,
    Item,
    Profile,
    Ranked,
    SignedStory,
    Stored,
    assign_clusters,
    recommend,
    trending,
)
from tuireader.domain.models import ContentType, StoryText
from tuireader.domain.terms import (
    BODY_CHARS,
    cosine,
    decode,
    encode,
    forms,
    signature,
    surface_words,
    term_counts,
)
from tuireader.storage.discovery_repo import DiscoveryRepo

RELATED = 8
RELATED_QUERY_TERMS = 6
"""The heaviest terms a related-stories search asks for (more only slows BM25 ranking)."""
BIG_BATCH = 300
"""Above this many new stories, read the whole vocabulary once instead of term by term."""


@dataclass(frozen=True, slots=True)
class IndexReport:
    """What indexing a batch did."""

    signed: int
    clustered: int
    seconds: float


@dataclass(frozen=True, slots=True)
class DiscoveryLists:
    """The computed lists for the open story."""

    related: list[Ranked]
    also_in: list[int]
    ranking: list[Ranked]
    recommended: list[Ranked]
    titles: dict[int, tuple[str, str]]
    trending_hours: int = 48
    """The window ``ranking`` looks at."""


def _why(words: Sequence[str]) -> str:
    """The reason a story is related: the words it shares (never blank)."""
    return "shares " + ", ".join(words) if words else "similar wording"


def _item(row: SignedStory) -> Item:
    return Item(
        row.id, row.source_id, row.sort_time, decode(row.sig), row.cluster_id, row.popularity
    )


class Discovery:
    """Everything discovery does, over one database connection."""

    def __init__(
        self, repo: DiscoveryRepo, clock: Callable[[], float] = time.time, trending_hours: int = 48
    ) -> None:
        self.repo = repo
        self.clock = clock
        self.trending_hours = trending_hours
        self._trending: list[Ranked] | None = None
        self._recommended: dict[int, list[Ranked]] = {}
        self._version: tuple[int, int] | None = None

    def _current(self) -> None:
        """Forget the cached lists if the library changed since they were computed (a
        story opened or marked, a refresh, in this process or another)."""
        version = self.repo.version()
        if version != self._version:
            self._trending = None
            self._recommended = {}
            self._version = version

    # indexing -----------------------------------------------------------------------------
    def index(
        self, items: Sequence[StoryText], counts: Mapping[int, Mapping[str, float]] | None = None
    ) -> IndexReport:
        """Sign and cluster new or changed stories.

        ``counts`` are term counts already computed, by story id (refresh computes them in
        its parse threads, while other feeds are still downloading).
        """
        start = time.perf_counter()
        if not items:
            return IndexReport(0, 0, 0.0)
        total = self.repo.doc_count()
        known = counts or {}
        terms_of = {
            t.id: known.get(t.id) or term_counts(t.title, t.text, t.categories) for t in items
        }
        if len(items) > BIG_BATCH:
            # A big batch is a fair sample of the library's language: estimate document
            # frequencies from it instead of scanning the whole search index.
            in_batch: Counter[str] = Counter()
            for terms in terms_of.values():
                in_batch.update(terms.keys())
            scale = max(total, len(items)) / len(items)

            def df(term: str) -> int:
                return int(in_batch[term] * scale)
        else:
            cache: dict[str, int] = {}

            def df(term: str) -> int:
                if term not in cache:
                    cache[term] = self.repo.document_frequency(forms(term))
                return cache[term]

        sigs = [(t.id, signature(terms_of[t.id], df, total)) for t in items]
        self.repo.set_signatures((sid, encode(sig)) for sid, sig in sigs)
        clustered = self._cluster([sid for sid, _ in sigs])
        self._trending = None
        return IndexReport(len(sigs), clustered, time.perf_counter() - start)

    def index_backlog(self, batch: int = 2000) -> int:
        """Sign stories stored before discovery existed (or whose signing was interrupted).

        Bounded: each pass reads past the last id of the one before, so a story that could
        not be signed is never read twice (and :func:`encode` marks it signed anyway).
        """
        done = 0
        after = 0
        while rows := self.repo.unsigned(batch, after):
            after = rows[-1][0]
            items = []
            for sid, title, summary, content, categories in rows:
                body = content or summary
                kind = ContentType.HTML if "<" in body else ContentType.TEXT
                text = story_text(title, body, kind, categories)
                items.append(StoryText(sid, "", title, text, categories))
            self.index(items)
            done += len(rows)
        return done

    def _cluster(self, ids: Sequence[int]) -> int:
        new_rows = self.repo.rows(ids)
        if not new_rows:
            return 0
        times = [r.sort_time for r in new_rows.values()]
        span = CLUSTER_HOURS * 3600
        stored = [
            Stored(*row)
            for row in self.repo.window_sigs(min(times) - span, max(times) + span)
            if row[0] not in new_rows
        ]
        index = ClusterIndex(stored)
        changed = assign_clusters(index, [_item(r) for r in new_rows.values()])
        self.repo.set_clusters(changed.items())
        return len(changed)

    # reading ------------------------------------------------------------------------------
    def also_in(self, story_id: int) -> list[int]:
        """Other versions of the same event (same cluster), oldest first."""
        row = self.repo.rows([story_id]).get(story_id)
        if row is None or row.cluster_id is None:
            return []
        return [i for i in self.repo.cluster_members(row.cluster_id) if i != story_id]

    def related(self, story_id: int, n: int = RELATED) -> list[Ranked]:
        """The most similar other stories, not counting other versions of the same event."""
        row = self.repo.rows([story_id]).get(story_id)
        if row is None or not row.sig:
            return []
        sig = decode(row.sig)
        if not sig:
            return []
        terms = sorted(sig, key=lambda t: -sig[t])[:RELATED_QUERY_TERMS]
        match = " OR ".join(f'"{f}"' for t in terms for f in forms(t)[:2])
        candidates = [i for i in self.repo.search_candidates(match, 60) if i != story_id]
        rows = self.repo.rows(candidates)
        scored: list[tuple[float, int, list[str]]] = []
        for cid in candidates:
            other = rows.get(cid)
            if other is None or not other.sig:
                continue
            if row.cluster_id is not None and other.cluster_id == row.cluster_id:
                continue
            other_sig = decode(other.sig)
            score = cosine(sig, other_sig)
            if score <= 0.05:
                continue
            # the terms that weigh most in the similarity, not only the query's six
            shared = sorted(
                (t for t in sig if t in other_sig), key=lambda t: (-sig[t] * other_sig[t], t)
            )[:3]
            scored.append((round(score, 4), cid, shared))
        scored.sort(key=lambda s: (-s[0], -s[1]))
        words = self._words(story_id) if scored else {}
        return [
            Ranked(cid, score, _why([words.get(t, t) for t in shared]))
            for score, cid, shared in scored[:n]
        ]

    def _words(self, story_id: int) -> dict[str, str]:
        """The open story's terms as written in it (a reason shows words, not stems)."""
        text = self.repo.story_text(story_id)
        if text is None:
            return {}
        title, summary, content, content_type, categories = text
        written = story_text(title, content or summary, ContentType(content_type), categories)
        return surface_words(written[: BODY_CHARS * 2])

    def trending(self, n: int = 20) -> list[Ranked]:
        """Events of the last ``trending_hours`` ranked by source coverage, recency and
        popularity (cached until the library changes); empty when nothing is that recent."""
        self._current()
        if self._trending is None:
            now = int(self.clock())
            span = self.trending_hours * 3600
            # only the window it claims: a library not refreshed lately has nothing trending
            # (a few minutes ahead are a server's clock skew, not the future)
            rows = self.repo.trending_rows(now - span, now + CLOCK_SKEW)
            items = [Item(i, src, t, {}, c, pop, bool(dated)) for i, src, t, c, pop, dated in rows]
            self._trending = trending(items, now, self.trending_hours)
        return self._trending[:n]

    def recommend(
        self,
        titles: Callable[[Sequence[int]], dict[int, str]],
        n: int = 20,
        days: int = 14,
        exclude: int | None = None,
    ) -> list[Ranked]:
        """Unread stories like the ones read to the end or starred, never ``exclude`` (the
        open story) nor one of those liked stories itself (cached until the library changes)."""
        self._current()
        if n not in self._recommended:
            self._recommended[n] = self._recommend(titles, n + 1, days)
        return [r for r in self._recommended[n] if r.id != exclude][:n]

    def _recommend(
        self, titles: Callable[[Sequence[int]], dict[int, str]], n: int, days: int
    ) -> list[Ranked]:
        profile = Profile()
        now = self.clock()
        read_clusters: set[int] = set()
        for row in self.repo.engaged():
            item = _item(row)
            age_days = max(0.0, (now - (row.read_at or row.sort_time)) / 86400)
            decay = 0.5 ** (age_days / 30)
            if row.dismissed:
                profile.add(item, -1.0)
            else:
                profile.add(item, (1.5 if row.starred else 1.0) * decay)
                if row.cluster_id is not None:
                    read_clusters.add(row.cluster_id)
        # a library not refreshed lately recommends from its own newest days
        anchor = min(now, float(self.repo.newest_time() or now))
        candidates = [_item(r) for r in self.repo.unread_since(int(anchor) - days * 86400, 5000)]
        liked_titles = titles([i.id for i in profile.liked])
        return recommend(profile, candidates, liked_titles, read_clusters, n)

    def titles(self, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """(title, source name) for story ids."""
        return self.repo.titles(ids)

    def lists_for(self, story_id: int | None) -> DiscoveryLists:
        """Everything the widgets beside an article show, in one call (for a worker)."""
        related = self.related(story_id) if story_id is not None else []
        also = self.also_in(story_id) if story_id is not None else []
        ranking = self.trending()
        recommended = self.recommend(
            lambda ids: {i: t for i, (t, _) in self.titles(ids).items()}, exclude=story_id
        )
        ids = [r.id for r in related + ranking + recommended] + also
        return DiscoveryLists(
            related,
            also,
            ranking,
            recommended,
            self.titles(ids),
            self.trending_hours,
        )

    def has_profile(self) -> bool:
        """Whether any story was starred or read to the end (and not dismissed): what
        Recommended goes on."""
        return any(not row.dismissed for row in self.repo.engaged())

    def invalidate(self) -> None:
        """Forget cached lists, so the next call computes them cold (for benchmarks: the
        service notices library changes by itself)."""
        self._trending = None
        self._recommended = {}

    def mark_finished(self, story_id: int) -> None:
        """The reader reached the end of a story: it counts for recommendations."""
        self.repo.set_flag(story_id, "finished", True)

    def clusters(self, since_hours: int = 24 * 7) -> list[list[int]]:
        """Clusters with stories newer than ``since_hours``, biggest first."""
        groups: dict[int, list[int]] = {}
        for cluster_id, story_id in self.repo.clustered_since(
            int(self.clock()) - since_hours * 3600
        ):
            groups.setdefault(cluster_id, []).append(story_id)
        return sorted(
            (sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: (-len(g), g[0])
        )
