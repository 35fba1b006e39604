"""The filter language: newsboat's expressions over stories, parsed to a small tree.

``title =~ "linux" and (age < 7 or flags # "s")``. A comparison is an attribute, an
operator and a value (a quoted string, a number or a ``low:high`` range); comparisons are
joined with ``and`` / ``or`` and grouped with parentheses. As in newsboat, ``and`` and
``or`` bind alike and group to the right: ``a and b or c`` is ``a and (b or c)``. A quoted
string keeps its backslashes as written (``"\\s*Doe$"`` is the regex ``\\s*Doe$``).

Turning a tree into SQL is the store's business (``tuireader.storage.filter_sql``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from tuireader.domain.errors import UsageError


class FilterError(UsageError):
    """A bad expression; ``str()`` is one line, ``column N: ...`` (1-based)."""

    def __init__(self, column: int, message: str) -> None:
        super().__init__(f"column {column}: {message}")
        self.column = column
        self.reason = message


class Op(StrEnum):
    """The comparison operators, by how they are written."""

    EQ = "="
    NE = "!="
    MATCH = "=~"
    NOT_MATCH = "!~"
    LT = "<"
    GT = ">"
    LE = "<="
    GE = ">="
    BETWEEN = "between"
    CONTAINS = "#"
    NOT_CONTAINS = "!#"


ATTRIBUTES: dict[str, str] = {
    "title": "the story's title",
    "content": "the story's body as the feed gave it (HTML); `#` asks the search index",
    "author": "the story's author",
    "link": "the story's link",
    "guid": "the story's stable id within its source",
    "date": 'publication date, "Thu, 01 Jan 1970 00:00:01 +0000" (UTC); with < > <= >= '
    'between, a value like "2024-05-01" compares dates',
    "age": "whole days since the story's date",
    "unread": '"yes" or "no"',
    "starred": '"yes" or "no"',
    "flags": '"s" for a starred story, else ""',
    "enclosure_url": "the first enclosure's URL, else empty",
    "enclosure_type": "the first enclosure's MIME type, else empty",
    "feedtitle": "the source's title",
    "feedurl": "the source's URL (also `rssurl`)",
    "tags": "the source's folder and tags, each followed by a space (newsboat's form)",
    "unread_count": "how many unread stories the source holds",
    "total_count": "how many stories the source holds",
    "source": "the source's name (its title, else its URL)",
    "folder": "the source's folder",
    "saved": '"yes" for a story saved to read later, else "no"',
    "full_text": "the text fetched from the story's page, else empty",
    "cluster_size": "how many stories tell the same event (1 when alone)",
    "popularity": "the figure a page gives for popularity, else 0",
}
"""Every attribute, with what it holds (the README table comes from here)."""

ALIASES = {"rssurl": "feedurl"}

_OPERATORS = sorted((op.value for op in Op if op is not Op.BETWEEN), key=len, reverse=True)
_NAME = re.compile(r"[A-Za-z0-9_.\-]+")
_NUMBER = re.compile(r"-?[0-9]+")


@dataclass(frozen=True, slots=True)
class Comparison:
    """``attribute op literal``: the value as written (a range as ``a:b``)."""

    attribute: str
    op: Op
    literal: str
    column: int
    """Where the comparison starts (1-based), for errors found later (a bad regex)."""
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class And:
    """Both sides hold."""

    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Or:
    """Either side holds."""

    left: Expr
    right: Expr


Expr = Comparison | And | Or

MAX_GROUPS = 24
"""How deep groups of one kind may sit inside groups of the other (``a and (b or (c and
…))``): the SQL an expression becomes nests as deep, and SQLite's parser takes about 35."""


def operands(tree: And | Or) -> list[Expr]:
    """What a run of one kind joins: ``a and b and (c and d)`` is [a, b, c, d]."""
    kind = type(tree)
    found: list[Expr] = []
    stack: list[Expr] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, kind):
            stack += [node.right, node.left]
        else:
            found.append(node)
    return found


def _first_column(tree: Expr) -> int:
    while not isinstance(tree, Comparison):
        tree = tree.left
    return tree.column


def _check_groups(tree: Expr, depth: int = 1) -> None:
    if isinstance(tree, Comparison):
        return
    if depth > MAX_GROUPS:
        raise FilterError(
            _first_column(tree),
            f"too deeply nested: at most {MAX_GROUPS} groups of 'and' and 'or' inside each other",
        )
    for part in operands(tree):
        _check_groups(part, depth + 1)


_SPACE = " \t\r\n"
"""What parts an expression's words: it may be written over several lines."""


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, message: str, pos: int | None = None) -> FilterError:
        return FilterError((self.pos if pos is None else pos) + 1, message)

    def spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in _SPACE:
            self.pos += 1

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def found(self) -> str:
        if self.at_end():
            return "the end"
        return repr(self.text[self.pos : self.pos + 12])

    def expression(self, depth: int = 0) -> Expr:
        if depth > 100:
            raise self.fail("too deeply nested")
        self.spaces()
        left = self.operand(depth)
        self.spaces()
        for word, node in (("and", And), ("or", Or)):
            if self.text.startswith(word, self.pos):
                after = self.pos + len(word)
                rest = self.text[after:]
                if rest[:1] and rest[:1] in _SPACE + "(" and rest.strip():
                    self.pos = after
                    right = self.expression(depth + 1)
                    return node(left, right)
                if not rest.strip():
                    raise self.fail(f"'{word}' needs an expression after it", after)
        return left

    def operand(self, depth: int) -> Expr:
        if self.text.startswith("(", self.pos):
            start = self.pos
            self.pos += 1
            inner = self.expression(depth + 1)
            self.spaces()
            if not self.text.startswith(")", self.pos):
                if self.at_end():
                    raise self.fail("'(' is never closed", start)
                raise self.fail(f"expected 'and', 'or' or ')', found {self.found()}")
            self.pos += 1
            return inner
        return self.comparison()

    def comparison(self) -> Comparison:
        start = self.pos
        name = _NAME.match(self.text, self.pos)
        if name is None:
            raise self.fail(f"expected an attribute name, found {self.found()}")
        attribute = name.group().lower()
        attribute = ALIASES.get(attribute, attribute)
        if attribute not in ATTRIBUTES:
            raise self.fail(f"unknown attribute {name.group()!r}")
        self.pos = name.end()
        self.spaces()
        op = self.operator()
        self.spaces()
        value, quoted = self.value(op)
        if op in (Op.MATCH, Op.NOT_MATCH):
            try:
                compile_regex(value)
            except ValueError as exc:
                raise FilterError(start + 1, str(exc)) from None
        return Comparison(attribute, op, value, start + 1, quoted)

    def operator(self) -> Op:
        if self.text.startswith("between", self.pos):
            self.pos += len("between")
            return Op.BETWEEN
        if self.text.startswith("==", self.pos):
            self.pos += 2
            return Op.EQ
        for written in _OPERATORS:
            if self.text.startswith(written, self.pos):
                self.pos += len(written)
                return Op(written)
        raise self.fail(
            "expected an operator (=, !=, =~, !~, <, >, <=, >=, between, #, !#),"
            f" found {self.found()}"
        )

    def value(self, op: Op) -> tuple[str, bool]:
        start = self.pos
        if self.text.startswith('"', self.pos):
            self.pos += 1
            while not self.at_end() and self.text[self.pos] != '"':
                self.pos += 2 if self.text[self.pos] == "\\" else 1
            if self.at_end():
                raise self.fail("the quoted string is never closed", start)
            self.pos += 1
            return self.text[start + 1 : self.pos - 1], True
        low = _NUMBER.match(self.text, self.pos)
        if low is None:
            raise self.fail(f"expected a quoted string, a number or a range, found {self.found()}")
        self.pos = low.end()
        if self.text.startswith(":", self.pos):
            high = _NUMBER.match(self.text, self.pos + 1)
            if high is None:
                raise self.fail("a range is two numbers, low:high", start)
            self.pos = high.end()
            return f"{low.group()}:{high.group()}", False
        if op is Op.BETWEEN:
            raise self.fail("between takes a range, low:high", start)
        return low.group(), False


MAX_PATTERN = 512
"""Longest regex accepted."""
MAX_SUBJECT = 200_000
"""A regex sees at most this many characters of a text (a bound on its time)."""

_POSIX = {
    "alpha": "a-zA-Z",
    "digit": "0-9",
    "alnum": "a-zA-Z0-9",
    "upper": "A-Z",
    "lower": "a-z",
    "space": r"\s",
    "blank": r" \t",
    "punct": r"!-/:-@\[-`{-~",
    "xdigit": "0-9A-Fa-f",
    "word": r"\w",
}
# a group holding a quantifier, itself repeated: (a+)+, (x*y)*, (a|b+){2,}
_NESTED = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]")


@lru_cache(maxsize=256)
def compile_regex(pattern: str) -> re.Pattern[str]:
    """A POSIX extended regex as Python's, case-insensitive; raises ``ValueError`` with a
    one-line reason for a pattern too long, too nested to run in bounded time, or bad."""
    if len(pattern) > MAX_PATTERN:
        raise ValueError(f"the regex is longer than {MAX_PATTERN} characters")
    if _NESTED.search(pattern):
        raise ValueError("the regex repeats a group that repeats (like (a+)+): too slow to run")
    translated = re.sub(r"\[:([a-z]+):\]", lambda m: _POSIX.get(m.group(1), m.group()), pattern)
    try:
        return re.compile(translated, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"bad regex {pattern!r}: {exc}") from None


@lru_cache(maxsize=256)
def parse(text: str) -> Expr:
    """The tree of an expression; raises :class:`FilterError` pointing at the column."""
    if "\x00" in text:
        raise FilterError(text.index("\x00") + 1, "a NUL character cannot be in an expression")
    parser = _Parser(text)
    parser.spaces()
    if parser.at_end():
        raise FilterError(1, "the expression is empty")
    tree = parser.expression()
    parser.spaces()
    if not parser.at_end():
        if parser.text[parser.pos] == ")":
            raise parser.fail("')' without a matching '('")
        raise parser.fail(f"expected 'and', 'or' or the end, found {parser.found()}")
    _check_groups(tree)
    return tree


_ATTEMPT = re.compile(r"[\s(]*[A-Za-z_]+\s*(?:[=!#<>]|between\b)", re.IGNORECASE)
"""How an expression begins: a name, then an operator (plain words do not)."""


def read_typed(text: str) -> tuple[bool, FilterError | None]:
    """What was typed into a filter line, read once: whether it is an expression (it
    parses), and why not when it was meant as one (a name, then an operator); plain words
    (``linux kernel``) are neither."""
    try:
        parse(text)
    except FilterError as exc:
        return False, (exc if _ATTEMPT.match(text) else None)
    return True, None


def looks_like_expression(text: str) -> bool:
    """Whether what was typed into a filter line is meant as an expression: it parses and
    has an operator (``linux kernel`` is plain words, ``title =~ "linux"`` is not)."""
    return read_typed(text)[0]


def expression_error(text: str) -> FilterError | None:
    """Why ``text``, typed as an expression (a name, then an operator), is not one; None
    when it is one, or is plain words."""
    return read_typed(text)[1]


def comparisons(tree: Expr) -> list[Comparison]:
    """Every comparison in a tree, left to right."""
    if isinstance(tree, Comparison):
        return [tree]
    return comparisons(tree.left) + comparisons(tree.right)
