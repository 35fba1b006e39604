"""What the benchmarks share: their error, and how each writes its table into a README
(between its pair of marker comments, the rest of the file kept as it is)."""

from __future__ import annotations

import re
from pathlib import Path


class BenchError(Exception):
    """A benchmark step failed; the message says which."""


def write_block(path: Path, start: str, end: str, text: str) -> None:
    """Replace what stands between the markers ``start`` and ``end`` in ``path`` with
    ``text`` (taken as it is: a backslash in it is a backslash)."""
    body = path.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if not pattern.search(body):
        raise BenchError(f"{path} has no {start} … {end} markers")
    path.write_text(pattern.sub(lambda _m: f"{start}\n{text}\n{end}", body), encoding="utf-8")
