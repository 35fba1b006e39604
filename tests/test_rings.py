"""The rings point inward: core modules load without Textual, and import-linter agrees.

(Rich is not checked here: httpx itself imports it when installed, for its own CLI;
import-linter forbids our core from importing it.)
"""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import tuireader

CORE = ("domain", "sources", "storage", "content", "config", "services")
ROOT = Path(__file__).resolve().parents[1]


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(tuireader.__path__, "tuireader."):
        if info.name.split(".")[1] in CORE:
            names.append(info.name)
    return names


@pytest.mark.parametrize("module", core_modules())
def test_core_module_imports_without_textual(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "bad = [m for m in ('textual',) if m in sys.modules]; "
        "print(*bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr or result.stdout


def test_import_linter_contracts_hold() -> None:
    beside = Path(sys.executable).parent / "lint-imports"
    exe = str(beside) if beside.exists() else shutil.which("lint-imports")
    assert exe, "import-linter is part of the test extras"
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
