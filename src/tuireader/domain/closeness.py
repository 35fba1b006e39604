"""How close two stories are, and when two stories are one event: the rules discovery's
lists share (words, meaning and topic, combined; see README "Discovery, computed locally")."""

from __future__ import annotations

from tuireader.domain.discovery import CLUSTER_HOURS, Item, SignedStory
from tuireader.domain.terms import decode

WORDS_SHARE = 0.4
MEANING_SHARE = 0.2
TOPIC_SHARE = 0.4
"""How related two stories are: 0.4 × their shared words (signatures' cosine: names, places,
figures), 0.2 × their meaning (the embeddings' cosine, names and figures left out) and
0.4 × their topics (the topic profiles' cosine: both sport, both about health). Chosen on
the project's labeled set with its sections no longer counted (README, issue 12)."""


TASTE_SHARES = (0.5, 0.5, 0.0)
"""The same three parts for Recommended (words, meaning, topics): a reader's taste is read
from their words and meaning; topics, broad as they are, took business readers to every
company's news on the labeled set, so they count for nothing here."""


def combined(lexical: float, semantic: float, topic: float, with_meaning: bool) -> float:
    """A story's closeness to another (or to a profile), words and meaning together; words
    alone when the embedding is not available."""
    if not with_meaning:
        return lexical
    return WORDS_SHARE * lexical + MEANING_SHARE * semantic + TOPIC_SHARE * topic


SAME_EVENT_LEXICAL = 0.30
"""Shared words at which two stories from other sources within the clustering window are
two versions of one event (the clustering threshold)."""
SAME_EVENT_MEANING = 0.80
"""Meaning at which two stories within the window are one event told in other words, when
they also share some words (:data:`SAME_EVENT_SUPPORT`): names and numbers tell events apart,
meaning alone cannot (a quake and a quake drill in one town read alike)."""
SAME_EVENT_SUPPORT = 0.12
LIKELY_MEANING = 0.55
LIKELY_SUPPORT = 0.15
"""Looser bars for leaving a story out of Related and Recommended as probably a version of
an event already shown or read: a near-miss left out costs one place in a list, a version
shown is a fault (clusters keep the strict bars: a wrong merge hides a story)."""


def same_event(a: SignedStory, b: SignedStory, lexical: float, semantic: float) -> bool:
    """Whether two stories look like versions of one event (whatever their clusters say):
    from two sources, sharing the words of an event or its meaning with some of its words.
    A source's next story on a running story is a new development, not a version (a short
    follow-up shares nearly all its words with the story before: words cannot tell)."""
    if a.source_id == b.source_id or abs(a.sort_time - b.sort_time) > CLUSTER_HOURS * 3600:
        return False
    if lexical >= SAME_EVENT_LEXICAL:
        return True
    return semantic >= SAME_EVENT_MEANING and lexical >= SAME_EVENT_SUPPORT


def likely_same_event(a: SignedStory, b: SignedStory, lexical: float, semantic: float) -> bool:
    """Whether a story is probably a version of another's event (see :data:`LIKELY_MEANING`)."""
    if same_event(a, b, lexical, semantic):
        return True
    if a.source_id == b.source_id or abs(a.sort_time - b.sort_time) > CLUSTER_HOURS * 3600:
        return False
    return semantic >= LIKELY_MEANING and lexical >= LIKELY_SUPPORT


def item_of(row: SignedStory) -> Item:
    """A stored story as the ranking functions take it (its signature decoded)."""
    return Item(
        row.id, row.source_id, row.sort_time, decode(row.sig), row.cluster_id, row.popularity
    )
