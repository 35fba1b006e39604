"""Per-source settings, set with ``tuireader source set`` and obeyed by the next refresh:
refresh interval (and ``--force``), user agent, basic auth through ``password_command``,
a cookies file, retention; checked against a loopback server through the installed command."""

from __future__ import annotations

import json
import shlex
import sqlite3
import sys
from pathlib import Path

import pytest

from feedserver import FeedServer
from test_cli import add_source, run
from tuireader.domain.errors import UsageError
from tuireader.domain.models import SourceOptions
from tuireader.domain.source_options import duration_words, parse_assignments, parse_duration

SECRET = "open-sesame"
PY = shlex.quote(sys.executable)


def set_(env: dict[str, str], source: int, *assignments: str) -> str:
    done = run(env, "source", "set", str(source), *assignments)
    assert done.returncode == 0, done.stderr
    return done.stdout


def show(env: dict[str, str], source: int) -> dict[str, object]:
    shown = run(env, "source", "show", str(source), "--json")
    assert shown.returncode == 0, shown.stderr
    data: dict[str, object] = json.loads(shown.stdout)
    return data


def everything_written(env: dict[str, str], tmp_path: Path) -> str:
    """The database's rows, the log files and what `sources`/`health` print as JSON."""
    conn = sqlite3.connect(Path(env["TUIREADER_DATA_DIR"]) / "tuireader.db")
    rows = [
        repr(row)
        for table in ("sources", "fetch_log", "stories")
        for row in conn.execute(f"SELECT * FROM {table}")
    ]
    conn.close()
    logs = [p.read_text(errors="replace") for p in (tmp_path / "log").glob("*") if p.is_file()]
    printed = [run(env, *cmd).stdout for cmd in (["sources", "--json"], ["health", "--json"])]
    return "\n".join(rows + logs + printed)


def test_options_are_checked_before_anything_is_stored() -> None:
    assert parse_duration("45") == 45 and parse_duration("2h") == 120
    assert parse_duration("1d") == 1440 and duration_words(90) == "1h30m"
    options = parse_assignments(SourceOptions(), ["refresh_interval=2h", "user-agent=Bot/1"])
    assert options.refresh_interval == 120 and options.user_agent == "Bot/1"
    assert parse_assignments(options, ["user_agent="]).user_agent is None  # back to the config
    for bad, said in [
        ("refresh_interval=soon", "not a duration"),
        ("max_stories=-3", "whole number"),
        ("full_text=sometimes", "auto, always, never"),
        ("colour=blue", "unknown setting"),
        ("password=hunter2", "never stored"),
        ("user_agent", "key=value"),
        ("password_command='open", "cannot be split"),
    ]:
        with pytest.raises(UsageError, match=said):
            parse_assignments(SourceOptions(), [bad])


def test_a_source_is_skipped_until_due_and_force_fetches_it(
    isolated_env: dict[str, str], feed_server: FeedServer
) -> None:
    url = feed_server.url("/rss2.xml")
    source = add_source(isolated_env, url)
    add_source(isolated_env, feed_server.url("/atom.xml"))  # no interval
    assert feed_server.hits["/rss2.xml"] == 1
    assert "refresh_interval  2h  (set here)" in set_(isolated_env, source, "refresh_interval=2h")
    refreshed = run(isolated_env, "refresh")
    assert refreshed.returncode == 0, refreshed.stderr
    assert "1 not due" in refreshed.stdout
    assert feed_server.hits["/rss2.xml"] == 1  # skipped: fetched at its add, not due yet
    assert feed_server.hits["/atom.xml"] == 2  # the other source has no interval
    named = run(isolated_env, "refresh", str(source))  # asked for by name: fetched
    assert named.returncode == 0 and feed_server.hits["/rss2.xml"] == 2
    forced = run(isolated_env, "refresh", "--force")
    assert forced.returncode == 0 and "not due" not in forced.stdout
    assert feed_server.hits["/rss2.xml"] == 3
    set_(isolated_env, source, "refresh_interval=")  # cleared: every refresh again
    run(isolated_env, "refresh")
    assert feed_server.hits["/rss2.xml"] == 4


def test_a_source_sends_its_own_user_agent(
    isolated_env: dict[str, str], feed_server: FeedServer
) -> None:
    source = add_source(isolated_env, feed_server.url("/rss2.xml"))
    set_(isolated_env, source, "user_agent=FeedFetcher/9 (+https://example.org)")
    run(isolated_env, "refresh", str(source))
    assert feed_server.user_agents[0].startswith("tuireader/")
    assert feed_server.user_agents[-1] == "FeedFetcher/9 (+https://example.org)"


def test_basic_auth_takes_the_password_from_its_command_and_never_shows_it(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    url = feed_server.url("/private/rss2.xml")
    refused = run(isolated_env, "add", url)
    assert refused.returncode == 1 and "HTTP 401" in refused.stderr
    source = add_source(isolated_env, url, "--no-fetch")
    # the password is printed by a script whose text does not hold it
    (tmp_path / "pw.py").write_text("print('open' + '-sesame')\n")
    printer = f"{PY} {shlex.quote(str(tmp_path / 'pw.py'))}"
    set_(isolated_env, source, "auth_user=reader", f"password_command={printer}")
    refreshed = run(isolated_env, "refresh", str(source))
    assert refreshed.returncode == 0, refreshed.stderr
    assert "3 new stories" in refreshed.stdout
    assert feed_server.basic in feed_server.auth_headers
    set_(isolated_env, source, f"password_command={PY} -c 'print(1234)'")
    failed = run(isolated_env, "refresh", str(source))
    assert failed.returncode == 1 and "HTTP 401" in failed.stderr
    broken = f"{PY} -c 'import sys; sys.exit(\"gpg: no secret key\")'"
    set_(isolated_env, source, f"password_command={broken}")
    said = run(isolated_env, "refresh", str(source))
    assert said.returncode == 1, said.stderr
    assert "password_command: python" in said.stderr and "exited with status 1" in said.stderr
    assert "gpg: no secret key" in said.stderr
    set_(isolated_env, source, f"password_command={printer}")  # the secret once more
    assert run(isolated_env, "refresh", str(source)).returncode == 0
    written = everything_written(isolated_env, tmp_path)
    assert "pw.py" in written  # the command is there (it is no secret)…
    assert SECRET not in written  # …what it prints never is


def test_auth_is_not_sent_to_another_server(
    isolated_env: dict[str, str], feed_server: FeedServer
) -> None:
    other = FeedServer().start()
    try:
        feed_server.elsewhere = other.url("")  # a 302 to another port: another origin
        source = add_source(
            isolated_env, feed_server.url("/elsewhere/private/rss2.xml"), "--no-fetch"
        )
        set_(isolated_env, source, "auth_user=reader", f"password_command={PY} -c 'print(1)'")
        failed = run(isolated_env, "refresh", str(source))
        assert failed.returncode == 1 and "HTTP 401" in failed.stderr
        assert feed_server.auth_headers[-1].startswith("Basic ")  # the feed's own server
        assert other.hits["/private/rss2.xml"] == 1 and other.auth_headers == [""]
    finally:
        other.stop()


def test_a_cookies_file_is_sent_and_updated(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    jar = tmp_path / "cookies.txt"
    jar.write_text("# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t0\tsession\tabc\n")
    url = feed_server.url("/cookie/rss2.xml")
    source = add_source(isolated_env, url, "--no-fetch")
    refused = run(isolated_env, "refresh", str(source))
    assert refused.returncode == 1 and "HTTP 403" in refused.stderr  # no cookie, no feed
    set_(isolated_env, source, f"cookies_file={jar}")
    refreshed = run(isolated_env, "refresh", str(source))
    assert refreshed.returncode == 0, refreshed.stderr
    sent = [cookie for path, cookie in feed_server.cookies if path == "/cookie/rss2.xml"]
    assert sent[-1] == "session=abc"
    saved = jar.read_text()
    assert "\tseen\t1" in saved and "\tsession\tabc" in saved  # what the server set is kept
    assert saved.startswith("# Netscape HTTP Cookie File")
    assert run(isolated_env, "refresh", str(source)).returncode == 0
    sent = [cookie for path, cookie in feed_server.cookies if path == "/cookie/rss2.xml"]
    assert "seen=1" in sent[-1] and "session=abc" in sent[-1]
    jar.write_text("this is not a cookies file\n")
    bad = run(isolated_env, "refresh", str(source))
    assert bad.returncode == 1 and "not a Netscape cookies.txt" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def _feed(items: range) -> bytes:
    body = "".join(
        f"<item><title>Story {i}</title><guid>s{i}</guid>"
        f"<pubDate>Mon, 0{1 + i % 9} Jun 2026 10:00:00 GMT</pubDate></item>"
        for i in items
    )
    return f"<rss version='2.0'><channel><title>Rolling</title>{body}</channel></rss>".encode()


def test_retention_keeps_starred_and_unread_stories(
    isolated_env: dict[str, str], feed_server: FeedServer
) -> None:
    url = feed_server.add("/rolling.xml", _feed(range(0, 6)))
    source = add_source(isolated_env, url)
    stories = json.loads(run(isolated_env, "list", "--json").stdout)
    ids = {s["title"]: s["id"] for s in stories}
    read = [str(ids[f"Story {i}"]) for i in range(0, 5)]
    assert run(isolated_env, "mark", *read, "--read").returncode == 0
    assert run(isolated_env, "mark", str(ids["Story 1"]), "--star").returncode == 0
    feed_server.add("/rolling.xml", _feed(range(6, 8)))  # the old stories leave the feed
    assert run(isolated_env, "refresh", str(source)).returncode == 0
    set_(isolated_env, source, "max_stories=2")  # applied at once
    left = {s["title"] for s in json.loads(run(isolated_env, "list", "--json").stdout)}
    # the two the feed lists now, the starred one, the unread one; the other read ones gone
    assert left == {"Story 6", "Story 7", "Story 1", "Story 5"}, left
    assert show(isolated_env, source)["options"] == {"max_stories": 2}


def test_source_show_says_where_each_setting_comes_from(
    isolated_env: dict[str, str], feed_server: FeedServer, tmp_path: Path
) -> None:
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "config.toml").write_text(
        '[general]\nfull_text = "never"\n[retention]\nmax_age_days = 30\n'
    )
    source = add_source(isolated_env, feed_server.url("/rss2.xml"))
    set_(isolated_env, source, "max_age_days=0", "full_text=always")
    data = show(isolated_env, source)
    assert data["options"] == {"max_age_days": 0, "full_text": "always"}
    settings = data["settings"]
    assert isinstance(settings, dict)
    assert settings["max_age_days"] is None  # 0 on the source: no limit, over the config's 30
    assert settings["full_text"] == "always"
    text = run(isolated_env, "source", "show", str(source)).stdout
    assert "full_text         always  (set here)" in text
    bad = run(isolated_env, "source", "set", str(source), "max_stories=lots")
    assert bad.returncode == 2 and "whole number" in bad.stderr
    assert show(isolated_env, source)["options"] == data["options"]  # nothing changed
