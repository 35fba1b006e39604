"""The README's key table is the command declarations, rendered."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tuireader.ui.commands import COMMANDS, key_table_markdown
from tuireader.ui.readme_keys import BEGIN, END, with_key_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_key_table_matches_the_declarations() -> None:
    text = README.read_text(encoding="utf-8")
    assert with_key_table(text, key_table_markdown()) == text, (
        "README.md's key table is stale: run python -m tuireader.ui.readme_keys"
    )


def test_every_command_has_its_row() -> None:
    table = key_table_markdown()
    for command in COMMANDS:
        if not command.id.startswith("open_link_"):
            assert f"| `{command.id}` | {command.help} |" in table, command.id
    family = "| `1–9` | `open_link_1 … open_link_9` | Open the article's link [N] in the browser |"
    assert family in table


def test_the_entry_rewrites_a_stale_table(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    stale = tmp_path / "README.md"
    stale.write_text(
        text.split(BEGIN)[0] + BEGIN + "\n| old | table |\n" + END + text.split(END)[1],
        encoding="utf-8",
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "tuireader.ui.readme_keys", *args, str(stale)]
        return subprocess.run(command, capture_output=True, text=True, timeout=60)

    assert run("--check").returncode == 1
    assert "| old | table |" in stale.read_text(encoding="utf-8")
    assert run().returncode == 0
    assert stale.read_text(encoding="utf-8") == text
    assert run("--check").returncode == 0
