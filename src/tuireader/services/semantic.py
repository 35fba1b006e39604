"""Discovery's semantic side: stories embedded in the background, searched by meaning.

Vectors are computed after stories are stored (see :meth:`Semantic.embed_pending`), never on
the refresh's critical path, and kept in SQLite as int8. For searching, the library's vectors
are held in memory as sign bits only (32 bytes a story: 3.2 MB at 100,000), compared by
Hamming distance; the nearest few hundred are then scored by their full int8 vectors, read
back by id.

Our own faults are never silent: if the embedding cannot be loaded, the traceback is logged,
:attr:`Semantic.problem` says why in a line (the doctor and the app show it), and discovery
goes on with words alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from tuireader.content.embedding import DIMENSIONS, EmbedderUnavailable, dequantize, quantize
from tuireader.domain.closeness import SAME_EVENT_MEANING, SAME_EVENT_SUPPORT, item_of
from tuireader.domain.discovery import CLUSTER_HOURS, MAX_CLUSTER, ClusterIndex, Stored
from tuireader.domain.lead import body_of, meaning_text
from tuireader.domain.models import ContentType
from tuireader.domain.plain_text import story_text
from tuireader.domain.topics import SHARPNESS, TOPICS
from tuireader.storage.discovery_repo import DiscoveryRepo

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

logger = logging.getLogger(__name__)

EMBED_BATCH = 1000
LEAD_SOURCE = 8000
"""Characters of a stored body read for its lead (the lead is its first 60 words)."""
SHORTLIST = 300
"""Stories nearest by sign bits that are scored by their full vectors."""


class Embedder(Protocol):
    """Texts to unit vectors (see :class:`tuireader.content.embedding.WordLlamaEmbedder`)."""

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One unit vector per text."""
        ...


class Semantic:
    """Embeds stories and finds the nearest ones, over a discovery repository."""

    def __init__(self, repo: DiscoveryRepo, embedder: Embedder | None) -> None:
        self.repo = repo
        self.embedder = embedder
        self.problem: str | None = None if embedder is not None else "no embedding configured"
        """Why meaning is not used (``None`` while it is)."""
        self._lock = threading.Lock()
        self._ids: npt.NDArray[np.int64] | None = None
        self._bits: npt.NDArray[np.uint64] | None = None
        self._newest = 0
        self._version: tuple[int, int] | None = None
        self._topics: npt.NDArray[np.float32] | None = None
        self._topics_of: npt.NDArray[np.float32] | None = None

    @property
    def available(self) -> bool:
        """Whether vectors can be computed (false after the embedding failed to load)."""
        return self.embedder is not None and self.problem is None

    def embed_texts(self, texts: Sequence[str]) -> npt.NDArray[np.float32] | None:
        """Unit vectors for texts, or ``None`` when the embedding is not available (the
        first failure is logged with its traceback and kept in :attr:`problem`)."""
        if not self.available or self.embedder is None:
            return None
        try:
            return self.embedder.embed(texts)
        except EmbedderUnavailable as exc:
            logger.exception("the semantic embedding could not be loaded")
            self.problem = f"meaning is not used (words only): {exc}"
        except Exception as exc:  # our own fault: logged, said, and words go on alone
            logger.exception("embedding %d texts failed", len(texts))
            self.problem = f"meaning is not used (words only): {type(exc).__name__}: {exc}"
        return None

    def embed_stories(self, items: Sequence[tuple[int, str, str]]) -> int:
        """Embed (story id, title, indexed text) triples and store their vectors."""
        if not items:
            return 0
        vectors = self.embed_texts([meaning_text(t, body_of(x)) for _, t, x in items])
        if vectors is None:
            return 0
        self.repo.set_vectors(zip((i for i, _, _ in items), quantize(vectors), strict=True))
        return len(items)

    def embed_pending(self, batch: int = EMBED_BATCH, limit: int | None = None) -> int:
        """Embed every signed story without a vector (the background step after a refresh,
        and the backlog of a library older than vectors). Returns how many were embedded."""
        done = 0
        after = 0
        while self.available and (rows := self.repo.unembedded(batch, after)):
            after = rows[-1][0]
            items = [
                (sid, title, story_text(title, body[:LEAD_SOURCE], ContentType(kind)))
                for sid, title, body, kind in rows
            ]
            done += self.embed_stories(items)
            if limit is not None and done >= limit:
                break
        return done

    def vectors(self, ids: Sequence[int]) -> dict[int, npt.NDArray[np.float32]]:
        """Unit vectors of stored stories (those embedded, with anything to embed)."""
        blobs = {i: b for i, b in self.repo.vectors(ids).items() if b}
        if not blobs:
            return {}
        matrix = dequantize(list(blobs.values()))
        return dict(zip(blobs, matrix, strict=True))

    def vector_of(self, story_id: int, title: str, indexed: str) -> npt.NDArray[np.float32] | None:
        """A story's vector: stored, else computed now (and stored) from its text."""
        stored = self.vectors([story_id]).get(story_id)
        if stored is not None:
            return stored
        vectors = self.embed_texts([meaning_text(title, body_of(indexed))])
        if vectors is None:
            return None
        self.repo.set_vectors([(story_id, quantize(vectors)[0])])
        return vectors[0] if float(vectors[0] @ vectors[0]) > 0 else None

    def topic_profiles(self, vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32] | None:
        """Each vector's topic profile (see :mod:`tuireader.domain.topics`): a softmax of
        its closeness to each topic, as a unit row; ``None`` without the embedding."""
        import numpy as np

        if self._topics is None:
            described = self.embed_texts([text for _, text in TOPICS])
            if described is None:
                return None
            self._topics = described
        closeness = np.atleast_2d(vectors) @ self._topics.T
        weights = np.exp((closeness - closeness.max(axis=1, keepdims=True)) / SHARPNESS)
        weights *= np.abs(np.atleast_2d(vectors)).sum(axis=1, keepdims=True) > 0
        norms = np.linalg.norm(weights, axis=1, keepdims=True)
        np.divide(weights, norms, out=weights, where=norms > 0)
        profiles: npt.NDArray[np.float32] = weights.astype(np.float32)
        return profiles

    def _refresh_index(self) -> None:
        """Follow the stored vectors: those of stories past the highest id known are
        appended (a refresh's new stories). A story's vector replaced keeps its old sign
        bits here, and a story deleted stays until the next start: the bits only shortlist,
        and the stories shown are scored by their stored vectors, which are read fresh."""
        import numpy as np

        version = self.repo.version()
        if self._bits is not None and version == self._version:
            return
        self._version = version
        newest = self.repo.newest_vector()
        if self._bits is not None and newest == self._newest:
            return
        rows = [(i, b) for i, b in self.repo.vectors_after(self._newest) if b]
        ids = np.asarray([i for i, _ in rows], dtype=np.int64)
        bits = np.zeros((0, DIMENSIONS // 64), dtype=np.uint64)
        topics = np.zeros((0, len(TOPICS)), dtype=np.float32)
        for start in range(0, len(rows), 10_000):  # never the whole library as floats
            matrix = dequantize([b for _, b in rows[start : start + 10_000]])
            profiles = self.topic_profiles(matrix)
            if profiles is None:
                return
            bits = np.concatenate([bits, _signs(matrix)])
            topics = np.concatenate([topics, profiles])
        if self._ids is not None and self._bits is not None and self._topics_of is not None:
            ids = np.concatenate([self._ids, ids])
            bits = np.concatenate([self._bits, bits])
            topics = np.concatenate([self._topics_of, topics])
        self._ids, self._bits, self._topics_of, self._newest = ids, bits, topics, newest

    def nearest(
        self,
        vector: npt.NDArray[np.float32],
        k: int,
        exclude: int | None = None,
        topic_weight: float = 0.0,
    ) -> list[tuple[int, float, float]]:
        """The ``k`` stories nearest in meaning: (story id, cosine, topic similarity), by
        ``(1 - topic_weight)`` the one and ``topic_weight`` the other."""
        import numpy as np

        with self._lock:
            self._refresh_index()
            ids, bits, topics = self._ids, self._bits, self._topics_of
        if ids is None or bits is None or topics is None or not len(ids):
            return []
        mine = self.topic_profiles(vector)
        if mine is None:
            return []
        query = _signs(vector[None, :])[0]
        distance = np.bitwise_count(bits ^ query).sum(axis=1, dtype=np.int32)
        rough = np.cos(np.pi * distance / DIMENSIONS)  # the cosine sign bits estimate
        rough = (1 - topic_weight) * rough + topic_weight * (topics @ mine[0])
        take = min(SHORTLIST, len(ids))
        shortlist = np.argpartition(-rough, take - 1)[:take]
        candidates = [int(i) for i in ids[shortlist] if int(i) != exclude]
        scored = self.similarities(vector, candidates)
        ranked = sorted(
            scored.items(),
            key=lambda kv: -((1 - topic_weight) * kv[1][0] + topic_weight * kv[1][1]),
        )[:k]
        return [(i, sem, topic) for i, (sem, topic) in ranked]

    def similarities(
        self, vector: npt.NDArray[np.float32], ids: Sequence[int]
    ) -> dict[int, tuple[float, float]]:
        """(cosine, topic similarity) of stored stories to ``vector``, by id."""
        import numpy as np

        full = self.vectors(ids)
        mine = self.topic_profiles(vector)
        if not full or mine is None:
            return {}
        order = list(full)
        matrix = np.stack([full[i] for i in order])
        theirs = self.topic_profiles(matrix)
        assert theirs is not None
        cosines, topics = matrix @ vector, theirs @ mine[0]
        return {i: (float(cosines[n]), float(topics[n])) for n, i in enumerate(order)}


def join_by_meaning(repo: DiscoveryRepo, semantic: Semantic, ids: Sequence[int]) -> int:
    """Unclustered stories among ``ids`` join the closest story of another source
    within the window that is one event with them by meaning and shared words (see
    :func:`same_event`). Only stories sharing a heavy term are looked at: one event's
    versions share its names, and the window's vectors are never all read."""
    new_rows = {i: r for i, r in repo.rows(ids).items() if r.cluster_id is None}
    if not new_rows:
        return 0
    times = [r.sort_time for r in new_rows.values()]
    span = CLUSTER_HOURS * 3600
    stored = [Stored(*r) for r in repo.window_sigs(min(times) - span, max(times) + span)]
    index = ClusterIndex(stored)
    pairs: dict[int, list[tuple[Stored, float]]] = {}
    for row in new_rows.values():
        item = item_of(row)
        near = [
            (other, lexical)
            for other, lexical in index.sharing(item)
            if other.id != row.id and lexical >= SAME_EVENT_SUPPORT
        ]
        if near:
            pairs[row.id] = near
    wanted = {row_id for row_id in pairs} | {o.id for near in pairs.values() for o, _ in near}
    vectors = semantic.vectors(list(wanted))
    changed: dict[int, int] = {}
    for row_id in sorted(pairs, key=lambda i: (new_rows[i].sort_time, i)):
        mine = vectors.get(row_id)
        if mine is None or index.clusters.get(row_id) is not None:
            continue
        best: tuple[float, Stored] | None = None
        for other, lexical in pairs[row_id]:
            theirs = vectors.get(other.id)
            if theirs is None:
                continue
            meaning = float(mine @ theirs)
            if meaning >= SAME_EVENT_MEANING and (best is None or meaning + lexical > best[0]):
                best = (meaning + lexical, other)
        if best is None:
            continue
        other_id = best[1].id
        cluster = index.clusters.get(other_id) or other_id
        if index.sizes[cluster] >= MAX_CLUSTER:
            continue
        if index.clusters.get(other_id) is None:
            index.clusters[other_id] = cluster
            changed[other_id] = cluster
            index.sizes[cluster] += 1
        index.clusters[row_id] = cluster
        changed[row_id] = cluster
        index.sizes[cluster] += 1
    repo.set_clusters(changed.items())
    return len(changed)


def _signs(matrix: npt.NDArray[np.float32]) -> npt.NDArray[np.uint64]:
    """Each row's sign bits, packed into four 64-bit words."""
    import numpy as np

    packed = np.packbits(matrix > 0, axis=1)
    return packed.view(np.uint64).reshape(len(matrix), -1)
