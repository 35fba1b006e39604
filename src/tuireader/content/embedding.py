"""A story's meaning as a vector: the static word embedding shipped inside ``wordllama``.

``wordllama`` (a pinned dependency) carries, inside its wheel, a 256-dimension token embedding
(float16, 32,000 tokens, 16 MB) and the tokenizer it was trained with. A text's vector is the
mean of its tokens' vectors, L2-normalised: no model runs, nothing is downloaded, a 60-word
lead costs about 0.1 ms on one core.

The files are read here directly, from where the wheel ships them, instead of through
``wordllama.WordLlama.load``: that loader looks for the tokenizer under ``tokenizer/`` while
the wheel ships it under ``tokenizers/``, and falls back to downloading from Hugging Face
(and importing the package calls ``logging.basicConfig``, which would print its INFO lines
into the terminal). Reading two files with ``tokenizers`` and ``safetensors`` can do neither.

The files are read on first use, never at import or start-up.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

logger = logging.getLogger(__name__)

PACKAGE = "wordllama"
WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"
TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
TENSOR = "embedding.weight"
DIMENSIONS = 256
MAX_TOKENS = 192
"""A title and a 60-word lead are ~100 tokens; a longer text is cut (the lead said it)."""


class EmbedderUnavailable(Exception):
    """The embedding could not be loaded (the package or its files are missing or broken)."""


def package_dir(package: str = PACKAGE) -> Path:
    """Where an installed package lives, found without importing it."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EmbedderUnavailable(f"the {package} package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


class WordLlamaEmbedder:
    """Texts to unit vectors, with the embedding read from ``root`` (the installed
    ``wordllama`` package by default) on first use. Thread-safe."""

    dimensions = DIMENSIONS

    def __init__(self, root: Path | None = None) -> None:
        self._root = root
        self._lock = threading.Lock()
        self._table: Any = None
        self._tokenizer: Any = None

    @property
    def loaded(self) -> bool:
        """Whether the files were read already."""
        return self._table is not None

    def load(self) -> None:
        """Read the embedding and tokenizer (once); :class:`EmbedderUnavailable` if not."""
        with self._lock:
            if self._table is not None:
                return
            try:
                import numpy as np
                from safetensors import safe_open
                from tokenizers import Tokenizer
            except ImportError as exc:
                raise EmbedderUnavailable(f"cannot import {exc.name}") from exc
            root = self._root or package_dir()
            weights, tokenizer_file = root / WEIGHTS, root / TOKENIZER
            for path in (weights, tokenizer_file):
                if not path.is_file():
                    raise EmbedderUnavailable(f"{path} is missing")
            try:
                tokenizer = Tokenizer.from_file(str(tokenizer_file))
                tokenizer.no_padding()
                tokenizer.enable_truncation(MAX_TOKENS)
                with safe_open(str(weights), framework="np") as f:
                    table = np.ascontiguousarray(f.get_tensor(TENSOR), dtype=np.float16)
            except Exception as exc:  # a damaged file: say which, with the library's reason
                raise EmbedderUnavailable(f"cannot read {root.name}'s embedding: {exc}") from exc
            if table.ndim != 2 or table.shape[1] != DIMENSIONS:
                raise EmbedderUnavailable(f"unexpected embedding shape {table.shape}")
            self._tokenizer, self._table = tokenizer, table

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One unit vector per text (a zero vector for a text with no tokens)."""
        import numpy as np

        self.load()
        table, tokenizer = self._table, self._tokenizer
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        top = table.shape[0] - 1
        for n, encoding in enumerate(tokenizer.encode_batch(list(texts), add_special_tokens=False)):
            ids = encoding.ids
            if ids:
                rows = table[np.minimum(np.asarray(ids, dtype=np.int64), top)]
                out[n] = rows.mean(axis=0, dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out


def quantize(vectors: npt.NDArray[np.float32]) -> list[bytes]:
    """Each vector as int8 bytes (one per dimension), scaled by its own largest component:
    a cosine needs no scale, and 256 bytes a story is 25 MB at 100,000 stories. A zero
    vector (nothing to embed) is ``b""``."""
    import numpy as np

    peak = np.abs(vectors).max(axis=1, keepdims=True)
    scaled = np.divide(vectors * 127.0, peak, out=np.zeros_like(vectors), where=peak > 0)
    codes = np.rint(scaled).astype(np.int8)
    return [row.tobytes() if p > 0 else b"" for row, p in zip(codes, peak[:, 0], strict=True)]


def dequantize(blobs: Sequence[bytes]) -> npt.NDArray[np.float32]:
    """Unit vectors from :func:`quantize`'s bytes (a zero row for ``b""`` or junk)."""
    import numpy as np

    out = np.zeros((len(blobs), DIMENSIONS), dtype=np.float32)
    for n, blob in enumerate(blobs):
        if len(blob) == DIMENSIONS:
            out[n] = np.frombuffer(blob, dtype=np.int8)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out
