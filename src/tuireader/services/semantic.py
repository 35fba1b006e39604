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

from tuireader.content.embedding import EmbedderUnavailable, dequantize, quantize
from tuireader.content.plain import story_text
from tuireader.domain.lead import body_of, meaning_text
from tuireader.domain.models import ContentType
from tuireader.storage.discovery_repo import DiscoveryRepo

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

logger = logging.getLogger(__name__)

EMBED_BATCH = 1000
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
        self._state: tuple[int, int] = (0, 0)

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
                (sid, title, story_text(title, body, ContentType(kind)))
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

    def _refresh_index(self) -> None:
        """Follow the stored vectors: stories added past the highest id known are appended;
        anything else (a vector replaced or removed) reads them all again."""
        import numpy as np

        state = self.repo.vector_state()
        if self._bits is not None and state == self._state:
            return
        after = self._state[1] if self._bits is not None and state[1] >= self._state[1] else 0
        rows = self.repo.vectors_after(after)
        if after and state[0] != self._state[0] + len(rows):
            after, rows = 0, self.repo.vectors_after(0)
        rows = [(i, b) for i, b in rows if b]
        ids = np.asarray([i for i, _ in rows], dtype=np.int64)
        bits = _signs(dequantize([b for _, b in rows]))
        if after and self._ids is not None and self._bits is not None:
            ids, bits = np.concatenate([self._ids, ids]), np.concatenate([self._bits, bits])
        self._ids, self._bits, self._state = ids, bits, state

    def nearest(
        self, vector: npt.NDArray[np.float32], k: int, exclude: int | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` stories nearest in meaning, by cosine: (story id, similarity)."""
        import numpy as np

        with self._lock:
            self._refresh_index()
            ids, bits = self._ids, self._bits
        if ids is None or bits is None or not len(ids):
            return []
        query = _signs(vector[None, :])[0]
        distance = np.bitwise_count(bits ^ query).sum(axis=1, dtype=np.int32)
        take = min(SHORTLIST, len(ids))
        shortlist = np.argpartition(distance, take - 1)[:take]
        candidates = [int(i) for i in ids[shortlist] if int(i) != exclude]
        full = self.vectors(candidates)
        if not full:
            return []
        order = list(full)
        scores = np.stack([full[i] for i in order]) @ vector
        best = np.argsort(-scores)[:k]
        return [(order[n], float(scores[n])) for n in best]


def _signs(matrix: npt.NDArray[np.float32]) -> npt.NDArray[np.uint64]:
    """Each row's sign bits, packed into four 64-bit words."""
    import numpy as np

    packed = np.packbits(matrix > 0, axis=1)
    return packed.view(np.uint64).reshape(len(matrix), -1)
