"""Discovery computed locally: signatures, same-story clusters, related, trending, recommended."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tuireader.domain.closeness import (
    TASTE_SHARES,
    TOPIC_SHARE,
    combined,
    item_of,
    likely_same_event,
    same_event,
)
from tuireader.domain.dates import CLOCK_SKEW
from tuireader.domain.discovery import (
    CLUSTER_HOURS,
    ClusterIndex,
    Item,
    Meaning,
    Profile,
    Ranked,
    SignedStory,
    Stored,
    assign_clusters,
    recommend,
    trending,
)
from tuireader.domain.lead import discovery_title, without_names
from tuireader.domain.models import ContentType, StoryText
from tuireader.domain.plain_text import story_text
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
from tuireader.services.semantic import LEAD_SOURCE, Semantic, join_by_meaning
from tuireader.storage.discovery_repo import DiscoveryRepo

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

RELATED = 8
SEMANTIC_CANDIDATES = 60
RELATED_FLOOR = 0.12
"""Below this combined score a story is not related at all."""
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
class MeaningReport:
    """What the background half of indexing did."""

    embedded: int
    joined: int
    seconds: float
    problem: str | None = None
    """Why meaning is not used, when it is not (said to the user in a line)."""


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


def _why(words: Sequence[str], close: Sequence[str] = ()) -> str:
    """The reason a story is related, in whole words: the words it shares, else its words
    closest in meaning to the open story (never blank)."""
    if words:
        return "shares " + ", ".join(words)
    if close:
        return "about the same subject: " + ", ".join(close)
    return "similar in meaning"


def _folded(title: str) -> str:
    return " ".join(discovery_title(title).casefold().split())


class Discovery:
    """Everything discovery does, over one database connection."""

    def __init__(
        self,
        repo: DiscoveryRepo,
        clock: Callable[[], float] = time.time,
        trending_hours: int = 48,
        semantic: Semantic | None = None,
    ) -> None:
        self.repo = repo
        self.semantic = semantic or Semantic(repo, None)
        """Meaning: vectors, computed after storing (see :meth:`index_meaning`)."""
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
        # a changed story is embedded again, after the refresh (see index_meaning)
        self.repo.forget_vectors([sid for sid, _ in sigs])
        clustered = self._cluster([sid for sid, _ in sigs])
        self._trending = None
        return IndexReport(len(sigs), clustered, time.perf_counter() - start)

    def index_meaning(self, batch: int = 2000) -> MeaningReport:
        """The background half of indexing: embed every story without a vector (what a
        refresh just stored, and a library's backlog), then let each new story that the
        words left alone join its event by meaning (see :func:`same_event`)."""
        start = time.perf_counter()
        embedded: list[int] = []
        after = 0
        while self.semantic.available and (rows := self.repo.unembedded(batch, after)):
            after = rows[-1][0]
            items = [
                (sid, title, story_text(title, body[:LEAD_SOURCE], ContentType(kind)))
                for sid, title, body, kind in rows
            ]
            if self.semantic.embed_stories(items):
                embedded += [sid for sid, _, _ in items]
        joined = 0
        if embedded:
            # by time, a window at a time: a backlog spans months, a window two days
            times = self.repo.times(embedded)
            ordered = sorted(times, key=lambda i: (times[i], i))
            span = CLUSTER_HOURS * 3600
            first = 0
            for n in range(1, len(ordered) + 1):
                if n == len(ordered) or times[ordered[n]] - times[ordered[first]] > span:
                    joined += join_by_meaning(self.repo, self.semantic, ordered[first:n])
                    first = n
            self._trending = None
        return MeaningReport(
            len(embedded), joined, time.perf_counter() - start, self.semantic.problem
        )

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
        changed = assign_clusters(index, [item_of(r) for r in new_rows.values()])
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
        """The most similar other stories, by shared words and by meaning: never another
        version of the same event (those are "also in"), never one story twice."""
        row = self.repo.rows([story_id]).get(story_id)
        if row is None or not row.sig:
            return []
        sig = decode(row.sig)
        text = self.repo.story_text(story_id)
        if text is None:
            return []
        title, summary, content, content_type, categories = text
        indexed = story_text(title, content or summary, ContentType(content_type), categories)
        candidates: list[int] = []
        vector = self.semantic.vector_of(story_id, title, indexed)
        if sig and vector is None:
            # without meaning, the stories sharing the most telling words; with it, the
            # nearest by meaning and topic are the candidates (a BM25 ranking of every story
            # sharing a word is most of related's time at 100,000 stories, and it adds
            # versions of the same event, which are left out, more than stories on the topic)
            candidates = self._sharing_words(story_id, sig)
        if vector is not None and row.cluster_id is not None:
            # the event's other versions say what kind of story it is, in their own words
            versions = self.semantic.vectors(self.repo.cluster_members(row.cluster_id))
            if len(versions) > 1:
                import numpy as np

                centre = np.mean(list(versions.values()), axis=0, dtype=np.float32)
                mixed = vector + centre / max(float(np.linalg.norm(centre)), 1e-9)
                vector = (mixed / max(float(np.linalg.norm(mixed)), 1e-9)).astype(np.float32)
        meaning: dict[int, tuple[float, float]] = {}
        if vector is not None:
            near = self.semantic.nearest(vector, SEMANTIC_CANDIDATES, story_id, TOPIC_SHARE)
            if sig and len(near) < SEMANTIC_CANDIDATES:
                # few stories have meaning yet (it is embedded on a thread after they are
                # stored, or the library is small): the words find the rest
                candidates = self._sharing_words(story_id, sig)
            meaning = {i: (sem, topic) for i, sem, topic in near}
            known = set(candidates)
            candidates += [i for i in meaning if i not in known]
            missing = [i for i in candidates if i not in meaning]
            meaning.update(self.semantic.similarities(vector, missing))
        rows = self.repo.rows(candidates, shown=True)
        scored: list[tuple[float, int, list[str]]] = []
        for cid in candidates:
            other = rows.get(cid)
            if other is None or not other.sig:
                continue
            if row.cluster_id is not None and other.cluster_id == row.cluster_id:
                continue
            other_sig = decode(other.sig)
            lexical = cosine(sig, other_sig)
            semantic, topic = meaning.get(cid, (0.0, 0.0))
            if likely_same_event(row, other, lexical, semantic):
                continue  # a version of this event the clustering did not join: not "related"
            score = combined(lexical, semantic, topic, vector is not None)
            if score < RELATED_FLOOR and lexical <= 0.05:
                continue
            # the terms that weigh most in the similarity, not only the query's six
            shared = sorted(
                (t for t in sig if t in other_sig), key=lambda t: (-sig[t] * other_sig[t], t)
            )[:3]
            scored.append((round(score, 4), cid, shared))
        scored.sort(key=lambda s: (-s[0], -s[1]))
        shown = self._distinct(story_id, [cid for _, cid, _ in scored], n)
        picked = [s for s in scored if s[1] in shown]
        words = self._words(story_id) if picked else {}
        out = []
        for score, cid, shared in picked:
            close = [] if shared else self._closest_words(cid, vector)
            out.append(Ranked(cid, score, _why([words.get(t, t) for t in shared], close)))
        return out

    def _sharing_words(self, story_id: int, sig: dict[str, float]) -> list[int]:
        """Stories sharing the most telling words of ``sig``, best first (FTS5's BM25)."""
        terms = sorted(sig, key=lambda t: -sig[t])[:RELATED_QUERY_TERMS]
        match = " OR ".join(f'"{f}"' for t in terms for f in forms(t)[:2])
        return [i for i in self.repo.search_candidates(match, 60) if i != story_id]

    def _distinct(self, story_id: int, ordered: Sequence[int], n: int) -> set[int]:
        """The first ``n`` of ``ordered`` that are not one story twice: the same title
        (without an outlet's dressing) as the open story or as one kept before it."""
        titles = self.titles([story_id, *ordered[: n * 3]])
        seen = {_folded(titles.get(story_id, ("", ""))[0])}
        kept: set[int] = set()
        for cid in ordered:
            if len(kept) >= n:
                break
            key = _folded(titles.get(cid, ("", ""))[0]) if cid in titles else f"#{cid}"
            if key and key in seen:
                continue
            seen.add(key)
            kept.add(cid)
        return kept

    def _closest_words(self, story_id: int, vector: npt.NDArray[np.float32] | None) -> list[str]:
        """Two words of a story's title closest in meaning to ``vector`` (whole words, as
        written): the reason for a story related by meaning, not by shared words."""
        if vector is None:
            return []
        title = self.titles([story_id]).get(story_id, ("", ""))[0]
        # names say which story, not what kind: the reason is in the title's other words
        words = sorted(set(surface_words(without_names(discovery_title(title))).values()))
        if not words:
            return []
        embedded = self.semantic.embed_texts(words)
        if embedded is None:
            return []
        scores = embedded @ vector
        best = sorted(range(len(words)), key=lambda n: -float(scores[n]))[:2]
        return [words[n] for n in best]

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
        weights: dict[int, float] = {}
        liked_rows: list[SignedStory] = []
        for row in self.repo.engaged():
            item = item_of(row)
            age_days = max(0.0, (now - (row.read_at or row.sort_time)) / 86400)
            decay = 0.5 ** (age_days / 30)
            if row.dismissed:
                profile.add(item, -1.0)
                weights[row.id] = -1.0
            else:
                weight = (1.5 if row.starred else 1.0) * decay
                profile.add(item, weight)
                weights[row.id] = weight
                liked_rows.append(row)
                if row.cluster_id is not None:
                    read_clusters.add(row.cluster_id)
        # a library not refreshed lately recommends from its own newest days
        anchor = min(now, float(self.repo.newest_time() or now))
        rows = self.repo.unread_since(int(anchor) - days * 86400, 5000)
        # an event already read, though not clustered with what was read, is left out too
        liked_sigs = [(liked, decode(liked.sig)) for liked in liked_rows]
        span = CLUSTER_HOURS * 3600

        def already_read(r: SignedStory) -> bool:
            near = [(lr, ls) for lr, ls in liked_sigs if abs(lr.sort_time - r.sort_time) <= span]
            if not near:
                return False
            sig = decode(r.sig)
            return any(same_event(r, lr, cosine(sig, ls), 0.0) for lr, ls in near)

        rows = [r for r in rows if not already_read(r)]
        candidates = [item_of(r) for r in rows]
        liked_titles = titles([i.id for i in profile.liked])
        meaning = self._meaning_of_profile(weights, [r.id for r in rows])
        return recommend(
            profile, candidates, liked_titles, read_clusters, n, meaning, TASTE_SHARES[0]
        )

    def _meaning_of_profile(
        self, weights: Mapping[int, float], candidates: Sequence[int]
    ) -> Meaning | None:
        """The reader's taste by meaning, weighted as :func:`combined` weighs it: each
        candidate's closeness to the weighted mean of what was liked (minus what was not),
        and to each liked story."""
        import numpy as np

        if not weights or not self.semantic.available:
            return None
        liked = self.semantic.vectors(list(weights))
        positive = [i for i in liked if weights[i] > 0]
        others = self.semantic.vectors(candidates)
        if not positive or not others:
            return None
        liked_ids = list(liked)
        liked_matrix = np.stack([liked[i] for i in liked_ids])
        liked_topics = self.semantic.topic_profiles(liked_matrix)
        ids = list(others)
        matrix = np.stack([others[i] for i in ids])
        topics = self.semantic.topic_profiles(matrix)
        if liked_topics is None or topics is None:
            return None
        scale = np.asarray([weights[i] for i in liked_ids], dtype=np.float32)[:, None]
        centre, taste = (scale * liked_matrix).sum(axis=0), (scale * liked_topics).sum(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-9)
        taste /= max(float(np.linalg.norm(taste)), 1e-9)
        meaning_share, topic_share = TASTE_SHARES[1:]
        to_profile = meaning_share * (matrix @ centre) + topic_share * (topics @ taste)
        rows = [liked_ids.index(i) for i in positive]
        to_each = meaning_share * (matrix @ liked_matrix[rows].T) + topic_share * (
            topics @ liked_topics[rows].T
        )
        return Meaning(
            {i: float(to_profile[n]) for n, i in enumerate(ids)},
            {
                i: {positive[k]: float(to_each[n, k]) for k in range(len(positive))}
                for n, i in enumerate(ids)
            },
        )

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
