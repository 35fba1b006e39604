"""Services speak domain types: storage's rows and connections stay inside storage/.

Read from the source (every import, also those inside functions and ``TYPE_CHECKING``
blocks): the UI imports nothing of storage; a repository class is imported only where
services are built on one (the library facade, discovery, the composition root); no row
type (a storage dataclass) is imported outside storage/ at all.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tuireader"
CHECKED = sorted(
    [
        *(SRC / "services").rglob("*.py"),
        *(SRC / "ui").rglob("*.py"),
        *(SRC / "cli").rglob("*.py"),
        SRC / "app.py",
    ]
)
REPO_USERS = {
    "services/library.py",
    "services/discovery.py",
    "services/folder_sync.py",
    "services/account_sync.py",
    "services/semantic.py",
    "services/downloads.py",
    "app.py",
}
"""Where a repository may be named: the facade that owns them, the service built on one,
and the composition root that builds it."""


def storage_imports(path: Path) -> list[tuple[str, str, int]]:
    """(module, name, line) for every name a file imports from ``tuireader.storage``
    (name ``*`` for ``import tuireader.storage...``)."""
    found: list[tuple[str, str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "tuireader.storage" or node.module.startswith("tuireader.storage."):
                found.extend((node.module, alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend(
                (alias.name, "*", node.lineno)
                for alias in node.names
                if alias.name.startswith("tuireader.storage")
            )
    return found


def test_the_check_reads_storage_imports() -> None:
    """The parser finds what is there (else every test below would pass on nothing)."""
    names = {name for path in CHECKED for _, name, _ in storage_imports(path)}
    assert {"StoryRepo", "DiscoveryRepo", "connect"} <= names


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: str(p.relative_to(SRC)))
def test_no_row_type_or_repository_outside_its_place(path: Path) -> None:
    where = path.relative_to(SRC).as_posix()
    wrong: list[str] = []
    for module, name, line in storage_imports(path):
        shown = f"{where}:{line}: {module}.{name}"
        if where.startswith("ui/"):
            wrong.append(f"{shown} (the UI asks a service, never storage)")
            continue
        if name == "*":
            wrong.append(f"{shown} (import names, so this test can read them)")
            continue
        value = getattr(importlib.import_module(module), name)
        if dataclasses.is_dataclass(value):
            wrong.append(f"{shown} is a row type: return a domain object instead")
        elif isinstance(value, type) and not name.endswith("Repo"):
            wrong.append(f"{shown} is a storage class that is not a repository")
        elif isinstance(value, type) and where not in REPO_USERS:
            wrong.append(f"{shown}: only {sorted(REPO_USERS)} build on repositories")
    assert not wrong, "\n".join(wrong)
