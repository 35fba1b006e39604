"""What text a regex cannot match without: the literal pieces every match contains.

``^(the|a) .*(ban|reject)`` matches only a text holding ("the" or "a") and " " and ("ban" or
"reject"). The store tests those pieces in SQL first (a substring test in C, no Python per
row) and runs the regex only on the texts that hold them: the same answer, sooner.

Pieces are ASCII and leave out the letters that a case-insensitive Python regex matches
beyond ASCII (``i`` matches ``İ`` and ``ı``, ``k`` the Kelvin sign, ``s`` the long s), so a
case-insensitive ASCII substring test never misses a text the regex matches.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

try:  # the regex compiler's own parser: stdlib, named _parser since Python 3.11
    _sre: Any = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - a Python without it only loses the speed-up
    _sre = None

_UNSAFE = re.compile(r"[iksIKS]|[^\x00-\x7f]")
"""ASCII letters a case-insensitive regex matches beyond ASCII, and anything not ASCII."""

Clause = frozenset[str]
"""Pieces of which a match holds at least one."""


def _pieces(run: str) -> list[str]:
    return [p for p in _UNSAFE.split(run) if p]


def _sequence(items: Any) -> list[Clause]:
    """Clauses every match of a sequence of regex items satisfies."""
    clauses: list[Clause] = []
    run: list[str] = []

    def flush() -> None:
        for piece in _pieces("".join(run)):
            clauses.append(frozenset([piece]))
        run.clear()

    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            run.append(chr(arg))
            continue
        flush()
        if name == "SUBPATTERN":
            clauses += _sequence(arg[-1])
        elif name == "BRANCH":
            alternatives = [_sequence(branch) for branch in arg[1]]
            clause = _either(alternatives)
            if clause is not None:
                clauses.append(clause)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and arg[0] >= 1:
            clauses += _sequence(arg[2])
        elif name == "ATOMIC_GROUP":
            clauses += _sequence(arg)
        # anything else (classes, anchors, lookarounds, optional parts) requires nothing
    flush()
    return clauses


def _either(alternatives: list[list[Clause]]) -> Clause | None:
    """One clause true for whichever alternative matched: a piece of each, or None when
    some alternative requires nothing."""
    pieces: set[str] = set()
    for clauses in alternatives:
        if not clauses:
            return None
        pieces |= max(clauses, key=lambda c: min(len(p) for p in c))  # its most telling
    return frozenset(pieces)


def required_pieces(pattern: str) -> list[Clause]:
    """Clauses (each a set of ASCII pieces, one of which a match holds) that every match of
    ``pattern`` satisfies, case aside; ``[]`` when nothing is required or it cannot tell."""
    if _sre is None:
        return []
    try:
        parsed = _sre.parse(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError):
        return []
    return _sequence(list(parsed))
