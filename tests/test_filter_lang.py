"""The filter language over a real store: every attribute and operator, newsboat's own
examples, and one-line errors pointing at the column."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from filter_library import filter_library
from tuireader.config.settings import Settings
from tuireader.domain.filter_lang import (
    ATTRIBUTES,
    MAX_GROUPS,
    And,
    Comparison,
    FilterError,
    Op,
    Or,
    looks_like_expression,
    parse,
)
from tuireader.domain.query import StoryQuery
from tuireader.services.library import Library

ALL = {"a1", "a2", "a3", "b1", "b2", "s1"}


@pytest.fixture(scope="module")
def lib(tmp_path_factory: pytest.TempPathFactory) -> tuple[Library, dict[str, int]]:
    return filter_library(tmp_path_factory.mktemp("filter") / "library.db")


def matching(lib: tuple[Library, dict[str, int]], expr: str) -> set[str]:
    library, ids = lib
    keys = {sid: key for key, sid in ids.items()}
    found = library.ids(StoryQuery(expr=expr))
    assert library.count(StoryQuery(expr=expr)) == len(found)
    return {keys[i] for i in found}


# (expression, the stories it matches): every attribute, every operator
TABLE: list[tuple[str, set[str]]] = [
    # title, and the text operators on it
    ('title = "Tintin returns"', {"b2"}),
    ('title == "Tintin returns"', {"b2"}),
    ('title = "tintin returns"', set()),  # = is exact, case and all
    ('title != "Tintin returns"', ALL - {"b2"}),
    ('title =~ "^linux"', {"a1"}),  # regexes ignore case
    ('title =~ "kernel [0-9]\\.[0-9]"', {"a1"}),
    ('title =~ "TINTIN"', {"b2"}),
    ('title !~ "n"', {"a3", "s1"}),
    ('title # "C++"', {"a3"}),  # a word of the space-separated title
    ('title # "kernel"', {"a1"}),
    ('title # "Kern"', set()),  # a whole word, not a part
    ('title !# "kernel"', ALL - {"a1"}),
    ('title # "two words"', set()),
    ('title =~ "[[:digit:]]"', {"a1"}),  # POSIX classes
    # content: the body (else the summary); # asks the search index
    ('content =~ "scheduler"', {"a1"}),
    ('content =~ "^templates$"', {"a3"}),
    ('content # "compost"', {"b1"}),  # a fetched page's words stand for the feed's
    ('content !# "compost"', ALL - {"b1"}),
    ('author = "Difool"', {"b1"}),
    ('author =~ "\\s*Doe$"', {"a1"}),
    ('link =~ "kernel\\.example"', {"a1"}),
    ('link = ""', ALL - {"a1"}),
    ('guid = "a2"', {"a2"}),
    # date as newsboat writes it, and compared as a day
    ('date =~ "^Sat, 14 Jun 2025 00:00:00"', {"a1"}),
    ('date =~ "^Sat, 07 Dec 2024 00:00:00 \\+0000$"', {"b2"}),
    ('date =~ "\\+0000$"', ALL),
    ('date >= "2025-06-01"', {"a1", "a2", "s1"}),
    ('date < "2025-06-05"', {"a3", "b1", "b2"}),
    ('date <= "2025-06-05"', {"a2", "a3", "b1", "b2"}),
    ('date > "2025-06-12"', {"a1"}),
    # age, in whole days
    ("age < 2", {"a1"}),
    ("age <= 3", {"a1", "s1"}),
    ("age > 189", {"a3", "b1", "b2"}),
    ("age >= 200", {"a3", "b1"}),
    ("age = 10", {"a2"}),
    ("age != 10", ALL - {"a2"}),
    ("age between 0:10", {"a1", "a2", "s1"}),
    ("age between 10:0", {"a1", "a2", "s1"}),
    ("age between 190:200", {"b1", "b2"}),
    ('age =~ "^19"', {"b2"}),
    # yes/no attributes
    ('unread = "yes"', ALL - {"a1"}),
    ('unread = "no"', {"a1"}),
    ('unread != "yes"', {"a1"}),
    ('unread = "maybe"', set()),
    ('starred = "yes"', {"b1"}),
    ('flags = "s"', {"b1"}),
    ('flags =~ "s"', {"b1"}),
    ('flags # "s"', {"b1"}),
    ('flags = ""', ALL - {"b1"}),
    ('saved = "yes"', {"s1"}),
    ('saved = "no"', ALL - {"s1"}),
    # enclosures
    ('enclosure_url =~ "\\.mp3$"', {"a1"}),
    ('enclosure_url != ""', {"a1"}),
    ('enclosure_type = "audio/mpeg"', {"a1"}),
    # the source
    ('feedtitle = "Beta Blog"', {"b1", "b2"}),
    ('feedurl =~ "^https:"', {"a1", "a2", "a3"}),
    ('rssurl =~ "^https:"', {"a1", "a2", "a3"}),
    ('feedurl = "http://beta.example/rss"', {"b1", "b2"}),
    ('tags # "linux"', {"a1", "a2", "a3"}),
    ('tags # "tech"', {"a1", "a2", "a3"}),  # the folder is a tag
    ('tags # "lin"', set()),
    ('tags !# "oss"', {"b1", "b2", "s1"}),
    ('tags = "tech linux oss "', {"a1", "a2", "a3"}),  # newsboat's form
    ('tags = ""', {"b1", "b2", "s1"}),
    ('source = "Saved"', {"s1"}),
    ('source =~ "alpha"', {"a1", "a2", "a3"}),
    ('folder = "tech"', {"a1", "a2", "a3"}),
    ('folder != "tech"', {"b1", "b2", "s1"}),
    ("unread_count = 2", {"a1", "a2", "a3", "b1", "b2"}),
    ("unread_count > 2", set()),
    ("total_count = 3", {"a1", "a2", "a3"}),
    # ours: the fetched page, clusters, popularity
    ('full_text =~ "compost"', {"b1"}),
    ('full_text = ""', ALL - {"b1"}),
    ("cluster_size = 2", {"a3", "b2"}),
    ("cluster_size < 2", {"a1", "a2", "b1", "s1"}),
    ("popularity > 100", {"a1"}),
    ("popularity >= 120", {"a1"}),
    ("popularity <= 0", ALL - {"a1"}),
    ("popularity = 0120", set()),  # = compares the text, as newsboat does
    ("popularity between 100:200", {"a1"}),
    # a text compared as a number is the number it begins with
    ("title > 0", set()),
    ("title < 1", ALL),
    # and, or, parentheses, grouping to the right as newsboat does
    ('unread = "yes" and folder = "tech"', {"a2", "a3"}),
    ('folder = "tech" or starred = "yes"', {"a1", "a2", "a3", "b1"}),
    ('guid = "a1" and guid = "a2" or guid = "b1"', set()),  # a and (b or c)
    ('(guid = "a1" and guid = "a2") or guid = "b1"', {"b1"}),
    ('guid = "b1" or guid = "a1" and unread = "yes"', {"b1"}),  # b or (c and d)
    ('((guid = "b1"))', {"b1"}),
    ('guid="a1"or(guid="a2")', {"a1", "a2"}),
]


@pytest.mark.parametrize(("expr", "expected"), TABLE, ids=[e for e, _ in TABLE])
def test_every_attribute_and_operator(
    lib: tuple[Library, dict[str, int]], expr: str, expected: set[str]
) -> None:
    assert matching(lib, expr) == expected


def test_the_table_covers_every_attribute_and_operator() -> None:
    used = [c for expr, _ in TABLE for c in _comparisons(parse(expr))]
    assert {c.attribute for c in used} == set(ATTRIBUTES)
    assert {c.op for c in used} == set(Op)


def _comparisons(tree: Comparison | And | Or) -> list[Comparison]:
    if isinstance(tree, Comparison):
        return [tree]
    return _comparisons(tree.left) + _comparisons(tree.right)


# newsboat's documentation (doc/newsboat.asciidoc, doc/chapter-killfiles.asciidoc) and its
# parser's tests: each example parses, and means here what it means there
NEWSBOAT_EXAMPLES: list[tuple[str, set[str]]] = [
    ('rssurl =~ "^https:"', {"a1", "a2", "a3"}),
    ("age between 0:10", {"a1", "a2", "s1"}),
    ("( unread_count > 0 and unread_count < 10 ) or total_count > 100", ALL),
    (
        '( author =~ "Frank" or author =~ "John" ) and ( title =~ "Linux" or title =~ "FreeBSD" )',
        {"a1"},
    ),
    ('unread = "yes"', ALL - {"a1"}),
    ('tags # "linux"', {"a1", "a2", "a3"}),
    ('title =~ "newsboat"', set()),
    ('title =~ "^Sponsored"', {"a2"}),
    ('( author =~ "Difool" and age > 180 ) or ( author =~ "Tintin" and age > 180 )', {"b1", "b2"}),
    ('author =~ "\\s*Doe$"', {"a1"}),
    ('( title = "b") and ( title = "c" ) or ( ( title != "d" ) and ( title !~ "asdf" ))', set()),
]


@pytest.mark.parametrize(("expr", "expected"), NEWSBOAT_EXAMPLES)
def test_newsboat_examples(
    lib: tuple[Library, dict[str, int]], expr: str, expected: set[str]
) -> None:
    assert matching(lib, expr) == expected


def test_newsboat_grouping() -> None:
    # newsboat's parser tests: "a and b or c" is a and (b or c); "a or b and c" is a or (b and c)
    tree = parse('title = "b" and title = "c" or title = "d"')
    assert isinstance(tree, And) and isinstance(tree.right, Or)
    tree = parse('title = "b" or title = "c" and title = "d"')
    assert isinstance(tree, Or) and isinstance(tree.right, And)
    tree = parse('(title = "b" or title = "c") and title = "d"')
    assert isinstance(tree, And) and isinstance(tree.left, Or)
    ranged = parse("popularity between -100:-1")
    assert isinstance(ranged, Comparison) and ranged.literal == "-100:-1"


# (expression, the column the error points at, words it says)
ERRORS: list[tuple[str, int, str]] = [
    ('title =¯ "foo"', 8, "quoted string, a number or a range"),
    ('title = "b', 9, "never closed"),
    ("title = b", 9, "quoted string"),
    ('title !! "b"', 7, "expected an operator"),
    ('((title="b")))', 14, "without a matching"),
    ("age between 0:15:30", 17, "expected 'and', 'or'"),
    ("age = 42andy=0", 9, "expected 'and', 'or'"),
    ("=!", 1, "attribute name"),
    ('nosuch = "x"', 1, "unknown attribute 'nosuch'"),
    ('title = "a" and', 16, "needs an expression"),
    ('(title = "a"', 1, "never closed"),
    ("age between 5", 13, "range"),
    ("   ", 1, "empty"),
    ('title =~ "(unclosed"', 1, "bad regex"),
    ('title =~ "(a+)+$"', 1, "too slow"),
    ('title = "a" or content =~ "(x*y)*"', 16, "too slow"),
    ('title =~ "' + "a" * 600 + '"', 1, "longer than"),
    ('date < "2025-02-30"', 1, "no such date"),
]


@pytest.mark.parametrize(("expr", "column", "words"), ERRORS)
def test_bad_expressions_say_where(
    lib: tuple[Library, dict[str, int]], expr: str, column: int, words: str
) -> None:
    with pytest.raises(FilterError) as caught:
        lib[0].count(StoryQuery(expr=expr))
    message = str(caught.value)
    assert message.startswith(f"column {column}: "), message
    assert words in message
    assert "\n" not in message


def test_plain_words_are_not_an_expression() -> None:
    assert not looks_like_expression("linux kernel")
    assert not looks_like_expression("title")
    assert looks_like_expression('title =~ "linux"')
    assert looks_like_expression("age < 3")


def test_a_user_value_is_never_sql(lib: tuple[Library, dict[str, int]]) -> None:
    assert matching(lib, 'title = "x\' OR 1=1 --"') == set()
    assert matching(lib, 'title # "\\" OR *"') == set()
    assert lib[0].count(StoryQuery()) == len(ALL)  # nothing dropped


def test_the_readme_lists_every_attribute() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- filter-attributes -->")
    block = readme[start : readme.index("<!-- /filter-attributes -->")]
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| (.*) \|$", block, re.M))
    assert rows == ATTRIBUTES


TITLES = [
    "Linux kernel 6.9",
    "LİNUX with a dotted capital I",
    "lınux with a dotless i",
    "\u212aernel with the Kelvin sign",
    "Ba\u017f with a long s",
    "The ban on cars",
    "a rejection letter",
    "100% sure_thing",
    "Über café",
    "plain",
    "the Thin line",
    "\u212aiosk news with the Kelvin sign",
    "sure thing\nthe second line",
]
PATTERNS = [
    "linux",
    "kernel",
    "bas",
    "^(the|a) .*(ban|reject)",
    "(ab)+c|plain",
    "100%",
    "sure_thing",
    "über",
    "caf[eé]",
    "l.nux",
    "(?:x|)plain$",
    "^[[:upper:]]",
    "n(?=ux)",
    # anchored: a prefix test first, which must never drop a match
    "^the",
    "^(the|a) ",
    "^[lL]",
    "^(?:x|)plain",
    "^ki",  # k matches the Kelvin sign: no prefix past it
    "^l.nux",
    "^ba[sz]",
    "(?m)^the second",  # multi-line: ^ is any line's start
    "^100%",
    "^sure_",
    "\\Aplain",
    "^(the|a|über) ",
    # letters a regex matches beyond ASCII case: a one-character wildcard in SQL
    "kiosk",
    "^kiosk",
    "lİnux",
    "ba[sſ]",
    "crisis",
    "kernel (6|7)",
    "ÜBER",
    "with a (dotted|dotless)",
]


def test_the_fast_paths_give_the_regexs_answer(tmp_path: Path) -> None:
    import re as regex

    from tuireader.domain.models import Source, SourceKind, Story
    from tuireader.domain.plain_text import story_text
    from tuireader.storage.database import open_database

    conn, _ = open_database(tmp_path / "titles.db")
    library = Library(conn, Settings())
    source, _ = library.add_source(Source(url="http://t.example/", kind=SourceKind.FEED))
    stories = [Story(key=str(n), title=t) for n, t in enumerate(TITLES)]
    library.store(source, [(s, story_text(s.title, "", s.content_type)) for s in stories], 0)
    by_id = {sid: title for sid, title in conn.execute("SELECT id, title FROM stories")}
    for pattern in PATTERNS:
        python = pattern.replace("[[:upper:]]", "[A-Z]")
        expected = {t for t in TITLES if regex.search(python, t, regex.IGNORECASE)}
        found = {by_id[i] for i in library.ids(StoryQuery(expr=f'title =~ "{pattern}"'))}
        assert found == expected, pattern
        missing = {by_id[i] for i in library.ids(StoryQuery(expr=f'title !~ "{pattern}"'))}
        assert missing == set(TITLES) - expected, pattern


def test_required_pieces() -> None:
    from tuireader.domain.regex_hints import required_pieces

    assert required_pieces("^(the|a) .*(ban|reject)") == [
        frozenset({"the", "a"}),
        frozenset({" "}),
        frozenset({"ban", "reject"}),
    ]
    assert required_pieces("linux") == [frozenset({"linux"})]  # the i is wild in SQL
    assert required_pieces("crisis") == [frozenset({"crisis"})]  # "cr" tells
    assert required_pieces("sis") == []  # s, i, s: all wild
    assert required_pieces("ſiſ") == []  # every letter wild: it tells nothing
    assert required_pieces("(ab)*c") == [frozenset({"c"})]
    assert required_pieces("(?:foo|)bar") == [frozenset({"bar"})]
    assert required_pieces("x?") == []


def test_prefixes_and_telling() -> None:
    from tuireader.domain.regex_hints import prefixes, telling

    assert prefixes("^(the|a) .*x") == {"the ", "a "}
    assert prefixes("^[ab]c") == {"ac", "bc"}
    assert prefixes("^(?:x|)plain") == {"xplain", "plain"}
    assert prefixes("^ab?c") == {"a"}
    assert prefixes("^linux") == {"linux"}  # the i is wild in SQL: it matches İ too
    assert prefixes("^ki") == frozenset()  # both wild (k matches the Kelvin sign): no test
    assert prefixes("(?m)^the") == frozenset()  # any line's start
    assert prefixes("the") == frozenset()  # not anchored
    assert prefixes("^a|b") == frozenset()  # only one branch is anchored
    assert prefixes("^(a|.)") == frozenset()  # one branch begins with anything
    assert prefixes("^[a-z]x") == frozenset()
    assert prefixes("^[^a]x") == frozenset()
    assert prefixes("^(" + "|".join("abcdefghj") + ")x") == frozenset()  # too many
    assert prefixes("^(") == frozenset()  # not a regex: no test, the regex says so
    clauses = [frozenset({" "}), frozenset({"ban", "reject"}), frozenset({"the", "a"})]
    assert telling(clauses) == [frozenset({"ban", "reject"})]  # "a" and " " tell nothing
    assert telling([frozenset({" "}), frozenset({"a"})]) == [frozenset({" "})]
    assert telling([]) == []
    assert telling([frozenset({"kiss"}), frozenset({"ab"})]) == [frozenset({"ab"})]
    assert telling([frozenset({"kernel"}), frozenset({"ab"})])[0] == frozenset({"kernel"})


@pytest.mark.parametrize(
    "expr",
    [
        'unread = "yes" and folder = "tech"',
        'unread = "yes" and title =~ "^(Spon|C.)"',  # a regex: one scan, kept
    ],
)
def test_a_views_count_and_pages_follow_every_write(tmp_path: Path, expr: str) -> None:
    library, ids = filter_library(tmp_path / "memo.db")
    other, _ = filter_library(tmp_path / "memo.db")  # another connection to the same file
    query = StoryQuery(expr=expr)
    assert library.count(query) == 2
    assert [s.id for s in library.page(query, 10)] == [ids["a2"], ids["a3"]]
    library.mark([ids["a2"]], read=True)  # this connection
    assert library.count(query) == 1
    assert [s.id for s in library.page(query, 10)] == [ids["a3"]]
    other.mark([ids["a2"]], read=False)  # another one
    assert library.count(query) == 2
    assert [s.id for s in library.page(query, 1, offset=1)] == [ids["a3"]]


def test_an_expression_typed_wrong_is_told_from_plain_words() -> None:
    from tuireader.domain.filter_lang import expression_error

    assert expression_error("linux kernel") is None  # words
    assert expression_error("title of the book") is None  # words that begin with a name
    assert expression_error('title =~ "x"') is None  # an expression
    half = expression_error('title =~ "x" or')
    assert half is not None and str(half).startswith("column ")
    typo = expression_error('titel = "x"')
    assert typo is not None and "unknown attribute" in str(typo)
    assert expression_error('(unread = "yes"') is not None


def test_what_a_regex_takes_for_an_ascii_letter_beyond_its_case_is_known() -> None:
    # a word's fast path tests a text for these letters before it runs the regex: a letter
    # missing here would lose the texts that hold it
    import re as regex
    import string

    from tuireader.domain.regex_hints import is_wild
    from tuireader.storage.filter_sql import _BEYOND_ASCII

    found: dict[str, str] = {}
    for letter in string.ascii_lowercase + string.digits:
        one = regex.compile(regex.escape(letter), regex.IGNORECASE)
        others = "".join(chr(c) for c in range(0x80, 0x10000) if one.fullmatch(chr(c)))
        if others:
            found[letter] = others
    assert found == _BEYOND_ASCII
    assert all(is_wild(letter) and is_wild(letter.upper()) for letter in found)


def test_long_runs_and_deep_groups_run_or_are_refused_in_one_line(
    lib: tuple[Library, dict[str, int]],
) -> None:
    every = matching(lib, 'unread = "yes" or unread = "no"')
    # a run of one kind is one flat group in SQL, however long (SQLite's parser took ~35
    # nested ones before it overflowed: "internal error")
    assert matching(lib, " and ".join(['title =~ "."'] * 90)) == every
    assert matching(lib, " or ".join(['title =~ "^$"'] * 90 + ['unread = "yes"'])) == (
        matching(lib, 'unread = "yes"')
    )

    def nested(groups: int) -> str:
        text = 'title =~ "."'
        for n in range(groups):
            word = "or" if n % 2 else "and"
            text = f'title =~ "." {word} ({text})'
        return text

    assert matching(lib, nested(MAX_GROUPS)) == every  # as deep as allowed: it runs
    with pytest.raises(FilterError) as refused:
        parse(nested(MAX_GROUPS + 1))
    assert "too deeply nested" in str(refused.value) and "\n" not in str(refused.value)


def test_an_expression_may_run_over_lines(lib: tuple[Library, dict[str, int]]) -> None:
    one = 'title =~ "n" and unread = "yes"'
    assert matching(lib, 'title =~ "n"\n  and unread = "yes"\r\n') == matching(lib, one)
    assert matching(lib, "\n" + one.replace(" and ", "\nand\n")) == matching(lib, one)
