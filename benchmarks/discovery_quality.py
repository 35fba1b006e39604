"""Discovery quality on a labeled set, measured through the installed CLI as a user would.

    python benchmarks/discovery_quality.py --set B      # one set: tuireader and the baseline
    python benchmarks/discovery_quality.py --both       # set A and set B side by side

Set A is ``tests/fixtures/discovery/labeled.json`` (the set discovery was tuned on); its stories
are written out as one RSS 2.0 file per outlet first. Set B is ``tests/fixtures/discovery/set_b``
(one real RSS or Atom file per outlet and ``labels.json``; not tuned on). Nothing needs the
network. Only aggregate figures are printed, never a story's own result.

What one run does, per set: a fresh temporary data, config, cache and log dir; the feed files
copied there with every date moved by one offset so that the newest story is one hour old (a
reader who refreshed an hour after the last story; trending and recommendations look at the
clock); ``tuireader add FILE`` for each outlet; ``tuireader list --json`` (stories are mapped
back to labels by link); ``tuireader clusters --json --days 3650``; ``tuireader related ID
--json --limit 5`` for every story; ``tuireader trending --json --limit 5``; then, for each
reading profile, in a copy of that data dir, ``tuireader mark --read`` and ``--star`` on the
profile's stories and ``tuireader recommend --json --limit 10``.

Measures (the same for tuireader and the baseline):

- **related P@5**: per story, the share of its first five related stories that are of the same
  event or the same topic; an empty list scores 0; the mean over all stories.
- **leaking lists**: among stories of an event told by two or more stories, the share whose
  first five related stories include another version of that event (those belong in "also
  in", not in Related).
- **empty**: the share of all stories whose related list is empty.
- **clusters**: pairwise precision, recall and F1 over all pairs of stories (a pair is
  positive when both carry the same event label; predicted when both are in one cluster), and
  the number of *hard near-miss pairs merged*: pairs (s, t) with ``s.near_miss_of == t.event``
  that share a cluster.
- **trending NDCG@5**: each event (an event label, or a story without one on its own) has the
  graded relevance ``gain = outlets × 0.5 ** (age_hours / 24)``, where ``outlets`` is the number
  of distinct outlets that told it and ``age_hours`` the age of its newest story at the
  reference time (the set's newest story plus one hour): coverage counts most, a day's age
  halves it. The list's i-th item scores its event's gain over ``log2(i + 1)``; an event shown
  a second time scores 0. NDCG@5 = DCG of the first five items / DCG of the five best gains.
- **recommendations P@10**: per profile, the share of the first ten recommendations that are in
  the profile's labeled relevant set (its topics, not the events already read; fewer than ten
  shown still divide by ten); and the mean over the profiles.

The baseline is an untuned TF-IDF written here with the standard library: words of title and
body as the feed gives them (HTML stripped, lowercased, a short English stopword list removed),
raw term counts times the smoothed idf ``ln((1 + N) / (1 + df)) + 1``, L2-normalised, compared by
cosine. Related: the five other stories of highest cosine (> 0), other versions of the same
event not left out. Clusters: connected components of cosine >= 0.5. Trending: clusters (and
lone stories) with a story in tuireader's default 48-hour window, ranked by the number of
outlets among those stories, then by newest; each shown by its newest story. Recommendations:
cosine to the mean vector of the profile's stories, those stories left out.

Set A has no profiles of its own; three are made from its labels here: topic pairs (sports,
tech), (business, politics), (health, weather-disaster); the reader starred the earliest story
of the two earliest multi-story events of the first topic and of the earliest of the second;
relevant are the other stories of the two topics outside those events.
"""

from __future__ import annotations

import argparse
import html
import itertools
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "discovery"
SET_A = FIXTURES / "labeled.json"
SET_B = FIXTURES / "set_b"
NAMES = {"A": "set A (tuned on)", "B": "set B (not tuned on)"}
TRENDING_HOURS = 48  # tuireader's default window, used by the baseline too
SET_A_PROFILES = [("sports", "tech"), ("business", "politics"), ("health", "weather-disaster")]

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


# --- the labeled sets -----------------------------------------------------------------------


@dataclass
class Labeled:
    """One story's labels, and its text as its feed gives it (for the baseline)."""

    id: str
    outlet: str
    link: str
    published: datetime
    event: str | None
    topic: str
    near_miss_of: str | None
    text: str = ""


@dataclass
class Profile:
    """A reader: the stories they starred, and the recommendations that count as relevant."""

    name: str
    starred: list[str]
    relevant: set[str]


@dataclass
class LabeledSet:
    """A set's feed files (name -> XML text, dates as labeled) with its labels."""

    name: str
    feeds: dict[str, str]
    stories: dict[str, Labeled]
    profiles: list[Profile]

    @property
    def reference(self) -> datetime:
        """The clock the set is read at: an hour after its newest story."""
        return max(s.published for s in self.stories.values()) + timedelta(hours=1)

    def event_sizes(self) -> dict[str, int]:
        """Stories per event label."""
        sizes: dict[str, int] = defaultdict(int)
        for s in self.stories.values():
            if s.event:
                sizes[s.event] += 1
        return dict(sizes)


def _date(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def load_set(name: str) -> LabeledSet:
    """Set ``"A"`` or ``"B"``: feed texts, labels (with each story's feed text), profiles."""
    loaded = _load_a() if name == "A" else _load_b()
    by_link = {s.link: s for s in loaded.stories.values()}
    for entry in itertools.chain.from_iterable(parse_feed(x) for x in loaded.feeds.values()):
        by_link[entry.link].text = f"{entry.title}\n{entry.body}"
    return loaded


def _load_b() -> LabeledSet:
    labels = json.loads((SET_B / "labels.json").read_text(encoding="utf-8"))
    feeds = {
        info["file"]: (SET_B / info["file"]).read_text(encoding="utf-8")
        for info in labels["outlets"].values()
    }
    stories = {
        s["id"]: Labeled(
            s["id"],
            s["outlet"],
            s["link"],
            _date(s["published"]),
            s["event"],
            s["topic"],
            s["near_miss_of"],
        )
        for s in labels["stories"]
    }
    profiles = [Profile(p["name"], p["starred"], set(p["relevant"])) for p in labels["profiles"]]
    return LabeledSet("B", feeds, stories, profiles)


def _load_a() -> LabeledSet:
    records = json.loads(SET_A.read_text(encoding="utf-8"))["stories"]
    stories = {
        r["id"]: Labeled(
            r["id"],
            r["source"],
            r["link"],
            _date(r["published"]),
            r["event"],
            r["topic"],
            r["near_miss_of"],
        )
        for r in records
    }
    feeds: dict[str, str] = {}
    for outlet in sorted({r["source"] for r in records}):
        items = [r for r in records if r["source"] == outlet]
        feeds[re.sub(r"\W+", "_", outlet.lower()) + ".rss"] = _rss_of_set_a(outlet, items)
    return LabeledSet("A", feeds, stories, _set_a_profiles(stories))


def _rss_of_set_a(outlet: str, records: list[dict[str, Any]]) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(outlet)}</title><link>https://example.org/</link>",
        f"<description>{escape(outlet)}</description>",
    ]
    for r in sorted(records, key=lambda r: r["published"], reverse=True):
        categories = "".join(f"<category>{escape(c)}</category>" for c in r.get("categories", []))
        lines.append(
            f"<item><title>{escape(r['title'])}</title><link>{escape(r['link'])}</link>"
            f"<guid>{escape(r['link'])}</guid>"
            f"<pubDate>{format_datetime(_date(r['published']))}</pubDate>{categories}"
            f"<description>{escape(r['body'])}</description></item>"
        )
    lines += ["</channel></rss>", ""]
    return "\n".join(lines)


def _set_a_profiles(stories: dict[str, Labeled]) -> list[Profile]:
    sizes: dict[str, int] = defaultdict(int)
    for s in stories.values():
        if s.event:
            sizes[s.event] += 1
    profiles = []
    for first, second in SET_A_PROFILES:
        starred = _earliest_of_events(stories, sizes, first, 2) + _earliest_of_events(
            stories, sizes, second, 1
        )
        read = {stories[i].event for i in starred}
        relevant = {
            s.id
            for s in stories.values()
            if s.topic in (first, second) and s.id not in starred and s.event not in read
        }
        profiles.append(Profile(f"{first} and {second}", starred, relevant))
    return profiles


def _earliest_of_events(
    stories: dict[str, Labeled], sizes: dict[str, int], topic: str, n: int
) -> list[str]:
    firsts: dict[str, Labeled] = {}
    for s in sorted(stories.values(), key=lambda s: (s.published, s.id)):
        if s.topic == topic and s.event and sizes[s.event] > 1:
            firsts.setdefault(s.event, s)
    ordered = sorted(firsts.values(), key=lambda s: (s.published, s.id))
    return [s.id for s in ordered[:n]]


# --- reading feeds (for the baseline) and moving their dates ------------------------------


@dataclass
class Entry:
    """A feed item as the baseline reads it."""

    link: str
    title: str
    body: str


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def strip_html(value: str) -> str:
    """Plain text of an HTML fragment."""
    parser = _Text()
    parser.feed(value)
    parser.close()
    return html.unescape(" ".join(parser.parts))


def parse_feed(xml: str) -> list[Entry]:
    """The items of an RSS 2.0 or Atom document (title, link, fullest body)."""
    root = ElementTree.fromstring(xml)
    entries = []
    if root.tag == f"{ATOM}feed":
        for e in root.iter(f"{ATOM}entry"):
            link = next(
                (x.get("href", "") for x in e.iter(f"{ATOM}link") if x.get("rel") == "alternate"),
                "",
            )
            body = e.findtext(f"{ATOM}content") or e.findtext(f"{ATOM}summary") or ""
            entries.append(Entry(link, e.findtext(f"{ATOM}title") or "", strip_html(body)))
    else:
        for item in root.iter("item"):
            body = item.findtext(CONTENT) or item.findtext("description") or ""
            entries.append(
                Entry(item.findtext("link") or "", item.findtext("title") or "", strip_html(body))
            )
    return entries


_RFC822 = re.compile(r"<(pubDate|lastBuildDate)>([^<]+)</\1>")
_ISO = re.compile(r"<(published|updated)>([^<]+)</\1>")


def shift_dates(xml: str, by: timedelta) -> str:
    """The feed with every date moved by ``by``."""

    def rfc(m: re.Match[str]) -> str:
        moved = parsedate_to_datetime(m.group(2)) + by
        return f"<{m.group(1)}>{format_datetime(moved)}</{m.group(1)}>"

    def iso(m: re.Match[str]) -> str:
        moved = _date(m.group(2)) + by
        return f"<{m.group(1)}>{moved.isoformat().replace('+00:00', 'Z')}</{m.group(1)}>"

    return _ISO.sub(iso, _RFC822.sub(rfc, xml))


# --- what a system answers ------------------------------------------------------------------


@dataclass
class Answers:
    """A system's lists, in label ids."""

    related: dict[str, list[str]] = field(default_factory=dict)
    clusters: list[list[str]] = field(default_factory=list)
    trending: list[str] = field(default_factory=list)
    recommended: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class Cli:
    """The installed ``tuireader``, run in subprocesses against one data dir."""

    def __init__(self, binary: str, home: Path) -> None:
        self.binary = binary
        self.env = dict(os.environ)
        for var, sub in (
            ("TUIREADER_DATA_DIR", "data"),
            ("TUIREADER_CONFIG_DIR", "config"),
            ("TUIREADER_CACHE_DIR", "cache"),
            ("TUIREADER_LOG_DIR", "log"),
        ):
            self.env[var] = str(home / sub)
        self.home = home

    def run(self, *args: str) -> str:
        """Run one command; its stdout (raises with its stderr when it fails)."""
        done = subprocess.run(
            [self.binary, *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(f"tuireader {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def json(self, *args: str) -> Any:
        """Run one command with ``--json``; its parsed output."""
        return json.loads(self.run(*args, "--json"))

    def copy(self, home: Path) -> Cli:
        """A second reader with a copy of this one's library."""
        shutil.copytree(self.home, home)
        return Cli(self.binary, home)


def run_tuireader(labeled: LabeledSet, binary: str, work: Path) -> Answers:
    """Drive the CLI through one set; the lists it gives, in label ids."""
    answers = Answers()
    feeds = work / "feeds"
    feeds.mkdir()
    now = datetime.now(UTC).replace(microsecond=0)
    by = now - labeled.reference
    for name, xml in sorted(labeled.feeds.items()):
        (feeds / name).write_text(shift_dates(xml, by), encoding="utf-8")
    cli = Cli(binary, work / "reader")
    for name in sorted(labeled.feeds):
        cli.run("add", str(feeds / name))
    listed = cli.json("list", "--limit", "1000000")
    by_link = {s.link: s.id for s in labeled.stories.values()}
    label: dict[int, str] = {}
    for story in listed:
        if story["link"] in by_link:
            label[story["id"]] = by_link[story["link"]]
    cli_id = {v: k for k, v in label.items()}
    missing = len(labeled.stories) - len(cli_id)
    if missing or len(listed) != len(label):
        answers.notes.append(
            f"{missing} labeled stories not listed, {len(listed) - len(label)} unlabeled listed"
        )
    for group in cli.json("clusters", "--days", "3650"):
        answers.clusters.append([label[s["id"]] for s in group if s["id"] in label])
    for sid, cid in cli_id.items():
        out = cli.json("related", str(cid), "--limit", "5")
        answers.related[sid] = [label[r["id"]] for r in out["related"] if r["id"] in label]
    answers.trending = [label[r["id"]] for r in cli.json("trending", "--limit", "5")]
    for n, profile in enumerate(labeled.profiles):
        reader = cli.copy(work / f"profile{n}")
        ids = [str(cli_id[s]) for s in profile.starred]
        reader.run("mark", "--read", *ids)
        reader.run("mark", "--star", *ids)
        ranked = reader.json("recommend", "--limit", "10")
        answers.recommended[profile.name] = [label[r["id"]] for r in ranked if r["id"] in label]
    return answers


# --- the baseline ---------------------------------------------------------------------------

_STOPWORDS = """a about after against all also an and any are as at be been before being but by can
    could did do does for from had has have he her his how i if in into is it its just more
    most my no not of on one or our out over said says she so some than that the their them
    then there these they this those to too under up us was we were what when where which
    while who will with would you your"""
STOPWORDS = frozenset(_STOPWORDS.split())


def tokens(text: str) -> list[str]:
    """Lowercased words, stopwords and single characters left out."""
    return [w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 1 and w not in STOPWORDS]


Vector = dict[str, float]


def tfidf(texts: dict[str, str]) -> dict[str, Vector]:
    """L2-normalised TF-IDF vectors."""
    counts = {k: _count(tokens(t)) for k, t in texts.items()}
    df: dict[str, int] = defaultdict(int)
    for c in counts.values():
        for term in c:
            df[term] += 1
    n = len(texts)
    vectors = {}
    for k, c in counts.items():
        v = {t: tf * (math.log((1 + n) / (1 + df[t])) + 1) for t, tf in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vectors[k] = {t: x / norm for t, x in v.items()}
    return vectors


def _count(words: Iterable[str]) -> dict[str, int]:
    c: dict[str, int] = defaultdict(int)
    for w in words:
        c[w] += 1
    return c


def cosine(a: Vector, b: Vector) -> float:
    """Dot product of two normalised vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


def run_baseline(labeled: LabeledSet) -> Answers:
    """The untuned TF-IDF's lists on the same set."""
    answers = Answers()
    ids = sorted(labeled.stories)
    vec = tfidf({i: labeled.stories[i].text for i in ids})
    sim = {(a, b): cosine(vec[a], vec[b]) for a, b in itertools.combinations(ids, 2)}

    def s(a: str, b: str) -> float:
        return sim[(a, b)] if a < b else sim[(b, a)]

    for a in ids:
        ranked = sorted((b for b in ids if b != a), key=lambda b: (-s(a, b), b))
        answers.related[a] = [b for b in ranked[:5] if s(a, b) > 0]
    parent = {i: i for i in ids}

    def find(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for (a, b), value in sim.items():
        if value >= 0.5:
            parent[find(a)] = find(b)
    groups: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        groups[find(i)].append(i)
    answers.clusters = [g for g in groups.values() if len(g) > 1]
    since = labeled.reference - timedelta(hours=TRENDING_HOURS)
    scored = []
    for members in groups.values():
        recent = [labeled.stories[i] for i in members if labeled.stories[i].published >= since]
        if recent:
            newest = max(recent, key=lambda x: (x.published, x.id))
            scored.append((len({x.outlet for x in recent}), newest.published, newest.id))
    answers.trending = [sid for _, _, sid in sorted(scored, reverse=True)[:5]]
    for profile in labeled.profiles:
        mean: Vector = defaultdict(float)
        for sid in profile.starred:
            for t, x in vec[sid].items():
                mean[t] += x / len(profile.starred)
        candidates = [i for i in ids if i not in profile.starred]
        ranked = sorted(candidates, key=lambda i: (-cosine(mean, vec[i]), i))
        answers.recommended[profile.name] = ranked[:10]
    return answers


# --- measures -------------------------------------------------------------------------------


@dataclass
class Measures:
    """The table's figures for one system on one set."""

    related_p5: float
    leaking: float
    empty: float
    precision: float
    recall: float
    f1: float
    near_miss_merged: int
    near_miss_pairs: int
    trending_ndcg5: float
    recommend_p10: dict[str, float]

    @property
    def recommend_mean(self) -> float:
        """Mean P@10 over the profiles."""
        return sum(self.recommend_p10.values()) / len(self.recommend_p10)


def measure(labeled: LabeledSet, answers: Answers) -> Measures:
    """Score one system's lists against the labels."""
    stories = labeled.stories
    sizes = labeled.event_sizes()
    scores, leaks, events, empty = [], 0, 0, 0
    for sid, s in stories.items():
        top = answers.related.get(sid, [])[:5]
        if not top:
            empty += 1
            scores.append(0.0)
        else:
            good = sum(1 for r in top if stories[r].topic == s.topic or _same_event(s, stories[r]))
            scores.append(good / len(top))
        if s.event and sizes[s.event] > 1:
            events += 1
            leaks += any(_same_event(s, stories[r]) for r in top)
    cluster_of = {sid: n for n, group in enumerate(answers.clusters) for sid in group}
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(stories), 2):
        same_event = _same_event(stories[a], stories[b])
        together = a in cluster_of and cluster_of.get(a) == cluster_of.get(b)
        tp += same_event and together
        fp += together and not same_event
        fn += same_event and not together
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    near = [
        (a.id, b.id)
        for a in stories.values()
        for b in stories.values()
        if a.near_miss_of and b.event == a.near_miss_of and a.id != b.id
    ]
    merged = sum(1 for a, b in near if a in cluster_of and cluster_of.get(a) == cluster_of.get(b))
    p10 = {
        p.name: sum(1 for r in answers.recommended.get(p.name, [])[:10] if r in p.relevant) / 10
        for p in labeled.profiles
    }
    return Measures(
        related_p5=sum(scores) / len(scores),
        leaking=leaks / events if events else 0.0,
        empty=empty / len(stories),
        precision=precision,
        recall=recall,
        f1=f1,
        near_miss_merged=merged,
        near_miss_pairs=len(near),
        trending_ndcg5=ndcg5(labeled, answers.trending),
        recommend_p10=p10,
    )


def _same_event(a: Labeled, b: Labeled) -> bool:
    return a.event is not None and a.event == b.event


def event_gains(labeled: LabeledSet) -> dict[str, float]:
    """Graded trending relevance per event key (see the module docstring)."""
    groups: dict[str, list[Labeled]] = defaultdict(list)
    for s in labeled.stories.values():
        groups[s.event or f"story:{s.id}"].append(s)
    gains = {}
    for key, members in groups.items():
        newest = max(m.published for m in members)
        age_h = (labeled.reference - newest).total_seconds() / 3600
        gains[key] = len({m.outlet for m in members}) * 0.5 ** (age_h / 24)
    return gains


def ndcg5(labeled: LabeledSet, ranked: Sequence[str]) -> float:
    """NDCG@5 of a trending list of story ids."""
    gains = event_gains(labeled)
    seen: set[str] = set()
    dcg = 0.0
    for i, sid in enumerate(ranked[:5], start=1):
        s = labeled.stories[sid]
        key = s.event or f"story:{s.id}"
        if key not in seen:
            dcg += gains[key] / math.log2(i + 1)
            seen.add(key)
    ideal = sorted(gains.values(), reverse=True)[:5]
    idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, start=1))
    return dcg / idcg if idcg else 0.0


# --- the table ------------------------------------------------------------------------------


def rows(m: Measures) -> list[str]:
    """The cells of one column, in the table's row order."""
    return [
        f"{m.related_p5:.2f}",
        f"{m.leaking:.0%}",
        f"{m.empty:.0%}",
        f"{m.f1:.2f} ({m.precision:.2f} / {m.recall:.2f})",
        f"{m.near_miss_merged} of {m.near_miss_pairs}",
        f"{m.trending_ndcg5:.2f}",
        f"{m.recommend_mean:.2f}",
        " / ".join(f"{v:.1f}" for v in m.recommend_p10.values()),
    ]


MEASURES = [
    "related P@5 (same event or topic)",
    "related lists that show another version of the same event in the top 5",
    "stories with no related list at all",
    "cluster pairwise F1 (precision / recall)",
    "hard near-miss pairs merged into one cluster",
    "trending NDCG@5",
    "recommendations P@10 (mean of 3 reading profiles)",
    "recommendations P@10 per profile",
]


def table(columns: list[tuple[str, Measures]]) -> str:
    """A Markdown table: one row per measure, one column per (set, system)."""
    cells = [rows(m) for _, m in columns]
    lines = [
        "| measure | " + " | ".join(name for name, _ in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for n, label in enumerate(MEASURES):
        lines.append(f"| {label} | " + " | ".join(c[n] for c in cells) + " |")
    return "\n".join(lines)


def describe(labeled: LabeledSet) -> str:
    """One line on the set's size."""
    sizes = labeled.event_sizes()
    multi = sum(1 for n in sizes.values() if n > 1)
    outlets = len({s.outlet for s in labeled.stories.values()})
    profiles = "; ".join(p.name for p in labeled.profiles)
    return (
        f"{NAMES[labeled.name]}: {len(labeled.stories)} stories, {outlets} outlets,"
        f" {multi} multi-story events; profiles: {profiles}"
    )


def evaluate(name: str, binary: str) -> tuple[LabeledSet, Measures, Measures, float, list[str]]:
    """Both systems on one set: (set, tuireader, baseline, seconds, notes)."""
    labeled = load_set(name)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"tuireader-quality-{name}-") as tmp:
        answers = run_tuireader(labeled, binary, Path(tmp))
    seconds = time.monotonic() - start
    return (
        labeled,
        measure(labeled, answers),
        measure(labeled, run_baseline(labeled)),
        seconds,
        answers.notes,
    )


def default_binary() -> str:
    """This checkout's venv's tuireader, else the one on PATH."""
    local = ROOT / ".venv" / "bin" / "tuireader"
    return str(local) if local.exists() else shutil.which("tuireader") or "tuireader"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--set", choices=("A", "B"), default="B", help="one set (default B)")
    which.add_argument("--both", action="store_true", help="set A and set B side by side")
    parser.add_argument("--tuireader", default=default_binary(), help="the CLI to drive")
    args = parser.parse_args(argv)
    columns: list[tuple[str, Measures]] = []
    for name in ("A", "B") if args.both else (args.set,):
        labeled, tool, base, seconds, notes = evaluate(name, args.tuireader)
        print(describe(labeled) + f"; CLI run {seconds:.0f} s", file=sys.stderr)
        for note in notes:
            print(f"  note: {note}", file=sys.stderr)
        prefix = f"{NAMES[name]}: " if args.both else ""
        columns += [(f"{prefix}tuireader", tool), (f"{prefix}TF-IDF baseline", base)]
    print(table(columns))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
