"""The installed ``tuireader`` command in a subprocess against a temp data dir."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from feedserver import FeedServer

# The installed console script: beside this interpreter (a venv), else on PATH.
_BESIDE = Path(sys.executable).parent / "tuireader"
EXE = str(_BESIDE) if _BESIDE.exists() else shutil.which("tuireader")


def run(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    assert EXE is not None
    return subprocess.run([EXE, *args], env=env, capture_output=True, text=True, timeout=timeout)


def add_source(env: dict[str, str], url: str, *more: str) -> int:
    """``tuireader add URL`` (it must succeed), and the new source's id."""
    added = run(env, "add", url, *more)
    assert added.returncode == 0, added.stderr
    [source] = [s for s in json.loads(run(env, "sources", "--json").stdout) if s["url"] == url]
    return int(source["id"])


def test_help_for_every_command(isolated_env: dict[str, str]) -> None:
    for command in (
        "sync",
        "add",
        "remove",
        "sources",
        "refresh",
        "list",
        "show",
        "mark",
        "import",
        "export",
        "locate",
        "vacuum",
        "config",
        "doctor",
        "account",
    ):
        result = run(isolated_env, command, "--help")
        assert result.returncode == 0, command
        assert "usage: tuireader " + command in result.stdout


def test_usage_errors_exit_2(isolated_env: dict[str, str]) -> None:
    assert run(isolated_env, "frobnicate").returncode == 2
    assert run(isolated_env, "mark", "1").returncode == 2
    missing = run(isolated_env, "show", "999999")
    assert missing.returncode == 2 and "no story with id 999999" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_first_run_shows_the_sample_library_offline(isolated_env: dict[str, str]) -> None:
    result = run(isolated_env, "list", "--json", "--limit", "100")
    assert result.returncode == 0, result.stderr
    stories = json.loads(result.stdout)
    assert len(stories) >= 8
    assert "first run" in result.stderr
    again = run(isolated_env, "list")
    assert "first run" not in again.stderr


def test_locate_prints_the_paths(isolated_env: dict[str, str], tmp_path: Path) -> None:
    out = run(isolated_env, "locate").stdout
    assert str(tmp_path / "data") in out and str(tmp_path / "config") in out


def test_add_refresh_list_show_mark_export(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text("[general]\nrefresh_on_start = false\n")
    good = run(isolated_env, "add", feed_server.url("/rss2.xml"), "--folder", "Local")
    assert good.returncode == 0, good.stderr
    bad = run(isolated_env, "add", feed_server.url("/404"))
    assert bad.returncode == 2 and "HTTP 404" in bad.stderr  # refused, nothing kept
    kept = run(isolated_env, "add", "--no-fetch", feed_server.url("/404"))
    assert kept.returncode == 0, kept.stderr
    refresh = run(isolated_env, "refresh")
    assert refresh.returncode == 1
    assert "Refreshed 2 sources" in refresh.stdout
    failed = [line for line in refresh.stderr.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and "HTTP 404" in failed[0]
    quiet = run(isolated_env, "refresh", "--quiet", "Harbor Gazette")
    assert quiet.returncode == 0 and quiet.stdout == ""
    stories = json.loads(run(isolated_env, "list", "--json").stdout)
    assert stories[0]["title"] == "Ferry timetable changes next week"
    first = stories[0]["id"]
    shown = run(isolated_env, "show", str(first))
    assert shown.returncode == 0
    assert "ferry" in shown.stdout and "Links:" in shown.stdout
    assert "alert(1)" not in shown.stdout
    assert run(isolated_env, "mark", str(first), "--read").returncode == 0
    assert run(isolated_env, "mark", str(first), "--star").returncode == 0
    unread = json.loads(run(isolated_env, "list", "--unread", "--json").stdout)
    assert first not in [s["id"] for s in unread]
    starred = json.loads(run(isolated_env, "list", "--starred", "--json").stdout)
    assert [s["id"] for s in starred] == [first]
    found = json.loads(run(isolated_env, "list", "--search", "seals", "--json").stdout)
    assert [s["title"] for s in found] == ["Harbour seals counted in annual survey"]
    sources = json.loads(run(isolated_env, "sources", "--json").stdout)
    assert {s["status"] for s in sources} >= {"not modified"}
    opml = run(isolated_env, "export").stdout
    assert "Harbor Gazette" in opml and 'text="Local"' in opml
    removed = run(isolated_env, "remove", feed_server.url("/404"))
    assert removed.returncode == 0


def test_import_opml_and_bad_config(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>s</title></head><body>'
        '<outline text="Tech"><outline type="rss" text="Valley" '
        f'xmlUrl="{feed_server.url("/atom.xml")}"/>'
        "</outline></body></opml>"
    )
    result = run(isolated_env, "import", str(opml))
    assert result.returncode == 0 and "imported 1 feed " in result.stdout
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "config.toml").write_text("[network]\nconcurency = 3\n")
    bad = run(isolated_env, "list")
    assert bad.returncode == 2 and "network.concurency" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_corrupt_database_message_is_one_line(isolated_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "tuireader.db").write_bytes(b"garbage" * 500)
    result = run(isolated_env, "sources")
    assert result.returncode == 0
    lines = [line for line in result.stderr.splitlines() if "moved it to" in line]
    assert len(lines) == 1


def test_show_prints_text_as_written_not_markdown_escapes(
    isolated_env: dict[str, str], tmp_path: Path
) -> None:
    page = tmp_path / "note.txt"
    page.write_text("A note about tags\n\nUse <tag> & *stars* with snake_case names.\n")
    assert run(isolated_env, "add", str(page)).returncode == 0
    story = json.loads(run(isolated_env, "list", "--json").stdout)[0]["id"]
    shown = run(isolated_env, "show", str(story)).stdout
    assert "Use <tag> & *stars* with snake_case names." in shown, shown
    assert "\\" not in shown
