"""Salient terms and similarity: the text side of related stories, clustering and recommendations.

A story's *signature* is its most salient terms with TF-IDF weights, title terms counting more.
Signatures are small (~15 terms), stored with the story, and compared by cosine similarity.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache

from tuireader.domain.lead import body_of, discovery_title, strip_boilerplate

Signature = dict[str, float]

_TOKEN = re.compile(r"[^\W_]+(?:[.'’][^\W_]+)*", re.UNICODE)
_STOPWORDS_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves said says say new
    one two three four five six seven eight nine ten first last year years week weeks day days
    today yesterday tomorrow monday tuesday wednesday thursday friday saturday sunday according
    told officials people time will may might must make made get got us mr ms per cent percent
    around since still even back across many much well way including later earlier"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
TITLE_WEIGHT = 2.5
NAME_WEIGHT = 1.5
SIGNATURE_SIZE = 16
BODY_CHARS = 1000
"""Only the lead counts: what an event is about is said first."""


def forms(term: str) -> tuple[str, ...]:
    """Surface forms a stem stands for, to look its document frequency up in the index."""
    return (term, term + "s", term + "es", term + "ed", term + "ing")


@lru_cache(maxsize=262_144)
def stem(token: str) -> str:
    """A light, deterministic English stem: enough to join plurals and tenses."""
    if len(token) <= 4 or not token.isalpha():
        return token
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            if suffix == "s" and token.endswith("ss"):
                return token
            return token[: -len(suffix)] + keep
    return token


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def _fold(text: str) -> str:
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


@lru_cache(maxsize=262_144)
def _term(raw: str) -> str | None:
    """The stemmed term for a word as written, or ``None`` for a stopword (cached: news
    repeats its words)."""
    lower = raw.lower()
    if lower in STOPWORDS or (len(lower) < 3 and not lower.isdigit()):
        return None
    return stem(lower.split("'")[0])


def _add(counts: dict[str, float], text: str, weight: float, name_weight: float) -> None:
    # Counter runs in C: each distinct word as written is looked at once, not each occurrence
    for raw, n in Counter(_TOKEN.findall(_fold(text).replace("’", "'"))).items():
        term = _term(raw)
        if term:
            each = name_weight if raw[:1].isupper() else weight
            counts[term] = counts.get(term, 0.0) + n * each


_SENTENCE_END = re.compile(r"(?:^|[.!?:;\"“”(\[]\s*|\n\s*)$")


def surface_words(*texts: str) -> dict[str, str]:
    """For each term of the texts, the word as most often written there: what a reason
    shows instead of a stem ("politics", not "politic"). Lower case, unless the word is
    written capitalised only, and at least once inside a sentence (a name, not a sentence's
    first word)."""
    written: dict[str, Counter[str]] = {}
    originals: Counter[str] = Counter()
    named: set[str] = set()
    lowered: set[str] = set()
    for text in texts:
        text = text.replace("’", "'")
        for match in _TOKEN.finditer(text):
            raw = match.group().split("'")[0]
            term = _term(_fold(raw))
            if not term:
                continue
            written.setdefault(term, Counter())[raw.lower()] += 1
            originals[raw] += 1
            if not raw[:1].isupper():
                lowered.add(term)
            elif not _SENTENCE_END.search(text[max(0, match.start() - 3) : match.start()]):
                named.add(term)
    out: dict[str, str] = {}
    for term, as_written in written.items():
        best = min(as_written, key=lambda w: (-as_written[w], len(w), w))
        if term in named and term not in lowered:  # as the name is written: "McAllister"
            best = max((w for w in originals if w.lower() == best), key=originals.__getitem__)
        out[term] = best
    return out


def term_counts(title: str, body: str, categories: Sequence[str] = ()) -> dict[str, float]:
    """Weighted counts: title terms ×2.5 and capitalised words (names) in the lead ×1.5,
    from the story's own words only: the title without a site name or label
    (:func:`~tuireader.domain.lead.discovery_title`), the body (of an indexed text: after its
    title and sections lines) without an outlet's furniture. The feed's sections are not
    counted: one outlet's "Sport" is another's "Football" or nothing, and they must neither
    make nor break a match (``categories`` is kept for callers; issue 12)."""
    del categories
    counts: dict[str, float] = {}
    _add(counts, discovery_title(title), TITLE_WEIGHT, TITLE_WEIGHT)
    _add(
        counts, strip_boilerplate(body_of(body)[: BODY_CHARS + 200])[:BODY_CHARS], 1.0, NAME_WEIGHT
    )
    return counts


def heaviest_counts(counts: Mapping[str, float], keep: int = 48) -> dict[str, float]:
    """The ``keep`` heaviest counts: what a signature can be chosen from, in little memory."""
    if len(counts) <= keep:
        return dict(counts)
    return dict(sorted(counts.items(), key=lambda kv: -kv[1])[:keep])


def signature(
    counts: Mapping[str, float], df: Callable[[str], int], total: int, size: int = SIGNATURE_SIZE
) -> Signature:
    """The top ``size`` terms by TF-IDF, L2-normalised."""
    scored: dict[str, float] = {}
    n = max(total, 1)
    for term, count in counts.items():
        idf = math.log((n + 1) / (df(term) + 1)) + 1.0
        scored[term] = (1.0 + math.log(count)) * idf if count > 0 else 0.0
    top = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:size]
    norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
    return {t: w / norm for t, w in top}


def dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """The dot product: the cosine for two signatures, which are stored L2-normalised."""
    if len(a) > len(b):
        a, b = b, a
    get = b.get
    return sum([w * get(t, 0.0) for t, w in a.items()])


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine similarity of two sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    if not dot:
        return 0.0
    na = math.sqrt(sum(w * w for w in a.values()))
    nb = math.sqrt(sum(w * w for w in b.values()))
    return dot / (na * nb) if na and nb else 0.0


UNSIGNABLE = "-"
"""The stored signature of a story with no terms at all (an empty title and body): not
empty, so the story counts as indexed and is never selected for signing again."""


def encode(sig: Mapping[str, float]) -> str:
    """``term:weight`` pairs separated by spaces (terms never hold either); a story with no
    terms is :data:`UNSIGNABLE`."""
    return " ".join(f"{t}:{w:.3f}" for t, w in sig.items()) or UNSIGNABLE


def decode(text: str) -> Signature:
    """The inverse of :func:`encode`; tolerant of junk."""
    out: Signature = {}
    for part in text.split():
        term, _, weight = part.rpartition(":")
        try:
            out[term] = float(weight)
        except ValueError:
            continue
    return out


def add_into(total: dict[str, float], sig: Mapping[str, float], scale: float) -> None:
    """``total += scale * sig``."""
    for term, weight in sig.items():
        total[term] = total.get(term, 0.0) + scale * weight
