"""A local source is called by its page's site name or its folder's name, never its path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from test_cli import run

DUMP = Path(__file__).parent / "fixtures" / "local" / "evervision_dump.txt"


def test_cli_page_dump_file_takes_its_site_name_and_folder_its_name(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    folder = tmp_path / "finance-dumps"
    folder.mkdir()
    single = folder / "000_b0af3b7295f0ef33.txt"
    shutil.copy(DUMP, single)
    added = run(isolated_env, "add", str(single))
    assert added.returncode == 0, added.stderr
    sources = run(isolated_env, "sources").stdout
    assert "EverVision Finance  — ok" in sources
    assert str(single) not in sources
    listed = run(isolated_env, "list").stdout
    assert "EverVision Finance Bank warns of fake refund texts" in listed

    assert run(isolated_env, "add", str(folder)).returncode == 0
    named = {
        s["url"]: s["title"] for s in json.loads(run(isolated_env, "sources", "--json").stdout)
    }
    assert named == {str(single): "EverVision Finance", str(folder): "finance-dumps"}

    titled = tmp_path / "other.txt"
    shutil.copy(DUMP, titled)
    assert run(isolated_env, "add", str(titled), "--title", "My dumps").returncode == 0
    assert "My dumps  — ok" in run(isolated_env, "sources").stdout  # the user's title wins
