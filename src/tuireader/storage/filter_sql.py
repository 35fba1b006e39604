"""Filter expressions (``tuireader.domain.filter_lang``) compiled to SQL over the store.

One WHERE clause, with every value the user wrote bound as a parameter. Each attribute is a
SQL expression over ``stories s`` joined to ``sources src``; each operator follows newsboat's
meaning on that text (``=`` compares text, ``<`` compares the numbers the texts begin with,
``#`` looks for a space-separated word). Where the store can answer faster with the same
answer, it does: ``unread = "yes"`` is ``s.read = 0`` (an index), ``age < 7`` a range on
``sort_time``, ``title # "x"`` asks the search index first, and a regex that is a plain
word is a substring test in C. Regexes run through a ``regexp`` function registered on
every connection (:func:`register`), compiled once each, case-insensitively, with a bound on
their length and on the nesting that makes a regex take exponential time.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from functools import lru_cache

from tuireader.domain.filter_lang import (
    MAX_SUBJECT,
    And,
    Comparison,
    Expr,
    FilterError,
    Op,
    Or,
    compile_regex,
    operands,
    parse,
)
from tuireader.domain.regex_hints import is_wild, prefixes, required_pieces, telling

NOW = object()
"""Stands in the parameters for the time the query runs (Unix seconds), which the caller
binds (:func:`compile_filter` does): a compiled expression is kept and reused."""

_TEXT: dict[str, str] = {
    "title": "s.title",
    "content": "(CASE WHEN s.content != '' THEN s.content ELSE s.summary END)",
    "author": "s.author",
    "link": "s.link",
    "guid": "s.key",
    "date": (
        "(substr('ThuFriSatSunMonTueWed', 1 + 3 * ((s.sort_time / 86400) % 7), 3) || ', '"
        " || strftime('%d ', s.sort_time, 'unixepoch')"
        " || substr('JanFebMarAprMayJunJulAugSepOctNovDec',"
        " 3 * CAST(strftime('%m', s.sort_time, 'unixepoch') AS INTEGER) - 2, 3)"
        " || strftime(' %Y %H:%M:%S +0000', s.sort_time, 'unixepoch'))"
    ),
    "unread": "(CASE s.read WHEN 0 THEN 'yes' ELSE 'no' END)",
    "starred": "(CASE s.starred WHEN 0 THEN 'no' ELSE 'yes' END)",
    "flags": "(CASE s.starred WHEN 0 THEN '' ELSE 's' END)",
    "enclosure_url": "coalesce(json_extract(s.enclosures, '$[0].url'), '')",
    "enclosure_type": "coalesce(json_extract(s.enclosures, '$[0].type'), '')",
    "feedtitle": "src.title",
    "feedurl": "src.url",
    "tags": (
        "((CASE WHEN src.folder != '' THEN src.folder || ' ' ELSE '' END)"
        " || coalesce((SELECT group_concat(t.value || ' ', '') FROM json_each(src.tags) t), ''))"
    ),
    "source": "coalesce(nullif(src.title, ''), src.url)",
    "folder": "src.folder",
    "saved": "(CASE src.kind WHEN 'saved' THEN 'yes' ELSE 'no' END)",
    "full_text": "coalesce((SELECT p.text FROM story_pages p WHERE p.story_id = s.id), '')",
}
"""Attributes whose value is text."""

_NUMBER: dict[str, str] = {
    "age": "((? - s.sort_time) / 86400)",
    "cluster_size": (
        "(CASE WHEN s.cluster_id IS NULL THEN 1 ELSE"
        " (SELECT count(*) FROM stories o WHERE o.cluster_id = s.cluster_id) END)"
    ),
    "popularity": "coalesce(s.popularity, 0)",
}
"""Attributes whose value is a whole number."""

# "+s.read": a test SQLite checks in the stories_filter index it scans, rather than walking
# the partial index on unread stories and reading each one's whole row
_FLAGS = {"unread": ("+s.read = 0", "yes"), "starred": ("+s.starred != 0", "yes")}
_FLAGS |= {"flags": ("+s.starred != 0", "s"), "saved": ("src.kind = 'saved'", "yes")}

_OF_SOURCE = {"feedtitle", "feedurl", "tags", "source", "folder", "saved"}
_OF_SOURCE |= {"unread_count", "total_count"}
"""Attributes of the source alone: tested once per source, not once per story."""
_COUNTS = {
    "unread_count": "(SELECT count(*) FROM stories x WHERE x.source_id = src.id AND x.read = 0)",
    "total_count": "(SELECT count(*) FROM stories x WHERE x.source_id = src.id)",
}
"""Yes/no attributes as a test the store can index, and the text that means "true"."""

_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_META = set("\\^$.|?*+()[]{}")


_BY_FREQUENCY = " <>/=\"'.,-\netaoinshrdlcumwfgypbvkjxqz"
"""Characters of news text and its HTML, the most frequent first; any other is rarer."""

_MIN_SCAN = 3
"""The shortest part of a piece a substring test begins a scan with."""


def _rarity(char: str) -> int:
    found = _BY_FREQUENCY.find(char.lower())
    return len(_BY_FREQUENCY) if found < 0 else found


def _scan_start(piece: str) -> int:
    """Where in ``piece`` a substring test should begin: at its rarest letter that is not
    wild, with at least :data:`_MIN_SCAN` characters from there on. LIKE finds each place
    the first letter of its text stands and compares from there, so it costs as many
    steps as the text holds that letter: at 100,000 stories (290 MB of bodies) a pattern
    that matches nothing takes 92 ms beginning with q (``%qqqzzz%``), 427 with e."""
    ends = range(max(1, len(piece) - _MIN_SCAN + 1))
    starts = [k for k in ends if not is_wild(piece[k])]
    return max(starts, key=lambda k: (_rarity(piece[k]), -k)) if starts else 0


_BEYOND_ASCII = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}
"""What a case-insensitive Python regex takes for an ASCII letter beyond its two cases (every
code point tried): the dotted capital I and the dotless i, the Kelvin sign, the long s."""


def _escape(text: str) -> str:
    """``text`` as a LIKE pattern's literal part (ESCAPE '\\')."""
    return re.sub(r"([\\%_])", r"\\\1", text)


def _num(text: str) -> int:
    """The number a text begins with, as newsboat reads it (0 when none)."""
    found = re.match(r"-?\d+", text)
    return int(found.group()) if found else 0


def _regexp(pattern: str, text: object) -> bool:
    if text is None:
        return False
    subject = text if isinstance(text, str) else str(text)  # age =~ "^1" sees "12"
    return compile_regex(pattern).search(subject[:MAX_SUBJECT]) is not None


def register(conn: sqlite3.Connection) -> None:
    """Give a connection the ``regexp`` function the compiled filters call."""
    conn.create_function("regexp", 2, _regexp, deterministic=True)


class _Compiler:
    def __init__(self) -> None:
        self.args: list[object] = []

    def bind(self, value: object) -> str:
        self.args.append(value)
        return "?"

    def day_bound(self, days: int) -> str:
        """``now - (days + 1) days``: ``age <= days`` is ``sort_time`` past it."""
        self.args.append(NOW)
        return f"(? - 86400 * {self.bind(days + 1)})"

    def node(self, tree: Expr) -> str:
        if isinstance(tree, And | Or):  # a run of one kind is one flat group, not nested
            joiner = " AND " if isinstance(tree, And) else " OR "
            return "(" + joiner.join(self.node(part) for part in operands(tree)) + ")"
        return self.comparison(tree)

    def comparison(self, c: Comparison) -> str:
        if c.attribute in _OF_SOURCE:
            return f"(s.source_id IN (SELECT src.id FROM sources src WHERE {self.test(c)}))"
        return self.test(c)

    def test(self, c: Comparison) -> str:
        negate = {Op.NE: Op.EQ, Op.NOT_MATCH: Op.MATCH, Op.NOT_CONTAINS: Op.CONTAINS}
        if c.op in negate:
            positive = Comparison(c.attribute, negate[c.op], c.literal, c.column, c.quoted)
            return f"NOT {self.test(positive)}"
        if c.attribute in _FLAGS and c.op is Op.EQ:
            test, true = _FLAGS[c.attribute]
            if c.literal == true:
                return f"({test})"
            return f"(NOT {test})" if c.literal in ("no", "") else "0"
        if c.attribute == "date" and c.op in (Op.LT, Op.GT, Op.LE, Op.GE):
            day = _ISO_DAY.fullmatch(c.literal)
            if day is not None:
                return self.date(c, day)
        if c.attribute == "age" and c.op in (Op.LT, Op.GT, Op.LE, Op.GE, Op.BETWEEN):
            return self.age(c)
        expr = _COUNTS.get(c.attribute) or _NUMBER.get(c.attribute) or _TEXT[c.attribute]
        numeric = c.attribute in _NUMBER or c.attribute in _COUNTS
        if c.attribute == "age":
            self.args.append(NOW)
        match c.op:
            case Op.EQ:
                if numeric and c.literal == str(_num(c.literal)):
                    return f"({expr} = {self.bind(int(c.literal))})"
                return f"(CAST({expr} AS TEXT) = {self.bind(c.literal)})"
            case Op.MATCH:
                return self.regex(c, expr)
            case Op.CONTAINS:
                return self.contains(c, expr)
            case Op.BETWEEN:
                low, high = sorted(_num(part) for part in c.literal.split(":"))
                number = expr if numeric else f"CAST({expr} AS INTEGER)"
                return f"({number} BETWEEN {self.bind(low)} AND {self.bind(high)})"
            case _:
                number = expr if numeric else f"CAST({expr} AS INTEGER)"
                return f"({number} {c.op.value} {self.bind(_num(c.literal))})"

    def age(self, c: Comparison) -> str:
        # whole days since sort_time, as a range on sort_time (an index, no arithmetic a row)
        if c.op is Op.BETWEEN:
            low, high = sorted(_num(part) for part in c.literal.split(":"))
            after = self.day_bound(high)
            return f"(s.sort_time > {after} AND s.sort_time <= {self.day_bound(low - 1)})"
        n = _num(c.literal)
        if c.op is Op.LT:
            return f"(s.sort_time > {self.day_bound(n - 1)})"
        if c.op is Op.LE:
            return f"(s.sort_time > {self.day_bound(n)})"
        if c.op is Op.GT:
            return f"(s.sort_time <= {self.day_bound(n)})"
        return f"(s.sort_time <= {self.day_bound(n - 1)})"

    def date(self, c: Comparison, day: re.Match[str]) -> str:
        try:
            when = datetime(int(day[1]), int(day[2]), int(day[3]), tzinfo=UTC)
        except ValueError:
            raise FilterError(c.column, f"no such date {c.literal!r}") from None
        start = int(when.timestamp())
        if c.op in (Op.LE, Op.GT):
            start += 86400  # the whole day counts as that date
        op = "<" if c.op in (Op.LT, Op.LE) else ">="
        return f"(s.sort_time {op} {self.bind(start)})"

    def like(self, expr: str, piece: str, begins: bool = False) -> str:
        """``expr`` holds ``piece`` (``begins``: begins with it), ASCII case aside and any one
        character where a letter is wild (SQLite's LIKE, in C). A piece found anywhere is
        looked for first from its rarest letter on (:func:`_scan_start`), then whole."""
        escaped = "".join("_" if is_wild(char) else _escape(char) for char in piece)
        start = 0 if begins else _scan_start(piece)
        first = self.like(expr, piece[start:]) + " AND " if start else ""  # bound first
        pattern = ("" if begins else "%") + escaped + "%"
        test = f"{first}{expr} LIKE {self.bind(pattern)} ESCAPE '\\'"
        return f"({test})" if first else test

    def regex(self, c: Comparison, expr: str) -> str:
        if c.literal and not (_META & set(c.literal)) and not any(map(is_wild, c.literal)):
            return f"({self.like(expr, c.literal)})"  # a plain word: the same answer
        if c.literal and not (_META & set(c.literal)) and c.literal.isascii() and "?" not in expr:
            return self.word(expr, c.literal)
        # what every match begins with and the pieces it holds, tested first: the regex runs
        # on those rows only (not for age, whose expression takes the time: it is written once)
        tests: list[str] = []
        if "?" not in expr:
            pattern = compile_regex(c.literal).pattern
            starts = sorted(prefixes(pattern))
            if starts:
                tests.append("(" + " OR ".join(self.like(expr, p, True) for p in starts) + ")")
            tests += [
                "(" + " OR ".join(self.like(expr, piece) for piece in sorted(clause)) + ")"
                for clause in telling(required_pieces(pattern))
            ]
        tests.append(f"{expr} REGEXP {self.bind(c.literal)}")
        return "(" + " AND ".join(tests) + ")"

    def word(self, expr: str, word: str) -> str:
        """``expr`` holds the ASCII ``word`` in any case, as a case-insensitive regex finds
        it: in ASCII case (LIKE), or, in a text holding one of the letters the regex also
        takes for its i, k or s (:data:`_BEYOND_ASCII`), by the regex. Only the texts
        holding the word with its wild letters taken as any are tested further."""
        near = self.like(expr, word)
        exact = f"{expr} LIKE {self.bind('%' + _escape(word) + '%')} ESCAPE '\\'"
        beyond = sorted({o for letter in word.lower() for o in _BEYOND_ASCII.get(letter, "")})
        holds = " OR ".join(f"instr({expr}, {self.bind(other)}) > 0" for other in beyond)
        regex = f"{expr} REGEXP {self.bind(word)}"
        return f"({near} AND ({exact} OR (({holds}) AND {regex})))"

    def contains(self, c: Comparison, expr: str) -> str:
        if c.attribute == "content":
            # the story's words as the search index holds them (feed text or fetched page)
            phrase = c.literal.replace('"', '""')
            if not re.search(r"\w", c.literal):
                return "0"
            match = self.bind(f'body : "{phrase}"')
            return f"(s.id IN (SELECT rowid FROM story_search WHERE story_search MATCH {match}))"
        if " " in c.literal:
            return "0"  # a word of a space-separated list has no space in it
        if c.attribute == "title" and re.search(r"\w", c.literal):
            # the index finds the few titles holding the word; the exact test keeps newsboat's
            match = self.bind('title : "' + c.literal.replace('"', '""') + '"')
            exact = f"(instr(' ' || {expr} || ' ', {self.bind(' ' + c.literal + ' ')}) > 0)"
            return (
                f"(s.id IN (SELECT rowid FROM story_search WHERE story_search MATCH {match})"
                f" AND {exact})"
            )
        return f"(instr(' ' || {expr} || ' ', {self.bind(' ' + c.literal + ' ')}) > 0)"


@lru_cache(maxsize=256)
def _compiled(text: str) -> tuple[str, tuple[object, ...]]:
    compiler = _Compiler()
    sql = compiler.node(parse(text))
    return sql, tuple(compiler.args)


def compile_filter(text: str, now: float) -> tuple[str, list[object]]:
    """A WHERE condition over ``stories s JOIN sources src`` and its parameters, ``now``
    (Unix seconds) being the time ``age`` counts from. Raises :class:`FilterError` for a bad
    expression."""
    sql, args = _compiled(text)
    return sql, [int(now) if a is NOW else a for a in args]
