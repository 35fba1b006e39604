"""Names that explain themselves: one class per name, outcomes compared as enums."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tuireader.domain.models import FetchStatus, fetch_failed
from tuireader.services.refresh_report import Outcome
from tuireader.ui.widgets.sidebar import RowKind

SRC = Path(__file__).resolve().parents[1] / "src" / "tuireader"
ENUM_VALUES = {m.value for e in (FetchStatus, Outcome, RowKind) for m in e}
SQLITE_SAYS_OK = {
    ("cli/doctor.py", "verdict"),
    ("storage/database.py", "problems"),
    ("cli/commands.py", "args.command"),
}
"""``PRAGMA quick_check`` answers the string "ok": SQLite's word, not one of our statuses; and
argparse's word for the command given ("account"), not a source kind."""
INPUT_WORDS = "sources/"
"""The parsers compare the words of their input ("updated" in a page dump's label)."""


def modules() -> list[tuple[str, ast.Module]]:
    return [(p.relative_to(SRC).as_posix(), ast.parse(p.read_text())) for p in SRC.rglob("*.py")]


def test_no_two_classes_share_a_name() -> None:
    where: defaultdict[str, list[str]] = defaultdict(list)
    for path, tree in modules():
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                where[node.name].append(path)
    assert {name: paths for name, paths in where.items() if len(paths) > 1} == {}


def literals(node: ast.expr) -> list[str]:
    """The string constants a comparison operand holds (itself, or a tuple/set/list of them)."""
    items = node.elts if isinstance(node, ast.Tuple | ast.Set | ast.List) else [node]
    return [i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)]


def test_statuses_and_outcomes_are_compared_as_enums() -> None:
    found = []
    for path, tree in modules():
        if path.startswith(INPUT_WORDS):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare):
                continue
            operands = [node.left, *node.comparators]
            subject = ast.unparse(node.left)
            if (path, subject) in SQLITE_SAYS_OK:
                continue
            strings = [s for o in operands for s in literals(o)]
            by_value = any(isinstance(o, ast.Attribute) and o.attr == "value" for o in operands)
            if (by_value and strings) or ENUM_VALUES & set(strings):
                found.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    assert found == []


def test_what_counts_as_a_failed_fetch() -> None:
    assert not any(fetch_failed(s) for s in ("", "ok", "not modified", "unchanged"))
    assert fetch_failed("HTTP 404") and fetch_failed("timed out")
