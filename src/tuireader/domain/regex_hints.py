"""What text a regex cannot match without: the literal pieces every match contains.

``^(the|a) .*(ban|reject)`` matches only a text holding ("the" or "a") and " " and ("ban" or
"reject"), and since it is anchored, begins with "the " or "a ". The store tests those in
SQL first (a substring or prefix test in C, no Python per row), the most telling first, and
runs the regex only on the texts that pass: the same answer, sooner.

Pieces are the regex's literal text. A case-insensitive Python regex matches some letters
beyond their ASCII case (``i`` matches ``İ`` and ``ı``, ``k`` the Kelvin sign, ``s`` the long
s) and a letter beyond ASCII in its every case; SQL's LIKE folds ASCII case only. So the test
puts a one-character wildcard where such a letter stands (:func:`is_wild`): it never misses a
text the regex matches. A piece tells as much as the letters that are not wild in it
(:func:`weight`).
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


def is_wild(char: str) -> bool:
    """Whether a substring test must take any one character for ``char``."""
    return _UNSAFE.match(char) is not None


def weight(piece: str) -> int:
    """How telling a piece is: its letters that are not wild."""
    return len(_UNSAFE.sub("", piece))


def _pieces(run: str) -> list[str]:
    return [run] if weight(run) else []


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
        pieces |= max(clauses, key=lambda c: min(weight(p) for p in c))  # its most telling
    return frozenset(pieces)


def required_pieces(pattern: str) -> list[Clause]:
    """Clauses (each a set of pieces, one of which a match holds) that every match of
    ``pattern`` satisfies, case and wild letters aside; ``[]`` when nothing is required or
    it cannot tell."""
    if _sre is None:
        return []
    try:
        parsed = _sre.parse(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError):
        return []
    return _sequence(list(parsed))


_MAX_PREFIXES = 8
"""An anchored regex with more alternative beginnings than this gets no prefix test."""


def _begin(items: Any, starts: set[str]) -> tuple[set[str], bool]:
    """The texts a match of ``items`` may begin with, each after one of ``starts``, and
    whether ``items`` were literal to their end (so what follows extends them)."""
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            char = chr(arg)
            starts = {start + char for start in starts}
            continue
        if name == "SUBPATTERN":
            starts, whole = _begin(arg[-1], starts)
        elif name == "IN":  # [xy], or (x|y) as the parser writes it
            chars = [chr(a) for o, a in arg if str(o) == "LITERAL"]
            if len(chars) != len(arg):
                return starts, False
            if len(starts) * len(chars) > _MAX_PREFIXES:
                return starts, False
            starts = {start + char for start in starts for char in chars}
            whole = True
        elif name == "BRANCH":
            found: set[str] = set()
            whole = True
            for branch in arg[1]:
                begun, literal = _begin(branch, starts)
                found |= begun
                whole = whole and literal
            if len(found) > _MAX_PREFIXES:
                return {""}, False
            starts = found
        else:
            return starts, False
        if not whole:
            return starts, False
    return starts, True


def prefixes(pattern: str) -> frozenset[str]:
    """For a regex anchored at the text's start (``^…``, not multi-line), the texts one of
    which every match begins with, case aside (and wild letters, :func:`is_wild`); empty when
    it cannot tell, or when one of them tells nothing (every letter wild)."""
    if _sre is None:
        return frozenset()
    try:
        parsed = _sre.parse(pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError):
        return frozenset()
    items = list(parsed)
    if parsed.state.flags & re.MULTILINE or not items or str(items[0][0]) != "AT":
        return frozenset()
    if str(items[0][1]) not in ("AT_BEGINNING", "AT_BEGINNING_STRING"):
        return frozenset()
    begun, _ = _begin(items[1:], {""})
    if any(weight(start) == 0 for start in begun):
        return frozenset()
    return frozenset(begun)


def telling(clauses: list[Clause], most: int = 3) -> list[Clause]:
    """The clauses worth testing, most telling first: those whose shortest piece is longest.

    A clause of one-character pieces (" ", "a") holds for nearly every text, so it is only
    kept when nothing better is there; wild letters count for nothing (:func:`weight`).
    """
    ranked = sorted(clauses, key=lambda c: (-min(weight(p) for p in c), len(c), sorted(c)))
    ranked = [c for c in ranked if min(weight(p) for p in c) > 0]
    strong = [c for c in ranked if min(weight(p) for p in c) >= 2]
    return (strong or ranked[:1])[:most]
