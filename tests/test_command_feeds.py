"""Command feeds (``exec:CMD``, ``filter:CMD:URL``) run as real processes: a tiny Python
script as the command, with the HTTP fetch's size and time limits."""

from __future__ import annotations

import os
import shlex
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from feedserver import FeedServer
from test_cli import run
from tuireader.config.settings import Settings
from tuireader.domain.command_feed import command_argv, parse_command_url
from tuireader.domain.errors import UsageError
from tuireader.domain.models import Source, SourceKind
from tuireader.domain.query import StoryQuery
from tuireader.services.library import Library, source_for
from tuireader.services.refresh import Outcome, Refresher
from tuireader.sources.http import Fetcher, FetchLimits, make_client
from tuireader.storage.database import open_database

LIMITS = FetchLimits(connect_timeout=2, read_timeout=2, deadline=3, max_bytes=256 * 1024)
PY = shlex.quote(sys.executable)

FEED = """<rss version='2.0'><channel><title>Printed feed</title>
<item><title>First printed</title><guid>p1</guid><link>http://printed.example/1</link>
<description>one</description></item>
<item><title>Second printed</title><guid>p2</guid><link>http://printed.example/2</link>
<description>two</description></item>
</channel></rss>"""

SCRIPTS = {
    "good.py": f"print({FEED!r})",
    "fails.py": "import sys\nsys.stderr.write('\\x1b[31mdisk on fire\\x1b[0m\\nmore\\n')\n"
    "sys.exit(3)",
    "huge.py": "import sys\nwhile True:\n    sys.stdout.write('<!-- padding -->' * 4096)",
    "sleeps.py": "import os, subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
    "open(sys.argv[1], 'w').write(f'{os.getpid()} {child.pid}')\n"
    "time.sleep(60)",
    "garbage.py": "import sys\nsys.stdout.buffer.write(bytes(range(256)) * 20)",
    "silent.py": "pass",
    # a filter: the fetched feed on stdin, every title shouted
    "shout.py": "import re, sys\ndata = sys.stdin.read()\n"
    "print(re.sub(r'<title>(.*?)</title>', lambda m: '<title>' + m.group(1).upper()"
    " + '</title>', data))",
    # a filter that exits without reading what it was given
    "ignores.py": f"print({FEED!r})",
}


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    for name, text in SCRIPTS.items():
        (folder / name).write_text(text + "\n")
    return folder


@pytest.fixture
def library(tmp_path: Path) -> Library:
    conn, _ = open_database(tmp_path / "t.db")
    return Library(conn, Settings())


@pytest.fixture
async def refresher(library: Library) -> AsyncIterator[Refresher]:
    async with make_client("tuireader-test/1", LIMITS) as client:
        yield Refresher(library, Fetcher(client, LIMITS))


def exec_source(library: Library, scripts: Path, name: str, *args: str) -> Source:
    words = " ".join(shlex.quote(a) for a in args)
    ref = f"exec:{PY} {shlex.quote(str(scripts / name))} {words}".strip()
    return library.add_source(source_for(ref))[0]


async def test_a_command_prints_the_feed(
    library: Library, refresher: Refresher, scripts: Path
) -> None:
    source = exec_source(library, scripts, "good.py")
    assert source.kind is SourceKind.COMMAND and source.url.startswith("exec:")
    report = await refresher.refresh()
    assert [r.outcome for r in report.results] == [Outcome.UPDATED], report.results
    assert report.new == 2
    stored = library.page(StoryQuery(source_ids=(source.id or 0,)), 10)
    assert {s.title for s in stored} == {"First printed", "Second printed"}
    assert library.sources()[0].title == "Printed feed"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("fails.py", "exited with status 3: disk on fire"),
        ("huge.py", "printed too much (over 0 MB)"),
        ("garbage.py", "the command printed no feed (parse error"),
        ("silent.py", "printed nothing"),
    ],
)
async def test_a_failing_command_is_one_line_naming_why(
    library: Library, refresher: Refresher, scripts: Path, name: str, reason: str
) -> None:
    exec_source(library, scripts, name)
    report = await refresher.refresh()
    [result] = report.results
    assert result.outcome is Outcome.FAILED
    assert reason in result.message, result.message
    assert "\n" not in result.message and "\x1b" not in result.message
    assert library.sources()[0].status == result.message  # kept for `sources` and health


async def test_a_missing_program_is_named(library: Library, refresher: Refresher) -> None:
    library.add_source(source_for("exec:no-such-program-anywhere --flag"))
    [result] = (await refresher.refresh()).results
    assert result.outcome is Outcome.FAILED
    assert result.message == "command not found: no-such-program-anywhere"


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:  # a zombie (killed, not yet reaped by its new parent) is gone too
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


async def test_a_command_past_the_deadline_is_killed_with_its_children(
    library: Library, refresher: Refresher, scripts: Path, tmp_path: Path
) -> None:
    pids = tmp_path / "pids"
    exec_source(library, scripts, "sleeps.py", str(pids))
    [result] = (await refresher.refresh()).results
    assert result.outcome is Outcome.FAILED
    assert "timed out after 3 s" in result.message, result.message
    script, child = (int(p) for p in pids.read_text().split())
    for _ in range(100):  # SIGKILL is delivered at once; reaping may take a moment
        if _gone(script) and _gone(child):
            break
        time.sleep(0.05)
    assert _gone(script) and _gone(child)


async def test_a_filter_pipes_the_fetched_feed_through_its_command(
    library: Library, refresher: Refresher, scripts: Path, feed_server: FeedServer
) -> None:
    url = feed_server.url("/rss2.xml")
    ref = f"filter:{PY} {shlex.quote(str(scripts / 'shout.py'))}:{url}"
    source = library.add_source(source_for(ref))[0]
    assert source.url == ref  # newsboat's spelling, unchanged
    first = await refresher.refresh()
    assert first.results[0].outcome is Outcome.UPDATED, first.results[0].message
    titles = {s.title for s in library.page(StoryQuery(source_ids=(source.id or 0,)), 10)}
    assert titles and all(t == t.upper() for t in titles), titles
    # the fetched feed is fetched conditionally: unchanged, the command does not run again
    second = await refresher.refresh()
    assert second.results[0].outcome is Outcome.NOT_MODIFIED
    assert feed_server.conditional_hits["/rss2.xml"] == 1


async def test_a_filter_that_does_not_read_its_input_still_works(
    library: Library, refresher: Refresher, scripts: Path, feed_server: FeedServer
) -> None:
    big = feed_server.add("/big.xml", b"<rss><channel>" + b" " * 200_000 + b"</channel></rss>")
    library.add_source(source_for(f"filter:{PY} {shlex.quote(str(scripts / 'ignores.py'))}:{big}"))
    [result] = (await refresher.refresh()).results
    assert result.outcome is Outcome.UPDATED, result.message


@pytest.mark.parametrize(
    ("ref", "said"),
    [
        ("exec:", "needs a command"),
        ("exec:cat feed.xml | grep x", "without a shell"),
        ("exec:script > out.xml", "without a shell"),
        ("exec:'unbalanced", "cannot split"),
        ("filter:shout.py", "filter:COMMAND:URL"),
        ("filter:shout.py:ftp://x/feed", "http(s) feed"),
    ],
)
def test_a_command_that_could_never_run_is_refused(ref: str, said: str) -> None:
    with pytest.raises(UsageError, match=said.replace("(", r"\(").replace(")", r"\)")):
        source_for(ref)


def test_the_command_is_split_as_newsboat_writes_it() -> None:
    feed = parse_command_url('filter:~/bin/f "a b" -x:https://example.org/feed?x=1:2')
    assert feed.command == '~/bin/f "a b" -x'
    assert feed.feed_url == "https://example.org/feed?x=1:2"
    argv = command_argv(feed.command)
    assert argv == [os.path.expanduser("~/bin/f"), "a b", "-x"]


def test_the_cli_adds_a_command_feed_and_refuses_a_broken_one(
    isolated_env: dict[str, str], scripts: Path
) -> None:
    good = f"exec:{PY} {shlex.quote(str(scripts / 'good.py'))}"
    added = run(isolated_env, "add", good)
    assert added.returncode == 0, added.stderr
    assert "added Printed feed" in added.stdout and "2 new stories" in added.stdout
    listed = run(isolated_env, "sources", "--json")
    assert '"kind": "command"' in listed.stdout and good.replace('"', '\\"') in listed.stdout
    broken = run(isolated_env, "add", f"exec:{PY} {shlex.quote(str(scripts / 'fails.py'))}")
    assert broken.returncode == 1
    [line] = broken.stderr.strip().splitlines()
    assert "exited with status 3: disk on fire" in line and "not added" in line
    assert "fails.py" in line  # the source is named
    missing = run(isolated_env, "add", "exec:no-such-program-anywhere")
    assert missing.returncode == 1 and "command not found" in missing.stderr
    assert len(run(isolated_env, "sources", "--json").stdout.split('"kind"')) == 2  # one kept


def test_a_failing_exec_feed_does_not_hide_that_the_network_is_down() -> None:
    from tuireader.services.refresh_report import RefreshReport, SourceResult

    command = source_for("exec:no-such-program-anywhere")
    feed = Source(url="http://127.0.0.1:1/feed.xml", kind=SourceKind.FEED)
    report = RefreshReport(
        [
            SourceResult(command, Outcome.FAILED, message="command not found"),
            SourceResult(feed, Outcome.FAILED, message="cannot connect", offline=True),
        ]
    )
    assert report.offline


def test_command_feeds_imported_from_newsboat_run_on_refresh(
    isolated_env: dict[str, str], scripts: Path, tmp_path: Path
) -> None:
    """An ``exec:`` line of newsboat's ``urls`` becomes a source that the next refresh runs;
    one written for a shell is kept, and its refresh says in one line why it cannot run."""
    old = tmp_path / "nb"
    old.mkdir()
    good = f"exec:{sys.executable} {scripts / 'good.py'}"
    shelly = "exec:cat feed.xml | sed s/a/b/"
    (old / "urls").write_text(f'"{good}" news\n"{shelly}"\n')
    imported = run(isolated_env, "import", "--from", "newsboat", str(old))
    assert imported.returncode == 0, imported.stderr
    refreshed = run(isolated_env, "refresh")
    assert "2 new" in refreshed.stdout, refreshed.stdout + refreshed.stderr
    [failed] = [line for line in refreshed.stderr.splitlines() if line.startswith("FAILED")]
    assert "without a shell" in failed and "Traceback" not in refreshed.stderr
    titles = run(isolated_env, "list", "--json").stdout
    assert "First printed" in titles and "Second printed" in titles
